"""What one large module costs: peak memory (RSS) and wall time of libcst's parse alone and of
a whole `asynclint check`, for generated async modules of growing length. The figures behind
the default `max-file-lines` budget (see README, "Large files").

    python benchmarks/large_file.py                          # 5k, 10k, 20k, 40k lines
    python benchmarks/large_file.py --lines 60000 --modes import,budget

Each measurement runs in a new process (`os.wait4` gives its peak RSS), one after another.
Needs the package installed in the running interpreter (`pip install -e .`); POSIX only.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from generated import repeated

# About 25 bytes a line, as in the 60,000-line, 1.5 MB module of issue 15.
BLOCK = """\
async def handle_request_{n}(queue, timeout=None):
    item = await queue.get()
    try:
        result = process_item(item, {n})
        await asyncio.sleep(0)
    finally:
        queue.task_done()
    return result


"""

MODES = {
    # The interpreter with libcst and asynclint's engine imported: what every mode pays anyway.
    "import": "import asynclint.engine",
    "parse": "import asynclint.engine, libcst; libcst.parse_module(open(PATH).read())",
    # The CLI's path for one file, with an unlimited line budget: the real cost of analysing it.
    "check": (
        "import asynclint.engine as e; from asynclint.settings import Settings; "
        "e.check_file(PATH, Settings(max_file_lines=0))"
    ),
    # The same with the default budget: what a file over it costs (AIO003, no parse).
    "budget": (
        "import asynclint.engine as e; from asynclint.settings import Settings; "
        "assert e.check_file(PATH, Settings()).diagnostics[0].code == 'AIO003'"
    ),
}


def generate(lines: int) -> str:
    return repeated(BLOCK, lines)


def measure(mode: str, path: Path) -> tuple[float, int]:
    """Wall seconds and peak RSS in bytes of one run of `mode` on `path`."""
    code = MODES[mode].replace("PATH", repr(str(path)))
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-c", code])
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"{mode} on {path} failed (status {status})")
    rss = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    return seconds, rss


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lines", default="5000,10000,20000,40000")
    parser.add_argument("--modes", default="import,parse,check")
    args = parser.parse_args()
    modes = args.modes.split(",")
    print("| lines | bytes | mode | seconds | peak RSS MB |")
    print("|---:|---:|---|---:|---:|")
    with tempfile.TemporaryDirectory() as work:
        for lines in (int(n) for n in args.lines.split(",")):
            path = Path(work) / f"generated_{lines}.py"
            text = generate(lines)
            path.write_text(text)
            for mode in modes:
                seconds, rss = measure(mode, path)
                shown = f"| {lines:,} | {len(text.encode()):,} | {mode} | {seconds:.2f} |"
                print(f"{shown} {rss / 2**20:.0f} |", flush=True)


if __name__ == "__main__":
    main()
