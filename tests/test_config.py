"""`[tool.asynclint]` in pyproject.toml, and how it combines with the command line."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from asynclint.config import (
    CliOptions,
    ConfigError,
    check_selectors,
    find_config,
    foreign_ignores,
    read_config,
    resolve,
)
from asynclint.files import DEFAULT_EXCLUDES
from asynclint.settings import Settings


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_no_config_gives_defaults_rooted_at_cwd(project: Path) -> None:
    config = resolve(CliOptions(), start=".")
    assert config.settings == Settings(project_root=str(project))
    assert config.config_path is None
    assert config.project_root == str(project)
    assert config.discovery.exclude == DEFAULT_EXCLUDES


def test_all_keys_are_read(project: Path) -> None:
    _write(
        project / "pyproject.toml",
        """
[tool.asynclint]
select = ["AIO1", "aio4"]
ignore = ["AIO102"]
extend-select = ["AIO201"]
per-file-ignores = { "tests/*" = ["AIO401"] }
exclude = ["gen"]
extend-exclude = ["*_pb2.py"]
target-version = "py312"
preview = true
""",
    )
    config = resolve(CliOptions(), start=".")
    assert config.settings == Settings(
        select=("AIO1", "AIO4"),
        ignore=("AIO102",),
        extend_select=("AIO201",),
        per_file_ignores=(("tests/*", ("AIO401",)),),
        target_version=(3, 12),
        preview=True,
        project_root=str(project),
    )
    assert config.discovery.exclude == ("gen",)
    assert config.discovery.extend_exclude == ("*_pb2.py",)
    assert config.discovery.base == str(project)
    assert config.config_path == str(project / "pyproject.toml")
    hash(config.settings)  # settings key caches: they must stay hashable


def test_nearest_pyproject_with_a_section_is_used_from_a_subdirectory(project: Path) -> None:
    _write(project / "pyproject.toml", '[tool.asynclint]\nselect = ["AIO4"]\n')
    _write(project / "pkg" / "pyproject.toml", '[project]\nname = "pkg"\n')
    (project / "pkg" / "src").mkdir()
    config = resolve(CliOptions(), start=str(project / "pkg" / "src"))
    assert config.settings.select == ("AIO4",)
    assert config.project_root == str(project)


def test_search_starts_from_a_file_path(project: Path) -> None:
    _write(project / "sub" / "pyproject.toml", '[tool.asynclint]\nselect = ["AIO2"]\n')
    target = _write(project / "sub" / "m.py", "")
    assert resolve(CliOptions(), start=str(target)).settings.select == ("AIO2",)


def test_nearest_pyproject_without_section_still_roots_the_project(project: Path) -> None:
    _write(project / "pyproject.toml", '[project]\nname = "x"\nrequires-python = ">=3.11"\n')
    config = resolve(CliOptions(), start=".")
    assert config.project_root == str(project)
    assert config.settings.target_version == (3, 11)


@pytest.mark.parametrize(
    ("requires", "target"),
    [
        (">=3.9", (3, 9)),
        (">=3.9,<4", (3, 9)),
        ("<4, >= 3.12", (3, 12)),
        ("~=3.11", (3, 11)),
        ("==3.13.*", (3, 13)),
        (">=3.6", (3, 8)),  # below what we model: the oldest supported
        (">=3.99", (3, 14)),
        ("<4", (3, 10)),  # no lower bound: the default
        ("garbage", (3, 10)),
    ],
)
def test_target_version_defaults_to_requires_python(
    project: Path, requires: str, target: tuple[int, int]
) -> None:
    _write(project / "pyproject.toml", f'[project]\nrequires-python = "{requires}"\n')
    assert resolve(CliOptions(), start=".").settings.target_version == target


def test_requires_python_of_a_nearer_file_is_used_when_the_configured_one_has_none(
    project: Path,
) -> None:
    _write(project / "pyproject.toml", "[tool.asynclint]\npreview = true\n")
    _write(project / "pkg" / "pyproject.toml", '[project]\nrequires-python = ">=3.12"\n')
    config = resolve(CliOptions(), start=str(project / "pkg"))
    assert config.settings.preview
    assert config.settings.target_version == (3, 12)


def test_explicit_target_version_beats_requires_python(project: Path) -> None:
    _write(
        project / "pyproject.toml",
        '[project]\nrequires-python = ">=3.9"\n[tool.asynclint]\ntarget-version = "py313"\n',
    )
    assert resolve(CliOptions(), start=".").settings.target_version == (3, 13)
    cli = CliOptions(target_version="3.11")
    assert resolve(cli, start=".").settings.target_version == (3, 11)


def test_command_line_select_starts_the_selection_afresh(project: Path) -> None:
    _write(
        project / "pyproject.toml",
        '[tool.asynclint]\nselect = ["AIO1"]\nextend-select = ["AIO2"]\nignore = ["AIO401"]\n',
    )
    settings = resolve(CliOptions(select=("AIO401",)), start=".").settings
    assert (settings.select, settings.extend_select, settings.ignore) == (("AIO401",), (), ())


def test_command_line_ignore_and_extend_select_add_to_the_file(project: Path) -> None:
    _write(
        project / "pyproject.toml",
        '[tool.asynclint]\nselect = ["AIO1"]\nextend-select = ["AIO2"]\nignore = ["AIO101"]\n',
    )
    cli = CliOptions(ignore=("AIO102",), extend_select=("AIO4",))
    settings = resolve(cli, start=".").settings
    assert settings.select == ("AIO1",)
    assert settings.extend_select == ("AIO2", "AIO4")
    assert settings.ignore == ("AIO101", "AIO102")


def test_command_line_excludes_and_per_file_ignores(project: Path) -> None:
    _write(
        project / "pyproject.toml",
        '[tool.asynclint]\nexclude = ["a"]\nextend-exclude = ["b"]\n'
        'per-file-ignores = { "x.py" = ["AIO1"] }\n',
    )
    cli = CliOptions(exclude=("c",), extend_exclude=("d",), per_file_ignores=(("y.py", ("AIO2",)),))
    config = resolve(cli, start=".")
    assert config.discovery.exclude == ("c",)
    assert config.discovery.extend_exclude == ("b", "d")
    assert config.settings.per_file_ignores == (("y.py", ("AIO2",)),)


def test_command_line_preview_overrides_the_file(project: Path) -> None:
    _write(project / "pyproject.toml", "[tool.asynclint]\npreview = true\n")
    assert not resolve(CliOptions(preview=False), start=".").settings.preview


def test_explicit_config_file_in_pyproject_form(project: Path) -> None:
    config_file = _write(
        project / "conf" / "pyproject.toml", '[tool.asynclint]\nignore = ["AIO2"]\n'
    )
    _write(project / "pyproject.toml", '[tool.asynclint]\nignore = ["AIO1"]\n')
    config = resolve(CliOptions(), config_file=str(config_file), start=".")
    assert config.settings.ignore == ("AIO2",)
    assert config.project_root == str(project / "conf")


def test_explicit_config_file_with_top_level_keys(project: Path) -> None:
    config_file = _write(project / "asynclint.toml", 'select = ["AIO4"]\npreview = true\n')
    config = resolve(CliOptions(), config_file=str(config_file), start=".")
    assert config.settings.select == ("AIO4",)
    assert config.settings.preview


@pytest.mark.parametrize(
    ("section", "expected"),
    [
        ("selct = []", r"unknown key 'selct' \(did you mean 'select'\?\)"),
        ("extend_select = []", r"unknown key 'extend_select' \(did you mean 'extend-select'\?\)"),
        ('select = "AIO4"', r"select: expected a list of strings, got a string"),
        ("ignore = [1]", r"ignore: expected a list of strings"),
        ('preview = "yes"', r"preview: expected true or false"),
        ("target-version = 311", r"target-version: expected a string"),
        ('target-version = "py37"', r"target-version: unsupported target version 'py37'"),
        ('target-version = "latest"', r"target-version: invalid target version 'latest'"),
        ('per-file-ignores = ["x"]', r"per-file-ignores: expected a table"),
        ('per-file-ignores = { "x.py" = "AIO1" }', r"per-file-ignores 'x.py': expected a list"),
        ("exclude = {}", r"exclude: expected a list of strings, got a table"),
    ],
)
def test_bad_settings_are_errors_naming_file_and_key(
    project: Path, section: str, expected: str
) -> None:
    path = _write(project / "pyproject.toml", f"[tool.asynclint]\n{section}\n")
    with pytest.raises(ConfigError, match=expected) as error:
        resolve(CliOptions(), start=".")
    assert str(error.value).startswith(f"{path}: [tool.asynclint]")


def test_section_that_is_not_a_table_is_an_error(project: Path) -> None:
    _write(project / "pyproject.toml", '[tool]\nasynclint = "on"\n')
    with pytest.raises(ConfigError, match="expected a table"):
        resolve(CliOptions(), start=".")


def test_invalid_toml_is_an_error_naming_the_file(project: Path) -> None:
    path = _write(project / "pyproject.toml", "[tool.asynclint\nselect = [\n")
    with pytest.raises(ConfigError, match="invalid TOML") as error:
        resolve(CliOptions(), start=".")
    assert str(path) in str(error.value)


def test_invalid_target_version_on_the_command_line(project: Path) -> None:
    with pytest.raises(ConfigError, match="--target-version: invalid target version"):
        resolve(CliOptions(target_version="newest"), start=".")


def test_unreadable_explicit_config_is_an_error(project: Path) -> None:
    with pytest.raises(ConfigError, match="cannot read config file"):
        read_config(str(project / "missing.toml"), explicit=True)


def test_find_config_returns_none_without_any_pyproject(project: Path) -> None:
    # tmp_path has no pyproject.toml; neither should any directory above it.
    above = [p for p in project.parents if (p / "pyproject.toml").exists()]
    if above:
        pytest.skip(f"a pyproject.toml exists above the temporary directory: {above[0]}")
    assert find_config(str(project)) is None


def test_known_selectors_pass_and_unknown_ones_name_their_origin(project: Path) -> None:
    path = _write(
        project / "pyproject.toml",
        '[tool.asynclint]\nselect = ["AIO", "AIO0", "AIO001"]\nignore = ["AIO00X"]\n',
    )
    with pytest.raises(ConfigError, match=r"ignore: unknown rule code or prefix 'AIO00X'") as err:
        resolve(CliOptions(), start=".")
    assert str(err.value).startswith(f"{path}: [tool.asynclint] ignore")
    fine = resolve(CliOptions(select=("AIO0", "AIO002")), start=".")
    check_selectors(fine.selector_sources)


@pytest.mark.parametrize(
    ("cli", "origin"),
    [
        (CliOptions(select=("AIO999",)), "--select"),
        (CliOptions(extend_select=("XYZ",)), "--extend-select"),
        (CliOptions(ignore=("AIO9",)), "--ignore"),
        (CliOptions(per_file_ignores=(("x.py", ("AIO77",)),)), "--per-file-ignores 'x.py'"),
    ],
)
def test_unknown_selectors_on_the_command_line(project: Path, cli: CliOptions, origin: str) -> None:
    with pytest.raises(ConfigError, match="unknown rule code or prefix") as error:
        resolve(cli, start=".")
    assert str(error.value).startswith(f"{origin}:")


def test_unknown_code_in_per_file_ignores_of_the_file(project: Path) -> None:
    _write(project / "pyproject.toml", '[tool.asynclint.per-file-ignores]\n"t/*" = ["AIO88"]\n')
    with pytest.raises(ConfigError, match=r"per-file-ignores 't/\*': unknown rule code"):
        resolve(CliOptions(), start=".")


def test_other_tools_codes_in_ignores_are_warnings_not_errors(project: Path) -> None:
    _write(project / "pyproject.toml", '[tool.asynclint.per-file-ignores]\n"t/*" = ["BAD1"]\n')
    config = resolve(CliOptions(ignore=("E501", "AIO4", "A")), start=".")
    check_selectors(config.selector_sources)  # does not raise
    warnings = foreign_ignores(config.selector_sources)
    assert [warning.rsplit(": ", 1)[-1] for warning in warnings] == [
        "'E501' is not an asynclint code; ignored",
        "'BAD1' is not an asynclint code; ignored",
    ]
    # Selecting another tool's code is still an error: asynclint cannot run it.
    with pytest.raises(ConfigError, match="unknown rule code or prefix 'E501'"):
        resolve(CliOptions(select=("E501",)), start=".")


def test_project_root_is_where_the_config_lives(project: Path) -> None:
    _write(project / "pyproject.toml", "[tool.asynclint]\n")
    (project / "deep" / "er").mkdir(parents=True)
    os.chdir(project / "deep" / "er")
    assert resolve(CliOptions(), start=".").project_root == str(project)


def test_nearer_requires_python_beats_the_one_beside_the_section(project: Path) -> None:
    _write(
        project / "pyproject.toml",
        '[project]\nrequires-python = ">=3.10"\n[tool.asynclint]\npreview = true\n',
    )
    _write(project / "pkg" / "pyproject.toml", '[project]\nrequires-python = ">=3.12"\n')
    in_pkg = resolve(CliOptions(), start=str(project / "pkg" / "m.py"))
    assert (in_pkg.settings.target_version, in_pkg.settings.preview) == ((3, 12), True)
    assert in_pkg.project_root == str(project)  # the section's paths stay relative to it
    assert resolve(CliOptions(), start=".").settings.target_version == (3, 10)


def test_one_resolution_answers_for_every_project(project: Path) -> None:
    _write(project / "a" / "pyproject.toml", '[tool.asynclint]\nignore = ["AIO1"]\n')
    _write(project / "b" / "pyproject.toml", '[project]\nrequires-python = ">=3.13"\n')
    config = resolve(CliOptions(ignore=("AIO2",)), start=".")
    assert config.projects is not None
    in_a = config.projects.config_for(str(project / "a" / "x.py"))
    in_b = config.projects.config_for("b/x.py")
    assert (in_a.settings.ignore, in_a.project_root) == (("AIO1", "AIO2"), str(project / "a"))
    assert (in_b.settings.ignore, in_b.settings.target_version) == (("AIO2",), (3, 13))
    assert config.settings.target_version == (3, 10)  # the directory itself has no project
    # A nested project's selectors are checked when its configuration is first needed.
    bad = _write(project / "c" / "pyproject.toml", '[tool.asynclint]\nignore = ["AIO9"]\n')
    with pytest.raises(ConfigError, match="unknown rule code or prefix 'AIO9'") as error:
        config.projects.config_for("c/x.py")
    assert str(error.value).startswith(f"{bad}: [tool.asynclint] ignore")


def test_explicit_config_file_with_a_tool_table_under_another_name(project: Path) -> None:
    config_file = _write(
        project / "lint.toml",
        '[project]\nrequires-python = ">=3.12"\n[tool.asynclint]\nselect = ["AIO4"]\n',
    )
    _write(project / "sub" / "pyproject.toml", '[tool.asynclint]\nselect = ["AIO1"]\n')
    config = resolve(CliOptions(), config_file=str(config_file), start=".")
    assert config.projects is not None
    elsewhere = config.projects.config_for("sub/x.py")
    assert elsewhere.settings == config.settings
    assert (config.settings.select, config.settings.target_version) == (("AIO4",), (3, 12))
