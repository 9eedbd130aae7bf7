"""The cheapest step of a run: a file without `async` in it cannot hold an asyncio pitfall, so
it is skipped before anything parses it (no libcst here)."""

from __future__ import annotations

import ast

NEEDLE = "async"
_NEEDLE_BYTES = NEEDLE.encode()


def prefiltered(data: bytes) -> bool:
    """Nothing in `data` can be an asyncio pitfall. A binary file (NUL bytes) is not
    prefiltered: it gets its AIO002 even without `async` in it."""
    return _NEEDLE_BYTES not in data and b"\x00" not in data


def prefiltered_text(text: str) -> bool:
    """The same for text that is already decoded (flake8 hands over lines)."""
    return NEEDLE not in text


_ASYNC_SYNTAX = (ast.AsyncFunctionDef, ast.AsyncFor, ast.AsyncWith, ast.Await)


def async_in_code(tree: ast.AST) -> bool:
    """Whether `async` is in the code itself (a keyword, or part of a name such as `asyncio`)
    rather than only in its strings and comments. For large files, which libcst parses at
    great cost: CPython's documentation strings (`pydoc_data/topics.py`, 750 KB) say `async`
    in prose only."""
    for node in ast.walk(tree):
        if isinstance(node, _ASYNC_SYNTAX) or (type(node) is ast.comprehension and node.is_async):
            return True
        if type(node) is ast.Constant:
            continue  # a string's words are not code
        for field in node._fields:
            value = getattr(node, field, None)
            if isinstance(value, str) and NEEDLE in value:
                return True
            if isinstance(value, list) and any(
                isinstance(item, str) and NEEDLE in item for item in value
            ):
                return True  # `global async_state`
    return False
