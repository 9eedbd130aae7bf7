"""Output pipes nobody reads while the process runs (AIO211), and stdin drained while such a
pipe fills (AIO212)."""

from __future__ import annotations

import textwrap

import libcst as cst

from asynclint.rules.subprocess import live_pipes
from asynclint.semantics.model import ModuleFacts, build_facts
from asynclint.settings import Settings

HEADER = "import asyncio\nfrom asyncio.subprocess import DEVNULL, PIPE\n"


def facts_for(source: str) -> ModuleFacts:
    return build_facts(cst.parse_module(HEADER + textwrap.dedent(source)), Settings())


def idle(source: str) -> list[tuple[str, str]]:
    facts = facts_for(source)
    return [(found.stream, found.how) for found in live_pipes.idle_pipes(facts)]


def test_a_container_read_elsewhere_in_the_module_is_trusted() -> None:
    stored = """
        async def start(commands):
            procs = {}
            for index, command in enumerate(commands):
                proc = await asyncio.create_subprocess_exec(*command, stdout=PIPE)
                procs[index] = proc
            return procs
    """
    assert idle(stored) == [("stdout", "container")]
    read_later = (
        stored
        + """
        async def results(procs):
            return [(await p.communicate())[0] for p in procs.values()]
    """
    )
    assert idle(read_later) == []
    read_here = """
        async def start(command, procs):
            proc = await asyncio.create_subprocess_exec(*command, stdout=PIPE)
            procs.append(proc)
            return await proc.stdout.read()
    """
    assert idle(read_here) == []


def test_each_piped_output_is_named_and_devnull_is_not() -> None:
    assert idle(
        """
        class Server:
            async def start(self):
                self.proc = await asyncio.create_subprocess_exec("s", stdout=PIPE, stderr=PIPE)
        class Quiet:
            async def start(self):
                self.proc = await asyncio.create_subprocess_exec("s", stdout=DEVNULL)
        """
    ) == [("stdout", "stored"), ("stderr", "stored")]


def test_a_poll_loop_counts_only_when_entered_after_the_creation() -> None:
    found = idle(
        """
        async def poll(port):
            proc = await asyncio.create_subprocess_exec("s", stdout=PIPE)
            while True:
                await asyncio.sleep(0.1)
        async def one_sleep_then_read():
            proc = await asyncio.create_subprocess_exec("s", stdout=PIPE)
            await asyncio.sleep(0.1)
            return await proc.stdout.read()
        """
    )
    assert found == [("stdout", "awaits")]


def test_drains_are_reported_until_a_reader_is_started() -> None:
    facts = facts_for(
        """
        async def run(data):
            proc = await asyncio.create_subprocess_exec("gzip", stdin=PIPE, stdout=PIPE)
            proc.stdin.write(data)
            await proc.stdin.drain()
            reader = asyncio.create_task(proc.stdout.read())
            proc.stdin.write(data)
            await proc.stdin.drain()
            proc.stdin.close()
            return await reader
        """
    )
    drains = [e for _f, e in facts.events() if e.method == "drain"]
    found = list(live_pipes.blocked_drains(facts))
    assert [(f.drain, f.streams) for f in found] == [(drains[0], ("stdout",))]
