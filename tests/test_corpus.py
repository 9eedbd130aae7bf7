"""asynclint over real code: the pinned asyncio projects of tests/corpus/fetch.py and this
Python's standard library. No file may crash it or cause an internal error, and the number of
findings per rule must equal tests/corpus_baseline.json, so that a change which suddenly finds
more (or less) on real code is noticed and reviewed.

Run on its own with `python -m pytest -m corpus`. It fetches the projects from PyPI the first
time (into $ASYNCLINT_CORPUS, default ~/.cache/asynclint-corpus) and takes a few minutes. After
an intended change, regenerate the baseline with `python tests/update_corpus_baseline.py`."""

from __future__ import annotations

import corpus_run
import pytest

pytestmark = [pytest.mark.slow, pytest.mark.corpus]


@pytest.fixture(scope="module")
def runs() -> dict[str, corpus_run.SourceRun]:
    return corpus_run.check_all(corpus_run.fetch_corpus())


def test_no_crash_and_no_internal_error(runs: dict[str, corpus_run.SourceRun]) -> None:
    failures = [
        f"{run.name} ({run.root}): exit status {run.status}\n{run.stderr}"
        for run in runs.values()
        if run.status != 0 or run.stderr
    ]
    assert not failures, "\n".join(failures)
    # Every source was really there to check.
    for run in runs.values():
        assert next(run.root.rglob("*.py"), None) is not None, f"{run.root}: no Python files"


def test_findings_per_rule_match_the_baseline(runs: dict[str, corpus_run.SourceRun]) -> None:
    baseline = corpus_run.load_baseline()
    stdlib = corpus_run.stdlib_key()
    assert stdlib in baseline["stdlib"], (
        f"tests/corpus_baseline.json has no entry for this Python's standard library ({stdlib};"
        f" it has {', '.join(sorted(baseline['stdlib']))}). Add one by running"
        f" {corpus_run.REGENERATE} with this Python."
    )
    actual = {name: run.counts for name, run in runs.items()}
    expected = corpus_run.expected_counts(baseline, list(actual))
    expected_projects = set(baseline["projects"])
    assert set(actual) - {stdlib} == expected_projects, (
        "the corpus projects are not those of the baseline (did fetch.py change its pins?): "
        f"{sorted(set(actual) - {stdlib})} vs {sorted(expected_projects)}; "
        f"regenerate with {corpus_run.REGENERATE}"
    )
    assert actual == expected, corpus_run.describe_difference(expected, actual, runs)
