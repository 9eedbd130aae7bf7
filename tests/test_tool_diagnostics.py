"""AIO001 (the file does not parse) and AIO002 (the file cannot be read or decoded)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from rule_docs import DOCS_DIR, RuleDoc

from asynclint.diagnostics import Severity
from asynclint.engine import check_file, check_source
from asynclint.results import FileResult
from asynclint.settings import Settings

SETTINGS = Settings()

SYNTAX_ERRORS = {
    "unclosed-paren": "async def main():\n    total = (1,\n",
    "bad-parameter-list": "import asyncio\n\n\nasync def main(:\n    pass\n",
    "missing-indent": "async def main():\nreturn 1\n",
    "unterminated-string": "async def main():\n    name = 'abc\n",
    "print-statement": "async def main():\n    print 'hello'\n",
    "dangling-operator": "async def main():\n    x = 1 +\n    return x\n",
    "unmatched-bracket": "async def main():\n    pass\n)\n",
    "dedent-mismatch": "async def main():\n        a = 1\n    b = 2\n",
    "second-of-two-errors": "async def ok():\n    pass\n\n\nasync def main():\n    a b\n    c d\n",
}


def _only(result: FileResult) -> tuple[int, int, str, str]:
    assert result.internal_errors == []
    assert len(result.diagnostics) == 1, result.diagnostics
    diagnostic = result.diagnostics[0]
    return diagnostic.line, diagnostic.column, diagnostic.code, diagnostic.message


@pytest.mark.parametrize("source", SYNTAX_ERRORS.values(), ids=SYNTAX_ERRORS.keys())
def test_syntax_error_is_reported_where_python_reports_it(source: str) -> None:
    with pytest.raises(SyntaxError) as expected:
        ast.parse(source)
    line, column, code, message = _only(check_source(source, "bad.py", SETTINGS))
    assert code == "AIO001"
    assert (line, column) == (expected.value.lineno, expected.value.offset)
    assert expected.value.msg in message


def test_syntax_error_from_bytes_and_severity() -> None:
    result = check_source(b"async def main(:\n    pass\n", "bad.py", SETTINGS)
    assert [(d.line, d.column, d.code, d.severity) for d in result.diagnostics] == [
        (1, 16, "AIO001", Severity.ERROR)
    ]


def test_syntax_error_position_counts_lines_after_a_bom() -> None:
    source = "\ufeffimport asyncio\n\n\nasync def main():\n    x = [1, 2\n".encode()
    line, column, code, _ = _only(check_source(source, "bad.py", SETTINGS))
    assert (line, column, code) == (5, 9, "AIO001")


def test_syntax_error_is_hidden_only_by_ignoring_it() -> None:
    source = "async def main(:\n    pass\n"
    for ignored in ("AIO001", "AIO0"):
        assert check_source(source, "bad.py", Settings(ignore=(ignored,))).diagnostics == []
    for settings in (Settings(select=("AIO4",)), Settings(ignore=("AIO4",))):
        codes = [d.code for d in check_source(source, "bad.py", settings).diagnostics]
        assert codes == ["AIO001"]


def test_valid_code_has_no_tool_diagnostic() -> None:
    source = "import asyncio\n\n\nasync def main():\n    await asyncio.sleep(0)\n"
    assert check_source(source, "good.py", SETTINGS).diagnostics == []


UNDECODABLE = {
    "nul-bytes": b"import asyncio\n\n\nasync def main():\n    return b'\x00'\x00\n",
    "invalid-utf8": b"async def main():\n    return '\xff\xfe caf\xe9'\n",
    "unknown-coding-cookie": b"# -*- coding: no-such-codec -*-\nasync def main():\n    pass\n",
    "bytes-wrong-for-cookie": b"# coding: ascii\nasync def main():\n    return '\xc3\xa9'\n",
    "bom-with-latin1-cookie": b"\xef\xbb\xbf# coding: latin-1\nasync def main():\n    pass\n",
}


@pytest.mark.parametrize("data", UNDECODABLE.values(), ids=UNDECODABLE.keys())
def test_undecodable_source_is_aio002_at_the_top(data: bytes) -> None:
    line, column, code, message = _only(check_source(data, "bad.py", SETTINGS))
    assert (line, column, code) == (1, 1, "AIO002")
    assert message


def test_undecodable_source_can_be_ignored() -> None:
    data = UNDECODABLE["invalid-utf8"]
    assert check_source(data, "bad.py", Settings(ignore=("AIO002",))).diagnostics == []


def test_latin1_cookie_decodes() -> None:
    data = b"# -*- coding: latin-1 -*-\nasync def main():\n    return 'caf\xe9'\n"
    result = check_source(data, "latin1.py", SETTINGS)
    assert result.diagnostics == []
    assert result.encoding in ("latin-1", "iso-8859-1")


def test_utf8_bom_decodes() -> None:
    data = "\ufeffasync def main():\n    return 'café'\n".encode()
    result = check_source(data, "bom.py", SETTINGS)
    assert result.diagnostics == []
    assert result.encoding == "utf-8-sig"


def test_unreadable_paths_are_aio002(tmp_path: Path) -> None:
    missing = check_file(str(tmp_path / "missing.py"), SETTINGS)
    directory = check_file(str(tmp_path), SETTINGS)
    for result in (missing, directory):
        line, column, code, message = _only(result)
        assert (line, column, code) == (1, 1, "AIO002")
        assert "cannot read" in message


def test_binary_file_on_disk_is_aio002(tmp_path: Path) -> None:
    path = tmp_path / "blob.py"
    path.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00async\x00\xff")
    line, column, code, _ = _only(check_file(str(path), SETTINGS))
    assert (line, column, code) == (1, 1, "AIO002")


def test_file_on_disk_with_latin1_cookie_is_clean(tmp_path: Path) -> None:
    path = tmp_path / "latin1.py"
    path.write_bytes(
        b"# coding: latin-1\nimport asyncio\n\n\nasync def main():\n    return '\xe9'\n"
    )
    assert check_file(str(path), SETTINGS).diagnostics == []


# The encoding each doc says its example file is saved in.
DOC_ENCODINGS = {"AIO001": "utf-8", "AIO002": "latin-1"}


@pytest.mark.parametrize("code", sorted(DOC_ENCODINGS))
def test_doc_example_prints_what_the_doc_shows(code: str) -> None:
    doc = RuleDoc.load(DOCS_DIR / f"{code}.md")
    source, output = (block.text for block in doc.blocks("Example"))
    path = output.partition(":")[0]
    data = source.encode(DOC_ENCODINGS[code])
    printed = [
        f"{d.path}:{d.line}:{d.column}: {d.code} {d.message}"
        for d in check_source(data, path, SETTINGS).diagnostics
    ]
    assert printed == output.splitlines()
    (corrected,) = (block.text for block in doc.blocks("Use instead"))
    assert check_source(corrected.encode(DOC_ENCODINGS[code]), path, SETTINGS).diagnostics == []


def test_files_that_never_mention_async_are_skipped_before_decoding() -> None:
    # As the AIO001/AIO002 docs say: no `async`, no asyncio pitfall, nothing parsed or decoded.
    for data in (b"def broken(:\n", b"x = '\xff'\n"):
        result = check_source(data, "other.py", SETTINGS)
        assert result.skipped
        assert result.diagnostics == []


def test_binary_files_are_reported_even_without_async() -> None:
    result = check_source(b"\x00\x01binary\xff", "blob.py", SETTINGS)
    assert not result.skipped
    assert [d.code for d in result.diagnostics] == ["AIO002"]
