"""Check many files: discover them, answer what the cache knows, analyse the rest in-process
or on a process pool, and return results in discovery order whatever order workers finish in.

The engine (and with it libcst, ~0.25 s to import) is imported only once some file actually
needs analysing, so a run served entirely from the cache never pays for it."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from asynclint import registry
from asynclint.cache import CACHE_DIR_NAME, Cache, build_fingerprint, content_hash, run_key
from asynclint.files import DiscoveryOptions, discover
from asynclint.prefilter import prefiltered
from asynclint.project.extract import ModuleSummary
from asynclint.project.index import ProjectIndex
from asynclint.project.summaries import ModuleContext
from asynclint.results import FileResult
from asynclint.settings import Settings

if TYPE_CHECKING:
    from asynclint.diagnostics import Diagnostic

# Larger files go to the engine by path, which reports them as too large (and they are not
# cached); keep this at least the engine's own limit.
READ_LIMIT = 10 * 1024 * 1024


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
    settings: Settings  # the file's own project's
    context: ModuleContext | None = None  # what the other checked modules tell this one


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
    settings_for: Callable[[str], Settings] | None = None,
    keep_digests: bool = False,
) -> Outcome:
    """`settings_for` gives each file its own project's settings (a monorepo); without it
    every file gets `settings`. `keep_digests`: give each result with findings the digest of
    the bytes checked (for --add-noqa, which must not edit a file changed since)."""
    found = discover(paths, discovery)
    outcome = Outcome(warnings=list(found.warnings), path_errors=list(found.errors))
    caches: dict[Settings, Cache] = {}
    directory = cache_dir or os.path.join(project_root or os.getcwd(), CACHE_DIR_NAME)
    summaries = Cache(directory, "summaries-" + build_fingerprint()[:24]) if use_cache else None

    def cache_for(file_settings: Settings) -> Cache | None:
        if not use_cache:
            return None
        cache = caches.get(file_settings)
        if cache is None:
            key = run_key(file_settings, fix=fix, unsafe=unsafe)
            cache = caches[file_settings] = Cache(directory, key)
        return cache

    slots: list[FileResult | None] = [None] * len(found.files)
    digests: dict[int, str] = {}  # content hashes
    keys: dict[int, str] = {}  # cache keys: the content hash plus the summaries used
    tasks: list[_Task] = []
    caches_by_index: dict[int, Cache] = {}
    contents = [_read(path) for path in found.files]
    project = _index(found.files, contents, summaries)
    for index, path in enumerate(found.files):
        file_settings = settings_for(path) if settings_for is not None else settings
        cache = cache_for(file_settings)
        if cache is not None:
            caches_by_index[index] = cache
        data = contents[index]
        contents[index] = None  # kept by the task if it needs analysing
        context = project.context_for(path)
        if data is not None and (cache is not None or fix or keep_digests):
            digests[index] = keys[index] = content_hash(data)
            if context is not None:
                # The entry holds for this content and for these summaries of other modules.
                keys[index] += "+" + context.digest()
        if data is not None and cache is not None:
            hit = cache.get(os.path.abspath(path), path, keys[index])
            if hit is not None:
                slots[index] = hit
                outcome.cache_hits += 1
                continue
        if data is not None and not fix and prefiltered(data):
            # Decided here: no need to ship the bytes to a worker (or keep them) for nothing.
            skipped = slots[index] = FileResult(path, skipped=True)
            if cache is not None:
                cache.put(os.path.abspath(path), path, keys[index], skipped)
            continue
        tasks.append(_Task(index, path, data, file_settings, context))
    if tasks:
        for task, result in zip(tasks, _analyse(tasks, jobs, fix, unsafe), strict=True):
            slots[task.index] = result
            key = keys.get(task.index)
            cache = caches_by_index.get(task.index)
            if cache is not None and key is not None and not result.internal_errors:
                cache.put(os.path.abspath(task.path), task.path, key, result)
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
    outcome.rule_names = registry.names(d.code for d in outcome.diagnostics)
    for cache in caches.values():
        cache.save()
    if summaries is not None:
        summaries.save()
    return outcome


def _may_hold_helpers(data: bytes) -> bool:
    """A file without `async` may still hold plain helpers that write to a stream writer or a
    process's stdin, or mark queue items done, for their async callers (see
    project/param_effects.py). Most such files (file and socket code) say neither."""
    writes = b".write" in data and (b"writer" in data or b".stdin" in data)
    return writes or b".task_done(" in data


def _index(
    paths: Sequence[str], contents: Sequence[bytes | None], store: Cache | None
) -> ProjectIndex:
    """The project index over the files of this run. A file without `async` in it defines no
    coroutine function and makes no asyncio object: only a package's `__init__.py`, for its
    re-exports, and plain helpers that write or mark queue items done are worth reading then.
    Summaries come from `store` when their file, module name and asynclint build are
    unchanged."""
    from asynclint.project.stored import summary_to_json

    index = ProjectIndex()
    for path, data in zip(paths, contents, strict=True):
        if data is None:
            continue
        if (
            prefiltered(data)
            and os.path.basename(path) != "__init__.py"
            and not _may_hold_helpers(data)
        ):
            continue
        if store is None:
            index.add(path, data)
            continue
        where = os.path.abspath(path)
        digest = content_hash(data)
        computed = index.add(path, data, functools.partial(_stored_summary, store, digest))
        if computed is not None:
            key = [digest, computed.name, computed.is_package]
            store.entries[where] = {"key": key, "path": path, "summary": summary_to_json(computed)}
            store.touched.add(where)
            store.written.add(where)
            store.dirty = True
    return index


def _stored_summary(
    store: Cache, digest: str, path: str, name: str, is_package: bool
) -> ModuleSummary | None:
    from asynclint.project.stored import summary_from_json

    where = os.path.abspath(path)
    entry: Any = store.entries.get(where)
    try:
        if entry["key"] == [digest, name, is_package] and entry["path"] == path:
            summary = summary_from_json(entry["summary"])
            store.touched.add(where)
            return summary
    except (KeyError, TypeError, ValueError, AttributeError):
        pass  # an entry we cannot read is a miss
    return None


def _read(path: str) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            data = handle.read(READ_LIMIT + 1)
    except OSError:
        return None
    return data if len(data) <= READ_LIMIT else None


def default_jobs() -> int:
    """The CPUs this process may use (fewer than the machine has under taskset/containers)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return os.cpu_count() or 1


def _analyse(tasks: list[_Task], jobs: int | None, fix: bool, unsafe: bool) -> list[FileResult]:
    # Import the engine here even when a pool does the work: forked workers inherit it.
    import asynclint.engine  # noqa: F401

    workers = min(jobs or default_jobs(), len(tasks))
    if workers <= 1:
        return [check_task(task, fix, unsafe) for task in tasks]
    try:
        return _analyse_in_pool(tasks, workers, fix, unsafe)
    except (OSError, NotImplementedError, ImportError):
        # No usable process pool here (restricted sandbox, no semaphores): do it ourselves.
        return [check_task(task, fix, unsafe) for task in tasks]


def _analyse_in_pool(tasks: list[_Task], workers: int, fix: bool, unsafe: bool) -> list[FileResult]:
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
        futures = [pool.submit(check_chunk, chunk, fix, unsafe) for chunk in chunks]
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


def check_chunk(chunk: list[_Task], fix: bool, unsafe: bool) -> list[FileResult]:
    return [check_task(task, fix, unsafe) for task in chunk]


def check_task(task: _Task, fix: bool, unsafe: bool) -> FileResult:
    from asynclint.engine import FILE_BUDGET_SECONDS, check_file, check_source

    settings = task.settings
    if task.data is None:
        return check_file(task.path, settings, budget=FILE_BUDGET_SECONDS, context=task.context)
    result = check_source(
        task.data, task.path, settings, budget=FILE_BUDGET_SECONDS, context=task.context
    )
    if fix:
        from asynclint.fixes.stable import fix_until_stable

        result = fix_until_stable(task.data, result, settings, unsafe, task.context)
    return result


def check_bytes(
    data: bytes, path: str, settings: Settings, *, fix: bool = False, unsafe: bool = False
) -> FileResult:
    """One file's source given in memory (stdin), checked as a run would check the file."""
    return check_task(_Task(0, path, data, settings), fix, unsafe)
