"""How long after a change `asynclint server` publishes its diagnostics.

Starts `python -m asynclint server` (it needs the server extra), opens a generated async module
of `--lines` lines, then edits it `--runs` times: each edit adds or removes the `drain()` that
silences one finding, so every run must produce a new answer. It times each didChange to the
publishDiagnostics for that version, with the server's default debounce unless `--debounce-ms`
says otherwise, and prints a markdown summary. For scale, it also times the engine alone on
the same edits in this process, with a full parse of each version and with an incremental
parser kept across versions as the server keeps one per document (wall and CPU time).

    python benchmarks/lsp_latency.py                      # 2,000 lines, 10 runs
    python benchmarks/lsp_latency.py --lines 500 --runs 5
    python benchmarks/lsp_latency.py --file path/to/module.py

With `--file`, a real module instead: each edit adds or removes a comment line in the middle
of it (inside a class, for most modules), at the indentation of the line it goes before.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from generated import repeated
from lsprotocol import types
from pygls.lsp.client import LanguageClient

TARGET_MS = 300.0

HANDLER = """\
async def handler_{n}(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    while data := await reader.read(4096):
        await queue.put(data)
        item = await queue.get()
        try:
            writer.write(item)
            await writer.drain()
        finally:
            queue.task_done()
    proc = await asyncio.create_subprocess_exec("cat", stdout=asyncio.subprocess.PIPE)
    out, _ = await proc.communicate()
    writer.close()
    await writer.wait_closed()


"""


def generate(lines: int) -> str:
    """About `lines` lines of clean asyncio code: stream handlers with queues and subprocesses."""
    return repeated(HANDLER, lines)


def toggled(text: str, on: bool) -> str:
    """The text with the first handler's drain() removed (one AIO401) or kept."""
    drain = "            await writer.drain()\n"
    return text.replace(drain, "", 1) if on else text


def commented(text: str, on: bool) -> str:
    """The text with a comment line added in its middle, or as it is."""
    if not on:
        return text
    lines = text.split("\n")
    middle = len(lines) // 2
    while middle < len(lines) - 1 and not lines[middle].strip():
        middle += 1
    line = lines[middle]
    indent = line[: len(line) - len(line.lstrip())]
    return "\n".join([*lines[:middle], f"{indent}# edited", *lines[middle:]])


Edit = Callable[[str, bool], str]


async def measure(text: str, edit: Edit, runs: int, debounce_ms: int | None) -> list[float]:
    client = LanguageClient("asynclint-latency", "1")
    published: dict[int, float] = {}
    arrived = asyncio.Event()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(params: types.PublishDiagnosticsParams) -> None:
        if params.version is not None:
            published.setdefault(params.version, time.perf_counter())
            arrived.set()

    @client.feature(types.WINDOW_LOG_MESSAGE)
    def on_log(params: types.LogMessageParams) -> None:
        print(f"server: {params.message}", file=sys.stderr)

    await client.start_io(sys.executable, "-m", "asynclint", "server")
    options = {} if debounce_ms is None else {"debounceMs": debounce_ms}
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "pyproject.toml").write_text("[tool.asynclint]\n")
        path = Path(folder, "generated.py")
        path.write_text(text)
        uri = path.as_uri()
        await client.initialize_async(
            types.InitializeParams(
                capabilities=types.ClientCapabilities(),
                root_uri=Path(folder).as_uri(),
                initialization_options=options,
            )
        )
        client.initialized(types.InitializedParams())

        async def answer(version: int) -> float:
            while version not in published:
                arrived.clear()
                await asyncio.wait_for(arrived.wait(), 120)
            return published[version]

        client.text_document_did_open(
            types.DidOpenTextDocumentParams(
                text_document=types.TextDocumentItem(
                    uri=uri, language_id="python", version=1, text=text
                )
            )
        )
        await answer(1)  # the first lint also pays for imports and warm-up
        times = []
        for run in range(runs):
            version = run + 2
            started = time.perf_counter()
            client.text_document_did_change(
                types.DidChangeTextDocumentParams(
                    text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
                    content_changes=[
                        types.TextDocumentContentChangeWholeDocument(text=edit(text, run % 2 == 0))
                    ],
                )
            )
            times.append((await answer(version) - started) * 1000)
            await asyncio.sleep(0.2)  # an editor pause: no change is pending at the next start
        await client.shutdown_async(None)
        client.exit(None)
    await client.stop()
    return times


def engine_ms(
    text: str, edit: Edit, runs: int, incremental: bool
) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of the engine on the same edits as the server's: with a full
    parse each time, or (`incremental`) with a parser kept from one version to the next, as
    the server does. CPU time says what the work costs when other processes share the CPUs."""
    from asynclint.engine import check_buffer
    from asynclint.incremental import IncrementalParser
    from asynclint.settings import Settings

    parser = IncrementalParser() if incremental else None
    check_buffer(text, "generated.py", Settings(), parser=parser)  # warm-up
    wall, cpu = [], []
    for run in range(runs):
        started, started_cpu = time.perf_counter(), time.process_time()
        check_buffer(edit(text, run % 2 == 0), "generated.py", Settings(), parser=parser)
        wall.append((time.perf_counter() - started) * 1000)
        cpu.append((time.process_time() - started_cpu) * 1000)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--debounce-ms", type=int, default=None, help="default: the server's")
    parser.add_argument("--file", type=Path, default=None, help="a real module to edit")
    args = parser.parse_args()
    if args.file is not None:
        text, edit = args.file.read_text(encoding="utf-8"), commented
        what = f"{args.file.name}, {text.count(chr(10)):,} lines"
    else:
        text, edit = generate(args.lines), toggled
        what = f"generated {text.count(chr(10)):,}-line file"
    load_before = os.getloadavg()[0]
    server = asyncio.run(measure(text, edit, args.runs, args.debounce_ms))
    engine_runs = max(4, args.runs // 2)
    full, full_cpu = engine_ms(text, edit, engine_runs, incremental=False)
    incremental, incremental_cpu = engine_ms(text, edit, engine_runs, incremental=True)
    load_after = os.getloadavg()[0]
    debounce = "server default" if args.debounce_ms is None else f"{args.debounce_ms} ms"
    print(f"didChange -> publishDiagnostics, {what}, {args.runs} runs ({debounce})")
    print()
    print("| measure | median | min | max |")
    print("|---|---|---|---|")
    rows = (
        ("server, change to diagnostics", server),
        ("engine alone, full parse", full),
        ("engine alone, full parse (CPU time)", full_cpu),
        ("engine alone, incremental parse (the server's)", incremental),
        ("engine alone, incremental parse (CPU time)", incremental_cpu),
    )
    for label, values in rows:
        print(
            f"| {label} | {statistics.median(values):.0f} ms | {min(values):.0f} ms "
            f"| {max(values):.0f} ms |"
        )
    verdict = "met" if statistics.median(server) <= TARGET_MS else "missed"
    print()
    print(f"target: median <= {TARGET_MS:.0f} ms: {verdict}")
    print(f"load average (1 min): {load_before:.1f} before, {load_after:.1f} after, 2 cores")


if __name__ == "__main__":
    main()
