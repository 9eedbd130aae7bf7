#!/usr/bin/env python3
"""Parity with ruff and flake8-async on their own test fixtures, for the rules we share.

    python benchmarks/parity.py --ruff PATH --flake8-async PATH [--write benchmarks/PARITY.md]

PATH is a checkout of the peer's repository, or a bare git directory (its files are then read
with `git show HEAD:...`). ruff, flake8 with flake8-async, and asynclint must be installed in
the environment of the Python that runs the script (they run as `python -m ...`). Nothing is
downloaded. The script prints a markdown report (or writes it) with, for each shared peer
rule: the lines the peer reports on its fixtures, how many of them asynclint reports with the
corresponding codes, the peer lines asynclint deliberately leaves out (with the reason), and
asynclint's lines that the peer does not report (each a defended true positive or a false
positive). The verdicts are in the tables below, keyed by the fixture's file and the text of
the line, so that they survive lines moving; a line without a verdict shows as unreviewed.
"""

from __future__ import annotations

import argparse
import ast
import io
import json
import re
import subprocess
import sys
import tempfile
import tokenize
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

RUFF_DIR = "crates/ruff_linter/resources/test/fixtures"
RUFF_FILES = ("ruff/RUF006.py", "flake8_async/ASYNC2*.py")
FLAKE8_ASYNC_DIR = "tests/eval_files"
FLAKE8_ASYNC_FILES = ("async300.py", "async103*.py", "async104*.py", "async2*.py")

# Peer rule -> the asynclint codes that cover it.
SHARED: dict[str, tuple[str, ...]] = {
    "RUF006": ("AIO602",),
    "ASYNC300": ("AIO602",),
    "ASYNC103": ("AIO501",),
    "ASYNC104": ("AIO501",),
    "ASYNC210": ("AIO605",),
    "ASYNC211": ("AIO605",),
    "ASYNC212": ("AIO605",),
    "ASYNC220": ("AIO210",),
    "ASYNC221": ("AIO210",),
    "ASYNC222": ("AIO210",),
    "ASYNC230": ("AIO607",),
    "ASYNC231": ("AIO607",),
    "ASYNC250": ("AIO605",),
    "ASYNC251": ("AIO605",),
}
# The shared rules ruff implements (flake8-async's ASYNC103/104/211/231/300 it does not).
RUFF_RULES = ("RUF006", "ASYNC210", "ASYNC212", "ASYNC220", "ASYNC221", "ASYNC222")
RUFF_RULES += ("ASYNC230", "ASYNC250", "ASYNC251")
OUR_CODES = tuple(sorted({code for codes in SHARED.values() for code in codes}))
# Peer rules on these fixtures that asynclint has no counterpart for, and why.
NOT_SHARED = {
    "ASYNC200": "user-configured blocking calls: asynclint has no such option",
    "ASYNC232": "blocking methods of a file object already open: not covered (AIO605 reports "
    "the read or write of a file opened in the same expression)",
    "ASYNC240": "`os.path` calls in async code: not covered (mostly cheap `stat` calls)",
}
# Modules the flake8-async fixtures call through without importing them: that peer matches
# the spelling, asynclint resolves imports. An `import` of the missing ones is written on the
# file's first line (a comment line), so that every line keeps its number.
ASSUMED_MODULES = ("asyncio", "os", "subprocess", "time", "io", "httpx", "httpx2", "requests")
ASSUMED_MODULES += ("urllib3",)

# --- verdicts ---------------------------------------------------------------------------------
# Keyed by (fixture, code of the line without its comment), so that they survive lines moving
# and cover a peer's copies of the same case.

_NO_WAIT = (
    "starts a child without waiting for it: the loop goes on while the child runs "
    "(only calls that wait are reported)"
)
_NO_OPTIONS = (
    "called without its options (a TypeError): whether `os.wait3/wait4/waitpid/waitid()` "
    "blocks depends on them (WNOHANG), so only options known to wait are reported"
)
_NOT_IMPORTED = (
    "the name is never imported (a NameError): asynclint resolves callees and annotations "
    "through imports, the peer matches the spelling"
)
_NO_IO = (
    "a method name that does no I/O (`anything()`): only a pool's request methods "
    "(`request`, `urlopen`, ...) are reported"
)
_RUF22X = "flake8_async/ASYNC22x.py"
_F822X = "async22x_asyncio.py"
DELIBERATE: dict[tuple[str, str], str] = {
    **{
        (file, code): _NO_WAIT
        for file in (_RUF22X, _F822X)
        for code in (
            "subprocess.Popen()",
            "os.posix_spawn()",
            "os.posix_spawnp()",
            "os.spawnl(os.P_NOWAIT)",
            "os.spawnl(P_NOWAIT)",
            "os.spawnl(mode=os.P_NOWAIT)",
            "os.spawnl(mode=P_NOWAIT)",
            "os.spawnl(1)",
        )
    },
    **{
        (file, code): _NO_OPTIONS
        for file in (_RUF22X, _F822X)
        for code in ("os.wait3()", "os.wait4()", "os.waitid()", "os.waitpid()", "os.wait4(10)")
    },
    ("async210.py", "request.urlopen()"): _NOT_IMPORTED,
    ("async210.py", "urlopen()"): _NOT_IMPORTED,
    ("async212.py", "client.send(...)"): _NOT_IMPORTED + " (`Optional` here)",
    ("async212.py", "c.anything()"): _NO_IO,
    **{
        ("async23x_asyncio.py", code): (
            "`os.fdopen()` wraps a descriptor that is already open, without I/O (asyncio "
            "takes such files in `connect_read_pipe()`); on the corpus all 16 such findings "
            "were of this kind, 5 in asyncssh's own pipe handling"
        )
        for code in ("os.fdopen(0)", "await asyncio.wrap_file(os.fdopen(0))", "with os.fdopen(0):")
    },
    ("async212.py", "glob_client.send()"): (
        "the module rebinds `glob_client` to 4 further down: by the time the coroutine runs "
        "(after the import) the name holds an int, so which object it calls is not known"
    ),
    ("async300.py", "(asyncio.create_task(*args) for i in range(10))"): (
        "a generator expression that is thrown away never runs: no task is created"
    ),
    ("async300.py", "with asyncio.create_task(*args) as k:"): (
        "a Task is not a context manager: the `with` raises TypeError at once, a type "
        "checker's finding"
    ),
}
# asynclint lines the peer does not report: "TP: why", "debatable: why" or "FP: why".
_ANY_METHOD = (
    "TP: a request through a urllib3 pool blocks whatever its method argument; the peer "
    "only matches literal upper-case verbs"
)
EXTRA: dict[tuple[str, str], str] = {
    ("ruff/RUF006.py", "task = unused = asyncio.create_task(coordinator.ws_connect())"): (
        "TP: a chained assignment to two names, neither read again (issue 13)"
    ),
    ("async211.py", "foo.request()"): (
        "debatable: no arguments (a TypeError); reported as the blocking request it attempts"
    ),
    **{
        ("async211.py", code): _ANY_METHOD
        for code in (
            'foo.request(..., "PUT")',
            'foo.request("sPUTnik")',
            "foo.request(None)",
            "foo.request(put)",
            "foo.request(PUT)",
            'foo.request("REQUEST")',
        )
    },
    ("async212.py", "client.send()"): (
        "TP: `from httpx import Client`; `Client()` is httpx's client (the peer does not "
        "follow the alias)"
    ),
    ("async23x_asyncio.py", 'await open("")'): (
        "TP: `open()` runs, on the loop's thread, before awaiting its result fails"
    ),
    ("async300.py", "k = asyncio.create_task(*args)"): "TP: `k` is never read (issue 13)",
    ("async300.py", "(l := asyncio.create_task(*args))"): (
        "TP: a walrus target never read (issue 13)"
    ),
    ("async300.py", "create_task(*args)"): (
        "TP: `create_task` imported inside the function is asyncio's (the peer does not "
        "track function-local imports)"
    ),
}
# Peer rules whose lines outside any coroutine are deliberate differences: flake8-async judges
# every handler, asynclint only those around code that can be cancelled (inside an `async def`).
OUTSIDE_COROUTINES = {
    "ASYNC103": (
        "not in a coroutine: no cancellation can arrive in this `try`, so asynclint (AIO501) "
        "does not judge its handler"
    ),
    "ASYNC104": (
        "not in a coroutine (as ASYNC103); inside one, raising another exception in the "
        "handler is accepted by design (issue 13)"
    ),
}
# Peer rules that another piece of work owns: shown, but outside this table's target.
PENDING: dict[str, str] = {}


def _in_coroutine(lines: list[str], line: int) -> bool:
    """Is `line` inside an `async def` of the file?"""
    try:
        tree = ast.parse("\n".join(lines))
    except SyntaxError:
        return False
    return any(
        isinstance(node, ast.AsyncFunctionDef) and node.lineno <= line <= (node.end_lineno or 0)
        for node in ast.walk(tree)
    )


def _key(file: str, line: str) -> tuple[str, str]:
    return (file, _code_of(line))


def _code_of(line: str) -> str:
    """The line without its trailing comment (a `#` inside a string is kept)."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(line.strip()).readline))
    except (tokenize.TokenError, SyntaxError):
        return line.strip()
    comments = [t for t in tokens if t.type == tokenize.COMMENT]
    return line.strip()[: comments[0].start[1]].strip() if comments else line.strip()


# --- running the tools ----------------------------------------------------------------------


@dataclass
class Fixture:
    tool: str  # "ruff" or "flake8-async"
    name: str  # path under the peer's fixture directory
    text: str  # what the peer checks
    ours: str  # what asynclint checks: the same lines, perhaps with imports on line 1
    args: list[str] = field(default_factory=list)  # the peer's extra arguments
    note: str = ""


def read_peer_files(root: Path, directory: str, patterns: tuple[str, ...]) -> dict[str, str]:
    """{path under `directory`: text} from a checkout or a bare git directory."""
    if (root / directory).is_dir():
        base = root / directory
        return {
            str(p.relative_to(base)): p.read_text(encoding="utf-8")
            for pattern in patterns
            for p in sorted(base.glob(pattern))
        }
    listing = _git(root, "ls-tree", "-r", "--name-only", "HEAD", directory + "/").splitlines()
    found = {}
    for path in listing:
        relative = path[len(directory) + 1 :]
        if any(Path(relative).match(pattern) for pattern in patterns):
            found[relative] = _git(root, "show", f"HEAD:{path}")
    return dict(sorted(found.items()))


def _git(git_dir: Path, *args: str) -> str:
    return subprocess.run(
        ["git", f"--git-dir={git_dir}", *args], capture_output=True, text=True, check=True
    ).stdout


def peer_revision(root: Path) -> str:
    git_dir = root / ".git" if (root / ".git").exists() else root
    try:
        return _git(git_dir, "log", "-1", "--format=%h (%cs)").strip()
    except (subprocess.CalledProcessError, FileNotFoundError):
        return "unknown"


def ruff_fixtures(root: Path) -> list[Fixture]:
    files = read_peer_files(root, RUFF_DIR, RUFF_FILES)
    return [Fixture("ruff", name, text, text) for name, text in files.items()]


def flake8_async_fixtures(root: Path) -> tuple[list[Fixture], list[tuple[str, str]]]:
    """The eval files as flake8-async's own harness runs them for asyncio: files marked
    NOASYNCIO are left out; others are rewritten from their base library to asyncio (the
    harness's word-boundary replacement) and run with `--asyncio` and their `# ARG` lines."""
    fixtures, skipped = [], []
    for name, text in read_peer_files(root, FLAKE8_ASYNC_DIR, FLAKE8_ASYNC_FILES).items():
        if "# NOASYNCIO" in text:
            skipped.append((name, "marked NOASYNCIO: a trio/anyio-only variant"))
            continue
        base = re.search(r"# BASE_LIBRARY (\w+)", text)
        library = base.group(1) if base else "trio"
        args = []
        if library != "asyncio":
            text = re.sub(rf"(?<!-)(?:\b|(?<=_)){library}\b", "asyncio", text)
            args.append("--asyncio")
        code = re.match(r"async(\d\d\d)", name)
        if code:
            args.append(f"--enable=ASYNC{code.group(1)}")
        args += [m.group(0).strip() for m in re.finditer(r"(?<=# ARG ).*", text)]
        ours, added = with_assumed_imports(text)
        note = f"`import {', '.join(added)}` added on line 1" if added else ""
        fixtures.append(Fixture("flake8-async", name, text, ours, args, note))
    return fixtures, skipped


def with_assumed_imports(text: str) -> tuple[str, list[str]]:
    """Import the modules the file calls through but never binds, on its first line."""
    try:
        tree = ast.parse(text)
    except SyntaxError:
        return text, []
    bound = set()
    used = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.Name):
            (bound if isinstance(node.ctx, ast.Store) else used).add(node.id)
        elif isinstance(node, ast.arg):
            bound.add(node.arg)
    missing = [m for m in ASSUMED_MODULES if m in used and m not in bound]
    lines = text.split("\n")
    if not missing or not lines[0].lstrip().startswith("#"):
        return text, []
    lines[0] = f"import {', '.join(missing)}  {lines[0].lstrip()}"
    return "\n".join(lines), missing


def run_ruff(fixtures: list[Fixture], work: Path) -> dict[tuple[str, int], set[str]]:
    paths = _write(fixtures, work / "ruff", lambda f: f.text)
    codes = ",".join(RUFF_RULES)
    out = _run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--isolated",
            "--no-cache",
            "--exit-zero",
            "--select",
            codes,
            "--output-format",
            "json",
            *paths,
        ]
    )
    found: dict[tuple[str, int], set[str]] = defaultdict(set)
    for item in json.loads(out):
        name = _name_of(item["filename"], work / "ruff")
        found[(name, item["location"]["row"])].add(item["code"])
    return found


def run_flake8_async(fixtures: list[Fixture], work: Path) -> dict[tuple[str, int], set[str]]:
    found: dict[tuple[str, int], set[str]] = defaultdict(set)
    paths = _write(fixtures, work / "f8", lambda f: f.text)
    for fixture, path in zip(fixtures, paths, strict=True):
        out = _run(
            [
                sys.executable,
                "-m",
                "flake8",
                "--isolated",
                "--exit-zero",
                "--select",
                "ASYNC",
                "--format",
                "%(row)d %(code)s",
                *fixture.args,
                path,
            ]
        )
        for line in out.splitlines():
            row, code = line.split()
            found[(fixture.name, int(row))].add(code)
    return found


def run_asynclint(fixtures: list[Fixture], work: Path) -> dict[tuple[str, int], set[str]]:
    root = work / "ours"
    paths = _write(fixtures, root, lambda f: f.ours)
    out = _run(
        [
            sys.executable,
            "-m",
            "asynclint",
            "check",
            "--no-cache",
            "-j",
            "1",
            "--exit-zero",
            "--target-version",
            "py311",
            "--select",
            ",".join(OUR_CODES),
            "--output-format",
            "json",
            *paths,
        ]
    )
    found: dict[tuple[str, int], set[str]] = defaultdict(set)
    for item in json.loads(out):
        found[(_name_of(item["filename"], root), item["location"]["row"])].add(item["code"])
    return found


def _write(fixtures: list[Fixture], root: Path, text: object) -> list[str]:
    paths = []
    for fixture in fixtures:
        path = root / fixture.name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text(fixture), encoding="utf-8")  # type: ignore[operator]
        paths.append(str(path))
    return paths


def _name_of(path: str, root: Path) -> str:
    return str(Path(path).resolve().relative_to(root.resolve()))


def _run(command: list[str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.exit(f"{' '.join(command[:6])} ... failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


# --- comparing ------------------------------------------------------------------------------


@dataclass
class RuleRow:
    tool: str
    rule: str
    peer: int = 0
    matched: int = 0
    deliberate: list[tuple[str, int, str, str]] = field(default_factory=list)
    missed: list[tuple[str, int, str]] = field(default_factory=list)


def compare(
    tool: str,
    fixtures: list[Fixture],
    peer: dict[tuple[str, int], set[str]],
    ours: dict[tuple[str, int], set[str]],
) -> tuple[list[RuleRow], list[tuple[str, int, str, str, str]]]:
    texts = {f.name: f.text.split("\n") for f in fixtures}
    rows: dict[str, RuleRow] = {}
    for (name, line), codes in sorted(peer.items()):
        source = texts[name][line - 1] if line <= len(texts[name]) else ""
        for rule in sorted(codes & set(SHARED)):
            row = rows.setdefault(rule, RuleRow(tool, rule))
            row.peer += 1
            if ours.get((name, line), set()) & set(SHARED[rule]):
                row.matched += 1
            elif _key(name, source) in DELIBERATE:
                row.deliberate.append((name, line, source.strip(), DELIBERATE[_key(name, source)]))
            elif rule in OUTSIDE_COROUTINES and not _in_coroutine(texts[name], line):
                row.deliberate.append((name, line, source.strip(), OUTSIDE_COROUTINES[rule]))
            else:
                row.missed.append((name, line, source.strip()))
    extras = []
    for (name, line), codes in sorted(ours.items()):
        covered = {c for rule in peer.get((name, line), set()) & set(SHARED) for c in SHARED[rule]}
        source = texts[name][line - 1] if line <= len(texts[name]) else ""
        for code in sorted(codes - covered):
            verdict = EXTRA.get(_key(name, source), "unreviewed")
            extras.append((name, line, code, source.strip(), verdict))
    return sorted(rows.values(), key=lambda r: r.rule), extras


# --- the report -----------------------------------------------------------------------------


def report(
    revisions: dict[str, str],
    versions: dict[str, str],
    results: list[tuple[str, list[RuleRow], list[tuple[str, int, str, str, str]]]],
    fixtures: list[Fixture],
    skipped: list[tuple[str, str]],
) -> str:
    all_rows = [row for _, rows, _ in results for row in rows]
    all_extras = [(tool, *e) for tool, _, extras in results for e in extras]
    rows = [row for row in all_rows if row.rule not in PENDING]
    pending = [row for row in all_rows if row.rule in PENDING]
    peer = sum(r.peer for r in rows)
    deliberate = sum(len(r.deliberate) for r in rows)
    matched = sum(r.matched for r in rows)
    counted = peer - deliberate
    ratio = matched / counted if counted else 1.0
    fps = [e for e in all_extras if e[5].startswith("FP")]
    debatable = [e for e in all_extras if e[5].startswith("debatable")]
    unreviewed = [e for e in all_extras if e[5] == "unreviewed"]
    out = [
        "# Parity with ruff and flake8-async",
        "",
        "Generated by `benchmarks/parity.py` (see `benchmarks/README.md`); do not edit by hand.",
        "",
        "Each peer runs on its own test fixtures, asynclint on the same files, for the rules "
        "the tools share. A peer line counts as reported by asynclint when asynclint reports "
        "one of the corresponding codes on that line.",
        "",
        "| tool | revision | version |",
        "|---|---|---|",
        *(f"| {tool} | {revisions.get(tool, '-')} | {versions[tool]} |" for tool in versions),
        "",
        "## Summary",
        "",
        f"- Peer lines on shared rules: **{peer}**; deliberate differences: **{deliberate}**.",
        f"- asynclint reports **{matched} of {counted}** of the other lines "
        f"(**{ratio:.0%}**; target 90%).",
        f"- asynclint's lines the peers do not report: **{len(all_extras)}**: "
        f"**{len(fps)}** false positives, **{len(debatable)}** debatable, "
        f"**{len(unreviewed)}** unreviewed, the others defended true positives. By their own "
        "markers the peers have no false positive on these files.",
        *(
            f"- Outside the target: {row.tool} {row.rule}, {row.matched} of {row.peer} lines "
            f"({PENDING[row.rule]})."
            for row in pending
        ),
        "",
        "## Per rule",
        "",
        "| tool | peer rule | asynclint | peer lines | reported by asynclint | deliberate "
        "| missed |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    for row in all_rows:
        out.append(
            f"| {row.tool} | {row.rule} | {', '.join(SHARED[row.rule])} | {row.peer} | "
            f"{row.matched} | {len(row.deliberate)} | {len(row.missed)} |"
        )
    out += ["", "## Deliberate differences", ""]
    out += ["| tool | file:line | line | reason |", "|---|---|---|---|"]
    for row in all_rows:
        for name, line, source, reason in row.deliberate:
            out.append(f"| {row.tool} | {name}:{line} | `{_cell(source)}` | {reason} |")
    out += ["", "## Missed (peer lines asynclint does not report)", ""]
    missed = [(row.tool, row.rule, *m) for row in all_rows for m in row.missed]
    if missed:
        out += ["| tool | rule | file:line | line |", "|---|---|---|---|"]
        out += [f"| {t} | {r} | {n}:{ln} | `{_cell(s)}` |" for t, r, n, ln, s in missed]
    else:
        out.append("None.")
    out += ["", "## asynclint's extra lines", ""]
    if all_extras:
        out += ["| tool | file:line | code | line | verdict |", "|---|---|---|---|---|"]
        out += [
            f"| {t} | {n}:{ln} | {c} | `{_cell(s)}` | {v} |" for t, n, ln, c, s, v in all_extras
        ]
    else:
        out.append("None.")
    out += ["", "## Inputs", ""]
    for fixture in fixtures:
        args = f" `{' '.join(fixture.args)}`" if fixture.args else ""
        note = f"; {fixture.note}" if fixture.note else ""
        out.append(f"- {fixture.tool}: `{fixture.name}`{args}{note}")
    for name, reason in skipped:
        out.append(f"- flake8-async: `{name}` left out: {reason}")
    out += ["", "Peer rules on these files without an asynclint counterpart:", ""]
    out += [f"- {code}: {reason}" for code, reason in NOT_SHARED.items()]
    return "\n".join(out) + "\n"


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("`", "'")


def versions() -> dict[str, str]:
    found = {}
    for tool, command in (
        ("ruff", ["-m", "ruff", "--version"]),
        ("flake8-async", ["-c", "import flake8_async; print(flake8_async.__version__)"]),
        ("asynclint", ["-c", "import asynclint; print(asynclint.__version__)"]),
    ):
        found[tool] = _run([sys.executable, *command]).strip().split()[-1]
    return found


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--ruff", type=Path, required=True, help="ruff checkout or git dir")
    parser.add_argument("--flake8-async", type=Path, required=True, help="checkout or git dir")
    parser.add_argument("--write", type=Path, help="write the report here instead of stdout")
    args = parser.parse_args(argv)
    ruff = ruff_fixtures(args.ruff)
    flake8_async, skipped = flake8_async_fixtures(args.flake8_async)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        results = [
            ("ruff", *compare("ruff", ruff, run_ruff(ruff, work), run_asynclint(ruff, work))),
            (
                "flake8-async",
                *compare(
                    "flake8-async",
                    flake8_async,
                    run_flake8_async(flake8_async, work),
                    run_asynclint(flake8_async, work / "f8-ours"),
                ),
            ),
        ]
    revisions = {"ruff": peer_revision(args.ruff), "flake8-async": peer_revision(args.flake8_async)}
    text = report(revisions, versions(), results, ruff + flake8_async, skipped)
    if args.write:
        args.write.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
