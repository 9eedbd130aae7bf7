"""`[tool.asynclint]` in the nearest pyproject.toml, merged with the command line.

Precedence is command line > config file > defaults. A `--select` on the command line starts
the selection afresh (the file's select, extend-select and ignore no longer apply, so
`--select AIO401` runs AIO401 even if the file ignores it); otherwise the command line's
`--ignore`/`--extend-select` add to the file's. `--exclude` and `--per-file-ignores` replace the
file's; `--extend-exclude` and `--extend-per-file-ignores` add to them.

Rule selectors are checked against the registry (`asynclint.registry`, no libcst) as the
configuration is resolved."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from asynclint.files import DEFAULT_EXCLUDES, DiscoveryOptions
from asynclint.settings import (
    DEFAULT_MAX_FILE_LINES,
    DEFAULT_TARGET,
    SUPPORTED_TARGETS,
    Settings,
    parse_target_version,
)

if TYPE_CHECKING:
    from asynclint.projects import Projects

CONFIG_FILE = "pyproject.toml"
SECTION = "[tool.asynclint]"
_LIST_KEYS = ("select", "ignore", "extend-select", "exclude", "extend-exclude")
KNOWN_KEYS = (*_LIST_KEYS, "per-file-ignores", "target-version", "preview", "max-file-lines")


class ConfigError(Exception):
    """Bad configuration or option value (usage error: exit 2)."""


@dataclass(frozen=True)
class SelectorSource:
    """Where some selectors came from, so an unknown one can be reported precisely."""

    origin: str  # "pyproject.toml: [tool.asynclint] select" or "--select"
    selectors: tuple[str, ...]
    # ignore / per-file-ignores: another tool's code there (E501) is a warning, not an error
    ignoring: bool = False


@dataclass(frozen=True)
class FileConfig:
    """The validated contents of one config file; None means "not set"."""

    path: str
    has_section: bool = False
    in_table: bool = False  # the keys are in a [tool.asynclint] table, not at the top level
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] | None = None
    extend_select: tuple[str, ...] | None = None
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] | None = None
    exclude: tuple[str, ...] | None = None
    extend_exclude: tuple[str, ...] | None = None
    target_version: tuple[int, int] | None = None
    preview: bool | None = None
    max_file_lines: int | None = None
    requires_python: tuple[int, int] | None = None  # lower bound of project.requires-python


@dataclass(frozen=True)
class CliOptions:
    """What the command line said; None means "not given"."""

    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] | None = None
    extend_per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()
    exclude: tuple[str, ...] | None = None
    extend_exclude: tuple[str, ...] = ()
    force_exclude: bool = False
    target_version: str | None = None
    preview: bool | None = None
    max_file_lines: int | None = None


@dataclass(frozen=True)
class Config:
    settings: Settings
    discovery: DiscoveryOptions
    project_root: str  # holds the config file (and the cache); cwd when there is none
    config_path: str | None
    selector_sources: tuple[SelectorSource, ...] = field(default=())
    # The configuration of every other file of the run, each from its own project.
    projects: Projects | None = field(default=None, compare=False)


def resolve(cli: CliOptions, *, config_file: str | None = None, start: str = ".") -> Config:
    """Settings for a run: `config_file` if given, else those of the nearest project above
    `start` (a directory or a file), merged with `cli`. The returned Config also answers for
    every other file (`Config.projects`): each gets the configuration of its own project."""
    from asynclint.projects import Projects

    if config_file is not None:
        projects = Projects(cli, explicit=read_config(config_file, explicit=True))
    else:
        projects = Projects(cli)
    return projects.config_for(start)


def find_config(start: str) -> FileConfig | None:
    """The configuration of the project `start` (a directory or a file) belongs to: see
    `projects.ConfigFinder`."""
    from asynclint.projects import ConfigFinder

    return ConfigFinder().find(start)


def read_config(path: str, *, explicit: bool = False) -> FileConfig:
    """A pyproject.toml's [tool.asynclint]. A file given with --config may also be named
    otherwise: it has either a [tool.asynclint] table, as a pyproject.toml does, or the keys
    at its top level."""
    data = _load_toml(path)
    tool = data.get("tool")
    nested = isinstance(tool, dict) and "asynclint" in tool
    is_pyproject = os.path.basename(path) == CONFIG_FILE or (explicit and nested)
    if is_pyproject:
        tool = data.get("tool", {})
        section = tool.get("asynclint") if isinstance(tool, dict) else None
        label = f"{path}: {SECTION}"
    else:
        section = data
        label = path
    requires = _requires_python(data) if is_pyproject else None
    if section is None:
        return FileConfig(
            path, has_section=explicit, in_table=is_pyproject, requires_python=requires
        )
    if not isinstance(section, dict):
        raise ConfigError(f"{label}: expected a table")
    return replace(_parse_section(section, path, label, requires), in_table=is_pyproject)


def _load_toml(path: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:
        import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]
    try:
        with open(path, "rb") as handle:
            data: dict[str, Any] = tomllib.load(handle)
            return data
    except OSError as error:
        raise ConfigError(f"{path}: cannot read config file: {error.strerror}") from None
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: {error}") from None
    except UnicodeDecodeError as error:
        raise ConfigError(f"{path}: invalid TOML: not UTF-8 ({error.reason})") from None


def _parse_section(
    section: Mapping[str, Any], path: str, label: str, requires: tuple[int, int] | None
) -> FileConfig:
    for key in section:
        if key not in KNOWN_KEYS:
            import difflib

            close = difflib.get_close_matches(key.replace("_", "-"), KNOWN_KEYS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            known = ", ".join(KNOWN_KEYS)
            raise ConfigError(f"{label}: unknown key {key!r}{hint}; known keys: {known}")
    lists = {
        key: _string_list(section[key], f"{label} {key}") for key in _LIST_KEYS if key in section
    }
    target = _target_version(section.get("target-version"), label)
    preview = section.get("preview")
    if preview is not None and not isinstance(preview, bool):
        raise ConfigError(f"{label} preview: expected true or false")
    per_file = section.get("per-file-ignores")
    max_lines = section.get("max-file-lines")
    if max_lines is not None and (
        not isinstance(max_lines, int) or isinstance(max_lines, bool) or max_lines < 0
    ):
        raise ConfigError(f"{label} max-file-lines: expected a whole number >= 0 (0: no limit)")
    return FileConfig(
        path=path,
        has_section=True,
        select=_codes(lists.get("select")),
        ignore=_codes(lists.get("ignore")),
        extend_select=_codes(lists.get("extend-select")),
        per_file_ignores=None if per_file is None else _per_file(per_file, label),
        exclude=lists.get("exclude"),
        extend_exclude=lists.get("extend-exclude"),
        target_version=target,
        preview=preview,
        max_file_lines=max_lines,
        requires_python=requires,
    )


def _target_version(value: object, label: str) -> tuple[int, int] | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ConfigError(f'{label} target-version: expected a string such as "py311"')
    try:
        return parse_target_version(value)
    except ValueError as error:
        raise ConfigError(f"{label} target-version: {error}") from None


def _string_list(value: object, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError(f"{where}: expected a list of strings, got {_describe(value)}")
    return tuple(value)


def _describe(value: object) -> str:
    names = {str: "a string", bool: "a boolean", int: "an integer", float: "a number"}
    names |= {dict: "a table", list: "a list with non-string items"}
    return names.get(type(value), type(value).__name__)


def _codes(values: tuple[str, ...] | None) -> tuple[str, ...] | None:
    return None if values is None else tuple(v.strip().upper() for v in values)


def _per_file(value: object, label: str) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if not isinstance(value, dict):
        raise ConfigError(f"{label} per-file-ignores: expected a table of glob = [codes]")
    entries = []
    for glob, codes in value.items():
        checked = _string_list(codes, f"{label} per-file-ignores {glob!r}")
        entries.append((glob, _codes(checked) or ()))
    return tuple(entries)


_SPECIFIER = re.compile(r"^\s*(>=|~=|==|===|>)\s*(\d+)(?:\.(\d+))?")


def _requires_python(data: Mapping[str, Any]) -> tuple[int, int] | None:
    """`>=3.9` -> (3, 9): the lowest version the project supports, clamped to what we know.
    Anything unparsable is left alone: the key belongs to packaging, not to us."""
    project = data.get("project")
    requires = project.get("requires-python") if isinstance(project, dict) else None
    if not isinstance(requires, str):
        return None
    bounds: list[tuple[int, int]] = []
    for spec in requires.split(","):
        match = _SPECIFIER.match(spec)
        if match and match.group(2) == "3":
            bounds.append((3, int(match.group(3) or 0)))
    if not bounds:
        return None
    lowest = max(bounds)
    return min(max(lowest, SUPPORTED_TARGETS[0]), SUPPORTED_TARGETS[-1])


def merge(cli: CliOptions, file: FileConfig | None) -> Config:
    file = file or FileConfig(path="")
    origin = f"{file.path}: {SECTION}" if file.in_table else file.path
    sources: list[SelectorSource] = []

    def note(
        where: str, selectors: tuple[str, ...] | None, *, ignoring: bool = False
    ) -> tuple[str, ...]:
        if selectors:
            sources.append(SelectorSource(where, selectors, ignoring))
        return selectors or ()

    if cli.select is not None:
        select = note("--select", cli.select)
        extend_select = note("--extend-select", cli.extend_select)
        ignore = note("--ignore", cli.ignore, ignoring=True)
    else:
        select = note(f"{origin} select", file.select) if file.select is not None else ("AIO",)
        extend_select = note(f"{origin} extend-select", file.extend_select)
        extend_select += note("--extend-select", cli.extend_select)
        ignore = note(f"{origin} ignore", file.ignore, ignoring=True)
        ignore += note("--ignore", cli.ignore, ignoring=True)
    if cli.per_file_ignores is not None:
        per_file, per_file_origin = cli.per_file_ignores, "--per-file-ignores"
    else:
        per_file, per_file_origin = file.per_file_ignores or (), f"{origin} per-file-ignores"
    for glob, codes in per_file:
        note(f"{per_file_origin} {glob!r}", codes, ignoring=True)
    for glob, codes in cli.extend_per_file_ignores:
        note(f"--extend-per-file-ignores {glob!r}", codes, ignoring=True)
    per_file += cli.extend_per_file_ignores
    root = os.path.dirname(os.path.abspath(file.path)) if file.path else os.getcwd()
    settings = Settings(
        select=select,
        ignore=ignore,
        extend_select=extend_select,
        per_file_ignores=per_file,
        target_version=_target(cli, file),
        preview=cli.preview if cli.preview is not None else bool(file.preview),
        project_root=root,
        max_file_lines=_first(cli.max_file_lines, file.max_file_lines, DEFAULT_MAX_FILE_LINES),
    )
    exclude = cli.exclude if cli.exclude is not None else file.exclude
    discovery = DiscoveryOptions(
        exclude=DEFAULT_EXCLUDES if exclude is None else exclude,
        extend_exclude=(file.extend_exclude or ()) + cli.extend_exclude,
        force_exclude=cli.force_exclude,
        base=root,
    )
    return Config(settings, discovery, root, file.path or None, tuple(sources))


def _first(*values: int | None) -> int:
    return next(value for value in values if value is not None)


def _target(cli: CliOptions, file: FileConfig) -> tuple[int, int]:
    if cli.target_version is not None:
        try:
            return parse_target_version(cli.target_version)
        except ValueError as error:
            raise ConfigError(f"--target-version: {error}") from None
    return file.target_version or file.requires_python or DEFAULT_TARGET


CODE_PREFIX = "AIO"


def _foreign(selector: str) -> bool:
    """Another tool's code (E501, B008): no asynclint code could ever start with it."""
    return bool(selector) and not (
        selector.startswith(CODE_PREFIX) or CODE_PREFIX.startswith(selector)
    )


def foreign_ignores(sources: tuple[SelectorSource, ...]) -> list[str]:
    """Warnings for other tools' codes given to ignore: flake8 configurations and scripts
    pass them along, and ignoring a code that asynclint never reports is harmless."""
    return [
        f"{source.origin}: {selector!r} is not an asynclint code; ignored"
        for source in sources
        if source.ignoring
        for selector in source.selectors
        if _foreign(selector)
    ]


def check_selectors(sources: tuple[SelectorSource, ...]) -> None:
    """Raise ConfigError for a selector that names no rule (other tools' codes are only
    warned about in ignores, see `foreign_ignores`)."""
    import difflib

    from asynclint.registry import ALL_CODES, is_known_selector

    for source in sources:
        for selector in source.selectors:
            if source.ignoring and _foreign(selector):
                continue
            if not selector or not is_known_selector(selector):
                close = difflib.get_close_matches(selector, ALL_CODES, n=1)
                hint = f" (did you mean {close[0]}?)" if close else ""
                raise ConfigError(
                    f"{source.origin}: unknown rule code or prefix {selector!r}{hint}"
                )
