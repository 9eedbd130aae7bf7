"""asynclint as a flake8 extension: `flake8 --select AIO`.

flake8 parses the file, applies `# noqa` and prints; this plugin only turns asynclint's findings
into flake8's tuples. It never applies fixes. libcst and the engine are imported on the first
file that can hold asyncio code, so a flake8 run over a project without asyncio stays cheap.
"""

from __future__ import annotations

import argparse
import ast
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from asynclint import __version__
from asynclint.prefilter import prefiltered_text
from asynclint.registry import INTERNAL_ERROR
from asynclint.settings import DEFAULT_TARGET, Settings, parse_target_version

if TYPE_CHECKING:
    from asynclint.results import FileResult


# Reported when asynclint itself fails on a file, so that flake8 shows one clear line instead of
# a traceback that would hide every other file's results.
INTERNAL_ERROR_CODE = INTERNAL_ERROR.code

Result = tuple[int, int, str, type[Any]]


def _target_version(text: str) -> tuple[int, int]:
    try:
        return parse_target_version(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def _full_codes(selectors: Sequence[str] | None) -> tuple[str, ...]:
    """Full AIO codes among flake8's selectors: a preview rule runs when selected by full code."""
    return tuple(s for s in selectors or () if s.startswith("AIO") and len(s) == 6)


class Plugin:
    name: ClassVar[str] = "asynclint"
    version: ClassVar[str] = __version__

    settings: ClassVar[Settings] = Settings(respect_noqa=False)

    def __init__(self, tree: ast.AST, lines: Sequence[str], filename: str) -> None:
        # flake8 reads the file (or stdin) once; its lines are the text asynclint checks, so
        # `flake8 -` works the same as a path. `tree` is unused: asynclint parses with libcst.
        del tree
        self.lines = lines
        self.filename = filename

    @classmethod
    def add_options(cls, option_manager: Any) -> None:
        option_manager.add_option(
            "--asynclint-target-version",
            type=_target_version,
            default=None,
            parse_from_config=True,
            metavar="VERSION",
            help="Python version the checked code runs on, py38 ... py314 "
            f"(default: py3{DEFAULT_TARGET[1]}).",
        )
        option_manager.add_option(
            "--asynclint-preview",
            action="store_true",
            default=False,
            parse_from_config=True,
            help="Also run asynclint's preview rules.",
        )

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        target: tuple[int, int] | None = getattr(options, "asynclint_target_version", None)
        preview = bool(getattr(options, "asynclint_preview", False))
        explicit = _full_codes(getattr(options, "select", None)) + _full_codes(
            getattr(options, "extend_select", None)
        )
        defaults = Settings()
        cls.settings = Settings(
            select=defaults.select,
            extend_select=explicit,
            target_version=target or defaults.target_version,
            preview=preview,
            respect_noqa=False,  # flake8 applies noqa comments itself
        )

    def run(self) -> Iterator[Result]:
        source = "".join(self.lines)
        if prefiltered_text(source):
            return
        try:
            from asynclint.engine import check_source

            result = check_source(source, self.filename, self.settings, prefilter=True)
        except Exception as error:  # never let one file's failure stop flake8's whole run
            yield self._internal_error(f"{type(error).__name__}: {error}")
            return
        yield from self._results(result)

    def _results(self, result: FileResult) -> Iterator[Result]:
        for diagnostic in result.diagnostics:
            # flake8 wants a 0-based column and prints it plus one.
            column = max(diagnostic.column - 1, 0)
            yield (diagnostic.line, column, f"{diagnostic.code} {diagnostic.message}", type(self))
        if result.internal_errors:
            yield self._internal_error("; ".join(result.internal_errors))

    def _internal_error(self, detail: str) -> Result:
        detail = " ".join(detail.split())  # one line, as flake8 prints it
        message = f"{INTERNAL_ERROR_CODE} asynclint failed on this file, please report it: {detail}"
        return (1, 0, message, type(self))
