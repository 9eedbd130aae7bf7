"""Write what the rule registry says into the docs: the README's rule table and the header line
(severity and fix) of each `rules/AIOnnn.md`.

    python scripts/generate_docs.py          # rewrite what is stale
    python scripts/generate_docs.py --check  # exit 1 and name what is stale, change nothing

`tests/test_registry.py` runs the check, so a registry change without its docs fails a test."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from asynclint.registry import RULES, RuleInfo

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
DOCS = ROOT / "rules"
TABLE_START = (
    "<!-- rules table: generated from src/asynclint/registry.py by scripts/generate_docs.py -->"
)
TABLE_END = "<!-- end of rules table -->"
COMMAND = "python scripts/generate_docs.py"


def table_row(info: RuleInfo) -> str:
    selection = {"default": "", "preview": " (preview)", "opt-in": " (opt-in)"}[info.status]
    fix = info.fix_label or info.fix_safety or "\u2013"  # an en dash marks "no fix"
    summary = info.summary.replace("|", "\\|")
    return f"| {info.code} | {info.name} | {summary} | {info.severity.value}{selection} | {fix} |"


def readme_table() -> str:
    lines = [
        "| Code | Name | What it catches | Severity | Fix |",
        "|---|---|---|---|---|",
        *(table_row(info) for info in RULES),
    ]
    return "\n".join(lines)


def with_table(readme: str) -> str:
    start, end = readme.index(TABLE_START), readme.index(TABLE_END)
    return f"{readme[: start + len(TABLE_START)]}\n{readme_table()}\n{readme[end:]}"


def doc_header(info: RuleInfo) -> str:
    note = f" ({info.fix_note})" if info.fix_note else ""
    return f"Severity: {info.severity.value} · Fix: {info.fix_safety or 'none'}{note}"


def with_header(doc: str, info: RuleInfo) -> str:
    lines = doc.split("\n")
    lines[0] = f"# {info.code} {info.name}"
    lines[1] = doc_header(info)
    return "\n".join(lines)


def generated() -> dict[Path, str]:
    """Every generated file with the text it should have."""
    files = {README: with_table(README.read_text(encoding="utf-8"))}
    for info in RULES:
        path = DOCS / f"{info.code}.md"
        if path.exists():
            files[path] = with_header(path.read_text(encoding="utf-8"), info)
    return files


def stale() -> list[Path]:
    return [path for path, text in generated().items() if path.read_text(encoding="utf-8") != text]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report stale files, change none")
    args = parser.parse_args(argv)
    if args.check:
        for path in stale():
            print(f"stale: {path.relative_to(ROOT)} (run: {COMMAND})")
        return 1 if stale() else 0
    for path, text in generated().items():
        if path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
