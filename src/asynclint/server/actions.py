"""Code actions: each finding's fix as a quick fix, "Disable AIOnnn for this line", and
`source.fixAll.asynclint` (every safe fix, as `asynclint check --fix` applies them)."""

from __future__ import annotations

import io
import tokenize

from lsprotocol import types

from asynclint.diagnostics import Diagnostic, Fix
from asynclint.noqa import with_noqa_codes
from asynclint.server.convert import to_lsp
from asynclint.server.linting import Linted, fix_all, has_safe_fix
from asynclint.server.text import Buffer

FIX_ALL = "source.fixAll.asynclint"
KINDS = [types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll, FIX_ALL]


def code_actions(
    linted: Linted,
    buffer: Buffer,
    uri: str,
    requested: types.Range,
    only: list[str] | None,
    docs_url: str | None,
) -> list[types.CodeAction]:
    actions: list[types.CodeAction] = []
    if _wanted(types.CodeActionKind.QuickFix, only):
        start, end = buffer.offset(requested.start), buffer.offset(requested.end)
        for diagnostic in linted.diagnostics:
            if not _overlaps(diagnostic, buffer, start, end):
                continue
            shown = to_lsp(diagnostic, buffer, uri, docs_url)
            if diagnostic.fix is not None:
                actions.append(_quick_fix(diagnostic.fix, buffer, uri, shown))
            noqa = _noqa_action(diagnostic, buffer, uri, shown)
            if noqa is not None:
                actions.append(noqa)
    if _wanted(FIX_ALL, only) and has_safe_fix(linted):
        fixed = fix_all(linted)
        if fixed is not None:
            actions.append(
                types.CodeAction(
                    title="Fix all safe asynclint problems",
                    kind=FIX_ALL,
                    edit=_edit(uri, [_minimal_edit(buffer, fixed)]),
                )
            )
    return actions


def _wanted(kind: str, only: list[str] | None) -> bool:
    """LSP kinds are hierarchical: asking for `source.fixAll` includes `source.fixAll.x`."""
    if not only:
        return True
    return any(kind == wanted or kind.startswith(f"{wanted}.") for wanted in only)


def _overlaps(diagnostic: Diagnostic, buffer: Buffer, start: int, end: int) -> bool:
    first = buffer.line_starts[diagnostic.line - 1] + diagnostic.column - 1
    last = first
    if diagnostic.end_line is not None and diagnostic.end_column is not None:
        last = buffer.line_starts[diagnostic.end_line - 1] + diagnostic.end_column - 1
    return first <= end and start <= last


def _edit(uri: str, edits: list[types.TextEdit]) -> types.WorkspaceEdit:
    return types.WorkspaceEdit(changes={uri: edits})


def _quick_fix(fix: Fix, buffer: Buffer, uri: str, shown: types.Diagnostic) -> types.CodeAction:
    title = fix.description if fix.safe else f"{fix.description} (unsafe fix: review it)"
    edits = [
        types.TextEdit(range=buffer.range(edit.start, edit.end), new_text=edit.content)
        for edit in fix.edits
    ]
    return types.CodeAction(
        title=title,
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[shown],
        is_preferred=fix.safe,
        edit=_edit(uri, edits),
    )


def _noqa_action(
    diagnostic: Diagnostic, buffer: Buffer, uri: str, shown: types.Diagnostic
) -> types.CodeAction | None:
    if diagnostic.code.startswith("AIO0"):
        return None  # the tool's own diagnostics (syntax errors...) cannot be silenced per line
    edit = noqa_edit(buffer, diagnostic.line, diagnostic.code)
    if edit is None:
        return None
    return types.CodeAction(
        title=f"Disable {diagnostic.code} for this line",
        kind=types.CodeActionKind.QuickFix,
        diagnostics=[shown],
        edit=_edit(uri, [edit]),
    )


def noqa_edit(buffer: Buffer, line: int, code: str) -> types.TextEdit | None:
    """Add `code` to the `# noqa` of the 1-based line, or add one. None where a comment cannot
    go at the end of that line (it continues with a backslash or inside a string) or the line
    already silences the code."""
    comment_column = _comment_column(buffer.text, line)
    if comment_column is False:
        return None
    text = buffer.line_text(line - 1)
    if comment_column is None:
        if text.rstrip().endswith("\\"):
            return None
        start, new = len(text.rstrip()), with_noqa_codes("", [code])
        new = None if new is None else f"  {new}"
    else:
        start, new = comment_column, with_noqa_codes(text[comment_column:], [code])
    if new is None:
        return None
    base = buffer.line_starts[line - 1]
    return types.TextEdit(range=buffer.range(base + start, base + len(text)), new_text=new)


def _comment_column(text: str, line: int) -> int | bool | None:
    """The column of the comment that ends the line, None if it has none, False if the line
    ends inside a token (a string spanning lines) or the text does not tokenize."""
    found: int | None = None
    try:
        for token in tokenize.generate_tokens(io.StringIO(text).readline):
            if token.start[0] > line:
                break
            if token.start[0] <= line < token.end[0] and token.type not in (
                tokenize.NL,
                tokenize.NEWLINE,
            ):
                return False
            if token.type == tokenize.COMMENT and token.start[0] == line:
                found = token.start[1]
    except (tokenize.TokenError, SyntaxError):
        return False
    return found


def _minimal_edit(buffer: Buffer, fixed: str) -> types.TextEdit:
    """One edit covering only what changed, so that the cursor and folds elsewhere stay."""
    old = buffer.text
    prefix = 0
    limit = min(len(old), len(fixed))
    while prefix < limit and old[prefix] == fixed[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[-1 - suffix] == fixed[-1 - suffix]:
        suffix += 1
    return types.TextEdit(
        range=buffer.range(prefix, len(old) - suffix), new_text=fixed[prefix : len(fixed) - suffix]
    )
