"""Output formats, one module each. A reporter turns diagnostics into text and nothing else:
it does not print, exit or read configuration."""

from __future__ import annotations

FORMATS = ("text", "json", "sarif", "github")
