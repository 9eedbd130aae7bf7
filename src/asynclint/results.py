"""What checking one file produced. Kept free of libcst so that a run served entirely from the
cache can build results without importing the parser."""

from __future__ import annotations

from dataclasses import dataclass, field

from asynclint.diagnostics import Diagnostic


@dataclass
class FileResult:
    path: str
    diagnostics: list[Diagnostic] = field(default_factory=list)
    internal_errors: list[str] = field(default_factory=list)
    skipped: bool = False  # prefiltered: nothing asyncio-related in it
    fixed_text: str | None = None  # set when fixes were requested and changed something
    encoding: str = "utf-8"
    applied_fixes: list[str] = field(default_factory=list)  # one code per fix applied by --fix
    # content hash of the bytes fixed_text (or, for --add-noqa, the findings) was made from
    source_digest: str | None = None
