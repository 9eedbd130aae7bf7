"""`asynclint server` end to end: a real LSP client (pytest-lsp) talks to the server over stdio.

Each test starts its own server process in a fresh project folder. They take a few seconds
in all; `-m "not lsp"` leaves them out of a quick local run."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

pytest.importorskip("pygls", reason="needs the server extra: pip install 'asynclint[server]'")

import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient

pytestmark = [pytest.mark.lsp, pytest.mark.asyncio(loop_scope="function")]

SOURCE = """\
import asyncio


async def echo(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    while data := await reader.read(4096):
        writer.write(data)
"""
WRITE = "writer.write(data)"
WRITE_LINE = SOURCE.splitlines().index(f"        {WRITE}")
WRITE_COLUMN = SOURCE.splitlines()[WRITE_LINE].index(WRITE)
TIMEOUT = 30.0  # the server may share two cores with other work


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-m", "asynclint", "server"])
)
async def client(lsp_client: LanguageClient, tmp_path: Path):  # type: ignore[no-untyped-def]
    (tmp_path / "pyproject.toml").write_text("[tool.asynclint]\n", encoding="utf-8")
    capabilities = types.ClientCapabilities(
        general=types.GeneralClientCapabilities(
            position_encodings=[types.PositionEncodingKind.Utf16]
        ),
        text_document=types.TextDocumentClientCapabilities(
            hover=types.HoverClientCapabilities(content_format=[types.MarkupKind.Markdown]),
            code_action=types.CodeActionClientCapabilities(
                code_action_literal_support=types.ClientCodeActionLiteralOptions(
                    code_action_kind=types.ClientCodeActionKindOptions(
                        value_set=[types.CodeActionKind.QuickFix, types.CodeActionKind.Source]
                    )
                )
            ),
            publish_diagnostics=types.PublishDiagnosticsClientCapabilities(
                related_information=True, version_support=True
            ),
        ),
    )
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=capabilities,
            root_uri=tmp_path.as_uri(),
            initialization_options={"asynclint": {"debounceMs": 0}},
        )
    )
    yield
    server = lsp_client._server
    if server is None or server.returncode is None:  # unless a test shut it down itself
        await lsp_client.shutdown_session()


# -- helpers ---------------------------------------------------------------------------------


async def diagnostics_where(
    client: LanguageClient, uri: str, condition: Callable[[Sequence[types.Diagnostic]], bool]
) -> Sequence[types.Diagnostic]:
    """The document's diagnostics once a publication satisfies `condition`."""

    async def wait() -> Sequence[types.Diagnostic]:
        while True:
            found = client.diagnostics.get(uri)
            if found is not None and condition(found):
                return list(found)
            await client.wait_for_notification(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)

    return await asyncio.wait_for(wait(), TIMEOUT)


def codes(found: Sequence[types.Diagnostic]) -> list[str]:
    return sorted(str(d.code) for d in found)


def has(code: str) -> Callable[[Sequence[types.Diagnostic]], bool]:
    return lambda found: code in codes(found)


def lacks(code: str) -> Callable[[Sequence[types.Diagnostic]], bool]:
    return lambda found: code not in codes(found)


def open_file(client: LanguageClient, path: Path, text: str, version: int = 1) -> str:
    path.write_text(text, encoding="utf-8")
    uri = path.as_uri()
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(
                uri=uri, language_id="python", version=version, text=text
            )
        )
    )
    return uri


def change(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def apply(text: str, edits: Sequence[types.TextEdit]) -> str:
    """Apply LSP edits (ASCII test texts: UTF-16 units are characters)."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(position: types.Position) -> int:
        return starts[position.line] + position.character

    for edit in sorted(edits, key=lambda e: offset(e.range.start), reverse=True):
        text = text[: offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end) :]
    return text


async def actions_at(
    client: LanguageClient, uri: str, where: types.Range, only: list[str] | None = None
) -> list[types.CodeAction]:
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=where,
            context=types.CodeActionContext(diagnostics=[], only=only),
        )
    )
    return [action for action in result or [] if isinstance(action, types.CodeAction)]


def edits_of(action: types.CodeAction, uri: str) -> list[types.TextEdit]:
    assert action.edit is not None and action.edit.changes is not None
    return list(action.edit.changes[uri])


def write_range() -> types.Range:
    return types.Range(
        start=types.Position(line=WRITE_LINE, character=WRITE_COLUMN),
        end=types.Position(line=WRITE_LINE, character=WRITE_COLUMN + len(WRITE)),
    )


# -- diagnostics -----------------------------------------------------------------------------


async def test_open_reports_the_finding_at_its_range(client: LanguageClient, tmp_path: Path):
    uri = open_file(client, tmp_path / "app.py", SOURCE)
    found = await diagnostics_where(client, uri, has("AIO401"))
    (diagnostic,) = found
    assert diagnostic.range == write_range()
    assert diagnostic.severity == types.DiagnosticSeverity.Warning
    assert diagnostic.source == "asynclint"
    # No docs URL configured: no link, and the rule's name is in the message.
    assert diagnostic.code_description is None
    assert "[stream-write-without-drain]" in diagnostic.message


async def test_an_unsaved_change_is_checked_and_close_clears(
    client: LanguageClient, tmp_path: Path
):
    uri = open_file(client, tmp_path / "app.py", SOURCE)
    await diagnostics_where(client, uri, has("AIO401"))
    # The file on disk keeps its finding; the buffer is what counts.
    fixed = SOURCE + "        await writer.drain()\n"
    change(client, uri, fixed, 2)
    assert await diagnostics_where(client, uri, lacks("AIO401")) == []
    change(client, uri, SOURCE, 3)
    await diagnostics_where(client, uri, has("AIO401"))
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(text_document=types.TextDocumentIdentifier(uri=uri))
    )
    assert await diagnostics_where(client, uri, lambda found: not found) == []


async def test_incremental_changes_are_applied_before_checking(
    client: LanguageClient, tmp_path: Path
):
    uri = open_file(client, tmp_path / "app.py", SOURCE)
    await diagnostics_where(client, uri, has("AIO401"))
    end_of_write = types.Position(line=WRITE_LINE, character=WRITE_COLUMN + len(WRITE))
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
            content_changes=[
                types.TextDocumentContentChangePartial(
                    range=types.Range(start=end_of_write, end=end_of_write),
                    text="\n        await writer.drain()",
                )
            ],
        )
    )
    assert await diagnostics_where(client, uri, lacks("AIO401")) == []


async def test_related_locations_and_error_severity(client: LanguageClient, tmp_path: Path):
    source = """\
import asyncio

a = asyncio.Lock()
b = asyncio.Lock()


async def one() -> None:
    async with a:
        async with b:
            pass


async def two() -> None:
    async with b:
        async with a:
            pass


async def main() -> None:
    lock = asyncio.Lock()
    with lock:
        pass
"""
    uri = open_file(client, tmp_path / "locks.py", source)
    found = await diagnostics_where(client, uri, lambda f: {"AIO303", "AIO305"} <= set(codes(f)))
    inversion = next(d for d in found if d.code == "AIO303")
    assert inversion.related_information
    lines = source.splitlines()
    for related in inversion.related_information:
        assert related.location.uri == uri
        assert "async with" in lines[related.location.range.start.line]
    plain_with = next(d for d in found if d.code == "AIO305")
    assert plain_with.severity == types.DiagnosticSeverity.Error


async def test_syntax_error_while_typing_then_recovery(client: LanguageClient, tmp_path: Path):
    uri = open_file(client, tmp_path / "app.py", SOURCE)
    await diagnostics_where(client, uri, has("AIO401"))
    half_typed = SOURCE.replace("writer.write(data)", "writer.write(data")
    change(client, uri, half_typed, 2)
    found = await diagnostics_where(client, uri, has("AIO001"))
    assert codes(found) == ["AIO001"]
    assert found[0].severity == types.DiagnosticSeverity.Error
    change(client, uri, SOURCE, 3)
    await diagnostics_where(client, uri, has("AIO401"))


async def test_binary_buffer_is_answered_without_crashing(client: LanguageClient, tmp_path: Path):
    uri = open_file(client, tmp_path / "blob.py", "async def f():\x00\x00\n")
    found = await diagnostics_where(client, uri, has("AIO002"))
    assert codes(found) == ["AIO002"]
    # Still serving: another file is checked as usual.
    other = open_file(client, tmp_path / "app.py", SOURCE)
    await diagnostics_where(client, other, has("AIO401"))


# -- code actions ----------------------------------------------------------------------------


async def test_quick_fix_inserts_drain(client: LanguageClient, tmp_path: Path):
    uri = open_file(client, tmp_path / "app.py", SOURCE)
    await diagnostics_where(client, uri, has("AIO401"))
    actions = await actions_at(client, uri, write_range())
    fix = next(a for a in actions if a.is_preferred)
    assert fix.kind == types.CodeActionKind.QuickFix
    assert fix.diagnostics and fix.diagnostics[0].code == "AIO401"
    fixed = apply(SOURCE, edits_of(fix, uri))
    assert fixed == SOURCE + "        await writer.drain()\n"
    change(client, uri, fixed, 2)
    assert await diagnostics_where(client, uri, lacks("AIO401")) == []


async def test_unsafe_fix_is_labelled_and_not_preferred(client: LanguageClient, tmp_path: Path):
    source = """\
import asyncio


async def run() -> int:
    proc = await asyncio.create_subprocess_exec("ls", stdout=asyncio.subprocess.PIPE)
    return await proc.wait()
"""
    uri = open_file(client, tmp_path / "proc.py", source)
    (found,) = await diagnostics_where(client, uri, has("AIO201"))
    actions = await actions_at(client, uri, found.range)
    fixes = [a for a in actions if a.title.startswith("Disable") is False]
    assert fixes, actions
    assert all("unsafe" in a.title and not a.is_preferred for a in fixes)


async def test_noqa_action_adds_then_extends_the_comment(client: LanguageClient, tmp_path: Path):
    uri = open_file(client, tmp_path / "app.py", SOURCE)
    await diagnostics_where(client, uri, has("AIO401"))
    actions = await actions_at(client, uri, write_range())
    noqa = next(a for a in actions if a.title == "Disable AIO401 for this line")
    silenced = apply(SOURCE, edits_of(noqa, uri))
    assert silenced.splitlines()[WRITE_LINE] == f"        {WRITE}  # noqa: AIO401"
    change(client, uri, silenced, 2)
    assert await diagnostics_where(client, uri, lacks("AIO401")) == []

    # An existing list of codes is extended rather than replaced.
    listed = SOURCE.replace(WRITE, f"{WRITE}  # noqa: E501")
    change(client, uri, listed, 3)
    await diagnostics_where(client, uri, has("AIO401"))
    actions = await actions_at(client, uri, write_range())
    noqa = next(a for a in actions if a.title == "Disable AIO401 for this line")
    extended = apply(listed, edits_of(noqa, uri))
    assert extended.splitlines()[WRITE_LINE] == f"        {WRITE}  # noqa: E501, AIO401"


async def test_fix_all_applies_every_safe_fix(client: LanguageClient, tmp_path: Path):
    source = (
        SOURCE
        + """

async def main() -> None:
    asyncio.sleep(1)
"""
    )
    uri = open_file(client, tmp_path / "app.py", source)
    await diagnostics_where(client, uri, lambda f: {"AIO401", "AIO601"} <= set(codes(f)))
    whole = types.Range(
        start=types.Position(line=0, character=0), end=types.Position(line=0, character=0)
    )
    actions = await actions_at(client, uri, whole, only=["source.fixAll.asynclint"])
    (fix_all,) = actions
    assert fix_all.kind == "source.fixAll.asynclint"
    # Kinds are hierarchical: an editor's "source.fixAll" on save includes it, quick fixes not.
    on_save = await actions_at(client, uri, whole, only=["source.fixAll"])
    assert [a.kind for a in on_save] == ["source.fixAll.asynclint"]
    quick = await actions_at(client, uri, whole, only=[types.CodeActionKind.QuickFix])
    assert all(a.kind == types.CodeActionKind.QuickFix for a in quick)
    fixed = apply(source, edits_of(fix_all, uri))
    assert "await writer.drain()" in fixed
    assert "await asyncio.sleep(1)" in fixed
    change(client, uri, fixed, 2)
    found = await diagnostics_where(client, uri, lacks("AIO401"))
    assert "AIO601" not in codes(found)


# -- hover -----------------------------------------------------------------------------------


async def hover_at(client: LanguageClient, uri: str, line: int, character: int) -> str | None:
    result = await client.text_document_hover_async(
        types.HoverParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            position=types.Position(line=line, character=character),
        )
    )
    if result is None:
        return None
    assert isinstance(result.contents, types.MarkupContent)
    return result.contents.value


async def test_hover_on_a_finding_and_on_a_noqa_code(client: LanguageClient, tmp_path: Path):
    # The comment silences another code: AIO401 is still reported on this line.
    source = SOURCE.replace(WRITE, f"{WRITE}  # noqa: AIO402")
    uri = open_file(client, tmp_path / "app.py", source)
    await diagnostics_where(client, uri, has("AIO401"))
    text = await hover_at(client, uri, WRITE_LINE, WRITE_COLUMN + 3)
    assert text is not None
    assert "stream-write-without-drain" in text
    assert "What it does" in text and "Why is this bad?" in text and "Example" in text
    column = source.splitlines()[WRITE_LINE].index("AIO402") + 2
    text = await hover_at(client, uri, WRITE_LINE, column)
    assert text is not None and "stream-close-without-wait-closed" in text
    assert "stream-write-without-drain" not in text
    # Nothing to explain where there is no finding.
    assert await hover_at(client, uri, 0, 2) is None


# -- configuration ---------------------------------------------------------------------------


async def test_client_settings_change_takes_effect(client: LanguageClient, tmp_path: Path):
    uri = open_file(client, tmp_path / "app.py", SOURCE)
    await diagnostics_where(client, uri, has("AIO401"))
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"asynclint": {"ignore": ["AIO401"], "debounceMs": 0}}
        )
    )
    assert await diagnostics_where(client, uri, lacks("AIO401")) == []
    url = "https://example.org/rules/{code}.html"
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"asynclint": {"docsUrl": url}})
    )
    (found,) = await diagnostics_where(client, uri, has("AIO401"))
    assert found.code_description is not None
    assert found.code_description.href == "https://example.org/rules/AIO401.html"
    assert "[stream-write-without-drain]" not in found.message


async def test_pyproject_edit_takes_effect_without_restart(client: LanguageClient, tmp_path: Path):
    (tmp_path / "tests").mkdir()
    uri = open_file(client, tmp_path / "tests" / "test_app.py", SOURCE)
    await diagnostics_where(client, uri, has("AIO401"))
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(
        '[tool.asynclint]\nper-file-ignores = { "tests/*" = ["AIO401"] }\n', encoding="utf-8"
    )
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=pyproject.as_uri(), type=types.FileChangeType.Changed)]
        )
    )
    assert await diagnostics_where(client, uri, lacks("AIO401")) == []
    # Saving the file in the editor counts too.
    pyproject.write_text("[tool.asynclint]\n", encoding="utf-8")
    client.text_document_did_save(
        types.DidSaveTextDocumentParams(
            text_document=types.TextDocumentIdentifier(uri=pyproject.as_uri())
        )
    )
    await diagnostics_where(client, uri, has("AIO401"))


async def test_bad_configuration_is_shown_and_the_server_keeps_serving(
    client: LanguageClient, tmp_path: Path
):
    (tmp_path / "pyproject.toml").write_text('[tool.asynclint]\nselect = ["AIO9"]\n')
    bad = open_file(client, tmp_path / "app.py", SOURCE)
    assert await diagnostics_where(client, bad, lambda found: True) == []

    async def shown() -> None:
        while not any("AIO9" in m.message for m in client.messages):
            await client.wait_for_notification(types.WINDOW_SHOW_MESSAGE)

    await asyncio.wait_for(shown(), TIMEOUT)
    elsewhere = tmp_path / "other"
    elsewhere.mkdir()
    (elsewhere / "pyproject.toml").write_text("[tool.asynclint]\n")
    good = open_file(client, elsewhere / "app.py", SOURCE)
    await diagnostics_where(client, good, has("AIO401"))


# -- lifecycle -------------------------------------------------------------------------------


async def test_shutdown_and_exit_end_the_process(client: LanguageClient, tmp_path: Path):
    uri = open_file(client, tmp_path / "app.py", SOURCE)
    await diagnostics_where(client, uri, has("AIO401"))
    await asyncio.wait_for(client.shutdown_session(), TIMEOUT)
    server = client._server
    assert server is not None and server.returncode == 0


# -- internal errors -------------------------------------------------------------------------

# The real server, with the engine made to fail on files named crash.py (a stand-in for a bug)
# and to take 20 s on files named slow.py, against a time limit of 1 s.
CRASHING_SERVER = """
import time
import asynclint.server.linting as linting
real = linting.check_buffer
def check_buffer(text, path, settings, **options):
    if path.endswith("crash.py"):
        raise RuntimeError("simulated failure")
    if path.endswith("slow.py"):
        time.sleep(20)
    return real(text, path, settings, **options)
linting.check_buffer = check_buffer
linting.TIME_LIMIT_SECONDS = 1.0
from asynclint.server.protocol import serve
serve()
"""


@pytest_lsp.fixture(
    config=ClientServerConfig(server_command=[sys.executable, "-c", CRASHING_SERVER])
)
async def crashing(lsp_client: LanguageClient, tmp_path: Path):  # type: ignore[no-untyped-def]
    await lsp_client.initialize_session(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            root_uri=tmp_path.as_uri(),
            initialization_options={"debounceMs": 0},
        )
    )
    yield
    server = lsp_client._server
    if server is None or server.returncode is None:  # unless a test shut it down itself
        await lsp_client.shutdown_session()


async def test_internal_error_is_logged_and_the_server_keeps_serving(
    crashing: LanguageClient, tmp_path: Path
):
    open_file(crashing, tmp_path / "crash.py", SOURCE)

    async def logged() -> str:
        while True:
            for message in crashing.log_messages:
                if "simulated failure" in message.message:
                    return message.message
            await crashing.wait_for_notification(types.WINDOW_LOG_MESSAGE)

    message = await asyncio.wait_for(logged(), TIMEOUT)
    assert "internal error" in message and "crash.py" in message
    uri = open_file(crashing, tmp_path / "app.py", SOURCE)
    await diagnostics_where(crashing, uri, has("AIO401"))


async def test_config_file_setting_is_used_and_watched(client: LanguageClient, tmp_path: Path):
    uri = open_file(client, tmp_path / "app.py", SOURCE)
    await diagnostics_where(client, uri, has("AIO401"))
    named = tmp_path / "tools" / "asynclint.toml"
    named.parent.mkdir()
    named.write_text('ignore = ["AIO401"]\n', encoding="utf-8")
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            settings={"asynclint": {"configFile": str(named), "debounceMs": 0}}
        )
    )
    assert await diagnostics_where(client, uri, lacks("AIO401")) == []
    named.write_text("ignore = []\n", encoding="utf-8")
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            changes=[types.FileEvent(uri=named.as_uri(), type=types.FileChangeType.Changed)]
        )
    )
    await diagnostics_where(client, uri, has("AIO401"))


async def test_analysis_over_time_gives_aio003_and_others_go_on(
    crashing: LanguageClient, tmp_path: Path
):
    slow = open_file(crashing, tmp_path / "slow.py", SOURCE)
    found = await diagnostics_where(crashing, slow, has("AIO003"))
    assert codes(found) == ["AIO003"]
    assert "longer than 1 s" in found[0].message
    # The abandoned analysis is still sleeping: the next file must not wait for it.
    started = asyncio.get_running_loop().time()
    uri = open_file(crashing, tmp_path / "app.py", SOURCE)
    await diagnostics_where(crashing, uri, has("AIO401"))
    assert asyncio.get_running_loop().time() - started < 15
    # Nor does the end of the session.
    started = asyncio.get_running_loop().time()
    await asyncio.wait_for(crashing.shutdown_session(), TIMEOUT)
    assert asyncio.get_running_loop().time() - started < 10
    assert crashing._server is not None and crashing._server.returncode == 0
