"""Results cached by file content, so an unchanged file is never parsed twice.

One JSON file per (settings, asynclint build, Python version, fix flags) in
`.asynclint_cache/` at the project root, mapping each file's absolute path to the hash of the
content it was checked with and what that check found. The "build" is the version plus the
size and mtime of every module in the package, so editing a rule in a development install
invalidates the cache too. A cache that cannot be read or written is ignored: it only ever
saves time. Nothing here imports the parser."""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import os
import sys
import tempfile
from typing import Any

from asynclint.diagnostics import Diagnostic, Edit, Fix, RelatedLocation, Severity
from asynclint.results import FileResult
from asynclint.settings import Settings

CACHE_DIR_NAME = ".asynclint_cache"
FORMAT = 4  # bump when the stored layout changes


def content_hash(data: bytes) -> str:
    # SHA-256 has CPU support on current x86 and ARM: about twice blake2b's speed there, and a
    # warm run spends much of its time hashing.
    return hashlib.sha256(data).hexdigest()[:32]


@functools.lru_cache(maxsize=1)
def build_fingerprint() -> str:
    from asynclint import __version__

    package = os.path.dirname(os.path.abspath(__file__))
    stamps: list[str] = [__version__, sys.version.split()[0]]
    pending = [package]
    while pending:
        directory = pending.pop()
        try:
            with os.scandir(directory) as scan:
                entries = sorted(scan, key=lambda entry: entry.name)
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir() and entry.name != "__pycache__":
                pending.append(entry.path)
            elif entry.name.endswith(".py"):
                with contextlib.suppress(OSError):
                    info = entry.stat()
                    stamps.append(f"{entry.path}:{info.st_size}:{info.st_mtime_ns}")
    return hashlib.sha256("\n".join(stamps).encode()).hexdigest()


def run_key(settings: Settings, *, fix: bool, unsafe: bool) -> str:
    parts = (FORMAT, build_fingerprint(), settings.cache_key(), fix, unsafe)
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


class Cache:
    """Entries for one run key. `get`/`put` work in memory; `save` writes them back."""

    def __init__(self, directory: str, key: str) -> None:
        self.directory = directory
        self.file = os.path.join(directory, f"{key}.json")
        self.entries: dict[str, Any] = {}
        self.touched: set[str] = set()
        self.written: set[str] = set()  # entries this run added or replaced
        self.dirty = False
        self._loaded_stamp: tuple[int, int, int] | None = None
        self._load()

    def _load(self) -> None:
        self._loaded_stamp = _stamp(self.file)
        self.entries = _read(self.file)

    def get(self, abs_path: str, display_path: str, digest: str) -> FileResult | None:
        entry: Any = self.entries.get(abs_path)
        try:
            if entry["hash"] != digest or entry["path"] != display_path:
                return None
            result = result_from_json(entry["result"], display_path)
        except (KeyError, TypeError, ValueError, AttributeError, IndexError):
            return None  # an entry we cannot read is a miss, not an error
        self.touched.add(abs_path)
        return result

    def put(self, abs_path: str, display_path: str, digest: str, result: FileResult) -> None:
        entry = {"hash": digest, "path": display_path, "result": result_to_json(result)}
        self.entries[abs_path] = entry
        self.touched.add(abs_path)
        self.written.add(abs_path)
        self.dirty = True

    def keep(self, key: str) -> None:
        """Have `save` keep the entry under `key` (any JSON value) even when its file is gone."""
        self.touched.add(key)

    def put_entry(self, key: str, value: Any) -> None:
        self.entries[key] = value
        self.touched.add(key)
        self.written.add(key)
        self.dirty = True

    def save(self) -> None:
        """Write the entries back if anything changed. Never raises."""
        if not self.dirty:
            return
        # Another run (pre-commit starts several at once) may have saved since we loaded:
        # keep its entries and put ours on top, so that neither run's work is lost. When the
        # file is as we loaded it, what we hold is already that (the summaries file of a large
        # project is megabytes of JSON: reading it twice costs a warm run a third of a second).
        stamp = _stamp(self.file)
        if stamp is not None and stamp == self._loaded_stamp:
            entries = dict(self.entries)
        else:
            entries = _read(self.file)
            entries.update((path, self.entries[path]) for path in self.written)
        # Drop entries for files that are gone, so the cache does not grow without bound.
        files = {
            path: entry
            for path, entry in entries.items()
            if path in self.touched or os.path.exists(path)
        }
        payload = json.dumps({"format": FORMAT, "files": files})
        with contextlib.suppress(OSError):
            _prepare_directory(self.directory)
            handle, temp = tempfile.mkstemp(prefix=".tmp-", suffix=".json", dir=self.directory)
            try:
                with os.fdopen(handle, "w", encoding="utf-8") as out:
                    out.write(payload)
                os.replace(temp, self.file)
            except OSError:
                with contextlib.suppress(OSError):
                    os.unlink(temp)
                raise
        self.dirty = False


def _stamp(file: str) -> tuple[int, int, int] | None:
    """Changes when the file is replaced or rewritten (os.replace gives a new inode)."""
    try:
        info = os.stat(file)
    except OSError:
        return None
    return info.st_ino, info.st_size, info.st_mtime_ns


def _read(file: str) -> dict[str, Any]:
    """The stored entries; empty if missing, unreadable or corrupt."""
    try:
        with open(file, "rb") as handle:
            stored = json.loads(handle.read())
    except (OSError, ValueError):
        return {}
    if not isinstance(stored, dict) or stored.get("format") != FORMAT:
        return {}
    entries = stored.get("files")
    return entries if isinstance(entries, dict) else {}


def _prepare_directory(directory: str) -> None:
    os.makedirs(directory, exist_ok=True)
    ignore = os.path.join(directory, ".gitignore")
    if not os.path.exists(ignore):
        with open(ignore, "w", encoding="utf-8") as handle:
            handle.write("# Created by asynclint: the whole directory is a cache.\n*\n")


def result_to_json(result: FileResult) -> dict[str, Any]:
    return {
        "diagnostics": [_diagnostic_to_json(d) for d in result.diagnostics],
        "skipped": result.skipped,
        "fixed_text": result.fixed_text,
        "encoding": result.encoding,
        "applied_fixes": result.applied_fixes,
    }


def result_from_json(data: dict[str, Any], path: str) -> FileResult:
    fixed_text = data["fixed_text"]
    if fixed_text is not None and not isinstance(fixed_text, str):
        raise TypeError("fixed_text")
    return FileResult(
        path=path,
        diagnostics=[_diagnostic_from_json(d, path) for d in data["diagnostics"]],
        skipped=bool(data["skipped"]),
        fixed_text=fixed_text,
        encoding=str(data["encoding"]),
        applied_fixes=[str(code) for code in data["applied_fixes"]],
    )


def _diagnostic_to_json(diagnostic: Diagnostic) -> list[Any]:
    fix = diagnostic.fix
    stored_fix = None
    if fix is not None:
        edits = [[edit.start, edit.end, edit.content] for edit in fix.edits]
        stored_fix = [fix.safe, fix.description, edits]
    return [
        diagnostic.line,
        diagnostic.column,
        diagnostic.code,
        diagnostic.message,
        diagnostic.severity.value,
        diagnostic.end_line,
        diagnostic.end_column,
        stored_fix,
        [
            [r.line, r.column, r.message, r.end_line, r.end_column, r.path]
            for r in diagnostic.related
        ],
    ]


def _diagnostic_from_json(data: list[Any], path: str) -> Diagnostic:
    line, column, code, message, severity, end_line, end_column, stored_fix, related = data
    fix = None
    if stored_fix is not None:
        safe, description, edits = stored_fix
        fix = Fix(
            tuple(Edit(int(start), int(end), str(content)) for start, end, content in edits),
            bool(safe),
            str(description),
        )
    return Diagnostic(
        path=path,
        line=int(line),
        column=int(column),
        code=str(code),
        message=str(message),
        severity=Severity(severity),
        end_line=_int(end_line),
        end_column=_int(end_column),
        fix=fix,
        related=tuple(
            RelatedLocation(
                int(r_line),
                int(r_column),
                str(note),
                _int(r_end_line),
                _int(r_end),
                None if r_path is None else str(r_path),
            )
            for r_line, r_column, note, r_end_line, r_end, r_path in related
        ),
    )


def _int(value: Any) -> int | None:
    return None if value is None else int(value)
