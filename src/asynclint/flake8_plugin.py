"""asynclint as a flake8 extension: `flake8 --select AIO`.

Each file gets the configuration `asynclint check` would give it: its project's
`[tool.asynclint]` (select, ignore, per-file-ignores, exclude, preview) and Python version
(`target-version`, else `requires-python`), so both report the same findings. asynclint's own
suppression comments apply too (file-level `# asynclint: noqa`, codes in any case), before
flake8 applies its `# noqa` handling; `--disable-noqa` turns both off. flake8's `--select` and
`--ignore` then filter what the plugin reports, as for any plugin. It never applies fixes.
libcst and the engine are imported on the first file that can hold asyncio code, so a flake8
run over a project without asyncio stays cheap.
"""

from __future__ import annotations

import argparse
import ast
from collections.abc import Iterator, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, ClassVar

from asynclint import __version__
from asynclint.config import CliOptions
from asynclint.prefilter import prefiltered_text
from asynclint.registry import INTERNAL_ERROR
from asynclint.settings import Settings, parse_target_version

if TYPE_CHECKING:
    from asynclint.projects import Projects
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


def _max_file_lines(text: str) -> int:
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(
            f"expected a whole number >= 0 (0: no limit), not {text!r}"
        )
    return int(text)


def _full_codes(selectors: Sequence[str] | None) -> tuple[str, ...]:
    """Full AIO codes among flake8's selectors: a preview rule runs when selected by full code."""
    return tuple(s for s in selectors or () if s.startswith("AIO") and len(s) == 6)


class Plugin:
    name: ClassVar[str] = "asynclint"
    version: ClassVar[str] = __version__

    # What flake8's options say, merged into each file's project configuration.
    cli: ClassVar[CliOptions] = CliOptions()
    respect_noqa: ClassVar[bool] = True
    _projects: ClassVar[Projects | None] = None

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
            help="Python version the checked code runs on, py38 ... py314 (default: as "
            "`asynclint check`, the project's target-version or requires-python).",
        )
        option_manager.add_option(
            "--asynclint-max-file-lines",
            type=_max_file_lines,
            default=None,
            parse_from_config=True,
            metavar="N",
            help="Report a file longer than N lines as AIO003 instead of analysing it (0: no "
            "limit; default: as `asynclint check`, the project's max-file-lines or 20000).",
        )
        option_manager.add_option(
            "--asynclint-preview",
            action="store_true",
            default=False,
            parse_from_config=True,
            help="Also run asynclint's preview rules (default: as the project's "
            "[tool.asynclint] preview says).",
        )

    @classmethod
    def parse_options(cls, options: argparse.Namespace) -> None:
        target: tuple[int, int] | None = getattr(options, "asynclint_target_version", None)
        preview = bool(getattr(options, "asynclint_preview", False))
        explicit = _full_codes(getattr(options, "select", None)) + _full_codes(
            getattr(options, "extend_select", None)
        )
        cls.cli = CliOptions(
            extend_select=explicit,
            target_version=f"py3{target[1]}" if target else None,
            preview=True if preview else None,
            max_file_lines=getattr(options, "asynclint_max_file_lines", None),
        )
        cls.respect_noqa = not getattr(options, "disable_noqa", False)
        cls._projects = None

    @classmethod
    def settings_for(cls, filename: str) -> Settings | None:
        """What `asynclint check` would use for this file; None when its project's
        configuration excludes it. Raises ConfigError for a bad configuration."""
        from asynclint.files import is_excluded
        from asynclint.projects import Projects

        if cls._projects is None:
            cls._projects = Projects(cls.cli)
        config = cls._projects.config_for(filename)  # checks its rule selectors once
        if is_excluded(filename, config.discovery):
            return None
        return replace(config.settings, respect_noqa=cls.respect_noqa)

    def run(self) -> Iterator[Result]:
        source = "".join(self.lines)
        if prefiltered_text(source):
            return
        from asynclint.config import ConfigError

        try:
            settings = self.settings_for(self.filename)
        except ConfigError as error:  # one line per file, as `asynclint check` says it once
            yield self._line(f"asynclint cannot check this file, its configuration is bad: {error}")
            return
        if settings is None:
            return
        try:
            from asynclint.engine import check_source

            result = check_source(source, self.filename, settings, prefilter=True)
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
        return self._line(f"asynclint failed on this file, please report it: {detail}")

    def _line(self, message: str) -> Result:
        message = " ".join(message.split())  # one line, as flake8 prints it
        return (1, 0, f"{INTERNAL_ERROR_CODE} {message}", type(self))
