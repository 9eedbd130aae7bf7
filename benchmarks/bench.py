#!/usr/bin/env python3
"""Time asynclint against flake8 + flake8-async and ruff on the same real corpus.

    python benchmarks/bench.py                                # everything, 3 runs each
    python benchmarks/bench.py --subset asyncio --runs 1      # a quick look
    python benchmarks/bench.py --write benchmarks/RESULTS.md  # keep the table

What it does, in order (benchmarks/README.md says more):

1. Builds isolated virtualenvs under --venv-dir: asynclint installed from this checkout (plus
   flake8, for the one-file measurement), flake8 with flake8-async and ruff from PyPI, flake8
   alone, and one holding psutil for memory sampling. flake8 runs every installed plugin
   whatever --select says, so asynclint and flake8-async never share an environment.
2. Copies the corpus (.py files only) into a work directory outside the repository: CPython's
   Lib/ from this interpreter plus the projects that tests/corpus/fetch.py unpacks, or just
   Lib/asyncio + Lib/test/test_asyncio with --subset asyncio.
3. Times asynclint cold (empty cache each run), asynclint warm (cache filled, nothing changed),
   flake8 + flake8-async and ruff on those files: median wall time, lines per second, peak
   memory, ratio to asynclint cold.
4. Times asynclint cold on 1x, 2x and 4x the corpus (copies under new names) to show how the
   cost grows.
5. Measures one file through flake8: with the asynclint plugin against flake8 alone, by wall
   time and by -X importtime.
6. Prints a markdown report; --write FILE also saves it.

Only the standard library is needed; psutil (installed in the harness venv, which the script
re-runs itself under when the current interpreter lacks it) gives whole-process-tree memory.
POSIX only: it relies on os.wait4 and process groups.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

try:
    import psutil
except ImportError:  # memory then comes from ru_maxrss: the largest single process
    psutil = None

REPO = Path(__file__).resolve().parents[1]
DEFAULT_FETCH_SCRIPT = REPO / "tests" / "corpus" / "fetch.py"
DEFAULT_VENV_DIR = Path.home() / ".cache" / "asynclint-bench" / "venvs"
DEFAULT_ONE_FILE = "asyncio/base_events.py"  # relative to the stdlib directory
SAMPLE_INTERVAL = 0.05  # seconds between memory samples
INSTALL_TIMEOUT = 1200
READY_ENV = "ASYNCLINT_BENCH_VENVS_READY"  # set when the script re-runs itself under psutil

# Directory names that at least one of the tools skips by default (asynclint's and ruff's
# exclude lists, flake8's --exclude default). The corpus copy renames them so that every tool
# sees the same files; names starting with a dot are renamed too.
SKIPPED_NAMES = frozenset(
    {
        "CVS",
        "__pycache__",
        "__pypackages__",
        "_build",
        "buck-out",
        "build",
        "dist",
        "node_modules",
        "site-packages",
        "venv",
    }
)

RUFF_SELECT = "ASYNC,RUF006,S602"
# Cold against flake8 + flake8-async, median to median: v2's budget (v1 asked 10x).
SPEEDUP_TARGET = 15
FLAKE8_ASYNC_SELECT = "ASYNC"  # the prefix of the codes flake8-async reports (ASYNC100, ...)


# --------------------------------------------------------------------------- small helpers


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


def fail(message: str) -> None:
    print(f"bench: error: {message}", file=sys.stderr)
    sys.exit(2)


def count_lines(data: bytes) -> int:
    return data.count(b"\n") + (1 if data and not data.endswith(b"\n") else 0)


def is_within(path: Path, parent: Path) -> bool:
    try:
        path.resolve().relative_to(parent.resolve())
    except ValueError:
        return False
    return True


def bin_path(venv: Path, name: str) -> Path:
    return venv / "bin" / name


def run_quiet(argv: Sequence[str | Path], *, timeout: float) -> str:
    """Run a set-up command; fail with its output if it does not succeed."""
    command = [str(a) for a in argv]
    try:
        done = subprocess.run(
            command,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired:
        fail(f"timed out after {timeout:.0f} s: {' '.join(command)}")
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip()[-2000:]
        fail(f"command failed (exit {done.returncode}): {' '.join(command)}\n{tail}")
    return str(done.stdout)


def fmt_int(value: float | None) -> str:
    return "n/a" if value is None else f"{value:,.0f}"


def fmt_seconds(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.3f}" if value < 10 else f"{value:.1f}"


def fmt_mb(value: int | None) -> str:
    return "n/a" if value is None else f"{value / 2**20:,.0f}"


def fmt_ratio(value: float | None) -> str:
    if value is None:
        return "n/a"
    return f"{value:.3f}x" if value < 0.1 else f"{value:.2f}x"


def md_table(headers: Sequence[str], rows: Sequence[Sequence[str]], numeric: set[int]) -> str:
    lines = ["| " + " | ".join(headers) + " |"]
    lines.append("|" + "|".join("---:" if i in numeric else "---" for i in range(len(headers))))
    lines[-1] += "|"
    lines.extend("| " + " | ".join(row) + " |" for row in rows)
    return "\n".join(lines)


# --------------------------------------------------------------------------- measuring


@dataclass
class Sample:
    seconds: float
    returncode: int | None
    timed_out: bool
    tree_peak: int | None  # bytes: largest sum of PSS over the process tree (psutil)
    max_rss: int  # bytes: ru_maxrss of the child and its waited-for descendants
    stderr_tail: str


@dataclass
class Measurement:
    label: str
    command: str
    files: int
    lines: int
    samples: list[Sample] = field(default_factory=list)
    status: str = "not run"
    logs: list[str] = field(default_factory=list)  # per run: stem of its .out/.err files

    @property
    def seconds(self) -> float | None:
        times = [s.seconds for s in self.samples]
        return statistics.median(times) if times else None

    @property
    def peak(self) -> int | None:
        if not self.samples:
            return None
        return max(max(s.tree_peak or 0, s.max_rss) for s in self.samples)

    @property
    def lines_per_second(self) -> float | None:
        seconds = self.seconds
        return self.lines / seconds if seconds else None


def _tree_rss(process: psutil.Process) -> int:
    try:
        members = [process, *process.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for member in members:
        with contextlib.suppress(psutil.Error):
            total += _own_memory(member)
    return total


def _own_memory(process: psutil.Process) -> int:
    """PSS where the system has it: forked workers share the parent's pages, and summing their
    RSS would count those pages once per process."""
    try:
        return int(process.memory_full_info().pss)
    except (AttributeError, psutil.AccessDenied):
        return int(process.memory_info().rss)


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)


def run_measured(
    argv: Sequence[str | Path],
    *,
    cwd: Path,
    env: dict[str, str],
    timeout: float,
    log_stem: Path,
) -> Sample:
    """One timed run: wall seconds from spawn to exit, peak memory, exit status. The child
    gets its own process group so that a timeout kills its workers too."""
    argv = [str(a) for a in argv]
    reaped: dict[str, object] = {}
    with open(f"{log_stem}.out", "wb") as out, open(f"{log_stem}.err", "wb") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            argv,
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            start_new_session=True,
        )

        def reap() -> None:
            _, status, usage = os.wait4(proc.pid, 0)
            reaped["end"] = time.perf_counter()
            reaped["status"] = status
            reaped["usage"] = usage

        waiter = threading.Thread(target=reap, daemon=True)
        waiter.start()
        watched = None
        if psutil is not None:
            with contextlib.suppress(psutil.Error):
                watched = psutil.Process(proc.pid)
        tree_peak = 0
        timed_out = False
        try:
            while waiter.is_alive():
                if watched is not None:
                    tree_peak = max(tree_peak, _tree_rss(watched))
                waiter.join(SAMPLE_INTERVAL)
                if waiter.is_alive() and time.perf_counter() - start > timeout:
                    timed_out = True
                    _kill_group(proc.pid)
                    waiter.join()
        except BaseException:
            _kill_group(proc.pid)
            waiter.join()
            raise
        _kill_group(proc.pid)  # stray workers left behind by a tool that crashed
    status = reaped["status"]
    assert isinstance(status, int)
    proc.returncode = os.waitstatus_to_exitcode(status)
    usage = reaped["usage"]
    max_rss = int(getattr(usage, "ru_maxrss", 0))
    if sys.platform != "darwin":
        max_rss *= 1024  # kilobytes on Linux
    end = reaped["end"]
    assert isinstance(end, float)
    stderr_text = Path(f"{log_stem}.err").read_text(errors="replace")
    return Sample(
        seconds=end - start,
        returncode=None if timed_out else proc.returncode,
        timed_out=timed_out,
        tree_peak=tree_peak if psutil is not None else None,
        max_rss=max_rss,
        stderr_tail=stderr_text.strip()[-1500:],
    )


def judge(sample: Sample, timeout: float) -> str:
    """'ok' when the tool ran to the end: exit 0 (clean) or 1 (found something)."""
    if sample.timed_out:
        return f"timeout (>{timeout:.0f} s)"
    code = sample.returncode
    last = sample.stderr_tail.splitlines()[-1].strip() if sample.stderr_tail else ""
    if code is not None and code < 0:
        return f"crashed: killed by signal {-code}"
    crashed = ("Traceback (most recent call last)", "critical error during execution")
    if any(text in sample.stderr_tail for text in crashed):
        return f"crashed (exit {code}): {last[:120]}"
    if code in (0, 1):
        return f"ok (exit {code})"
    return f"error (exit {code}): {last[:120]}"


def measure(
    label: str,
    argv: Sequence[str | Path],
    *,
    files: int,
    lines: int,
    runs: int,
    ctx: Context,
    before_each: Callable[[int], None] | None = None,
    env: dict[str, str] | None = None,
    shown: str | None = None,
) -> Measurement:
    result = Measurement(label, shown or " ".join(str(a) for a in argv), files, lines)
    statuses: list[str] = []
    for index in range(runs):
        if before_each is not None:
            before_each(index)
        stem = ctx.logs / f"{re.sub(r'[^A-Za-z0-9]+', '-', label).strip('-')}-{index}"
        sample = run_measured(
            argv, cwd=ctx.work, env=env or ctx.env, timeout=ctx.timeout, log_stem=stem
        )
        result.samples.append(sample)
        result.logs.append(str(stem))
        statuses.append(judge(sample, ctx.timeout))
        log(f"{label}: run {index + 1}/{runs}: {sample.seconds:.3f} s, {statuses[-1]}")
        if sample.timed_out:
            break  # another run would only time out again
    bad = [s for s in statuses if not s.startswith("ok")]
    result.status = bad[0] if bad else statuses[-1]
    return result


# --------------------------------------------------------------------------- environments


@dataclass
class Venvs:
    root: Path

    @property
    def asynclint(self) -> Path:  # asynclint from this checkout, flake8 for the plugin
        return self.root / "asynclint"

    @property
    def peers(self) -> Path:  # flake8 + flake8-async, ruff
        return self.root / "peers"

    @property
    def flake8(self) -> Path:  # flake8 alone: the baseline of the one-file measurement
        return self.root / "flake8"

    @property
    def harness(self) -> Path:  # psutil, for the script itself
        return self.root / "harness"


def make_venv(path: Path, packages: Sequence[str], *, reuse: bool, python: str) -> bool:
    """Create `path` with `packages`; with `reuse`, keep one that already has them. Returns
    whether the venv was (re)built."""
    marker = path / "asynclint-bench.json"
    wanted = {"packages": sorted(packages), "python": sys.version}
    if reuse and marker.is_file() and bin_path(path, "python").exists():
        with contextlib.suppress(ValueError, OSError):
            if json.loads(marker.read_text()) == wanted:
                return False
    if path.exists():
        if not (path / "pyvenv.cfg").is_file():
            fail(f"{path} exists and is not a virtualenv; not removing it")
        shutil.rmtree(path)
    log(f"creating {path} with {', '.join(packages)}")
    run_quiet([python, "-m", "venv", path], timeout=INSTALL_TIMEOUT)
    pip: list[str | Path] = [bin_path(path, "python"), "-m", "pip"]
    pip += ["--disable-pip-version-check", "-q"]
    if packages:
        run_quiet([*pip, "install", *packages], timeout=INSTALL_TIMEOUT)
    marker.write_text(json.dumps(wanted))
    return True


def install_asynclint(venv: Path) -> None:
    """Install this checkout (not editable: the way users get it) with its dependencies."""
    log(f"installing asynclint from {REPO} into {venv}")
    pip: list[str | Path] = [bin_path(venv, "python"), "-m", "pip"]
    pip += ["--disable-pip-version-check", "-q"]
    run_quiet([*pip, "install", "--no-build-isolation", REPO], timeout=INSTALL_TIMEOUT)
    # A local directory with an unchanged version may count as installed: force this checkout.
    run_quiet(
        [*pip, "install", "--no-build-isolation", "--force-reinstall", "--no-deps", REPO],
        timeout=INSTALL_TIMEOUT,
    )


def setup_venvs(venvs: Venvs, args: argparse.Namespace) -> None:
    python = sys.executable
    reuse = args.reuse_venv
    make_venv(venvs.harness, ["psutil"], reuse=reuse, python=python)
    make_venv(venvs.asynclint, ["flake8", "hatchling"], reuse=reuse, python=python)
    install_asynclint(venvs.asynclint)
    if not args.skip_one_file:
        make_venv(venvs.flake8, ["flake8"], reuse=reuse, python=python)
    if not args.skip_peers:
        make_venv(venvs.peers, ["flake8", "flake8-async", "ruff"], reuse=reuse, python=python)


def package_version(venv: Path, name: str) -> str:
    code = f"import importlib.metadata as m; print(m.version({name!r}))"
    try:
        done = subprocess.run(
            [str(bin_path(venv, "python")), "-c", code],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return "?"
    return done.stdout.strip() or "?"


def flake8_entry_points(venv: Path, distribution: str) -> list[str]:
    """The names under which a flake8 plugin registers (flake8 allows at most three letters, so
    flake8-async registers `ASY` and reports `ASYNC100`...)."""
    code = (
        "import importlib.metadata as m, json\n"
        f"d = m.distribution({distribution!r})\n"
        "print(json.dumps([e.name for e in d.entry_points if e.group == 'flake8.extension']))"
    )
    out = run_quiet([bin_path(venv, "python"), "-c", code], timeout=60)
    return list(json.loads(out))


# --------------------------------------------------------------------------- the corpus


@dataclass
class Corpus:
    files: int = 0
    lines: int = 0
    parts: dict[str, tuple[int, int]] = field(default_factory=dict)  # name -> (files, lines)
    extra_lines: dict[int, int] = field(default_factory=dict)  # copy -> lines (copies differ)


def safe_name(part: str) -> str:
    if part.startswith(".") or part in SKIPPED_NAMES or part.endswith(".egg"):
        return "bench_" + part.lstrip(".")
    return part


def python_files(root: Path, *, skip_dirs: Sequence[str] = ()) -> Iterator[Path]:
    for directory, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if d not in skip_dirs and d != "__pycache__")
        for name in sorted(filenames):
            path = Path(directory, name)
            if name.endswith(".py") and path.is_file() and not path.is_symlink():
                yield path


def corpus_sources(args: argparse.Namespace, stdlib: Path) -> Iterator[tuple[str, Path, Path]]:
    """(part name, source file, path inside a corpus copy)."""
    if args.subset == "asyncio":
        for sub in ("asyncio", "test/test_asyncio"):
            if not (stdlib / sub).is_dir():
                fail(f"{stdlib / sub} is missing (an interpreter installed without its tests?)")
            for path in python_files(stdlib / sub):
                yield "Lib (asyncio subset)", path, Path("Lib", path.relative_to(stdlib))
        return
    for path in python_files(stdlib, skip_dirs=("site-packages",)):
        yield "Lib", path, Path("Lib", path.relative_to(stdlib))
    for project in fetch_projects(args):
        for path in python_files(project):
            yield project.name, path, Path("projects", project.name, path.relative_to(project))


def fetch_projects(args: argparse.Namespace) -> list[Path]:
    script = Path(args.fetch_script)
    if not script.is_file():
        fail(f"corpus fetch script not found: {script} (see --fetch-script)")
    log(f"fetching the project corpus with {script} (reuses what is already downloaded)")
    try:
        done = subprocess.run(
            [sys.executable, str(script)],
            capture_output=True,
            text=True,
            timeout=INSTALL_TIMEOUT,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except subprocess.TimeoutExpired:
        fail(f"{script} did not finish within {INSTALL_TIMEOUT} s")
    lines = done.stdout.strip().splitlines()
    if not lines or not Path(lines[-1]).is_dir():
        fail(f"{script} failed (exit {done.returncode}): {done.stderr.strip()[-1000:]}")
    if done.returncode != 0:
        log(f"warning: {script} exit {done.returncode}: {done.stderr.strip()[-500:]}")
    dest = Path(lines[-1])
    projects = sorted(p for p in dest.iterdir() if p.is_dir() and not p.name.startswith(("_", ".")))
    if not projects:
        fail(f"no projects under {dest}")
    return projects


def copy_marker(index: int) -> bytes:
    # Later copies differ from the first by a trailing comment, so that no tool can treat them
    # as the same content (a cache keyed by content, deduplication) and each is real work.
    return f"# asynclint benchmark: copy {index}\n".encode()


def build_corpus(args: argparse.Namespace, work: Path, stdlib: Path, copies: int) -> Corpus:
    corpus = Corpus()
    extra = dict.fromkeys(range(1, copies), 0)
    for index in range(copies):
        shutil.rmtree(work / f"copy{index}", ignore_errors=True)
    for part, source, relative in corpus_sources(args, stdlib):
        data = source.read_bytes()
        target = Path(*(safe_name(p) for p in relative.parts))
        for index in range(copies):
            destination = work / f"copy{index}" / target
            destination.parent.mkdir(parents=True, exist_ok=True)
            if index == 0:
                destination.write_bytes(data)
                continue
            tail = b"" if not data or data.endswith(b"\n") else b"\n"
            copied = data + tail + copy_marker(index)
            destination.write_bytes(copied)
            extra[index] += count_lines(copied) - count_lines(data)
        lines = count_lines(data)
        files, total = corpus.parts.get(part, (0, 0))
        corpus.parts[part] = (files + 1, total + lines)
        corpus.files += 1
        corpus.lines += lines
    corpus.extra_lines = extra
    if not corpus.files:
        fail("the corpus is empty")
    return corpus


def scaled_lines(corpus: Corpus, scale: int) -> int:
    return corpus.lines * scale + sum(corpus.extra_lines.get(i, 0) for i in range(1, scale))


# --------------------------------------------------------------------------- the runs


@dataclass
class Context:
    work: Path
    logs: Path
    env: dict[str, str]
    timeout: float
    venvs: Venvs


def asynclint_argv(
    ctx: Context, jobs: int | None, paths: Sequence[str], cache: Path
) -> list[str | Path]:
    argv: list[str | Path] = [bin_path(ctx.venvs.asynclint, "asynclint"), "check"]
    argv += ["--cache-dir", cache]
    if jobs:
        argv += ["--jobs", str(jobs)]
    return [*argv, *paths]


def fresh_dir(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)


def shown_asynclint(jobs: int | None, cache: str) -> str:
    jobs_part = f" --jobs {jobs}" if jobs else ""
    return f"asynclint check --cache-dir {cache}{jobs_part} PATH"


def measure_asynclint_cold(
    ctx: Context,
    args: argparse.Namespace,
    paths: Sequence[str],
    files: int,
    lines: int,
    label: str,
) -> tuple[Measurement, Path]:
    cache = ctx.work / "caches" / "cold"
    return (
        measure(
            label,
            asynclint_argv(ctx, args.jobs, paths, cache),
            files=files,
            lines=lines,
            runs=args.runs,
            ctx=ctx,
            before_each=lambda _: fresh_dir(cache),
            shown=shown_asynclint(args.jobs, "EMPTY_DIR"),
        ),
        cache,
    )


def side_by_side(ctx: Context, args: argparse.Namespace, corpus: Corpus) -> list[Measurement]:
    paths = ["copy0"]
    files, lines = corpus.files, corpus.lines
    cold, cache = measure_asynclint_cold(ctx, args, paths, files, lines, "asynclint cold")
    results = [cold]
    warm_cache = ctx.work / "caches" / "warm"
    shutil.rmtree(warm_cache, ignore_errors=True)
    # The last cold run filled `cache`: that is the state a re-run with nothing changed sees.
    if cache.is_dir() and cold.status.startswith("ok"):
        cache.rename(warm_cache)
    else:
        log("asynclint cold did not finish cleanly; filling the warm cache with one more run")
        fresh_dir(warm_cache)
        run_measured(
            asynclint_argv(ctx, args.jobs, paths, warm_cache),
            cwd=ctx.work,
            env=ctx.env,
            timeout=ctx.timeout,
            log_stem=ctx.logs / "asynclint-warm-fill",
        )
    results.append(
        measure(
            "asynclint warm",
            asynclint_argv(ctx, args.jobs, paths, warm_cache),
            files=files,
            lines=lines,
            runs=args.runs,
            ctx=ctx,
            shown=shown_asynclint(args.jobs, "FILLED_DIR"),
        )
    )
    if not args.skip_edited:
        results.extend(warm_edited(ctx, args, paths, files, lines, warm_cache))
    if args.skip_peers:
        return results
    jobs = ["--jobs", str(args.jobs)] if args.jobs else []
    # --benchmark only adds a few summary lines, among them how many files flake8 read.
    flake8: list[str | Path] = [bin_path(ctx.venvs.peers, "flake8"), "--isolated", "--benchmark"]
    flake8 += ["--select", FLAKE8_ASYNC_SELECT, *jobs]
    results.append(
        measure(
            "flake8 + flake8-async",
            [*flake8, *paths],
            files=files,
            lines=lines,
            runs=args.peer_runs,
            ctx=ctx,
            shown=" ".join(
                ["flake8 --isolated --benchmark --select", FLAKE8_ASYNC_SELECT, *jobs, "PATH"]
            ),
        )
    )
    ruff_env = dict(ctx.env)
    if args.jobs:
        ruff_env["RAYON_NUM_THREADS"] = str(args.jobs)  # ruff has no --jobs; its pool reads this
    ruff: list[str | Path] = [
        bin_path(ctx.venvs.peers, "ruff"),
        "check",
        "--isolated",
        "--no-cache",
    ]
    ruff += ["--output-format", "concise", "--select", RUFF_SELECT]
    results.append(
        measure(
            "ruff",
            [*ruff, *paths],
            files=files,
            lines=lines,
            runs=args.peer_runs,
            ctx=ctx,
            env=ruff_env,
            shown=f"ruff check --isolated --no-cache --output-format concise "
            f"--select {RUFF_SELECT} PATH",
        )
    )
    return results


# What a one-file edit appends: a comment changes no summary (only the file is re-analysed);
# a new coroutine function changes the module's summary (its importers are re-analysed too).
EDITS = {
    "asynclint warm, one file edited (comment)": "# bench edit {n}\n",
    "asynclint warm, one file edited (new function)": "async def _bench_edit_{n}():\n    pass\n",
}


def edited_file(args: argparse.Namespace) -> str:
    """A module many others import, so that a summary change reaches many modules (both
    subsets keep the standard library's layout under `Lib/`)."""
    return "copy0/Lib/asyncio/tasks.py"


def warm_edited(
    ctx: Context,
    args: argparse.Namespace,
    paths: Sequence[str],
    files: int,
    lines: int,
    warm_cache: Path,
) -> list[Measurement]:
    """Warm runs after one file changed: each run starts from a copy of the warm cache, with
    the file as it was plus one new edit (a content no cache entry has seen)."""
    target = ctx.work / edited_file(args)
    original = target.read_bytes()
    scratch = ctx.work / "caches" / "edited"
    results = []
    try:
        for label, edit in EDITS.items():

            def prepare(index: int, edit: str = edit) -> None:
                shutil.rmtree(scratch, ignore_errors=True)
                shutil.copytree(warm_cache, scratch)
                addition = edit.format(n=f"{index}_{time.time_ns()}")
                target.write_bytes(original + b"\n" + addition.encode())

            results.append(
                measure(
                    label,
                    asynclint_argv(ctx, args.jobs, paths, scratch),
                    files=files,
                    lines=lines,
                    runs=args.runs,
                    ctx=ctx,
                    before_each=prepare,
                    shown=shown_asynclint(args.jobs, "FILLED_DIR") + f" (edited {target.name})",
                )
            )
    finally:
        target.write_bytes(original)
    return results


def scaling(
    ctx: Context, args: argparse.Namespace, corpus: Corpus, cold: Measurement | None
) -> list[tuple[int, Measurement]]:
    rows = []
    for scale in args.scales:
        if scale == 1 and cold is not None:
            rows.append((1, cold))  # the same command, already measured
            continue
        paths = [f"copy{i}" for i in range(scale)]
        measured, _ = measure_asynclint_cold(
            ctx,
            args,
            paths,
            corpus.files * scale,
            scaled_lines(corpus, scale),
            f"asynclint cold {scale}x",
        )
        rows.append((scale, measured))
    return rows


def warm_up(ctx: Context, args: argparse.Namespace, sample_file: Path) -> None:
    """Run every tool once on one file, untimed, so that no timed run pays for compiling the
    tools' bytecode or for reading their files from disk for the first time."""
    target = ctx.work / "warmup" / sample_file.name
    fresh_dir(target.parent)
    shutil.copyfile(sample_file, target)
    relative = str(target.relative_to(ctx.work))
    commands: list[list[str | Path]] = [
        [bin_path(ctx.venvs.asynclint, "asynclint"), "check", "--no-cache", relative],
        [bin_path(ctx.venvs.asynclint, "flake8"), "--isolated", "--select", "AIO", relative],
    ]
    if not args.skip_one_file:
        commands.append([bin_path(ctx.venvs.flake8, "flake8"), "--isolated", relative])
    if not args.skip_peers:
        commands.append(
            [bin_path(ctx.venvs.peers, "flake8"), "--isolated", "--select", "ASYNC", relative]
        )
        commands.append([bin_path(ctx.venvs.peers, "ruff"), "check", "--isolated", relative])
    for index, argv in enumerate(commands):
        sample = run_measured(
            argv,
            cwd=ctx.work,
            env=ctx.env,
            timeout=ctx.timeout,
            log_stem=ctx.logs / f"warmup-{index}",
        )
        status = judge(sample, ctx.timeout)
        if not status.startswith("ok"):
            log(f"warning: warm-up of {Path(argv[0]).name} on {relative}: {status}")


def files_seen(ctx: Context, side: list[Measurement]) -> dict[str, int | None]:
    """How many files each tool finds in the corpus, to show they all check the same ones."""
    seen: dict[str, int | None] = {}
    code = "from asynclint.files import discover; print(len(discover(['copy0']).files))"
    python = bin_path(ctx.venvs.asynclint, "python")
    seen["asynclint"] = _count_output(
        [python, "-c", code], ctx, lambda out: int(out.strip().splitlines()[-1])
    )
    by_label = {m.label: m for m in side}
    if "ruff" in by_label:
        show: list[str | Path] = [bin_path(ctx.venvs.peers, "ruff"), "check", "--isolated"]
        seen["ruff"] = _count_output(
            [*show, "--show-files", "copy0"],
            ctx,
            lambda out: sum(1 for line in out.splitlines() if line.endswith(".py")),
        )
    flake8 = by_label.get("flake8 + flake8-async")
    if flake8 is not None and flake8.logs:
        with contextlib.suppress(OSError):
            text = Path(flake8.logs[0] + ".out").read_text(errors="replace")
            match = re.search(r"^(\d+)\s+total files processed", text, re.MULTILINE)
            seen["flake8"] = int(match.group(1)) if match else None
    return seen


def _count_output(
    argv: Sequence[str | Path], ctx: Context, count: Callable[[str], int]
) -> int | None:
    try:
        done = subprocess.run(
            [str(a) for a in argv],
            cwd=ctx.work,
            env=ctx.env,
            capture_output=True,
            text=True,
            timeout=600,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        return count(done.stdout)
    except (subprocess.TimeoutExpired, ValueError, IndexError):
        return None


@dataclass
class OneFile:
    path: str
    lines: int
    rows: list[Measurement]
    imports: dict[str, float]  # milliseconds, from -X importtime


def parse_importtime(text: str) -> dict[str, float]:
    """Cumulative import time (ms) of everything, of asynclint (with what it pulls in) and of
    libcst, from `python -X importtime` output. A module's line comes after those of the
    modules it imported, indented two spaces deeper."""
    entries = []
    for line in text.splitlines():
        match = re.match(r"import time:\s+(\d+) \|\s+(\d+) \| ( *)(\S+)", line)
        if match:
            entries.append((len(match.group(3)) // 2, match.group(4), int(match.group(2))))
    totals = {"all": 0.0, "asynclint": 0.0, "libcst": 0.0}
    ancestors: dict[int, str] = {}
    for depth, name, cumulative in reversed(entries):
        ancestors[depth] = name
        above = [ancestors.get(d, "") for d in range(depth)]
        top = name.split(".")[0]
        above_tops = {a.split(".")[0] for a in above}
        if depth == 0:
            totals["all"] += cumulative / 1000
        if top in ("asynclint", "libcst") and not above_tops & {"asynclint", "libcst"}:
            totals["asynclint"] += cumulative / 1000
        if top == "libcst" and "libcst" not in above_tops:
            totals["libcst"] += cumulative / 1000
    return totals


def one_file_source(args: argparse.Namespace, stdlib: Path) -> Path:
    source = Path(args.one_file) if args.one_file else stdlib / DEFAULT_ONE_FILE
    if not source.is_file():
        fail(f"one-file benchmark: {source} not found")
    return source


def one_file(ctx: Context, args: argparse.Namespace, stdlib: Path) -> OneFile:
    source = one_file_source(args, stdlib)
    target = ctx.work / "onefile" / source.name
    fresh_dir(target.parent)
    shutil.copyfile(source, target)
    relative = str(target.relative_to(ctx.work))
    lines = count_lines(target.read_bytes())
    runs = args.one_file_runs
    plain = bin_path(ctx.venvs.flake8, "flake8")
    with_plugin = bin_path(ctx.venvs.asynclint, "flake8")
    rows = [
        measure(
            "flake8 alone (E,F)",
            [plain, "--isolated", "--select", "E,F", relative],
            files=1,
            lines=lines,
            runs=runs,
            ctx=ctx,
            shown="flake8 --isolated --select E,F FILE  # env without asynclint",
        ),
        measure(
            "flake8 + asynclint (AIO)",
            [with_plugin, "--isolated", "--select", "AIO", relative],
            files=1,
            lines=lines,
            runs=runs,
            ctx=ctx,
            shown="flake8 --isolated --select AIO FILE  # env with asynclint",
        ),
        measure(
            "asynclint CLI",
            [bin_path(ctx.venvs.asynclint, "asynclint"), "check", "--no-cache", relative],
            files=1,
            lines=lines,
            runs=runs,
            ctx=ctx,
            shown="asynclint check --no-cache FILE",
        ),
    ]
    if not args.skip_peers:
        rows.append(
            measure(
                "flake8 + flake8-async (ASYNC)",
                [
                    bin_path(ctx.venvs.peers, "flake8"),
                    "--isolated",
                    "--select",
                    FLAKE8_ASYNC_SELECT,
                    relative,
                ],
                files=1,
                lines=lines,
                runs=runs,
                ctx=ctx,
                shown="flake8 --isolated --select ASYNC FILE  # env with flake8-async",
            )
        )
    python = bin_path(ctx.venvs.asynclint, "python")
    argv = [python, "-X", "importtime", "-m", "flake8", "--isolated", "--select", "AIO", relative]
    try:
        done = subprocess.run(
            [str(a) for a in argv],
            cwd=ctx.work,
            env=ctx.env,
            capture_output=True,
            text=True,
            timeout=ctx.timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
        imports = parse_importtime(done.stderr)
    except subprocess.TimeoutExpired:
        imports = {}
    shown = str(source)
    if is_within(source, stdlib):
        shown = "Lib/" + str(source.resolve().relative_to(stdlib.resolve()))
    return OneFile(shown, lines, rows, imports)


# --------------------------------------------------------------------------- the report


def machine_lines() -> list[str]:
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f"{int(line.split()[1]) / 2**20:.1f} GiB"
                break
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    return [
        f"- CPU: {model}, {os.cpu_count()} CPUs ({usable} usable by this process)",
        f"- memory: {memory}; OS: {platform.platform()}",
        f"- Python: {platform.python_implementation()} {platform.python_version()} "
        f"(Lib/ from {sysconfig.get_paths()['stdlib']})",
    ]


def git_revision() -> str:
    try:
        head = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    return (head or "unknown") + (" (with uncommitted changes)" if dirty else "")


def memory_method() -> str:
    if psutil is not None:
        return (
            "peak of the summed PSS (proportional set size: pages that forked workers share "
            "with their parent count once) of the tool's whole process tree, sampled every "
            f"{SAMPLE_INTERVAL * 1000:.0f} ms with psutil (RSS where PSS is not available)"
        )
    return (
        "ru_maxrss: the largest single process of the tool's tree (psutil unavailable, so "
        "worker processes are not added up)"
    )


def files_seen_line(corpus: Corpus, seen: dict[str, int | None]) -> str:
    counts = ", ".join(f"{tool} {'?' if n is None else f'{n:,}'}" for tool, n in seen.items())
    if all(n == corpus.files for n in seen.values()):
        return f"Files each tool found in the corpus: {counts} (all the same)."
    return (
        f"WARNING: the tools found different numbers of files: {counts}; copied {corpus.files:,}."
    )


def side_by_side_note(args: argparse.Namespace) -> str:
    jobs = f"--jobs {args.jobs}" if args.jobs else "each tool's default parallelism"
    if args.skip_peers:
        return f"Median wall time of {args.runs} run(s), {jobs}. Exit 1 means findings."
    return (
        f"Median wall time of {args.runs} run(s) ({args.peer_runs} for flake8 and ruff), "
        f"{jobs}. Exit 1 means findings and is fine. flake8 runs every installed plugin "
        "whatever `--select` says, so its row includes pycodestyle and pyflakes: that is what "
        "running flake8-async costs."
    )


def side_by_side_table(rows: list[Measurement]) -> str:
    cold = rows[0].seconds if rows else None
    table = []
    for row in rows:
        seconds = row.seconds
        ratio = seconds / cold if seconds is not None and cold else None
        table.append(
            [
                row.label,
                f"`{row.command}`",
                f"{row.files:,}",
                f"{row.lines:,}",
                str(len(row.samples)),
                fmt_seconds(seconds),
                fmt_int(row.lines_per_second),
                fmt_mb(row.peak),
                fmt_ratio(ratio),
                row.status,
            ]
        )
    headers = [
        "tool",
        "command",
        "files",
        "lines",
        "runs",
        "median s",
        "lines/s",
        "peak MB",
        "time / asynclint cold",
        "status",
    ]
    return md_table(headers, table, {2, 3, 4, 5, 6, 7, 8})


def scaling_table(rows: list[tuple[int, Measurement]]) -> str:
    base = rows[0][1].seconds if rows and rows[0][0] == 1 else None
    table = []
    for scale, row in rows:
        seconds = row.seconds
        per_copy = seconds / scale if seconds is not None else None
        growth = per_copy / base if per_copy is not None and base else None
        table.append(
            [
                f"{scale}x",
                f"{row.files:,}",
                f"{row.lines:,}",
                str(len(row.samples)),
                fmt_seconds(seconds),
                fmt_int(row.lines_per_second),
                fmt_seconds(per_copy),
                fmt_ratio(growth),
                fmt_mb(row.peak),
                row.status,
            ]
        )
    headers = [
        "corpus",
        "files",
        "lines",
        "runs",
        "median s",
        "lines/s",
        "s per 1x",
        "s per 1x / 1x run",
        "peak MB",
        "status",
    ]
    return md_table(headers, table, {1, 2, 3, 4, 5, 6, 7, 8})


def one_file_section(result: OneFile) -> list[str]:
    rows = []
    for row in result.rows:
        rows.append(
            [
                row.label,
                f"`{row.command}`",
                str(len(row.samples)),
                fmt_seconds(row.seconds),
                fmt_mb(row.peak),
                row.status,
            ]
        )
    out = [
        f"File: `{result.path}` ({result.lines:,} lines), one process per run.",
        "",
        md_table(["run", "command", "runs", "median s", "peak MB", "status"], rows, {2, 3, 4}),
        "",
    ]
    base, total = result.rows[0].seconds, result.rows[1].seconds
    if base is not None and total:
        ours = max(total - base, 0.0)
        out.append(
            f"- By wall time: flake8 with asynclint {total:.3f} s, flake8 alone {base:.3f} s: "
            f"asynclint's share {ours:.3f} s = {ours / total:.0%}, flake8's own (start-up, "
            f"parse, pycodestyle, pyflakes) {base / total:.0%}."
        )
    imports = result.imports
    if imports.get("all"):
        out.append(
            f"- By `python -X importtime -m flake8 --select AIO` (one run; the flag itself adds "
            f"overhead): all imports {imports['all']:.0f} ms, of which asynclint with what it "
            f"imports {imports['asynclint']:.0f} ms (libcst {imports['libcst']:.0f} ms)."
        )
    return out


def targets_section(
    args: argparse.Namespace,
    side: list[Measurement],
    scale_rows: list[tuple[int, Measurement]],
    single: OneFile | None,
) -> list[str]:
    """The issue's targets, checked against this run's numbers where it has them."""
    by_label = {m.label: m for m in side}
    cold = by_label.get("asynclint cold")
    warm = by_label.get("asynclint warm")
    flake8 = by_label.get("flake8 + flake8-async")
    out = []

    def verdict(ok: bool) -> str:
        return "met" if ok else "MISSED"

    cold_s = cold.seconds if cold else None
    if cold_s and flake8 and flake8.seconds:
        speedup = flake8.seconds / cold_s
        out.append(
            f"- cold vs flake8 + flake8-async ({args.subset}): {speedup:.1f}x faster "
            f"(target >= {SPEEDUP_TARGET}x): {verdict(speedup >= SPEEDUP_TARGET)}"
            + ("" if speedup >= SPEEDUP_TARGET else f", {SPEEDUP_TARGET / speedup:.2f}x short")
        )
    if cold_s and warm and warm.seconds:
        share = warm.seconds / cold_s
        out.append(
            f"- warm re-run: {share:.1%} of the cold time (target <= 5%): {verdict(share <= 0.05)}"
        )
    for label in EDITS:
        edited = by_label.get(label)
        if edited and edited.seconds:
            out.append(
                f"- {label.removeprefix('asynclint ')}: {edited.seconds:.2f} s "
                f"(target <= 2 s on the whole corpus): {verdict(edited.seconds <= 2)}"
            )
    if cold and cold.peak:
        mb = cold.peak / 2**20
        jobs = f"--jobs {args.jobs}" if args.jobs else "default --jobs"
        out.append(
            f"- peak memory, cold, {jobs} ({args.subset}): {mb:.0f} MB "
            f"(target < 300 MB on the whole corpus): {verdict(mb < 300)}"
        )
    if single and single.rows[0].seconds is not None and single.rows[1].seconds:
        base, total = single.rows[0].seconds, single.rows[1].seconds
        ours = max(total - base, 0.0)
        out.append(
            f"- one file through flake8: asynclint {ours / total:.0%} vs flake8's own "
            f"{base / total:.0%} (target: no more than flake8's): {verdict(ours <= base)}"
        )
    if len(scale_rows) > 1 and scale_rows[0][0] == 1 and scale_rows[0][1].seconds:
        scale, last = scale_rows[-1]
        if last.seconds:
            growth = last.seconds / scale / scale_rows[0][1].seconds
            out.append(
                f"- growth: {scale}x the corpus takes {growth:.2f} times as long per copy as "
                f"1x (1.00 = linear)"
            )
    return out


def report(
    args: argparse.Namespace,
    corpus: Corpus,
    seen: dict[str, int | None],
    versions: dict[str, str],
    side: list[Measurement],
    scale_rows: list[tuple[int, Measurement]],
    single: OneFile | None,
    started: datetime.datetime,
    loads: tuple[tuple[float, ...], tuple[float, ...]],
) -> str:
    subset = (
        "Lib/asyncio + Lib/test/test_asyncio"
        if args.subset == "asyncio"
        else "CPython's Lib/ + the fetched projects"
    )
    out = [
        "# asynclint benchmark",
        "",
        f"Date: {started.strftime('%Y-%m-%d %H:%M UTC')}. "
        f"Produced by `python benchmarks/bench.py {' '.join(args.argv)}`.",
        "",
        "## Machine",
        "",
        *machine_lines(),
        "- load average (1, 5, 15 min) at start: "
        + ", ".join(f"{x:.2f}" for x in loads[0])
        + "; at end: "
        + ", ".join(f"{x:.2f}" for x in loads[1]),
        "- versions: " + ", ".join(f"{k} {v}" for k, v in versions.items()),
        f"- memory: {memory_method()}",
        "",
        "## Corpus",
        "",
        f"{subset}: {corpus.files:,} files, {corpus.lines:,} lines (`.py` files only; "
        "directories that a tool skips by default, such as `venv` or `build`, were renamed "
        "so that every tool sees the same files).",
        "",
        md_table(
            ["part", "files", "lines"],
            [[name, f"{f:,}", f"{n:,}"] for name, (f, n) in corpus.parts.items()],
            {1, 2},
        ),
        "",
        files_seen_line(corpus, seen),
        "",
    ]
    if side:
        out += [
            "## Side by side",
            "",
            side_by_side_note(args),
            "",
            side_by_side_table(side),
            "",
        ]
    if scale_rows:
        out += [
            "## Scaling (asynclint cold)",
            "",
            "Nx = N copies of the corpus under new names, each copy with a trailing comment so "
            "no two files have the same content.",
            "",
            scaling_table(scale_rows),
            "",
        ]
    if single is not None:
        out += ["## One file through flake8", "", *one_file_section(single), ""]
    targets = targets_section(args, side, scale_rows, single)
    if targets:
        out += ["## Targets (issue 5)", "", *targets, ""]
    return "\n".join(out)


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Time asynclint against flake8 + flake8-async and ruff on a real corpus.",
    )
    parser.add_argument("--subset", choices=("all", "asyncio"), default="all")
    parser.add_argument("--runs", type=int, default=3, help="timed runs per tool (median)")
    parser.add_argument(
        "--peer-runs", type=int, help="timed runs for flake8 and ruff (default: --runs)"
    )
    parser.add_argument("--jobs", type=int, help="workers for every tool (default: theirs)")
    parser.add_argument("--skip-peers", action="store_true", help="time asynclint only")
    parser.add_argument("--skip-scaling", action="store_true")
    parser.add_argument(
        "--skip-edited", action="store_true", help="leave out the warm runs with one file edited"
    )
    parser.add_argument("--skip-one-file", action="store_true")
    parser.add_argument(
        "--scales", default="1,2,4", help="corpus multiples for the scaling runs (1,2,4)"
    )
    parser.add_argument("--one-file", help=f"file for the one-file runs (Lib/{DEFAULT_ONE_FILE})")
    parser.add_argument("--one-file-runs", type=int, default=10)
    parser.add_argument("--write", metavar="FILE", help="also write the markdown report here")
    parser.add_argument("--json", metavar="FILE", help="write the raw measurements as JSON")
    parser.add_argument(
        "--work-dir", help="where to build the corpus (default: a new temporary directory)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the work directory")
    parser.add_argument("--venv-dir", default=str(DEFAULT_VENV_DIR))
    parser.add_argument(
        "--reuse-venv", action="store_true", help="keep benchmark venvs that already exist"
    )
    parser.add_argument(
        "--fetch-script",
        default=str(DEFAULT_FETCH_SCRIPT),
        help="script that downloads the project corpus (tests/corpus/fetch.py)",
    )
    parser.add_argument(
        "--timeout", type=float, default=3600, help="seconds before a tool run is killed"
    )
    args = parser.parse_args(argv)
    args.argv = list(argv)
    if args.runs < 1 or args.one_file_runs < 1:
        parser.error("--runs and --one-file-runs must be at least 1")
    args.peer_runs = args.peer_runs or args.runs
    if args.jobs is not None and args.jobs < 1:
        parser.error("--jobs must be at least 1")
    try:
        args.scales = sorted({int(s) for s in args.scales.split(",") if s.strip()})
    except ValueError:
        parser.error("--scales takes integers, e.g. 1,2,4")
    if not args.scales or args.scales[0] < 1:
        parser.error("--scales takes positive integers")
    return args


def maybe_rerun_with_psutil(venvs: Venvs, argv: Sequence[str]) -> None:
    """Memory of a process tree needs psutil; rather than asking for it in whatever Python
    runs this script, run the script again under the harness venv, which has it (same
    interpreter, so the same Lib/)."""
    python = bin_path(venvs.harness, "python")
    if psutil is not None or os.environ.get(READY_ENV) or not python.exists():
        return
    log(f"psutil is not importable here; re-running under {python}")
    os.environ[READY_ENV] = "1"
    sys.stdout.flush()
    os.execv(str(python), [str(python), str(Path(__file__).resolve()), *argv])


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = parse_args(argv)
    if os.name != "posix":
        fail("this benchmark needs a POSIX system (os.wait4, process groups)")
    started = datetime.datetime.now(datetime.timezone.utc)
    load_start = os.getloadavg()
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    venvs = Venvs(Path(args.venv_dir).expanduser().resolve())
    if is_within(venvs.root, REPO):
        fail("--venv-dir must be outside the repository")
    if not os.environ.get(READY_ENV):
        setup_venvs(venvs, args)
    maybe_rerun_with_psutil(venvs, argv)

    if args.work_dir:
        work = Path(args.work_dir).expanduser().resolve()
        if is_within(work, REPO) or is_within(REPO, work):
            fail("--work-dir must be outside the repository (and not contain it)")
        work.mkdir(parents=True, exist_ok=True)
    else:
        work = Path(tempfile.mkdtemp(prefix="asynclint-bench-"))
    logs = work / "logs"
    fresh_dir(logs)
    # An empty [tool.asynclint] here stops asynclint from picking up a config file above the
    # work directory; flake8 and ruff get --isolated.
    (work / "pyproject.toml").write_text("[tool.asynclint]\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env.pop(READY_ENV, None)
    ctx = Context(work=work, logs=logs, env=env, timeout=args.timeout, venvs=venvs)
    try:
        copies = 1 if args.skip_scaling else max(args.scales)
        log(f"building the corpus (subset {args.subset}, copies: {copies}) in {work}")
        corpus = build_corpus(args, work, stdlib, copies)
        log(f"corpus: {corpus.files:,} files, {corpus.lines:,} lines")

        versions = {
            "asynclint": f"{package_version(venvs.asynclint, 'asynclint')} @ {git_revision()}",
            "libcst": package_version(venvs.asynclint, "libcst"),
        }
        if not args.skip_peers:
            for name in ("flake8", "flake8-async", "ruff"):
                versions[name] = package_version(venvs.peers, name)
        elif not args.skip_one_file:
            versions["flake8"] = package_version(venvs.flake8, "flake8")
        if not args.skip_peers:
            plugin = flake8_entry_points(venvs.peers, "flake8-async")
            if not plugin:
                fail("flake8-async registered no flake8 plugin in the peers venv")
            versions["flake8-async"] += f" (registered as {', '.join(plugin)})"
        if psutil is not None:
            versions["psutil"] = psutil.__version__

        warm_up(ctx, args, one_file_source(args, stdlib))
        side = side_by_side(ctx, args, corpus)
        seen = files_seen(ctx, side)
        cold = side[0] if side else None
        scale_rows = [] if args.skip_scaling else scaling(ctx, args, corpus, cold)
        single = None if args.skip_one_file else one_file(ctx, args, stdlib)
        text = report(
            args,
            corpus,
            seen,
            versions,
            side,
            scale_rows,
            single,
            started,
            (load_start, os.getloadavg()),
        )
        print(text)
        if args.write:
            Path(args.write).write_text(text + "\n")
            log(f"wrote {args.write}")
        if args.json:
            raw = {
                "args": {k: v for k, v in vars(args).items() if k != "argv"},
                "corpus": asdict(corpus),
                "versions": versions,
                "side_by_side": [asdict(m) for m in side],
                "scaling": [{"scale": s, **asdict(m)} for s, m in scale_rows],
                "one_file": asdict(single) if single else None,
            }
            Path(args.json).write_text(json.dumps(raw, indent=2) + "\n")
            log(f"wrote {args.json}")
    finally:
        if args.keep or args.work_dir:
            log(f"work directory kept: {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
