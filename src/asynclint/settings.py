"""The effective options for one run: what to check and for which Python."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_TARGET = (3, 10)
SUPPORTED_TARGETS = tuple((3, minor) for minor in range(8, 15))
# Lines in one file above which it is not analysed (AIO003): libcst's parse of an async module
# peaks at about 23 MB per thousand lines (benchmarks/RESULTS.md, "Large files"), so this keeps
# one file under about 500 MB. 0: no limit.
DEFAULT_MAX_FILE_LINES = 20_000


def parse_target_version(text: str) -> tuple[int, int]:
    """`py311` or `3.11` -> (3, 11); raises ValueError with a readable message."""
    raw = text.strip().lower()
    digits = raw[2:] if raw.startswith("py") else raw.replace(".", "")
    if not digits.isdigit() or len(digits) < 2 or digits[0] != "3":
        raise ValueError(f"invalid target version {text!r}: use py38 ... py314")
    version = (3, int(digits[1:]))
    if version not in SUPPORTED_TARGETS:
        raise ValueError(f"unsupported target version {text!r}: use py38 ... py314")
    return version


@dataclass(frozen=True)
class Settings:
    """Rule selection is by code or prefix (`AIO`, `AIO4`, `AIO401`), as in ruff and flake8."""

    select: tuple[str, ...] = ("AIO",)
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    target_version: tuple[int, int] = DEFAULT_TARGET
    preview: bool = False
    respect_noqa: bool = True
    max_file_lines: int = DEFAULT_MAX_FILE_LINES
    # The directory `per_file_ignores` globs are relative to: the one holding the pyproject.toml
    # that configured the run. None: the current directory.
    project_root: str | None = None

    def cache_key(self) -> str:
        return repr(
            (
                self.select,
                self.ignore,
                self.extend_select,
                self.per_file_ignores,
                self.target_version,
                self.preview,
                self.respect_noqa,
                self.project_root,
                self.max_file_lines,
            )
        )
