"""asynclint's findings as LSP diagnostics."""

from __future__ import annotations

from lsprotocol import types

from asynclint.diagnostics import Diagnostic, Severity
from asynclint.registry import metadata
from asynclint.server.text import Buffer

SOURCE = "asynclint"

_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
}


def rule_name(code: str) -> str | None:
    meta = metadata(code)
    return meta.name if meta is not None else None


def docs_link(code: str, template: str | None) -> str | None:
    """The rule's documentation URL from the client's template, if it set one."""
    if not template:
        return None
    return template.replace("{code}", code).replace("{name}", rule_name(code) or code)


def diagnostic_range(diagnostic: Diagnostic, buffer: Buffer) -> types.Range:
    start = buffer.position(diagnostic.line, diagnostic.column)
    if diagnostic.end_line is None or diagnostic.end_column is None:
        return types.Range(start=start, end=start)
    return types.Range(start=start, end=buffer.position(diagnostic.end_line, diagnostic.end_column))


def to_lsp(
    diagnostic: Diagnostic, buffer: Buffer, uri: str, docs_url: str | None
) -> types.Diagnostic:
    href = docs_link(diagnostic.code, docs_url)
    message = diagnostic.message
    if href is None and (name := rule_name(diagnostic.code)):
        # No page to link to: the rule's name tells the reader what to look up.
        message = f"{message} [{name}]"
    related = [
        types.DiagnosticRelatedInformation(
            location=types.Location(
                uri=uri,
                range=types.Range(
                    start=buffer.position(place.line, place.column),
                    end=buffer.position(
                        place.end_line or place.line, place.end_column or place.column
                    ),
                ),
            ),
            message=place.message,
        )
        for place in diagnostic.related
    ]
    return types.Diagnostic(
        range=diagnostic_range(diagnostic, buffer),
        message=message,
        severity=_SEVERITY.get(diagnostic.severity, types.DiagnosticSeverity.Warning),
        code=diagnostic.code,
        code_description=types.CodeDescription(href=href) if href is not None else None,
        source=SOURCE,
        related_information=related or None,
    )
