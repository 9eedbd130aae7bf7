"""Bytes to text the way Python itself reads a source file, and line/offset bookkeeping."""

from __future__ import annotations

import codecs
import io
import re
import tokenize
from dataclasses import dataclass
from functools import cached_property

_LINE_END = re.compile(r"\r\n|\r|\n")


class UndecodableSource(Exception):
    """The bytes are not text Python could read (binary, bad encoding cookie, invalid bytes)."""


@dataclass(frozen=True)
class DecodedSource:
    text: str
    encoding: str  # as declared or detected: "utf-8", "utf-8-sig", "latin-1", ...

    @cached_property
    def line_starts(self) -> tuple[int, ...]:
        starts = [0]
        starts.extend(match.end() for match in _LINE_END.finditer(self.text))
        return tuple(starts)

    def offset(self, line: int, column: int) -> int:
        """Character offset of a 1-based line and 0-based column."""
        return self.line_starts[line - 1] + column

    def line_text(self, line: int) -> str:
        starts = self.line_starts
        end = starts[line] if line < len(starts) else len(self.text)
        return _LINE_END.sub("", self.text[starts[line - 1] : end])

    def line_end_offset(self, line: int) -> int:
        """Offset just before the line's newline characters."""
        return self.line_starts[line - 1] + len(self.line_text(line))


def decode(data: bytes) -> DecodedSource:
    if b"\x00" in data:
        raise UndecodableSource("contains NUL bytes (binary file?)")
    try:
        encoding, _ = tokenize.detect_encoding(io.BytesIO(data).readline)
    except SyntaxError as error:
        raise UndecodableSource(str(error)) from None
    try:
        codecs.lookup(encoding)
        text = data.decode(encoding)
    except (LookupError, UnicodeDecodeError) as error:
        raise UndecodableSource(f"cannot decode as {encoding}: {error}") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    return DecodedSource(text, encoding)
