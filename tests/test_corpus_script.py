"""The corpus test's fetch script ships with the repository, so a clone runs the same test."""

from __future__ import annotations

from pathlib import Path

import corpus_run

REPOSITORY = Path(__file__).resolve().parents[1]


def test_fetch_script_is_part_of_the_repository() -> None:
    assert corpus_run.FETCH_SCRIPT.is_file()
    assert REPOSITORY in corpus_run.FETCH_SCRIPT.resolve().parents


def test_pinned_projects_are_those_of_the_baseline() -> None:
    pinned = {f"{name}-{version}" for name, version in corpus_run.pinned_projects().items()}
    assert pinned == set(corpus_run.load_baseline()["projects"])
