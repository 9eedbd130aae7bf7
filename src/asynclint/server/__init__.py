"""`asynclint server`: a language server over stdio, for editors that speak LSP.

It needs the `server` extra (`pip install "asynclint[server]"`: pygls and lsprotocol); nothing
outside this package imports them, so the core install stays lean. Modules: `protocol` wires
LSP messages, `documents` decides when to lint, `linting` runs the engine on a buffer,
`configuration` finds the settings for a file, `convert`/`text` translate findings and
positions, `actions` and `hover` answer those requests."""

from __future__ import annotations

MISSING_EXTRA = (
    '`asynclint server` needs the language server extra: pip install "asynclint[server]"'
)
