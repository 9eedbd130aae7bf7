"""Rewrite tests/corpus_baseline.json from a fresh run of asynclint over the corpus.

    python tests/update_corpus_baseline.py

Fetches the pinned projects with tests/corpus/fetch.py (from PyPI; reused when already
downloaded), checks them and this Python's standard library, and records the findings per rule.
Run it after a change to the rules whose new findings on real code you have reviewed; the diff
of the baseline file then shows the change in the commit. The standard library entry is this
Python's; entries for other Pythons are kept as they were. To refresh another Python's entry,
run it under that Python with asynclint installed there, checking only its standard library:

    python3.13 tests/update_corpus_baseline.py --stdlib-only"""

from __future__ import annotations

import sys
import sysconfig
import time
from pathlib import Path

import corpus_run

STDLIB = Path(sysconfig.get_path("stdlib"))


def main(argv: list[str]) -> int:
    started = time.monotonic()
    stdlib_only = argv == ["--stdlib-only"]
    if stdlib_only:  # another interpreter's entry: the projects' counts do not depend on it
        runs = {corpus_run.stdlib_key(): corpus_run.check(corpus_run.stdlib_key(), STDLIB)}
    else:
        runs = corpus_run.check_all(corpus_run.fetch_corpus())
    failed = [run for run in runs.values() if run.status != 0 or run.stderr]
    for run in failed:
        print(f"{run.name}: exit status {run.status}\n{run.stderr}", file=sys.stderr)
    if failed:
        print("not written: asynclint failed on the corpus (see above)", file=sys.stderr)
        return 1
    previous = corpus_run.load_baseline() if corpus_run.BASELINE.exists() else None
    data = corpus_run.write_baseline(runs, previous, keep_projects=stdlib_only)
    total = sum(sum(counts.values()) for counts in data["projects"].values())
    stdlib = sum(data["stdlib"][corpus_run.stdlib_key()].values())
    print(
        f"wrote {corpus_run.BASELINE}: {total} findings in {len(data['projects'])} projects, "
        f"{stdlib} in the standard library ({time.monotonic() - started:.0f} s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
