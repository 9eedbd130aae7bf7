"""The cheapest step of a run: a file without `async` in it cannot hold an asyncio pitfall, so
it is skipped before anything parses it (no libcst here)."""

from __future__ import annotations

NEEDLE = "async"
_NEEDLE_BYTES = NEEDLE.encode()


def prefiltered(data: bytes) -> bool:
    """Nothing in `data` can be an asyncio pitfall. A binary file (NUL bytes) is not
    prefiltered: it gets its AIO002 even without `async` in it."""
    return _NEEDLE_BYTES not in data and b"\x00" not in data


def prefiltered_text(text: str) -> bool:
    """The same for text that is already decoded (flake8 hands over lines)."""
    return NEEDLE not in text
