"""What the editor may set (initializationOptions, workspace/didChangeConfiguration) and the
settings that apply to one file: the command line's, found from that file's pyproject.toml.

The editor's options play the command line's part: `select` here is `--select`, and so on,
merged with `[tool.asynclint]` exactly as `asynclint check` merges them."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

from asynclint.config import CliOptions, Config, ConfigError, check_selectors, resolve
from asynclint.files import is_excluded
from asynclint.settings import Settings

DEFAULT_DEBOUNCE_MS = 100


@dataclass(frozen=True)
class ClientSettings:
    # A URL template such as "https://example.org/rules/{code}.html" (`{name}` works too):
    # diagnostics link to it. Without one, the message names the rule instead.
    docs_url: str | None = None
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    target_version: str | None = None
    preview: bool | None = None
    config_file: str | None = None
    debounce_ms: int = DEFAULT_DEBOUNCE_MS

    def cli_options(self) -> CliOptions:
        return CliOptions(
            select=self.select,
            ignore=self.ignore,
            extend_select=self.extend_select,
            target_version=self.target_version,
            preview=self.preview,
            force_exclude=True,  # the editor names each file, as pre-commit does
        )


def parse_client_settings(raw: object) -> tuple[ClientSettings, list[str]]:
    """Settings from the client's JSON (`{"asynclint": {...}}` or the inner object); what is
    malformed is ignored and described in the returned problems."""
    problems: list[str] = []
    if isinstance(raw, dict) and isinstance(raw.get("asynclint"), dict):
        raw = raw["asynclint"]
    if not isinstance(raw, dict):
        return ClientSettings(), problems

    def codes(key: str) -> tuple[str, ...] | None:
        value = raw.get(key)
        if value is None:
            return None
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return tuple(item.strip().upper() for item in value)
        problems.append(f"setting {key!r}: expected a list of strings")
        return None

    def typed(key: str, kind: type, default: Any) -> Any:
        value = raw.get(key)
        if value is None:
            return default
        if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
            return value
        problems.append(f"setting {key!r}: expected {kind.__name__}")
        return default

    settings = ClientSettings(
        docs_url=typed("docsUrl", str, None) or None,
        select=codes("select"),
        ignore=codes("ignore") or (),
        extend_select=codes("extendSelect") or (),
        target_version=typed("targetVersion", str, None),
        preview=typed("preview", bool, None),
        config_file=typed("configFile", str, None) or None,
        debounce_ms=max(0, typed("debounceMs", int, DEFAULT_DEBOUNCE_MS)),
    )
    return settings, problems


class ConfigResolver:
    """The configuration for each file, remembered per directory until something changes."""

    def __init__(self, client: ClientSettings | None = None) -> None:
        self.client = client or ClientSettings()
        self._by_directory: dict[str, Config] = {}

    def update(self, client: ClientSettings) -> None:
        self.client = client
        self.forget()

    def forget(self) -> None:
        """A pyproject.toml or the client's settings changed: read everything afresh."""
        self._by_directory.clear()

    def config_for(self, path: str) -> Config:
        """Raises ConfigError for a bad configuration, as `asynclint check` exits 2 for it."""
        directory = os.path.dirname(os.path.abspath(path))
        config = self._by_directory.get(directory)
        if config is None:
            config = resolve(
                self.client.cli_options(), config_file=self.client.config_file, start=path
            )
            check_selectors(config.selector_sources)
            self._by_directory[directory] = config
        return config

    def settings_for(self, path: str) -> Settings | None:
        """None when the configuration excludes the file."""
        config = self.config_for(path)
        if is_excluded(path, config.discovery):
            return None
        return config.settings


__all__ = ["ClientSettings", "ConfigError", "ConfigResolver", "parse_client_settings"]
