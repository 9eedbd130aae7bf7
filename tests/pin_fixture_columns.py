"""Give every `# error: CODE` marker in tests/fixtures the column the engine reports it at.

    python tests/pin_fixture_columns.py [FIXTURE ...]

Only a marker whose line the engine reports (with that code) gets its column (or columns, when
the code is reported more than once on the line); a marker on a line the engine does not report
is left as it is and listed. Markers that already pin a column are kept: check the marked lines
first, then pin."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from rule_docs import FIXTURES_DIR, lint, positioned_markers

_MARKER = re.compile(
    r"(#\s*error:\s*)(?P<codes>AIO[0-9]{3}(?::[0-9]+)?(?:\s*,\s*AIO[0-9]{3}(?::[0-9]+)?)*)"
)


def pin(path: Path) -> list[str]:
    text = path.read_text(encoding="utf-8")
    codes = {code for _, code, _ in positioned_markers(text)} | {path.stem}
    reported: dict[tuple[int, str], list[int]] = {}
    for code in codes:
        for d in lint(text, (code,), path=path.name).diagnostics:
            if d.code == code:
                reported.setdefault((d.line, d.code), []).append(d.column)
    problems = []
    lines = text.split("\n")
    for index, line in enumerate(lines):
        match = _MARKER.search(line)
        if match is None:
            continue
        items = []
        for item in (part.strip() for part in match.group("codes").split(",")):
            code, _, column = item.partition(":")
            columns = sorted(set(reported.get((index + 1, code), [])))
            if column:
                items.append(item)
            elif columns:
                items.extend(f"{code}:{column}" for column in columns)
            else:
                items.append(item)
                problems.append(f"{path.name}:{index + 1}: {code} is not reported on this line")
        lines[index] = line[: match.start("codes")] + ", ".join(items) + line[match.end("codes") :]
    path.write_text("\n".join(lines), encoding="utf-8")
    return problems


def main(argv: list[str]) -> int:
    paths = [Path(arg) if Path(arg).exists() else FIXTURES_DIR / arg for arg in argv]
    paths = paths or sorted(FIXTURES_DIR.glob("AIO*.py"))
    problems = [problem for path in paths for problem in pin(path)]
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
