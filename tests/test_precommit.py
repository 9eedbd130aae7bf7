"""The pre-commit hooks, run by the real pre-commit against this repository (`try-repo`, and
`run --all-files` with the README's configuration snippet).

pre-commit installs the hook from this repository into a virtualenv of its own, fetching the
dependencies from the package index, so these tests take a while; everything they write stays
in pytest's temporary directory.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.precommit]

PROJECT_ROOT = Path(__file__).resolve().parents[1]
INSTALL_TIMEOUT = 1200  # seconds: a cold install builds the package and fetches libcst

UNDRAINED = textwrap.dedent(
    """\
    import asyncio
    async def send(host):
        reader, writer = await asyncio.open_connection(host, 80)
        writer.write(b"ping")
    """
)

DRAINED = textwrap.dedent(
    """\
    import asyncio


    async def send(host):
        reader, writer = await asyncio.open_connection(host, 80)
        writer.write(b"ping")
        await writer.drain()
        writer.close()
        await writer.wait_closed()
    """
)


def git(*args: str, cwd: Path, env: dict[str, str]) -> None:
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True, timeout=60)


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """pre-commit's, pip's and the temporary files' home, shared by this module's tests so
    that the second install reuses the downloads of the first."""
    return tmp_path_factory.mktemp("precommit-home")


def clean_env(home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    (home / "tmp").mkdir(exist_ok=True)
    env.update(
        PRE_COMMIT_HOME=str(home / "pre-commit"),
        PIP_CACHE_DIR=str(home / "pip-cache"),
        TMPDIR=str(home / "tmp"),
        PIP_DISABLE_PIP_VERSION_CHECK="1",
        PIP_NO_INPUT="1",
    )
    return env


@pytest.fixture
def user_repo(tmp_path: Path, home: Path) -> Path:
    """A fresh git repository with one committed bad file and one committed good file."""
    repo = tmp_path / "user-repo"
    repo.mkdir()
    env = clean_env(home)
    git("init", "-q", cwd=repo, env=env)
    git("config", "user.name", "Test User", cwd=repo, env=env)
    git("config", "user.email", "test@example.invalid", cwd=repo, env=env)
    git("config", "commit.gpgsign", "false", cwd=repo, env=env)
    (repo / "bad.py").write_text(UNDRAINED)
    (repo / "good.py").write_text(DRAINED)
    git("add", "bad.py", "good.py", cwd=repo, env=env)
    git("commit", "-q", "-m", "initial", cwd=repo, env=env)
    return repo


def try_repo(hook: str, *files: str, cwd: Path, home: Path) -> subprocess.CompletedProcess[str]:
    command = [
        sys.executable,
        "-m",
        "pre_commit",
        "try-repo",
        str(PROJECT_ROOT),
        hook,
        "--color",
        "never",
        "--verbose",
        "--files",
        *files,
    ]
    return subprocess.run(
        command,
        cwd=cwd,
        env=clean_env(home),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT,
        check=False,
    )


def hook_output(proc: subprocess.CompletedProcess[str]) -> str:
    return proc.stdout + proc.stderr


def test_manifest_is_valid() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-manifest", ".pre-commit-hooks.yaml"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_hook_fails_on_the_bad_file(user_repo: Path, home: Path) -> None:
    proc = try_repo("asynclint", "bad.py", cwd=user_repo, home=home)
    output = hook_output(proc)
    assert proc.returncode == 1, output
    assert "asynclint" in output and "Failed" in output, output
    assert "bad.py:4:5: AIO401" in output, output
    assert "Traceback" not in output, output


def test_hook_passes_on_the_good_file(user_repo: Path, home: Path) -> None:
    proc = try_repo("asynclint", "good.py", cwd=user_repo, home=home)
    output = hook_output(proc)
    assert proc.returncode == 0, output
    assert "Passed" in output, output
    assert "AIO" not in output, output


def test_fix_hook_rewrites_the_bad_file(user_repo: Path, home: Path) -> None:
    proc = try_repo("asynclint-fix", "bad.py", cwd=user_repo, home=home)
    output = hook_output(proc)
    # pre-commit fails a hook that changed files, so the user sees and stages the fix.
    assert proc.returncode == 1, output
    assert "files were modified by this hook" in output, output
    fixed = (user_repo / "bad.py").read_text()
    assert fixed == UNDRAINED + "    await writer.drain()\n"


def readme_snippet() -> str:
    """The `.pre-commit-config.yaml` of the README's pre-commit section, as written."""
    readme = (PROJECT_ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("\n## pre-commit\n", 1)[1]
    return section.split("```yaml\n", 1)[1].split("```", 1)[0]


def test_readme_snippet_runs_one_batch(user_repo: Path, home: Path) -> None:
    """The snippet with this clone and its last commit in place of the placeholders. The hook
    is installed from that commit: commit a change to the hooks before running this."""
    snippet = readme_snippet()
    assert "ASYNCLINT_GIT_URL" in snippet and "COMMIT_SHA" in snippet, snippet
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout.strip()
    config = snippet.replace("ASYNCLINT_GIT_URL", str(PROJECT_ROOT)).replace("COMMIT_SHA", head)
    (user_repo / ".pre-commit-config.yaml").write_text(config)
    # Enough files that pre-commit would split them into one batch per CPU if it could.
    for number in range(12):
        (user_repo / f"good_{number}.py").write_text(DRAINED)
    env = clean_env(home)
    git("add", ".", cwd=user_repo, env=env)
    proc = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never", "--verbose"],
        cwd=user_repo,
        env=env,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=INSTALL_TIMEOUT,
        check=False,
    )
    output = hook_output(proc)
    assert proc.returncode == 1, output
    assert "bad.py:4:5: AIO401" in output, output
    # require_serial: one asynclint process for both files, so one summary, not one per batch.
    assert output.count("Found 1 finding: 1 warning.") == 1, output
    assert "All checks passed!" not in output, output
