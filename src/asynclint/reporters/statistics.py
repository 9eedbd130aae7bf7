"""`--statistics`: how often each code was found, most frequent first (ruff's layout)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any

from asynclint.diagnostics import Diagnostic


def _rows(
    diagnostics: Sequence[Diagnostic], names: Mapping[str, str], unsafe: bool
) -> list[dict[str, Any]]:
    counts = Counter(d.code for d in diagnostics)
    fixable = {d.code for d in diagnostics if d.fix is not None and (d.fix.safe or unsafe)}
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [
        {"code": code, "name": names.get(code, ""), "count": count, "fixable": code in fixable}
        for code, count in ordered
    ]


def render_text(
    diagnostics: Sequence[Diagnostic], names: Mapping[str, str], *, unsafe: bool = False
) -> str:
    """One line per code: count, code, `[*]` when --fix can fix some of them, rule name."""
    rows = _rows(diagnostics, names, unsafe)
    if not rows:
        return ""
    count_width = max(len(str(row["count"])) for row in rows)
    code_width = max(len(row["code"]) for row in rows)
    lines = []
    for row in rows:
        marker = "[*] " if row["fixable"] else ""
        count, code = str(row["count"]).rjust(count_width), row["code"].ljust(code_width)
        lines.append(f"{count}  {code}  {marker}{row['name']}".rstrip())
    return "".join(line + "\n" for line in lines)


def render_json(
    diagnostics: Sequence[Diagnostic], names: Mapping[str, str], *, unsafe: bool = False
) -> str:
    """A list of {code, name, count, fixable}, most frequent first."""
    return json.dumps(_rows(diagnostics, names, unsafe), indent=2) + "\n"
