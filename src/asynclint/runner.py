"""Check many files: discover them, answer what the cache knows, analyse the rest in-process
or on a process pool, and return results in discovery order whatever order workers finish in.

The engine (and with it libcst, ~0.25 s to import) is imported only once some file actually
needs analysing, so a run served entirely from the cache never pays for it."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from asynclint.cache import CACHE_DIR_NAME, Cache, content_hash, run_key
from asynclint.files import DiscoveryOptions, discover
from asynclint.results import FileResult, prefiltered
from asynclint.settings import Settings

if TYPE_CHECKING:
    from asynclint.diagnostics import Diagnostic

# Larger files go to the engine by path, which reports them as too large (and they are not
# cached); keep this at least the engine's own limit.
READ_LIMIT = 10 * 1024 * 1024
MAX_FIX_ROUNDS = 10  # a fix can enable another; stop if they never settle


@dataclass
class Outcome:
    results: list[FileResult] = field(default_factory=list)  # in discovery order
    files_checked: int = 0  # analysed or answered from the cache
    files_skipped: int = 0  # nothing asyncio-related in them: not analysed
    cache_hits: int = 0
    internal_errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # e.g. a directory that cannot be read
    path_errors: list[str] = field(default_factory=list)  # named paths that do not exist
    rule_names: dict[str, str] = field(default_factory=dict)  # code -> name, for reporters

    @property
    def diagnostics(self) -> list[Diagnostic]:
        return [d for result in self.results for d in result.diagnostics]


@dataclass(frozen=True)
class _Task:
    index: int
    path: str
    data: bytes | None  # None: unreadable or too large; the engine reads it and says why


def run(
    paths: Sequence[str],
    settings: Settings,
    *,
    jobs: int | None = None,
    use_cache: bool = True,
    cache_dir: str | None = None,
    fix: bool = False,
    unsafe: bool = False,
    discovery: DiscoveryOptions | None = None,
    project_root: str | None = None,
    before_analysis: Callable[[], None] | None = None,
    keep_digests: bool = False,
) -> Outcome:
    """`before_analysis` runs once, before the first file is analysed (or when there are no
    files at all); the command line validates rule selectors there. `keep_digests`: give
    each result with findings the digest of the bytes checked (for --add-noqa, which must
    not edit a file changed since)."""
    found = discover(paths, discovery)
    outcome = Outcome(warnings=list(found.warnings), path_errors=list(found.errors))
    cache = None
    if use_cache:
        directory = cache_dir or os.path.join(project_root or os.getcwd(), CACHE_DIR_NAME)
        cache = Cache(directory, run_key(settings, fix=fix, unsafe=unsafe))
    slots: list[FileResult | None] = [None] * len(found.files)
    digests: dict[int, str] = {}
    tasks: list[_Task] = []
    for index, path in enumerate(found.files):
        data = _read(path)
        if data is not None and (cache is not None or fix or keep_digests):
            digests[index] = content_hash(data)
        if data is not None and cache is not None:
            hit = cache.get(os.path.abspath(path), path, digests[index])
            if hit is not None:
                slots[index] = hit
                outcome.cache_hits += 1
                continue
        if data is not None and not fix and prefiltered(data):
            # Decided here: no need to ship the bytes to a worker (or keep them) for nothing.
            skipped = slots[index] = FileResult(path, skipped=True)
            if cache is not None:
                cache.put(os.path.abspath(path), path, digests[index], skipped)
            continue
        tasks.append(_Task(index, path, data))
    if before_analysis is not None and (tasks or not found.files):
        before_analysis()
    if tasks:
        for task, result in zip(tasks, _analyse(tasks, settings, jobs, fix, unsafe), strict=True):
            slots[task.index] = result
            digest = digests.get(task.index)
            if cache is not None and digest is not None and not result.internal_errors:
                cache.put(os.path.abspath(task.path), task.path, digest, result)
    for index, slot in enumerate(slots):
        if slot is not None and (slot.fixed_text is not None or keep_digests):
            # What the fixes (or noqa lines) were made from: they are written only while the
            # file still is.
            slot.source_digest = digests.get(index)
    outcome.results = [result for result in slots if result is not None]
    for result in outcome.results:
        outcome.internal_errors.extend(result.internal_errors)
        if result.skipped:
            outcome.files_skipped += 1
        else:
            outcome.files_checked += 1
    known = cache.names if cache is not None else {}
    outcome.rule_names = rule_names((d.code for d in outcome.diagnostics), known)
    if cache is not None:
        cache.remember_names(outcome.rule_names)
        cache.save()
    return outcome


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            data = handle.read(READ_LIMIT + 1)
    except OSError:
        return None
    return data if len(data) <= READ_LIMIT else None


def rule_names(codes: Iterable[str], known: Mapping[str, str]) -> dict[str, str]:
    """Names for `codes`; asks the registry (importing the parser) only for codes the cache
    did not name."""
    codes = set(codes)
    names = {code: known[code] for code in codes if code in known}
    missing = codes - names.keys()
    if missing:
        from asynclint.rules import metadata

        for code in missing:
            meta = metadata(code)
            names[code] = meta.name if meta is not None else ""
    return names


def default_jobs() -> int:
    """The CPUs this process may use (fewer than the machine has under taskset/containers)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def _analyse(
    tasks: list[_Task], settings: Settings, jobs: int | None, fix: bool, unsafe: bool
) -> list[FileResult]:
    # Import the engine here even when a pool does the work: forked workers inherit it.
    import asynclint.engine  # noqa: F401

    workers = min(jobs or default_jobs(), len(tasks))
    if workers <= 1:
        return [check_task(task, settings, fix, unsafe) for task in tasks]
    try:
        return _analyse_in_pool(tasks, settings, workers, fix, unsafe)
    except (OSError, NotImplementedError, ImportError):
        # No usable process pool here (restricted sandbox, no semaphores): do it ourselves.
        return [check_task(task, settings, fix, unsafe) for task in tasks]


def _analyse_in_pool(
    tasks: list[_Task], settings: Settings, workers: int, fix: bool, unsafe: bool
) -> list[FileResult]:
    from concurrent.futures import ProcessPoolExecutor

    # Biggest files first, in small chunks: one large file picked up last would otherwise
    # leave the other workers idle while it finishes. Results go back to their own slots.
    order = sorted(range(len(tasks)), key=lambda i: -len(tasks[i].data or b""))
    size = max(1, min(8, len(tasks) // (workers * 8)))
    chunks = [
        [tasks[i] for i in order[start : start + size]] for start in range(0, len(order), size)
    ]
    slots: dict[int, FileResult] = {}
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [pool.submit(check_chunk, chunk, settings, fix, unsafe) for chunk in chunks]
        for chunk, future in zip(chunks, futures, strict=True):
            try:
                results = future.result()
            except Exception as error:  # a worker died: report its files, keep the rest
                reason = f"{type(error).__name__}: {error}"
                results = [
                    FileResult(task.path, internal_errors=[f"{task.path}: worker failed: {reason}"])
                    for task in chunk
                ]
            for task, result in zip(chunk, results, strict=True):
                slots[task.index] = result
    return [slots[task.index] for task in tasks]


def check_chunk(
    chunk: list[_Task], settings: Settings, fix: bool, unsafe: bool
) -> list[FileResult]:
    return [check_task(task, settings, fix, unsafe) for task in chunk]


def check_task(task: _Task, settings: Settings, fix: bool, unsafe: bool) -> FileResult:
    from asynclint.engine import FILE_BUDGET_SECONDS, check_file, check_source

    if task.data is None:
        return check_file(task.path, settings, budget=FILE_BUDGET_SECONDS)
    result = check_source(task.data, task.path, settings, budget=FILE_BUDGET_SECONDS)
    if fix:
        result = fix_until_stable(task.data, result, settings, unsafe)
    return result


def check_bytes(
    data: bytes, path: str, settings: Settings, *, fix: bool = False, unsafe: bool = False
) -> FileResult:
    """One file's source given in memory (stdin), checked as a run would check the file."""
    return check_task(_Task(0, path, data), settings, fix, unsafe)


def fix_until_stable(
    data: bytes, first: FileResult, settings: Settings, unsafe: bool
) -> FileResult:
    """Apply the applicable fixes, re-check, and repeat while fixes remain and apply. The
    diagnostics returned are those of the final text: what is left after fixing."""
    from asynclint.engine import check_source
    from asynclint.fix import apply_fixes, compatible_fixes
    from asynclint.source import UndecodableSource, decode

    result = first
    try:
        original = text = decode(data).text
    except UndecodableSource:
        return first
    applied: list[str] = []
    errors = list(first.internal_errors)
    for _ in range(MAX_FIX_ROUNDS):
        fixable = [d for d in result.diagnostics if d.fix is not None and (d.fix.safe or unsafe)]
        fixes = [d.fix for d in fixable if d.fix is not None]
        chosen = compatible_fixes(fixes)
        fixed = apply_fixes(text, fixes) if chosen else text
        if fixed == text:
            break
        codes = sorted({fixable[i].code for i in chosen})
        if not _parses(fixed):
            errors.append(
                f"{first.path}: fixes for {', '.join(codes)} produced code that does not parse;"
                " not applied"
            )
            break
        applied.extend(fixable[i].code for i in chosen)
        text = fixed
        result = check_source(text, first.path, settings)
        errors.extend(e for e in result.internal_errors if e not in errors)
    result.internal_errors = errors
    result.encoding = first.encoding
    result.applied_fixes = applied
    result.fixed_text = text if text != original else None
    return result


def _parses(text: str) -> bool:
    import libcst

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            libcst.parse_module(text)
        except (libcst.ParserSyntaxError, libcst.CSTValidationError, RecursionError, MemoryError):
            # CSTValidationError: libcst's grammar accepts the text, its tree does not (`'a' b'b'`).
            return False
    return True
