"""Run the jobs of a file on a pool of workers: `python job_runner.py jobs.txt`, one
`name: command` per line. Each finished job is archived, announced and cleaned up."""

from __future__ import annotations

import asyncio
import shlex
import shutil
import sys

WORKERS = 4


async def run_job(name: str, command: str) -> int:
    """Run one job in its scratch directory; show its output if it fails."""
    proc = await asyncio.create_subprocess_exec(
        *shlex.split(command), cwd=f"scratch/{name}",
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await proc.communicate()
    if proc.returncode:
        print(f"--- {name} failed:\n{output.decode(errors='replace')}")
    return proc.returncode


async def archive(name: str) -> None:
    """Pack the job's scratch directory for later inspection."""
    proc = await asyncio.create_subprocess_shell(f"tar czf archive/{name}.tgz scratch/{name}")
    await proc.wait()


async def announce(name: str, status: int) -> None:
    """Tell the team channel how the job went."""
    proc = await asyncio.create_subprocess_exec(
        "chat-notify", "--channel", "builds", f"{name} exited with status {status}",
        stdout=asyncio.subprocess.PIPE,
    )
    await proc.wait()


async def worker(jobs: asyncio.Queue, finished: asyncio.Queue, results: dict[str, int]) -> None:
    while True:
        name, command = await jobs.get()
        try:
            status = await run_job(name, command)
            results[name] = status
            await finished.put((name, status))
        finally:
            jobs.task_done()


async def publisher(finished: asyncio.Queue, stale: asyncio.Queue) -> None:
    while True:
        name, status = await finished.get()
        await archive(name)
        await announce(name, status)
        finished.task_done()
        stale.put_nowait(f"scratch/{name}")


async def cleaner(stale: asyncio.Queue) -> None:
    while True:
        path = await stale.get()
        await asyncio.to_thread(shutil.rmtree, path, ignore_errors=True)


async def main(listing: list[tuple[str, str]]) -> int:
    jobs: asyncio.Queue[tuple[str, str]] = asyncio.Queue()
    finished: asyncio.Queue[tuple[str, int]] = asyncio.Queue()
    stale: asyncio.Queue[str] = asyncio.Queue()
    for job in listing:
        jobs.put_nowait(job)
    results: dict[str, int] = {}
    tasks = [asyncio.create_task(worker(jobs, finished, results)) for _ in range(WORKERS)]
    tasks.append(asyncio.create_task(publisher(finished, stale)))
    tasks.append(asyncio.create_task(cleaner(stale)))
    await jobs.join()
    await finished.join()
    await stale.join()
    for task in tasks:
        task.cancel()
    failed = sorted(name for name, status in results.items() if status != 0)
    print(f"{len(results)} jobs, {len(failed)} failed: {', '.join(failed) or 'none'}")
    return 1 if failed else 0


if __name__ == "__main__":
    with open(sys.argv[1]) as listing:
        pairs = [line.partition(":")[::2] for line in listing if ":" in line]
    sys.exit(asyncio.run(main([(name.strip(), cmd.strip()) for name, cmd in pairs])))
