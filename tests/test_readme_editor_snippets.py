"""The editor snippets in the README's "Language server" section parse: JSON with json, TOML
with tomllib, Lua with `luac -p` when a Lua compiler is installed (Debian: lua5.4)."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

if sys.version_info >= (3, 11):
    import tomllib
else:
    import tomli as tomllib

README = Path(__file__).resolve().parent.parent / "README.md"
_BLOCK = re.compile(r"^```(?P<lang>\w+)\n(?P<body>.*?)^```$", re.MULTILINE | re.DOTALL)


def _blocks(lang: str) -> list[str]:
    text = README.read_text(encoding="utf-8")
    start = text.index("\n## Language server\n")
    end = text.index("\n## ", start + 1)
    return [m.group("body") for m in _BLOCK.finditer(text[start:end]) if m.group("lang") == lang]


def test_the_section_has_a_snippet_per_editor() -> None:
    assert len(_blocks("json")) == 1  # VS Code
    assert len(_blocks("lua")) == 2  # Neovim 0.11 and 0.10
    assert len(_blocks("toml")) == 1  # Helix


def test_vscode_settings_are_json_that_starts_the_server() -> None:
    (block,) = _blocks("json")
    settings = json.loads(block)
    command = [settings["glspc.server.command"], *settings["glspc.server.commandArguments"]]
    assert command == ["asynclint", "server"]


def test_helix_languages_toml_is_valid_and_starts_the_server() -> None:
    (block,) = _blocks("toml")
    config = tomllib.loads(block)
    server = config["language-server"]["asynclint"]
    assert [server["command"], *server["args"]] == ["asynclint", "server"]
    (python,) = config["language"]
    assert "asynclint" in python["language-servers"]


@pytest.mark.parametrize("index", [0, 1])
def test_neovim_lua_compiles(index: int, tmp_path: Path) -> None:
    luac = shutil.which("luac5.4") or shutil.which("luac")
    if luac is None:
        pytest.skip("no Lua compiler installed (apt-get install lua5.4)")
    block = _blocks("lua")[index]
    assert '"asynclint", "server"' in block
    source = tmp_path / "init.lua"
    source.write_text(block, encoding="utf-8")
    done = subprocess.run([luac, "-p", str(source)], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
