#!/usr/bin/env python3
"""Download and unpack pinned source releases of real asyncio-heavy projects.

The result is a folder of real, third-party Python code to run asynclint over: it must not
crash on any file, and every finding on it should be one you would defend to the project's
maintainers. Nothing here is copied into the product; it is test input only.

Usage:  python3 tests/corpus/fetch.py [DEST]     (default: $ASYNCLINT_CORPUS or
        ~/.cache/asynclint-corpus). Prints DEST. Re-running reuses what is already there.
"""

from __future__ import annotations

import os
import pathlib
import subprocess
import sys
import tarfile
import zipfile

# name -> version: fixed so that every run sees the same code.
PINNED = {
    "aiohttp": "3.14.5",
    "uvicorn": "0.54.0",
    "asyncssh": "2.24.1",
    "websockets": "17.4",
    "anyio": "4.16.0",
    "httpx": "0.28.1",
    "aiokafka": "0.14.0",
    "redis": "8.1.0",
    "asyncpg": "0.32.0",
    "starlette": "1.10.0",
    "tornado": "6.6.1",
    "aiosqlite": "0.22.1",
}


def unpack(archive: pathlib.Path, dest: pathlib.Path) -> None:
    if archive.name.endswith((".zip", ".whl")):
        with zipfile.ZipFile(archive) as zf:
            zf.extractall(dest)
    else:
        with tarfile.open(archive) as tf:
            tf.extractall(dest, filter="data")


def main() -> int:
    default = os.environ.get(
        "ASYNCLINT_CORPUS", str(pathlib.Path.home() / ".cache" / "asynclint-corpus")
    )
    dest = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else default)
    archives = dest / "_archives"
    archives.mkdir(parents=True, exist_ok=True)
    failed = []
    for name, version in PINNED.items():
        target = dest / f"{name}-{version}"
        if target.is_dir():
            continue
        found = [
            p
            for p in archives.iterdir()
            if p.name.lower().replace("_", "-").startswith(f"{name}-{version}".lower())
        ]
        if not found:
            cmd = [
                sys.executable,
                "-m",
                "pip",
                "download",
                "--quiet",
                "--no-deps",
                "--no-binary",
                ":all:",
                "-d",
                str(archives),
                f"{name}=={version}",
            ]
            done = subprocess.run(cmd, capture_output=True, text=True)
            found = [
                p
                for p in archives.iterdir()
                if p.name.lower().replace("_", "-").startswith(f"{name}-{version}".lower())
            ]
            if (
                not found
            ):  # some sdists cannot prepare metadata here; the wheel holds the same modules
                wheel = [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "--quiet",
                    "--no-deps",
                    "--only-binary",
                    ":all:",
                    "-d",
                    str(archives),
                    f"{name}=={version}",
                ]
                done = subprocess.run(wheel, capture_output=True, text=True)
                found = [
                    p
                    for p in archives.iterdir()
                    if p.name.lower().replace("_", "-").startswith(f"{name}-{version}".lower())
                ]
            if not found:
                print(f"{name}=={version}: {done.stderr.strip()[-300:]}", file=sys.stderr)
                failed.append(name)
                continue
        tmp = dest / f".{name}.partial"
        unpack(found[0], tmp)
        inner = [p for p in tmp.iterdir()]
        (inner[0] if len(inner) == 1 else tmp).rename(target)
        if tmp.exists():
            tmp.rmdir()
    if failed:
        print("could not fetch: " + ", ".join(failed), file=sys.stderr)
    print(dest)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
