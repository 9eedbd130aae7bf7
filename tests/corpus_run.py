"""Run asynclint over the real-world corpus and count its findings per rule.

The corpus is the pinned releases of asyncio-heavy projects that `tests/corpus/fetch.py`
downloads from PyPI, plus the standard library of the Python running this (CPython's `Lib/`).
Each project is checked the way its developers would check it, from its own directory with its
own `pyproject.toml`, through the command line: `--format json --exit-zero --no-cache` and the
default number of jobs.

Used by tests/test_corpus.py and tests/update_corpus_baseline.py."""

from __future__ import annotations

import importlib.util
import json
import os
import platform
import subprocess
import sys
import sysconfig
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TESTS = Path(__file__).resolve().parent
BASELINE = TESTS / "corpus_baseline.json"
FETCH_SCRIPT = TESTS / "corpus" / "fetch.py"
REGENERATE = "python tests/update_corpus_baseline.py"
Counts = dict[str, dict[str, int]]  # source -> code -> number of findings


def stdlib_key() -> str:
    """The baseline entry for this interpreter's standard library: it differs between
    releases, so each has its own."""
    return f"{platform.python_implementation().lower()}-{platform.python_version()}"


@dataclass
class SourceRun:
    name: str
    root: Path
    status: int
    stderr: str
    findings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(item["code"] for item in self.findings).items()))


def fetch_corpus() -> Path:
    """Download (or reuse) the pinned projects; the directory they are in."""
    done = subprocess.run(
        [sys.executable, str(FETCH_SCRIPT)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"{FETCH_SCRIPT} exited with {done.returncode}:\n{done.stderr}{done.stdout}"
        )
    return Path(done.stdout.strip().splitlines()[-1])


def pinned_projects() -> dict[str, str]:
    """fetch.py's name -> version table (its PINNED), read from the script itself."""
    spec = importlib.util.spec_from_file_location("corpus_fetch", FETCH_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return dict(module.PINNED)


def sources(corpus: Path) -> dict[str, Path]:
    """Every directory to check, by its name in the baseline."""
    roots = {
        f"{name}-{version}": corpus / f"{name}-{version}"
        for name, version in pinned_projects().items()
    }
    roots[stdlib_key()] = Path(sysconfig.get_path("stdlib"))
    return roots


def check(name: str, root: Path) -> SourceRun:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "asynclint",
            "check",
            "--format",
            "json",
            "--exit-zero",
            "--no-cache",
            ".",
        ],
        cwd=root,
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
    )
    run = SourceRun(name, root, done.returncode, done.stderr)
    if done.returncode == 0:
        run.findings = json.loads(done.stdout)
    return run


def check_all(corpus: Path) -> dict[str, SourceRun]:
    return {name: check(name, root) for name, root in sources(corpus).items()}


def load_baseline() -> dict[str, Any]:
    with BASELINE.open(encoding="utf-8") as handle:
        data: dict[str, Any] = json.load(handle)
    return data


def expected_counts(baseline: dict[str, Any], names: list[str]) -> Counts:
    """What the baseline says for these sources; a source it does not know is absent."""
    known: Counts = {**baseline["projects"], **baseline["stdlib"]}
    return {name: known[name] for name in names if name in known}


def describe_difference(expected: Counts, actual: Counts, runs: dict[str, SourceRun]) -> str:
    """The changed counts, per source and in total per rule, with the findings of the rules
    whose counts changed (the first few of each) to review."""
    lines = ["findings per rule differ from tests/corpus_baseline.json:"]
    totals_before: Counter[str] = Counter()
    totals_after: Counter[str] = Counter()
    for name in sorted(set(expected) | set(actual)):
        before, after = expected.get(name), actual.get(name)
        if before is None:
            lines.append(f"  {name}: not in the baseline")
            before = {}
        totals_before.update(before)
        totals_after.update(after or {})
        for code in sorted(set(before) | set(after or {})):
            old, new = before.get(code, 0), (after or {}).get(code, 0)
            if old != new:
                lines.append(f"  {name} {code}: {old} -> {new} ({new - old:+d})")
                run = runs.get(name)
                findings = [f for f in run.findings if f["code"] == code] if run else []
                for item in findings[:5]:
                    row, column = item["location"]["row"], item["location"]["column"]
                    message = item["message"][:100]
                    lines.append(f"      {item['filename']}:{row}:{column}: {message}")
                if len(findings) > 5:
                    lines.append(f"      ... and {len(findings) - 5} more")
    lines.append("  total per rule:")
    for code in sorted(set(totals_before) | set(totals_after)):
        old, new = totals_before[code], totals_after[code]
        mark = "" if old == new else f"  ({new - old:+d})"
        lines.append(f"    {code}: {old} -> {new}{mark}")
    lines.append(
        f"If the change is intended, review the findings and regenerate the baseline: {REGENERATE}"
    )
    return "\n".join(lines)


def write_baseline(
    runs: dict[str, SourceRun], previous: dict[str, Any] | None, *, keep_projects: bool = False
) -> dict[str, Any]:
    """The projects' counts and this Python's standard library counts; other Pythons' standard
    library entries are kept as they were (regenerate under each of them to refresh them).
    `keep_projects`: only this Python's standard library was checked; keep the projects."""
    stdlib = dict(previous["stdlib"]) if previous else {}
    stdlib[stdlib_key()] = runs[stdlib_key()].counts
    data = {
        "comment": (
            "Findings per rule of asynclint on the pinned corpus projects of "
            "tests/corpus/fetch.py and on each Python's standard library. "
            f"tests/test_corpus.py compares; regenerate with: {REGENERATE}"
        ),
        "projects": (
            previous["projects"]
            if keep_projects and previous
            else {name: run.counts for name, run in sorted(runs.items()) if name != stdlib_key()}
        ),
        "stdlib": dict(sorted(stdlib.items())),
    }
    BASELINE.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return data
