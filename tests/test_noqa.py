"""`# noqa` comments: blanket, with codes or prefixes, and the file-level form."""

from __future__ import annotations

import pytest

from asynclint.engine import check_source
from asynclint.noqa import ALL, parse_suppressions
from asynclint.settings import Settings


def test_blanket_noqa_suppresses_every_code_on_its_line_only() -> None:
    found = parse_suppressions("a = 1  # noqa\nb = 2\n")
    assert found.by_line == {1: ALL}
    assert found.suppresses("AIO401", 1)
    assert found.suppresses("AIO001", 1)
    assert not found.suppresses("AIO401", 2)


@pytest.mark.parametrize(
    "comment",
    ["# noqa: AIO401", "# noqa:AIO401", "#noqa: aio401", "# NOQA: AIO401", "# noqa:  AIO401"],
)
def test_noqa_with_a_code_in_its_spellings(comment: str) -> None:
    found = parse_suppressions(f"x = 1  {comment}\n")
    assert found.suppresses("AIO401", 1)
    assert not found.suppresses("AIO201", 1)


def test_noqa_lists_several_codes_with_commas_or_spaces() -> None:
    found = parse_suppressions("x = 1  # noqa: AIO401,AIO201 AIO101\n")
    assert found.by_line == {1: frozenset({"AIO401", "AIO201", "AIO101"})}
    assert not found.suppresses("AIO102", 1)


def test_noqa_code_prefix_matches_like_flake8() -> None:
    found = parse_suppressions("x = 1  # noqa: AIO4\n")
    assert found.suppresses("AIO401", 1)
    assert not found.suppresses("AIO201", 1)


def test_prose_after_the_codes_is_not_read_as_more_codes() -> None:
    # "A" would otherwise be taken as a prefix of every AIO code.
    found = parse_suppressions("x = 1  # noqa: AIO201 A note about why\n")
    assert found.by_line == {1: frozenset({"AIO201"})}
    assert not found.suppresses("AIO401", 1)


def test_noqa_colon_followed_by_prose_is_a_blanket_noqa_as_in_flake8() -> None:
    found = parse_suppressions("x = 1  # noqa: this is fine\n")
    assert found.by_line == {1: ALL}


def test_noqa_after_another_comment_on_the_line() -> None:
    found = parse_suppressions('x = "#"  # type: ignore  # noqa: AIO401\n')
    assert found.suppresses("AIO401", 1)


@pytest.mark.parametrize("newline", ["\n", "\r\n", "\r"])
def test_line_numbers_follow_python_line_endings(newline: str) -> None:
    text = newline.join(["a = 1", "b = 2  # noqa", "c = 3", ""])
    assert parse_suppressions(text).by_line == {2: ALL}


def test_form_feed_does_not_shift_line_numbers() -> None:
    # str.splitlines() would split at \f and number the noqa line 3.
    assert parse_suppressions("a = 1\f\nb = 2  # noqa\n").by_line == {2: ALL}


def test_file_level_noqa_suppresses_everywhere() -> None:
    found = parse_suppressions("# asynclint: noqa\nx = 1\n")
    assert found.file_codes == ALL
    assert found.suppresses("AIO401", 40)


def test_file_level_noqa_with_codes_and_several_lines_combine() -> None:
    found = parse_suppressions("# asynclint: noqa: AIO401\n  # asynclint: noqa: AIO2\nx = 1\n")
    assert found.file_codes == frozenset({"AIO401", "AIO2"})
    assert found.suppresses("AIO201", 9)
    assert found.suppresses("AIO401", 9)
    assert not found.suppresses("AIO101", 9)


def test_file_level_blanket_wins_over_codes() -> None:
    found = parse_suppressions("# asynclint: noqa: AIO401\n# asynclint: noqa\n")
    assert found.file_codes == ALL


def test_file_level_noqa_must_be_its_own_comment_line() -> None:
    text = 'HELP = "# asynclint: noqa"\nx = 1  # asynclint: noqa\n'
    assert parse_suppressions(text).file_codes is None


def test_text_without_noqa_has_no_suppressions() -> None:
    found = parse_suppressions("import asyncio\n# a comment\n")
    assert found.by_line == {}
    assert found.file_codes is None


# These go through the engine and need AIO401, the stream-write-without-drain rule.
AIO401_SNIPPET = """\
import asyncio
async def send(host):
    reader, writer = await asyncio.open_connection(host, 80)
    writer.write(b"ping"){comment}
"""


def _codes(source: str, settings: Settings | None = None) -> list[tuple[int, str]]:
    result = check_source(source, "send.py", settings or Settings())
    return [(d.line, d.code) for d in result.diagnostics]


def test_engine_reports_the_finding_without_noqa() -> None:
    assert _codes(AIO401_SNIPPET.format(comment="")) == [(4, "AIO401")]


@pytest.mark.parametrize("comment", ["  # noqa", "  # noqa: AIO401", "  # noqa: AIO4"])
def test_engine_honours_noqa(comment: str) -> None:
    assert _codes(AIO401_SNIPPET.format(comment=comment)) == []


def test_engine_keeps_findings_whose_code_is_not_listed() -> None:
    source = AIO401_SNIPPET.format(comment="  # noqa: AIO201")
    assert _codes(source) == [(4, "AIO401")]


def test_engine_ignores_noqa_when_told_to() -> None:
    source = AIO401_SNIPPET.format(comment="  # noqa")
    assert _codes(source, Settings(respect_noqa=False)) == [(4, "AIO401")]


def test_engine_honours_file_level_noqa() -> None:
    source = "# asynclint: noqa: AIO401\n" + AIO401_SNIPPET.format(comment="")
    assert _codes(source) == []


def test_noqa_after_a_multi_line_string_covers_the_lines_it_spans() -> None:
    text = 'x = f("""a\nb""")  # noqa: AIO207\ny = g(1 + \\\n  2)  # noqa\nz = 1\n'
    found = parse_suppressions(text)
    assert found.suppresses("AIO207", 1)  # the string's first line: the comment is on line 2
    assert found.suppresses("AIO401", 3)  # a backslash-continued line
    assert not found.suppresses("AIO401", 1)
    assert not found.suppresses("AIO207", 5)
