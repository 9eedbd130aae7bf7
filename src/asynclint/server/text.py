"""Positions in a buffer, both ways between asynclint and the client.

asynclint counts lines from 1 and columns in characters (code points), and fixes are character
offsets. LSP counts both from 0 and columns in the negotiated encoding's code units: UTF-16
unless the client offers something else (an emoji is one character, two UTF-16 units). Lines
end at \\r\\n, \\r or \\n, in LSP as in asynclint's line table."""

from __future__ import annotations

import bisect
import re
from functools import cached_property

from lsprotocol import types

_LINE_END = re.compile(r"\r\n|\r|\n")


_UTF8 = types.PositionEncodingKind.Utf8.value
_UTF16 = types.PositionEncodingKind.Utf16.value  # LSP's default
_UTF32 = types.PositionEncodingKind.Utf32.value


class Buffer:
    def __init__(self, text: str, encoding: str | types.PositionEncodingKind = _UTF16) -> None:
        self.text = text
        # The enum's value: str() of a str-based enum member is its qualified name.
        self.encoding = (
            encoding.value if isinstance(encoding, types.PositionEncodingKind) else encoding
        )

    @cached_property
    def line_starts(self) -> tuple[int, ...]:
        return (0, *(match.end() for match in _LINE_END.finditer(self.text)))

    def line_text(self, line: int) -> str:
        """The 0-based line's text without its line end."""
        starts = self.line_starts
        if line >= len(starts):
            return ""
        end = starts[line + 1] if line + 1 < len(starts) else len(self.text)
        return _LINE_END.sub("", self.text[starts[line] : end])

    def _units(self, chars: str) -> int:
        if self.encoding == _UTF8:
            return len(chars.encode("utf-8", "surrogatepass"))
        if self.encoding == _UTF32:
            return len(chars)
        return len(chars.encode("utf-16-le", "surrogatepass")) // 2

    def _chars(self, line_text: str, units: int) -> int:
        """How many characters of `line_text` the first `units` code units cover."""
        if self.encoding == _UTF32:
            return min(units, len(line_text))
        counted = 0
        for index, char in enumerate(line_text):
            counted += self._units(char)
            if counted > units:
                return index
        return len(line_text)

    def position(self, line: int, column: int) -> types.Position:
        """asynclint's 1-based line and 1-based character column as an LSP position."""
        text = self.line_text(line - 1)
        return types.Position(line=line - 1, character=self._units(text[: column - 1]))

    def position_at(self, offset: int) -> types.Position:
        line = bisect.bisect_right(self.line_starts, offset) - 1
        start = self.line_starts[line]
        return types.Position(line=line, character=self._units(self.text[start:offset]))

    def range(self, start: int, end: int) -> types.Range:
        """Character offsets as an LSP range."""
        return types.Range(start=self.position_at(start), end=self.position_at(end))

    def offset(self, position: types.Position) -> int:
        """The character offset of an LSP position; past the end of a line is its end."""
        starts = self.line_starts
        if position.line >= len(starts):
            return len(self.text)
        text = self.line_text(position.line)
        return starts[position.line] + self._chars(text, position.character)

    def column(self, position: types.Position) -> int:
        """The 0-based character column of an LSP position on its line."""
        return (
            self.offset(position) - self.line_starts[min(position.line, len(self.line_starts) - 1)]
        )

    def whole(self) -> types.Range:
        return self.range(0, len(self.text))
