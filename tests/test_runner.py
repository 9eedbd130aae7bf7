"""The runner: ordered results from a process pool, the content-hash cache, and fixing."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from asynclint import runner, stamps
from asynclint.cache import CACHE_DIR_NAME, Cache, result_from_json, result_to_json
from asynclint.diagnostics import Diagnostic, Edit, Fix, Severity
from asynclint.fixes.stable import fix_until_stable
from asynclint.results import FileResult
from asynclint.runner import run
from asynclint.settings import Settings

# Fires once AIO401 (stream-write-without-drain) is in place; it has a safe fix.
AIO401_SNIPPET = """\
import asyncio
async def send(host):
    reader, writer = await asyncio.open_connection(host, 80)
    writer.write(b"ping")
"""
AIO401_FIXED = AIO401_SNIPPET + "    await writer.drain()\n"
SYNTAX_ERROR = "async def broken(:\n    pass\n"
UNDECODABLE = b"async def f():\x00 pass\n"
PLAIN = "x = 1\n"

FORK_ONLY = pytest.mark.skipif(
    multiprocessing.get_start_method() != "fork",
    reason="patches the worker function, which only forked workers inherit",
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _files(root: Path, files: dict[str, str | bytes]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)


def _summary(results: list[FileResult]) -> list[tuple[str, list[tuple[int, int, str]]]]:
    return [(r.path, [(d.line, d.column, d.code) for d in r.diagnostics]) for r in results]


def test_results_follow_discovery_order_and_count_files(project: Path) -> None:
    _files(project, {"b.py": SYNTAX_ERROR, "a.py": PLAIN, "c/d.py": UNDECODABLE})
    outcome = run(["."], Settings(), jobs=1, use_cache=False)
    assert _summary(outcome.results) == [
        ("a.py", []),
        ("b.py", [(1, 18, "AIO001")]),
        ("c/d.py", [(1, 1, "AIO002")]),
    ]
    assert (outcome.files_checked, outcome.files_skipped) == (2, 1)
    assert outcome.rule_names == {"AIO001": "syntax-error", "AIO002": "unreadable-file"}
    assert outcome.internal_errors == []


@FORK_ONLY
def test_pool_results_keep_discovery_order_whatever_finishes_first(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    names = [f"m{i}.py" for i in range(8)]
    _files(project, {name: SYNTAX_ERROR for name in names})
    real_check = runner.check_task

    def slow_first(task: runner._Task, *args: object) -> FileResult:
        # Earlier files take longer, so workers finish them last.
        time.sleep(0.02 * (len(names) - task.index))
        result = real_check(task, *args)  # type: ignore[arg-type]
        result.internal_errors = [f"pid {os.getpid()}"]
        return result

    monkeypatch.setattr(runner, "check_task", slow_first)
    outcome = run(["."], Settings(), jobs=2, use_cache=False)
    assert [r.path for r in outcome.results] == names
    assert all(r.diagnostics[0].code == "AIO001" for r in outcome.results)
    pids = {r.internal_errors[0] for r in outcome.results}
    assert len(pids) == 2 and f"pid {os.getpid()}" not in pids


def test_pool_and_in_process_runs_agree(project: Path) -> None:
    _files(project, {f"p{i}.py": AIO401_SNIPPET if i % 2 else SYNTAX_ERROR for i in range(6)})
    serial = run(["."], Settings(), jobs=1, use_cache=False)
    parallel = run(["."], Settings(), jobs=2, use_cache=False)
    assert parallel.results == serial.results


@FORK_ONLY
def test_a_crashed_worker_is_an_internal_error_for_its_files(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _files(project, {"a.py": SYNTAX_ERROR, "b.py": SYNTAX_ERROR})

    def die(*args: object) -> FileResult:
        os._exit(3)

    monkeypatch.setattr(runner, "check_task", die)
    outcome = run(["."], Settings(), jobs=2, use_cache=False)
    assert [r.path for r in outcome.results] == ["a.py", "b.py"]
    assert len(outcome.internal_errors) == 2
    assert all("worker failed" in error for error in outcome.internal_errors)


def test_second_run_is_served_from_the_cache(project: Path) -> None:
    _files(project, {"a.py": AIO401_SNIPPET, "b.py": SYNTAX_ERROR, "c.py": PLAIN})
    cold = run(["."], Settings(), jobs=1)
    assert cold.cache_hits == 0
    warm = run(["."], Settings(), jobs=1)
    assert warm.cache_hits == 3
    assert warm.results == cold.results
    assert [d.fix for d in warm.diagnostics] == [d.fix for d in cold.diagnostics]
    assert warm.rule_names == cold.rule_names
    assert (warm.files_checked, warm.files_skipped) == (cold.files_checked, cold.files_skipped)
    ignore = project / CACHE_DIR_NAME / ".gitignore"
    assert ignore.read_text().splitlines()[-1] == "*"


def test_changed_content_and_changed_settings_miss(project: Path) -> None:
    _files(project, {"a.py": SYNTAX_ERROR, "b.py": SYNTAX_ERROR})
    run(["."], Settings(), jobs=1)
    (project / "b.py").write_text("async def fine():\n    pass\n")
    outcome = run(["."], Settings(), jobs=1)
    assert outcome.cache_hits == 1
    assert _summary(outcome.results) == [("a.py", [(1, 18, "AIO001")]), ("b.py", [])]
    ignoring = run(["."], Settings(ignore=("AIO001",)), jobs=1)
    assert ignoring.cache_hits == 0
    assert ignoring.diagnostics == []


def _counting_reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    reads: list[str] = []
    real_read = runner._read

    def read(path: str) -> bytes | None:
        reads.append(path)
        return real_read(path)

    monkeypatch.setattr(runner, "_read", read)
    return reads


def test_a_warm_run_reads_only_the_files_changed_since(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Files are known by their stat only once written well before a run: here, just before.
    monkeypatch.setattr(stamps, "RACY_NS", 0)
    _files(project, {"a.py": AIO401_SNIPPET, "b.py": SYNTAX_ERROR, "c.py": PLAIN})
    cold = run(["."], Settings(), jobs=1)
    reads = _counting_reads(monkeypatch)
    warm = run(["."], Settings(), jobs=1)
    assert reads == []
    assert warm.results == cold.results and warm.cache_hits == 3
    (project / "b.py").write_text("async def fine():\n    pass\n")
    edited = run(["."], Settings(), jobs=1)
    assert set(reads) == {"b.py"}
    assert _summary(edited.results) == [("a.py", [(4, 5, "AIO401")]), ("b.py", []), ("c.py", [])]


def test_a_file_rewritten_with_its_size_and_mtime_kept_is_read_again(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stamps, "RACY_NS", 0)
    _files(project, {"a.py": AIO401_SNIPPET})
    assert [d.code for d in run(["."], Settings(), jobs=1).diagnostics] == ["AIO401"]
    before = (project / "a.py").stat()
    same_size = AIO401_SNIPPET.replace('writer.write(b"ping")', "writer.close()       ")
    assert len(same_size) == len(AIO401_SNIPPET)
    (project / "a.py").write_text(same_size)
    os.utime(project / "a.py", ns=(before.st_atime_ns, before.st_mtime_ns))
    # Its ctime changed: the new content is what is checked.
    assert [d.code for d in run(["."], Settings(), jobs=1).diagnostics] == ["AIO402"]


def test_files_written_just_before_a_run_are_read_again_by_the_next(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _files(project, {"a.py": AIO401_SNIPPET, "c.py": PLAIN})
    run(["."], Settings(), jobs=1)
    reads = _counting_reads(monkeypatch)
    run(["."], Settings(), jobs=1)
    assert sorted(reads) == ["a.py", "c.py"]


def test_same_file_under_another_display_path_misses(project: Path) -> None:
    _files(project, {"pkg/a.py": SYNTAX_ERROR})
    run(["."], Settings(), jobs=1)
    os.chdir(project / "pkg")
    outcome = run(["."], Settings(), jobs=1, cache_dir=str(project / CACHE_DIR_NAME))
    assert outcome.cache_hits == 0
    assert [d.path for d in outcome.diagnostics] == ["a.py"]


def _results_caches(project: Path) -> list[Path]:
    """The cache files of results (not the module summaries or the files' stamps)."""
    caches = (project / CACHE_DIR_NAME).glob("*.json")
    return [p for p in caches if not p.name.startswith(("summaries-", "files-"))]


def test_corrupt_cache_is_ignored_and_replaced(project: Path) -> None:
    _files(project, {"a.py": SYNTAX_ERROR})
    run(["."], Settings(), jobs=1)
    (cache_file,) = _results_caches(project)
    for garbage in ["{not json", '{"format": 1, "files": {"x": 1}}', "[]", "\xff"]:
        cache_file.write_text(garbage, encoding="latin-1")
        outcome = run(["."], Settings(), jobs=1)
        assert _summary(outcome.results) == [("a.py", [(1, 18, "AIO001")])]
    assert run(["."], Settings(), jobs=1).cache_hits == 1


def test_damaged_entry_is_a_miss(project: Path) -> None:
    _files(project, {"a.py": SYNTAX_ERROR})
    run(["."], Settings(), jobs=1)
    (cache_file,) = _results_caches(project)
    stored = json.loads(cache_file.read_text())
    for entry in stored["files"].values():
        entry["result"]["diagnostics"] = [["one", 2]]
    cache_file.write_text(json.dumps(stored))
    outcome = run(["."], Settings(), jobs=1)
    assert outcome.cache_hits == 0
    assert _summary(outcome.results) == [("a.py", [(1, 18, "AIO001")])]


def test_unwritable_cache_location_is_not_fatal(project: Path) -> None:
    _files(project, {"a.py": SYNTAX_ERROR})
    blocker = project / "blocker"
    blocker.write_text("a file where the cache directory should go")
    for _ in range(2):
        outcome = run(["."], Settings(), jobs=1, cache_dir=str(blocker / "cache"))
        assert outcome.cache_hits == 0
        assert _summary(outcome.results) == [("a.py", [(1, 18, "AIO001")])]


def test_no_cache_writes_nothing(project: Path) -> None:
    _files(project, {"a.py": SYNTAX_ERROR})
    run(["."], Settings(), jobs=1, use_cache=False)
    assert not (project / CACHE_DIR_NAME).exists()


def test_internal_errors_are_not_cached(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _files(project, {"a.py": "async def f():\n    pass\n"})

    def crashing(data: bytes, path: str, settings: Settings, **_: object) -> FileResult:
        return FileResult(path, internal_errors=[f"{path}: rule AIO999 failed: boom"])

    with monkeypatch.context() as patch:
        patch.setattr("asynclint.engine.check_source", crashing)
        crashed = run(["."], Settings(), jobs=1)
    assert crashed.internal_errors == ["a.py: rule AIO999 failed: boom"]
    second = run(["."], Settings(), jobs=1)
    assert (second.cache_hits, second.internal_errors) == (0, [])


def test_cached_result_round_trips_exactly() -> None:
    fix = Fix((Edit(3, 3, "\n    await w.drain()"), Edit(0, 2, "")), False, "Insert a drain")
    result = FileResult(
        "pkg/m.py",
        diagnostics=[
            Diagnostic("pkg/m.py", 4, 5, "AIO401", "msg é", Severity.WARNING, 4, 26, fix),
            Diagnostic("pkg/m.py", 1, 13, "AIO001", "syntax", Severity.ERROR),
        ],
        skipped=False,
        fixed_text="fixed\r\ntext",
        encoding="utf-8-sig",
        applied_fixes=["AIO401", "AIO401"],
    )
    stored = json.loads(json.dumps(result_to_json(result)))
    restored = result_from_json(stored, "pkg/m.py")
    assert restored == result
    assert [d.fix for d in restored.diagnostics] == [fix, None]  # fix is not part of ==


def test_cache_keeps_entries_of_files_not_in_this_run(project: Path) -> None:
    _files(project, {"a.py": SYNTAX_ERROR, "b.py": SYNTAX_ERROR})
    run(["a.py"], Settings(), jobs=1)
    run(["b.py"], Settings(), jobs=1)
    assert run(["."], Settings(), jobs=1).cache_hits == 2


def test_cache_forgets_files_that_are_gone(project: Path) -> None:
    _files(project, {"a.py": SYNTAX_ERROR, "b.py": SYNTAX_ERROR})
    run(["."], Settings(), jobs=1)
    (project / "b.py").unlink()
    _files(project, {"c.py": SYNTAX_ERROR})
    run(["c.py"], Settings(), jobs=1)
    (cache_file,) = _results_caches(project)
    stored = Cache(str(project / CACHE_DIR_NAME), cache_file.stem)
    assert sorted(os.path.basename(path) for path in stored.entries) == ["a.py", "c.py"]


WARM_RUN = """
import sys
from asynclint.cli import main
try:
    main(sys.argv[1:])
except SystemExit as exit:
    code = exit.code
print("exit", code, "libcst imported:", "libcst" in sys.modules)
"""


@pytest.mark.parametrize("output_format", ["text", "sarif"])
def test_warm_run_does_not_import_libcst(project: Path, output_format: str) -> None:
    # SARIF carries every reported rule's metadata and doc: the registry gives them, no parser.
    (project / "pyproject.toml").write_text(
        '[tool.asynclint]\nselect = ["AIO"]\nignore = ["AIO2"]\n'
    )
    _files(project, {"a.py": AIO401_SNIPPET, "b.py": SYNTAX_ERROR, "c.py": PLAIN})
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}

    def check(jobs: int) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-c", WARM_RUN, "check", "--jobs", str(jobs), "--format"]
        command += [output_format, "."]
        return subprocess.run(command, capture_output=True, text=True, env=env, check=False)

    # The cold run analyses in this process (one job), so that the check below can fail.
    cold, warm = check(1), check(2)
    assert cold.stdout.splitlines()[-1] == "exit 1 libcst imported: True"
    assert warm.stdout.splitlines()[-1] == "exit 1 libcst imported: False"
    assert warm.stdout == cold.stdout.replace("True", "False")
    assert ("b.py:1:18: AIO001" if output_format == "text" else '"ruleId": "AIO001"') in warm.stdout
    assert warm.stderr == cold.stderr


def test_a_warm_run_with_an_edited_file_imports_no_parser_in_the_main_process(
    tmp_path: Path,
) -> None:
    (tmp_path / "a.py").write_text(AIO401_SNIPPET)
    (tmp_path / "b.py").write_text("x = 1\n")

    def check(jobs: int) -> list[str]:
        command = [sys.executable, "-c", WARM_RUN, "check", "--jobs", str(jobs), "."]
        done = subprocess.run(command, capture_output=True, text=True, cwd=tmp_path, check=False)
        return done.stdout.splitlines()

    cold = check(1)
    assert cold[-1] == "exit 1 libcst imported: True"  # one job: analysed in this process
    (tmp_path / "a.py").write_text(AIO401_SNIPPET + "# edited\n")
    edited = check(2)
    assert edited[-1] == "exit 1 libcst imported: False"
    assert edited[:-1] == cold[:-1]  # the same finding, from the standby
    assert any("a.py:4:5: AIO401" in line for line in edited)


def test_fix_applies_safe_fixes_and_reports_what_remains(project: Path) -> None:
    _files(project, {"a.py": AIO401_SNIPPET})
    outcome = run(["a.py"], Settings(), jobs=1, use_cache=False, fix=True)
    (result,) = outcome.results
    assert result.fixed_text == AIO401_FIXED
    assert result.applied_fixes == ["AIO401"]
    assert result.diagnostics == []
    assert (project / "a.py").read_text() == AIO401_SNIPPET  # the runner never writes


def _fake_first(*fixes: Fix) -> FileResult:
    diagnostics = [Diagnostic("m.py", 1, 1, "AIO401", "m", fix=fix) for fix in fixes]
    return FileResult("m.py", diagnostics=diagnostics)


def test_a_fix_that_breaks_the_syntax_is_not_applied() -> None:
    text = "async def f():\n    pass\n"
    first = _fake_first(Fix((Edit(0, 0, "("),), True, "bad"))
    result = fix_until_stable(text.encode(), first, Settings(), unsafe=False)
    assert result.fixed_text is None
    assert result.applied_fixes == []
    assert result.internal_errors == [
        "m.py: fixes for AIO401 produced code that does not parse; not applied"
    ]


def test_unsafe_fixes_need_unsafe() -> None:
    text = "async def f():\n    pass\n"
    unsafe_fix = Fix((Edit(0, 0, "# x\n"),), False, "comment")
    kept = fix_until_stable(text.encode(), _fake_first(unsafe_fix), Settings(), False)
    assert kept.fixed_text is None
    applied = fix_until_stable(text.encode(), _fake_first(unsafe_fix), Settings(), True)
    assert applied.fixed_text == "# x\n" + text
    assert applied.applied_fixes == ["AIO401"]


def test_fixing_keeps_a_bom_file_encoding(project: Path) -> None:
    (project / "a.py").write_bytes(b"\xef\xbb\xbf" + AIO401_SNIPPET.encode())
    (result,) = run(["a.py"], Settings(), jobs=1, use_cache=False, fix=True).results
    assert result.encoding == "utf-8-sig"
    assert result.fixed_text == AIO401_FIXED


def test_library_lint_paths_uses_the_runner(project: Path) -> None:
    import asynclint

    _files(project, {"b.py": SYNTAX_ERROR, "a.py": SYNTAX_ERROR, "venv/c.py": SYNTAX_ERROR})
    found = asynclint.lint_paths(["."])
    assert [(d.path, d.code) for d in found] == [("a.py", "AIO001"), ("b.py", "AIO001")]
    assert not (project / CACHE_DIR_NAME).exists()


def test_importing_the_package_and_cli_does_not_import_libcst() -> None:
    script = (
        "import sys, asynclint, asynclint.cli\n"
        "before = 'libcst' in sys.modules\n"
        "found = asynclint.lint_source('async def f(:\\n')\n"
        "print(before, 'libcst' in sys.modules, [d.code for d in found])\n"
    )
    output = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    ).stdout
    assert output == "False True ['AIO001']\n"


@pytest.mark.parametrize("earlier_run", [False, True], ids=["new cache", "existing cache"])
def test_concurrent_runs_do_not_drop_each_others_entries(project: Path, earlier_run: bool) -> None:
    # pre-commit runs several processes at once; each saves what it checked. Over an existing
    # file, the second run loaded it before the first replaced it: it must read it again.
    _files(project, {"a.py": SYNTAX_ERROR, "b.py": SYNTAX_ERROR, "c.py": SYNTAX_ERROR})
    directory = str(project / CACHE_DIR_NAME)
    names = ["a.py", "b.py"]
    if earlier_run:
        earlier = Cache(directory, "key")
        earlier.put(str(project / "c.py"), "c.py", "digest", FileResult("c.py"))
        earlier.save()
        names.append("c.py")
    first, second = Cache(directory, "key"), Cache(directory, "key")
    for cache, name in [(first, "a.py"), (second, "b.py")]:
        cache.put(str(project / name), name, "digest", FileResult(name))
    first.save()
    second.save()
    merged = Cache(directory, "key")
    for name in names:
        assert merged.get(str(project / name), name, "digest") == FileResult(name)
