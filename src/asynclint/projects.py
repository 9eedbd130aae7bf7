"""Which configuration each checked file gets, so that in a monorepo every project keeps its
own settings and Python version, as with ruff.

A file's settings come from the nearest pyproject.toml above it with a `[tool.asynclint]`
table; its target version, unless that table sets `target-version`, from the nearest
pyproject.toml with a `project.requires-python` (a package of the monorepo that declares only
its Python still gets its own version, and the settings of the repository around it). Paths in
a config file (per-file-ignores, excludes) are relative to that file's directory. `--config`
gives one configuration to every file."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from asynclint.config import CONFIG_FILE, CliOptions, Config, FileConfig, check_selectors, merge
from asynclint.files import Excluder
from asynclint.settings import Settings

if TYPE_CHECKING:
    from asynclint.files import DiscoveryOptions


@dataclass(frozen=True)
class _Inherited:
    """What a directory gets from the pyproject.toml files in it and above it."""

    section: FileConfig | None = None  # the nearest with a [tool.asynclint] table
    requires_python: tuple[int, int] | None = None  # the nearest requires-python
    project: FileConfig | None = None  # the nearest pyproject.toml with a requires-python
    nearest: FileConfig | None = None  # the nearest pyproject.toml at all (the project root)


class ConfigFinder:
    """Reads each pyproject.toml once and remembers what each directory inherits."""

    def __init__(self) -> None:
        self._directories: dict[str, _Inherited] = {}

    def find(self, start: str) -> FileConfig | None:
        """The configuration for `start` (a file or a directory), None without any
        pyproject.toml above it. Its `requires_python` is the nearest one, wherever found."""
        return self.find_for_directory(directory_of(start))

    def find_for_directory(self, directory: str) -> FileConfig | None:
        """`find` for an absolute directory."""
        found = self._inherited(directory)
        if found.section is not None:
            return replace(found.section, requires_python=found.requires_python)
        return found.project or found.nearest

    def _inherited(self, directory: str) -> _Inherited:
        # Iterative, not recursive: a path can be deeper than the recursion limit.
        pending: list[str] = []
        current = directory
        while current not in self._directories:
            pending.append(current)
            parent = os.path.dirname(current)
            if parent == current:
                break
            current = parent
        for path in reversed(pending):
            parent = os.path.dirname(path)
            above = self._directories.get(parent, _Inherited()) if parent != path else _Inherited()
            self._directories[path] = _combine(above, _read(path))
        return self._directories[directory]


def directory_of(path: str) -> str:
    """The absolute directory of a file, or the directory itself."""
    directory = os.path.abspath(path)
    return directory if os.path.isdir(directory) else os.path.dirname(directory)


def _read(directory: str) -> FileConfig | None:
    from asynclint.config import read_config

    candidate = os.path.join(directory, CONFIG_FILE)
    return read_config(candidate) if os.path.isfile(candidate) else None


def _combine(above: _Inherited, here: FileConfig | None) -> _Inherited:
    if here is None:
        return above
    has_requires = here.requires_python is not None
    return _Inherited(
        section=here if here.has_section else above.section,
        requires_python=here.requires_python if has_requires else above.requires_python,
        project=here if has_requires else above.project,
        nearest=here,
    )


class Projects:
    """The configuration of every file of a run: its project's config file merged with the
    command line. Each config file is read and merged once."""

    def __init__(self, cli: CliOptions, *, explicit: FileConfig | None = None) -> None:
        self.cli = cli
        self.explicit = explicit
        self._finder = ConfigFinder()
        self._configs: dict[FileConfig | None, Config] = {}
        self._excluders: dict[DiscoveryOptions, Excluder] = {}
        # Asked for every file and directory of a run: the answer for each directory, once.
        self._by_directory: dict[str, Config] = {}

    def config_for(self, path: str) -> Config:
        """The configuration of the file or directory `path`."""
        directory = directory_of(path)
        config = self._by_directory.get(directory)
        if config is None:
            config = self._by_directory[directory] = self._config_for_directory(directory)
        return config

    def _config_for_directory(self, directory: str) -> Config:
        if self.explicit is not None:
            file: FileConfig | None = self.explicit
        else:
            file = self._finder.find_for_directory(directory)
        config = self._configs.get(file)
        if config is None:
            merged = merge(self.cli, file)
            check_selectors(merged.selector_sources)  # a ConfigError names the file
            discovery = replace(merged.discovery, excluders=self.excluder_for)
            config = replace(merged, discovery=discovery, projects=self)
            self._configs[file] = config
        return config

    def settings_for(self, path: str) -> Settings:
        return self.config_for(path).settings

    def excluder_for(self, directory: str) -> Excluder:
        """The exclusions in force in `directory`: those of its own project."""
        options = self.config_for(directory).discovery
        excluder = self._excluders.get(options)
        if excluder is None:
            excluder = self._excluders[options] = Excluder.from_options(options)
        return excluder
