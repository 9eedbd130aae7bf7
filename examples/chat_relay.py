"""A line-based chat relay: every line a client sends goes to all the other clients.

    python examples/chat_relay.py 8888

One task fans the messages out, so a slow client cannot hold up the others' readers, and a
copy of every message goes to the moderation service.
"""

from __future__ import annotations

import asyncio
import logging
import sys

log = logging.getLogger("chat_relay")

MODERATION_HOST = "127.0.0.1"
MODERATION_PORT = 9999


async def report(sender: str, line: bytes) -> None:
    """Send a copy of a message to the moderation service, which does not answer."""
    reader, writer = await asyncio.open_connection(MODERATION_HOST, MODERATION_PORT)
    writer.write(sender.encode() + b"\t" + line)


class Relay:
    def __init__(self) -> None:
        self.clients: dict[str, asyncio.StreamWriter] = {}
        self.outbox: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue()

    async def handle_client(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        host, port = writer.get_extra_info("peername")[:2]
        name = f"{host}:{port}"
        self.clients[name] = writer
        writer.write(f"welcome, {name}\n".encode())
        await writer.drain()
        try:
            async for line in reader:
                await self.outbox.put((name, line))
        finally:
            del self.clients[name]
            writer.close()
            await writer.wait_closed()

    async def fan_out(self) -> None:
        while True:
            sender, line = await self.outbox.get()
            try:
                for name, client in list(self.clients.items()):
                    if name != sender:
                        client.write(f"{sender}: ".encode() + line)
                        await client.drain()
                await report(sender, line)
                self.outbox.task_done()
            except ConnectionError:
                log.warning("moderation service unreachable; message from %s not reported", sender)
            finally:
                self.outbox.task_done()


async def main(port: int) -> None:
    relay = Relay()
    fan_out = asyncio.create_task(relay.fan_out())
    server = await asyncio.start_server(relay.handle_client, "0.0.0.0", port)
    log.info("relay listening on port %d", port)
    try:
        async with server:
            await server.serve_forever()
    finally:
        fan_out.cancel()


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO)
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 8888))
