"""`check --show-settings FILE`: the settings that apply to one file once the configuration
file and the command line are merged, as ruff's option of that name prints them."""

from __future__ import annotations

from asynclint.config import Config
from asynclint.files import is_excluded


def _listing(values: tuple[str, ...]) -> str:
    return ", ".join(values) if values else "(none)"


def describe(path: str, config: Config) -> str:
    from asynclint.selection import enabled_codes, enabled_codes_for_path

    settings = config.settings
    major, minor = settings.target_version
    enabled = enabled_codes_for_path(path, settings)
    per_file_off = sorted(enabled_codes(settings) - enabled)
    lines = [
        f"Settings for {path}",
        f"config file: {config.config_path or '(none: defaults)'}",
        f"project root: {config.project_root}",
        f"target version: py{major}{minor}",
        f"preview: {'true' if settings.preview else 'false'}",
        f"max-file-lines: {settings.max_file_lines or 'no limit'}",
        f"select: {_listing(settings.select)}",
        f"extend-select: {_listing(settings.extend_select)}",
        f"ignore: {_listing(settings.ignore)}",
    ]
    lines += [
        f"per-file-ignores: {glob} = {_listing(codes)}" for glob, codes in settings.per_file_ignores
    ]
    lines += [
        f"turned off here by per-file-ignores: {_listing(tuple(per_file_off))}",
        f"enabled codes ({len(enabled)}): {_listing(tuple(sorted(enabled)))}",
        f"excluded: {'yes' if is_excluded(path, config.discovery) else 'no'}"
        " (applies to named files only with --force-exclude)",
    ]
    return "\n".join(lines) + "\n"
