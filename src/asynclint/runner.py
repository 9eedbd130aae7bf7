"""Check many files: discover them, answer what the cache knows, analyse the rest in-process
or on a process pool, and return results in discovery order whatever order workers finish in.

The engine (and with it libcst, ~0.25 s to import) is imported only once some file actually
needs analysing, so a run served entirely from the cache never pays for it."""

from __future__ import annotations

import gc
import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from asynclint import registry
from asynclint.cache import CACHE_DIR_NAME, Cache, build_fingerprint, content_hash, run_key
from asynclint.files import DiscoveryOptions, discover
from asynclint.memory import TRIM_AFTER_BYTES, collector_paused, release_freed_memory
from asynclint.outline import PIECE_CHARS, Outline, outline_of
from asynclint.parsing import python_ast
from asynclint.prefilter import prefiltered
from asynclint.project.extract import ModuleSummary
from asynclint.project.index import attribute_names, summarize_file
from asynclint.project.keys import Project
from asynclint.project.layout import ModuleName, module_name
from asynclint.project.summaries import ModuleContext
from asynclint.results import FileResult
from asynclint.settings import Settings
from asynclint.stamps import Known, Stamps
from asynclint.standby import Standby

if TYPE_CHECKING:
    from asynclint.diagnostics import Diagnostic

T = TypeVar("T")
R = TypeVar("R")

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
    # The bytes to check (stdin); None: whoever checks the file reads it (a worker, so that the
    # main process never holds every file at once).
    data: bytes | None
    settings: Settings  # the file's own project's
    context: ModuleContext | None = None  # what the other checked modules tell this one
    outline: Outline | None = None  # from its summary (see outline.py)


@dataclass
class _Seen:
    """What the first pass keeps of a file: never its bytes."""

    digest: str | None = None  # of the content; None: unreadable or too large
    size: int = 0
    prefiltered: bool = False
    outline: Outline | None = None  # a large file's, from the `ast` of its summary


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
    the bytes checked (for --add-noqa, which must not edit a file changed since).

    Two phases: the main process reads and hashes each file (one at a time), takes its
    module summary from the cache or has the workers compute it; then, with the project
    index complete, each file is answered from the cache or analysed by a worker that reads
    it again and gets just its module's context."""
    found = discover(paths, discovery)
    outcome = Outcome(warnings=list(found.warnings), path_errors=list(found.errors))
    caches: dict[Settings, Cache] = {}
    directory = cache_dir or os.path.join(project_root or os.getcwd(), CACHE_DIR_NAME)
    build = build_fingerprint()[:24]
    stamps = Stamps(Cache(directory, "files-" + build) if use_cache else None)
    wheres = [os.path.abspath(path) for path in found.files]  # the caches' keys

    def cache_for(file_settings: Settings) -> Cache | None:
        if not use_cache:
            return None
        cache = caches.get(file_settings)
        if cache is None:
            key = run_key(file_settings, fix=fix, unsafe=unsafe)
            cache = caches[file_settings] = Cache(directory, key)
        return cache

    with _Workers(jobs) as workers:
        if use_cache and workers.parallel and _few_changed(wheres, stamps):
            workers.stand_by()  # imports the engine while this process reads the project
        summaries = Cache(directory, "summaries-" + build) if use_cache else None
        seen, project = _index(found.files, wheres, summaries, stamps, workers)
        release_freed_memory()  # the read buffers, before the workers fork
        slots: list[FileResult | None] = [None] * len(found.files)
        keys: dict[int, str] = {}  # cache keys: the content hash plus the summaries used
        tasks: list[_Task] = []
        caches_by_index: dict[int, Cache] = {}
        for index, path in enumerate(found.files):
            file_settings = settings_for(path) if settings_for is not None else settings
            cache = cache_for(file_settings)
            if cache is not None:
                caches_by_index[index] = cache
            digest = seen[index].digest
            if digest is not None:
                keys[index] = digest
                context_key = project.context_key(path)
                if context_key is not None:
                    # The entry holds for this content and these summaries of other modules.
                    keys[index] += "+" + context_key
            if digest is not None and cache is not None:
                hit = cache.get(wheres[index], path, keys[index])
                if hit is not None:
                    slots[index] = hit
                    outcome.cache_hits += 1
                    continue
            if digest is not None and not fix and seen[index].prefiltered:
                skipped = slots[index] = FileResult(path, skipped=True)
                if cache is not None:
                    cache.put(wheres[index], path, keys[index], skipped)
                continue
            tasks.append(_Task(index, path, None, file_settings, outline=seen[index].outline))
        analysed = workers.analyse(tasks, seen, project, fix, unsafe) if tasks else []
        project.remember()
    digests = {index: item.digest for index, item in enumerate(seen)}
    for task, (result, digest) in zip(tasks, analysed, strict=True):
        slots[task.index] = result
        key = keys.get(task.index)
        cache = caches_by_index.get(task.index)
        if digest != digests[task.index]:
            # Changed since the first pass (or unreadable): what was checked is what counts.
            key = None
            digests[task.index] = digest
        if cache is not None and key is not None and not result.internal_errors:
            cache.put(wheres[task.index], task.path, key, result)
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
    stamps.save()
    return outcome


def _few_changed(wheres: Sequence[str], stamps: Stamps) -> bool:
    """Whether a few of the files (at least one, at most _STANDBY_FILES of at most
    _STANDBY_BYTES together) changed since the last run recorded them, as far as their stats
    tell."""
    changed = size = 0
    for where in wheres:
        known, info = stamps.known(where)
        if known is None:
            changed += 1
            size += info.st_size if info is not None else 0
            if changed > _STANDBY_FILES or size > _STANDBY_BYTES:
                return False
    return changed > 0


def _may_hold_helpers(data: bytes) -> bool:
    """A file without `async` may still hold plain helpers that write to a stream writer or a
    process's stdin, or mark queue items done, for their async callers, or hand such objects
    on to the helpers of other modules (see project/param_effects.py). Most such files (file
    and socket code) say none of these words."""
    if b".task_done(" in data or b".stdin" in data:
        return True
    return b"writer" in data and (b".write" in data or b"import" in data)


def _index(
    paths: Sequence[str],
    wheres: Sequence[str],  # the paths made absolute
    store: Cache | None,
    stamps: Stamps,
    workers: _Workers,
) -> tuple[list[_Seen], Project]:
    """Read and hash every file, one at a time (unless `stamps` knows it unchanged since the
    last run), and gather the module summaries. A file
    without `async` in it defines no coroutine function and makes no asyncio object: only a
    package's `__init__.py`, for its re-exports, and plain helpers that write or mark queue
    items done are worth summarising then. Summaries come
    from `store` when their file, module name and asynclint build are unchanged; the others
    are computed by the workers (or here, for a few files or without workers)."""
    seen: list[_Seen] = []
    found: dict[int, tuple[ModuleSummary | dict[str, Any], frozenset[str]]] = {}
    digests: dict[int, str] = {}  # of each summary, for the project's fingerprint
    missing: list[tuple[int, str, ModuleName]] = []
    replaced: dict[int, Any] = {}  # the stored summaries of changed files (see Project)

    def computed(index: int, path: str, named: ModuleName, digest: str | None, made: Any) -> None:
        if made is not None:
            found[index] = made
            digests[index] = _store_summary(store, digest, path, wheres[index], named, *made)
        elif store is not None and digest is not None:
            # None (it does not parse): known too, so that the next run does not read it again.
            entry = {"key": [digest, named.name, named.is_package], "path": path, "summary": None}
            store.put_entry(wheres[index], entry)

    for index, path in enumerate(paths):
        item = _Seen()
        seen.append(item)
        where = wheres[index]
        known, info = stamps.known(where)
        data = None
        if known is None:
            data = _read(path)
            if data is None:
                continue
            is_prefiltered = prefiltered(data)
            helpers = is_prefiltered and _may_hold_helpers(data)
            known = Known(content_hash(data), len(data), is_prefiltered, helpers)
            stamps.remember(where, info, known)
        item.digest, item.size, item.prefiltered = known.digest, known.size, known.prefiltered
        if item.prefiltered and os.path.basename(path) != "__init__.py" and not known.helpers:
            continue
        named = module_name(path)
        if named is None:
            continue
        stored = _stored_summary(store, item.digest, path, where, named) if store else None
        if isinstance(stored, str):
            continue  # _NO_SUMMARY
        if stored is not None:
            found[index], digests[index] = stored
            continue
        if store is not None:
            replaced[index] = store.entries.get(where)
        if not workers.parallel:
            digest: str | None = item.digest
            if data is None:  # known by its stamp: read now (the hash says what was read)
                data = _read(path)
                digest = content_hash(data) if data is not None else None
            made, item.outline = (
                _summarize(path, data, named, digest) if data is not None else (None, None)
            )
            computed(index, path, named, digest, made)
        else:
            missing.append((index, path, named))
    summarised = workers.summarize([(path, named) for _, path, named in missing])
    for (index, path, named), (digest, made, outline) in zip(missing, summarised, strict=True):
        computed(index, path, named, digest, made)
        seen[index].outline = outline
    return seen, Project(paths, found, digests, store, replaced)


Summarised = tuple[ModuleSummary, frozenset[str]]  # a module's summary and the names it uses
# What a worker gives back of each file it summarises: its content hash, summary and outline.
Summary = tuple[str | None, Summarised | None, Outline | None]


def _summarize(
    path: str, data: bytes, named: ModuleName, digest: str | None
) -> tuple[Summarised | None, Outline | None]:
    """The module's summary and the names it uses; for a large file, its outline too."""
    with collector_paused():  # see memory.py: Python's parser also makes an object per node
        tree = python_ast(data)
        if tree is None:
            return None, None
        summary = summarize_file(path, data, named.name, named.is_package, tree)
        outline = outline_of(tree, digest) if digest and len(data) > PIECE_CHARS else None
        # Freed while the collector is off: once on, it would trace the whole tree first.
        del tree
    if summary is None:
        return None, None
    return (summary, attribute_names(data.decode("utf-8", "replace"))), outline


def _store_summary(
    store: Cache | None,
    digest: str | None,
    path: str,
    where: str,
    named: ModuleName,
    summary: ModuleSummary | dict[str, Any],
    uses: frozenset[str],
) -> str:
    """Keep `summary` for the next run (when `digest`, of the file's content, is known);
    return the digest of the summary and the names used."""
    from asynclint.project.stored import summary_to_json

    stored = summary if isinstance(summary, dict) else summary_to_json(summary)
    used = sorted(uses)
    summary_digest = content_hash(json.dumps([stored, used], sort_keys=True).encode())
    if store is not None and digest is not None:
        key = [digest, named.name, named.is_package]
        entry = {
            "key": key,
            "path": path,
            "summary": stored,
            "uses": used,
            "digest": summary_digest,
        }
        store.put_entry(where, entry)
    return summary_digest


_NO_SUMMARY: Literal["none"] = "none"  # what _stored_summary says of a file known to have none


def _stored_summary(
    store: Cache, digest: str, path: str, where: str, named: ModuleName
) -> tuple[tuple[dict[str, Any], frozenset[str]], str] | Literal["none"] | None:
    """The stored summary (as JSON, read only if the index is needed), the names the file
    uses, and the digest of both; _NO_SUMMARY for a file known to have none."""
    entry: Any = store.entries.get(where)
    try:
        if entry["key"] == [digest, named.name, named.is_package] and entry["path"] == path:
            if entry["summary"] is None:
                store.keep(where)
                return _NO_SUMMARY
            summary, summary_digest = entry["summary"], entry["digest"]
            uses = frozenset(str(name) for name in entry["uses"])
            if isinstance(summary, dict) and isinstance(summary_digest, str):
                store.keep(where)
                return (summary, uses), summary_digest
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


# A file this large costs a worker tens of MB and more while libcst parses it, even in pieces
# (its tree alone is about 0.2 MB per KB of source; nested literals cost far more): such files
# are analysed one or two at a time, whatever --jobs says, so that the run's peak memory does
# not grow with the number of workers.
LARGE_FILE_BYTES = 100 * 1024
LARGE_BYTES_IN_FLIGHT = 256 * 1024
# Fewer files than this to summarise: not worth handing to the workers.
_FEW_SUMMARIES = 8
# At most this many files to analyse go to the standby process (see standby.py), one after
# the other, rather than to a pool that this process starts once it has imported the engine:
# as long as analysing them takes about as long as that import (a second or so, at some
# 200 KB a second), one process without the wait beats two after it.
_STANDBY_FILES = 8
_STANDBY_BYTES = 256 * 1024


class _Workers:
    """The process pools of a run, each started only when there is work for it: one for the
    summaries, forked before this process imports the engine (which it does while they
    work: on two cores the import no longer leaves one idle), then one for the analysis,
    forked after it so that its workers share the engine's pages. Without one (one job, or
    no usable pool in a restricted sandbox) everything runs in this process."""

    def __init__(self, jobs: int | None) -> None:
        self.jobs = jobs or default_jobs()
        self._pool: Any = None  # the analysis pool
        self._unusable = False
        self._standby: Standby | None = None

    @property
    def parallel(self) -> bool:
        return self.jobs > 1 and not self._unusable

    def __enter__(self) -> _Workers:
        return self

    def stand_by(self) -> None:
        try:
            self._standby = Standby()
        except (OSError, ImportError, ValueError):
            self._standby = None  # no processes here: the analysis runs in this process

    def _stand_down(self) -> None:
        if self._standby is not None:
            self._standby.close()
            self._standby = None

    def __exit__(self, *exc_info: object) -> None:
        self._stand_down()
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
        gc.unfreeze()

    def _fork(self) -> Any:
        """A new pool (its workers fork at its first task); None where there can be none."""
        if not self.parallel:
            return None
        from concurrent.futures import ProcessPoolExecutor

        # What this process holds (the index, the caches) is shared with the forked
        # workers: keep the collector from touching, and so copying, those pages.
        gc.freeze()
        try:
            return ProcessPoolExecutor(max_workers=self.jobs)
        except (OSError, NotImplementedError, ImportError):
            self._unusable = True
            return None

    def _started(self) -> Any:
        """The analysis pool, its workers forked after this process imported the engine, so
        that they share it with this process."""
        if self._pool is None and self.parallel:
            import asynclint.engine  # noqa: F401

            self._pool = self._fork()
        return self._pool

    def summarize(self, items: list[tuple[str, ModuleName]]) -> list[Summary]:
        """(content hash, summary, outline) of each file, read where it is summarised."""
        if not items:
            return []
        # Workers of their own, forked before this process imports the engine.
        summarising = self._fork() if len(items) >= _FEW_SUMMARIES else None
        if summarising is None:
            return summarize_chunk(items)
        chunks = _chunks(items, max(1, min(32, len(items) // 64)))
        try:
            futures = [summarising.submit(summarize_chunk, chunk) for chunk in chunks]
        except Exception:  # a broken pool: module-local analysis, no worse than that
            summarising.shutdown()
            return [(None, None, None) for _ in items]
        # The analysis almost always follows: the engine is imported (once, for the workers
        # forked after it) while these workers summarise, not while they wait. Its workers
        # fork at once, before this process holds the summaries and the index: pages it
        # then writes to would otherwise be copied, and counted twice.
        analysing = self._started()
        if analysing is not None:
            analysing.submit(int)  # the first task forks the workers
        found: list[Summary] = []
        for chunk, future in zip(chunks, futures, strict=True):
            try:
                found += future.result()
            except Exception:  # a worker died: module-local analysis for its files
                found += [(None, None, None)] * len(chunk)
        summarising.shutdown()
        return found

    def analyse(
        self,
        tasks: list[_Task],
        seen: list[_Seen],
        project: Project,
        fix: bool,
        unsafe: bool,
    ) -> list[tuple[FileResult, str | None]]:
        """(result, content hash of what was checked) of each task, in the tasks' order. Each
        task gets its module's context only now, so that they are not all held at once."""

        def with_context(task: _Task) -> _Task:
            return replace(task, context=project.context_for(task.path))

        if self._standby is not None and len(tasks) <= _STANDBY_FILES:
            prepared = [with_context(task) for task in tasks]
            done, value = self._standby.call(_check_chunk, prepared, fix, unsafe)
            return value if done else _failed(prepared, str(value))
        self._stand_down()
        pool = self._started() if len(tasks) > 1 else None
        if pool is None:
            import asynclint.engine  # noqa: F401

            return [_check_one(with_context(task), fix, unsafe) for task in tasks]
        # Biggest files first, in small chunks: one large file picked up last would otherwise
        # leave the other workers idle while it finishes. Large files go alone.
        order = sorted(tasks, key=lambda task: -seen[task.index].size)
        large = [task for task in order if seen[task.index].size >= LARGE_FILE_BYTES]
        rest = order[len(large) :]
        size = max(1, min(8, len(rest) // (self.jobs * 8)))
        chunks = [([task], seen[task.index].size) for task in large]
        chunks += [(chunk, 0) for chunk in _chunks(rest, size)]

        def prepare(chunk: list[_Task]) -> list[_Task]:
            return [with_context(task) for task in chunk]

        found: dict[int, tuple[FileResult, str | None]] = {}
        gathered = _gather(pool, self.jobs, _check_chunk, chunks, prepare, _failed, fix, unsafe)
        for (chunk, _), results in zip(chunks, gathered, strict=True):
            for task, result in zip(chunk, results, strict=True):
                found[task.index] = result
        return [found[task.index] for task in tasks]


def _chunks(items: list[T], size: int) -> list[list[T]]:
    return [items[start : start + size] for start in range(0, len(items), size)]


def _gather(
    pool: Any,
    jobs: int,
    function: Callable[..., list[R]],
    chunks: list[tuple[list[T], int]],
    prepare: Callable[[list[T]], list[T]],
    on_failure: Callable[[list[T], str], list[R]],
    *args: object,
) -> list[list[R]]:
    """`function(prepare(chunk), *args)` for each (chunk, weight) on the pool, results in the
    chunks' order. Only a few chunks are handed out ahead of the workers (each prepared just
    then), and chunks with a weight (large files' bytes) only while those already out weigh
    less than LARGE_BYTES_IN_FLIGHT together: one at a time, at least."""
    from concurrent.futures import FIRST_COMPLETED, wait

    results: list[list[R] | None] = [None] * len(chunks)
    waiting = list(range(len(chunks)))
    running: dict[Any, int] = {}
    heavy = 0
    while waiting or running:
        while waiting and len(running) < 2 * jobs:
            pick = next((i for i in waiting if _fits(chunks[i][1], heavy)), None)
            if pick is None:
                break
            waiting.remove(pick)
            chunk, weight = chunks[pick]
            try:
                running[pool.submit(function, prepare(chunk), *args)] = pick
                heavy += weight
            except Exception as error:  # a broken pool takes no more work
                results[pick] = on_failure(chunk, f"{type(error).__name__}: {error}")
        if not running:
            continue
        done, _ = wait(running, return_when=FIRST_COMPLETED)
        for future in done:
            pick = running.pop(future)
            heavy -= chunks[pick][1]
            try:
                results[pick] = future.result()
            except Exception as error:  # a worker died: report its files, keep the rest
                results[pick] = on_failure(chunks[pick][0], f"{type(error).__name__}: {error}")
    return [result if result is not None else [] for result in results]


def _fits(weight: int, heavy: int) -> bool:
    return not weight or not heavy or heavy + weight <= LARGE_BYTES_IN_FLIGHT


def _failed(chunk: list[_Task], reason: str) -> list[tuple[FileResult, str | None]]:
    return [
        (FileResult(task.path, internal_errors=[f"{task.path}: worker failed: {reason}"]), None)
        for task in chunk
    ]


def summarize_chunk(items: list[tuple[str, ModuleName]]) -> list[Summary]:
    found: list[Summary] = []
    for path, named in items:
        data = _read(path)
        if data is None:
            found.append((None, None, None))
            continue
        digest = content_hash(data)
        found.append((digest, *_summarize(path, data, named, digest)))
    return found


def _check_chunk(
    chunk: list[_Task], fix: bool, unsafe: bool
) -> list[tuple[FileResult, str | None]]:
    results = [_check_one(task, fix, unsafe) for task in chunk]
    release_freed_memory()  # what small files leave behind adds up too (and costs 0.3 ms)
    return results


def _check_one(task: _Task, fix: bool, unsafe: bool) -> tuple[FileResult, str | None]:
    """The task's file read here (None: unreadable or too large, which the engine reports)
    and checked, with the content hash of what was checked."""
    data = task.data if task.data is not None else _read(task.path)
    digest = content_hash(data) if data is not None else None
    outline = task.outline if task.outline is not None and task.outline.digest == digest else None
    result = check_task(replace(task, data=data, outline=outline), fix, unsafe)
    if data is not None and len(data) >= TRIM_AFTER_BYTES:
        release_freed_memory()  # or this process keeps the largest tree's pages to the end
    return result, digest


def check_task(task: _Task, fix: bool, unsafe: bool) -> FileResult:
    from asynclint.engine import FILE_BUDGET_SECONDS, check_file, check_source

    settings = task.settings
    if task.data is None:
        return check_file(task.path, settings, budget=FILE_BUDGET_SECONDS, context=task.context)
    result = check_source(
        task.data,
        task.path,
        settings,
        budget=FILE_BUDGET_SECONDS,
        context=task.context,
        outline=task.outline,
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
