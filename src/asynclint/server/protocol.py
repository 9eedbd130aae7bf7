"""The language server: LSP messages wired to linting, code actions and hover (pygls)."""

from __future__ import annotations

import asyncio
import os
import traceback
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from asynclint import __version__
from asynclint.config import CONFIG_FILE
from asynclint.server import linting
from asynclint.server.actions import KINDS, code_actions
from asynclint.server.configuration import (
    ConfigError,
    ConfigResolver,
    parse_client_settings,
)
from asynclint.server.convert import to_lsp
from asynclint.server.documents import Documents
from asynclint.server.hover import hover
from asynclint.server.linting import Linted, lint
from asynclint.server.text import Buffer
from asynclint.settings import Settings


def _lint_thread() -> ThreadPoolExecutor:
    # One worker: lints run one after another, off the thread that reads messages.
    return ThreadPoolExecutor(max_workers=1, thread_name_prefix="asynclint-lint")


class AsynclintServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "asynclint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental
        )
        self.resolver = ConfigResolver()
        self.documents = Documents(self.lint_document)
        self.executor = _lint_thread()
        self._reported: set[str] = set()  # configuration errors already shown
        self.shutdown_requested = False

    # -- messages to the client ------------------------------------------------------------

    def log(self, message: str, kind: types.MessageType = types.MessageType.Info) -> None:
        self.window_log_message(types.LogMessageParams(type=kind, message=message))

    def report_internal_error(self, what: str) -> None:
        """An error of asynclint itself: the client's log gets the details, the server goes on."""
        self.log(f"asynclint: internal error {what}", types.MessageType.Error)

    def publish(self, uri: str, version: int | None, diagnostics: list[types.Diagnostic]) -> None:
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, version=version, diagnostics=diagnostics)
        )

    # -- linting -----------------------------------------------------------------------------

    def buffer(self, text: str) -> Buffer:
        encoding = self.workspace.position_encoding or types.PositionEncodingKind.Utf16
        return Buffer(text, encoding)

    def path_of(self, uri: str) -> str:
        path = to_fs_path(uri)
        if path is None:  # an unsaved buffer (untitled:...): configured from the workspace
            root = self.workspace.root_path or os.getcwd()
            path = os.path.join(root, os.path.basename(uri) or "untitled.py")
        return path

    async def lint_document(self, uri: str) -> None:
        try:
            await self._lint_document(uri)
        except asyncio.CancelledError:
            raise
        except Exception:  # keep serving: the next change gets a fresh try
            self.report_internal_error(f"while linting {uri}:\n{traceback.format_exc()}")

    async def _lint_document(self, uri: str) -> None:
        if uri not in self.workspace.text_documents:
            return  # closed before its turn came
        document = self.workspace.get_text_document(uri)
        text, version = document.source, document.version
        path = self.path_of(uri)
        try:
            settings = self.resolver.settings_for(path)
        except ConfigError as error:
            self._config_problem(str(error))
            settings = None
        previous = self.documents.linted.get(uri)
        if previous is not None and previous.text == text and previous.settings == settings:
            linted = previous  # saved without changes, or settings that change nothing here
        else:
            linted = await self._analyse(text, path, version, settings, uri)
        if uri not in self.workspace.text_documents or document.source != text:
            return  # closed or changed meanwhile: a newer lint is on its way
        for failure in linted.internal_errors:
            self.report_internal_error(failure)
        self.documents.linted[uri] = linted
        buffer = self.buffer(text)
        docs_url = self.resolver.client.docs_url
        self.publish(uri, version, [to_lsp(d, buffer, uri, docs_url) for d in linted.diagnostics])

    async def _analyse(
        self, text: str, path: str, version: int | None, settings: Settings | None, uri: str
    ) -> Linted:
        """`lint` on the lint thread, within the time limit. A lint over time is abandoned
        with its thread, and a fresh thread serves the next ones."""
        parser = self.documents.parser(uri)
        running = self.executor.submit(lint, text, path, version, settings, parser)
        try:
            return await asyncio.wait_for(asyncio.wrap_future(running), linting.TIME_LIMIT_SECONDS)
        except asyncio.TimeoutError:
            self.executor.shutdown(wait=False)
            self.executor = _lint_thread()
            return linting.over_time(text, path, version, settings)

    def _config_problem(self, message: str) -> None:
        self.log(f"asynclint: configuration error: {message}", types.MessageType.Error)
        if message not in self._reported:
            self._reported.add(message)
            self.window_show_message(
                types.ShowMessageParams(
                    type=types.MessageType.Error, message=f"asynclint: {message}"
                )
            )

    async def current(self, uri: str) -> Linted | None:
        """The findings for the document's text as it is now, linting it first if needed."""
        if uri not in self.workspace.text_documents:
            return None
        text = self.workspace.get_text_document(uri).source
        linted = self.documents.linted.get(uri)
        if linted is None or linted.text != text:
            self.documents.cancel(uri)
            await self.lint_document(uri)
            linted = self.documents.linted.get(uri)
        return linted if linted is not None and linted.text == text else None

    def is_config(self, uri: str) -> bool:
        """A pyproject.toml, or the file the client's `configFile` names."""
        if uri.rstrip("/").rsplit("/", 1)[-1] == CONFIG_FILE:
            return True
        named, path = self.resolver.client.config_file, to_fs_path(uri)
        return named is not None and path is not None and os.path.abspath(named) == path

    def relint_all(self) -> None:
        self.resolver.forget()
        self._reported.clear()
        for uri in list(self.workspace.text_documents):
            if not self.is_config(uri):
                self.documents.schedule(uri)

    def apply_client_settings(self, raw: Any) -> None:
        client, problems = parse_client_settings(raw)
        for problem in problems:
            self.log(f"asynclint: {problem}; ignored", types.MessageType.Warning)
        self.resolver.update(client)


server = AsynclintServer()


@server.feature(types.INITIALIZE)
def initialize(ls: AsynclintServer, params: types.InitializeParams) -> None:
    ls.apply_client_settings(params.initialization_options)


@server.feature(types.INITIALIZED)
async def initialized(ls: AsynclintServer, params: types.InitializedParams) -> None:
    capabilities = ls.client_capabilities.workspace
    watched = capabilities.did_change_watched_files if capabilities else None
    if watched is None or not watched.dynamic_registration:
        return
    watcher = types.FileSystemWatcher(glob_pattern=f"**/{CONFIG_FILE}")
    registration = types.Registration(
        id="asynclint-config-watcher",
        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=[watcher]),
    )
    try:
        await ls.client_register_capability_async(
            types.RegistrationParams(registrations=[registration])
        )
    except Exception as error:  # the client refused: didSave of pyproject.toml still works
        ls.log(f"asynclint: could not watch {CONFIG_FILE}: {error}", types.MessageType.Warning)


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def did_open(ls: AsynclintServer, params: types.DidOpenTextDocumentParams) -> None:
    if not ls.is_config(params.text_document.uri):
        ls.documents.schedule(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def did_change(ls: AsynclintServer, params: types.DidChangeTextDocumentParams) -> None:
    if not ls.is_config(params.text_document.uri):
        delay = ls.resolver.client.debounce_ms / 1000
        ls.documents.schedule(params.text_document.uri, delay)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def did_save(ls: AsynclintServer, params: types.DidSaveTextDocumentParams) -> None:
    if ls.is_config(params.text_document.uri):
        ls.relint_all()
    else:
        ls.documents.schedule(params.text_document.uri)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def did_close(ls: AsynclintServer, params: types.DidCloseTextDocumentParams) -> None:
    ls.documents.close(params.text_document.uri)
    ls.publish(params.text_document.uri, None, [])


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
async def did_change_configuration(
    ls: AsynclintServer, params: types.DidChangeConfigurationParams
) -> None:
    settings = params.settings
    capabilities = ls.client_capabilities.workspace
    if not settings and capabilities is not None and capabilities.configuration:
        # A client that pulls settings only says that something changed: ask for ours.
        try:
            answer = await ls.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section="asynclint")])
            )
            settings = answer[0] if answer else None
        except Exception as error:
            ls.log(f"asynclint: could not read the settings: {error}", types.MessageType.Warning)
    ls.apply_client_settings(settings)
    ls.relint_all()


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def did_change_watched_files(
    ls: AsynclintServer, params: types.DidChangeWatchedFilesParams
) -> None:
    if any(ls.is_config(change.uri) for change in params.changes):
        ls.relint_all()


@server.feature(
    types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(code_action_kinds=list(KINDS))
)
async def code_action(
    ls: AsynclintServer, params: types.CodeActionParams
) -> list[types.CodeAction] | None:
    uri = params.text_document.uri
    linted = await ls.current(uri)
    if linted is None:
        return None
    try:
        return code_actions(
            linted,
            ls.buffer(linted.text),
            uri,
            params.range,
            [str(kind) for kind in params.context.only] if params.context.only else None,
            ls.resolver.client.docs_url,
        )
    except Exception:
        ls.report_internal_error(f"in code actions for {uri}:\n{traceback.format_exc()}")
        return None


@server.feature(types.TEXT_DOCUMENT_HOVER)
async def on_hover(ls: AsynclintServer, params: types.HoverParams) -> types.Hover | None:
    uri = params.text_document.uri
    linted = await ls.current(uri)
    if linted is None:
        return None
    try:
        return hover(linted, ls.buffer(linted.text), params.position, ls.resolver.client.docs_url)
    except Exception:
        ls.report_internal_error(f"in hover for {uri}:\n{traceback.format_exc()}")
        return None


@server.feature(types.SHUTDOWN)
def shutdown(ls: AsynclintServer, *params: object) -> None:
    ls.shutdown_requested = True


def serve() -> None:
    server.start_io()
    # Do not wait for an analysis abandoned over time: the client is gone (and pygls has
    # closed standard output). As LSP says, the exit status is 0 after a shutdown request
    # and 1 otherwise.
    os._exit(0 if server.shutdown_requested else 1)
