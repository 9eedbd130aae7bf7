"""Writing fixed files: only while a file still holds the bytes its fixes were made from, in
one atomic step that keeps its permissions and encoding."""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from collections.abc import Sequence

from asynclint.cache import content_hash
from asynclint.results import FileResult


def write_fixes(results: Sequence[FileResult]) -> list[str]:
    """Write every fixed file atomically; return a message for each that could not be."""
    errors = []
    for result in results:
        if result.fixed_text is None:
            continue
        failure = None
        if changed_since_checked(result):
            # Edited (or replaced) since it was read: writing would undo that edit.
            failure = f"{result.path}: changed while it was being checked; fixes not written"
        else:
            try:
                write_atomic(result.path, result.fixed_text, result.encoding)
            except UnicodeEncodeError as error:
                failure = f"{result.path}: fixed text cannot be encoded as {error.encoding}"
            except OSError as error:
                failure = f"{result.path}: cannot write fixes: {error.strerror or error}"
        if failure is not None:
            errors.append(failure)
            result.applied_fixes = []  # not written, so not fixed: the summary must not count it
    return errors


def changed_since_checked(result: FileResult, data: bytes | None = None) -> bool:
    """Does the file (`data`, its bytes as read now, or read here) differ from what was
    checked? Fixes and noqa comments are made for the checked text only. Never for a result
    without a digest (nothing to compare with)."""
    if result.source_digest is None:
        return False
    if data is None:
        try:
            with open(result.path, "rb") as handle:
                data = handle.read()
        except OSError:
            return True
    return content_hash(data) != result.source_digest


def write_atomic(path: str, text: str, encoding: str) -> None:
    """Replace the file's contents in one step (a reader sees the old or the new file, never
    half of one), keeping its permissions and encoding; `utf-8-sig` writes the BOM back.
    Raises UnicodeEncodeError or OSError, leaving the file untouched."""
    data = text.encode(encoding)
    target = os.path.realpath(path)  # write through a symlink instead of replacing it
    mode = stat.S_IMODE(os.stat(target).st_mode)
    directory, name = os.path.split(target)
    handle, temp = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(data)
        os.chmod(temp, mode)
        os.replace(temp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        raise
