"""The user-facing documentation of each rule: `rules/AIOnnn.md` in a source checkout, shipped
in the wheel as `asynclint/docs/AIOnnn.md`. `asynclint rule CODE` prints it and the SARIF
report carries it as each rule's help text."""

from __future__ import annotations

import functools
import os
import re
from typing import Any

_HEADING = re.compile(r"^## +(?P<title>.+?)\s*$")


@functools.cache
def rule_doc(code: str) -> str | None:
    """The Markdown for `code`, from the installed package (`asynclint/docs/`), else from a
    source checkout (an editable install: the project's `rules/` directory next to `src/`)."""
    from importlib.resources import files

    candidates: list[Any] = [files("asynclint").joinpath("docs").joinpath(f"{code}.md")]
    here = os.path.dirname(os.path.abspath(__file__))
    candidates.append(os.path.join(os.path.dirname(os.path.dirname(here)), "rules", f"{code}.md"))
    for candidate in candidates:
        try:
            if isinstance(candidate, str):
                with open(candidate, encoding="utf-8") as handle:
                    return handle.read()
            if candidate.is_file():
                return str(candidate.read_text(encoding="utf-8"))
        except OSError:
            continue
    return None


def section(doc: str, title: str) -> str | None:
    """The text under `## title` up to the next `## ` heading (headings inside code blocks do
    not count), stripped; None if there is no such section or it is empty."""
    lines = doc.splitlines()
    body: list[str] | None = None
    fenced = False
    for line in lines:
        if line.startswith("```"):
            fenced = not fenced
        heading = None if fenced else _HEADING.match(line)
        if heading is not None:
            if body is not None:
                break
            if heading.group("title").lower() == title.lower():
                body = []
            continue
        if body is not None:
            body.append(line)
    text = "\n".join(body).strip() if body is not None else ""
    return text or None


def plain_paragraphs(markdown: str) -> str:
    """Markdown prose as plain text: each paragraph on one line, links reduced to their text
    (`[text](url)` -> `text`)."""
    paragraphs = [" ".join(block.split()) for block in re.split(r"\n\s*\n", markdown)]
    text = "\n\n".join(p for p in paragraphs if p)
    return re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", text)
