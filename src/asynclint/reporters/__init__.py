"""Output formats, one module each. A reporter turns diagnostics into text and nothing else:
it does not print, exit or read configuration."""

from __future__ import annotations

FORMATS = ("text", "concise", "full", "json", "sarif", "github")
HUMAN_FORMATS = ("text", "concise", "full")  # followed by a summary on stderr
