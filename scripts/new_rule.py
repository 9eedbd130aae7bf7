"""Start a new rule: its registry entry, its class, its doc and its fixture, as skeletons.

    python scripts/new_rule.py AIO213 subprocess-something-wrong [--severity error]

Then write the detector (the class's `check`, with the facts it needs in `semantics/` when
another rule needs them too), the doc's sections and the fixture's cases, and run
`python -m pytest -m "not slow" tests/test_registry.py tests/test_rules.py`. See CONTRIBUTING.md.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGISTRY = ROOT / "src" / "asynclint" / "registry.py"
RULES = ROOT / "src" / "asynclint" / "rules"
# Which package holds a family's rules (in its __init__.py), by the code's hundreds digit.
FAMILIES = {
    "1": "queues",
    "2": "subprocess",
    "3": "locks",
    "4": "streams",
    "5": "cancellation",
    "6": "tasks",
}

DOC = """# {code} {name}
Severity: {severity} · Fix: none

## What it does
TODO: what the rule flags, and the look-alikes it leaves alone.

## Why is this bad?
TODO: what goes wrong at run time.

## Example
```python
import asyncio


async def example():
    ...  # error: {code}
```

## Use instead
```python
import asyncio


async def example():
    ...
```

## Fix
No automatic fix.

## References
- TODO: https://docs.python.org/3/library/asyncio.html
"""

FIXTURE = '''"""{code} {name}: each reported line carries `# error: {code}`; the rest are
look-alikes that must stay clean."""

import asyncio
'''

CLASS = """

class {class_name}(Rule):
    code = "{code}"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        return iter(())  # TODO: the detector
"""


def class_name(name: str) -> str:
    return "".join(part.capitalize() for part in name.split("-"))


def registry_entry(code: str, name: str, severity: str) -> str:
    return (
        f"    RuleInfo(\n"
        f'        "{code}",\n'
        f'        "{name}",\n'
        f"        {severity.upper()},\n"
        f'        "TODO: what {name} catches, in a sentence.",\n'
        f"    ),\n"
    )


def add_to_registry(code: str, name: str, severity: str) -> None:
    text = REGISTRY.read_text(encoding="utf-8")
    if f'"{code}"' in text or f'"{name}"' in text:
        raise SystemExit(f"{code} or {name} is already in {REGISTRY.name}")
    entries = list(re.finditer(r'^    RuleInfo\(\n        "(AIO[0-9]{3})"', text, re.MULTILINE))
    later = [entry for entry in entries if entry.group(1) > code]
    at = later[0].start() if later else text.index("\n)\n", entries[-1].start()) + 1
    REGISTRY.write_text(text[:at] + registry_entry(code, name, severity) + text[at:], "utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("code", help="AIOnnn, not yet used")
    parser.add_argument("name", help="kebab-case name, e.g. subprocess-something-wrong")
    parser.add_argument("--severity", choices=("error", "warning"), default="warning")
    args = parser.parse_args(argv)
    code, name = args.code.upper(), args.name
    if not re.fullmatch(r"AIO[1-9][0-9]{2}", code) or code[3] not in FAMILIES:
        raise SystemExit(f"{code}: expected AIO1nn to AIO6nn")
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", name):
        raise SystemExit(f"{name}: expected a kebab-case name")
    doc = ROOT / "rules" / f"{code}.md"
    fixture = ROOT / "tests" / "fixtures" / f"{code}.py"
    for path in (doc, fixture):
        if path.exists():
            raise SystemExit(f"{path.relative_to(ROOT)} already exists")
    add_to_registry(code, name, args.severity)
    module = RULES / FAMILIES[code[3]] / "__init__.py"
    with module.open("a", encoding="utf-8") as out:
        out.write(CLASS.format(class_name=class_name(name), code=code))
    doc.write_text(DOC.format(code=code, name=name, severity=args.severity), encoding="utf-8")
    fixture.write_text(FIXTURE.format(code=code, name=name), encoding="utf-8")
    subprocess.run([sys.executable, str(ROOT / "scripts" / "generate_docs.py")], check=True)
    for path in (REGISTRY, module, doc, fixture):
        print(f"edit {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
