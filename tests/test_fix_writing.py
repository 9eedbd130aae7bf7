"""What writing fixes relies on: choosing compatible fixes, diffs, atomic writes."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from asynclint.diagnostics import Edit, Fix
from asynclint.fixes.apply import apply_fixes, compatible_fixes
from asynclint.fixes.diff import unified_diff
from asynclint.fixes.write import write_atomic


def _fix(start: int, end: int, content: str = "") -> Fix:
    return Fix((Edit(start, end, content),), True, "f")


def test_compatible_fixes_skip_those_that_clash_with_an_earlier_one() -> None:
    fixes = [_fix(0, 3), _fix(2, 5), _fix(5, 5, "x"), _fix(5, 5, "y"), _fix(6, 8)]
    assert compatible_fixes(fixes) == [0, 2, 4]
    assert apply_fixes("abcdefghij", fixes) == "dexfij"


def test_unified_diff_marks_a_missing_final_newline() -> None:
    assert unified_diff("a\nb", "a\nc", "m.py") == (
        "--- a/m.py\n+++ b/m.py\n@@ -1,2 +1,2 @@\n a\n"
        "-b\n\\ No newline at end of file\n+c\n\\ No newline at end of file\n"
    )
    assert unified_diff("same\n", "same\n", "m.py") == ""


def test_write_atomic_keeps_mode_and_encoding(tmp_path: Path) -> None:
    target = tmp_path / "m.py"
    target.write_bytes(b"old")
    target.chmod(0o604)
    write_atomic(str(target), "caf\xe9\r\n", "utf-8-sig")
    assert target.read_bytes() == b"\xef\xbb\xbfcaf\xc3\xa9\r\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o604


def test_write_atomic_leaves_the_file_alone_when_it_cannot_encode(tmp_path: Path) -> None:
    target = tmp_path / "m.py"
    target.write_bytes(b"# -*- coding: latin-1 -*-\n")
    with pytest.raises(UnicodeEncodeError):
        write_atomic(str(target), "snowman \u2603\n", "latin-1")
    assert target.read_bytes() == b"# -*- coding: latin-1 -*-\n"
    assert [p.name for p in tmp_path.iterdir()] == ["m.py"]


def test_write_atomic_to_a_missing_file_raises(tmp_path: Path) -> None:
    target = tmp_path / "gone" / "m.py"
    with pytest.raises(OSError):
        write_atomic(str(target), "x\n", "utf-8")
