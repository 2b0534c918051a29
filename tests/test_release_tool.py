"""tools/release.py: versions, changelog cuts, dependents' ranges and the CI changelog guard."""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import release as rel  # noqa: E402  tools/release.py

CHANGELOG = """# Changelog: kalshi-demo

Intro.

## Unreleased

### Added
- A thing.

## 0.1.0 (2026-01-02)

### Added
- The first thing.
"""


@pytest.mark.parametrize(
    ("version", "part", "expected"),
    [
        ("0.1.0", "patch", "0.1.1"),
        ("0.1.9", "minor", "0.2.0"),
        ("22.4.0", "major", "23.0.0"),
        ("1.2", "patch", "1.2.1"),
    ],
)
def test_bump(version: str, part: str, expected: str) -> None:
    assert rel.bump(version, part) == expected


def test_next_version_refuses_history_and_the_published_floor() -> None:
    assert rel.next_version("kalshi-auth", "0.1.0", "patch", []) == "0.1.1"
    assert rel.next_version("kalshi-auth", "0.1.0", "0.1.0", []) == "0.1.0"  # a first release as is
    with pytest.raises(ValueError, match="already released"):
        rel.next_version("kalshi-auth", "0.1.0", "0.1.0", ["0.1.0"])
    with pytest.raises(ValueError, match="not above the last release"):
        rel.next_version("kalshi-auth", "0.1.0", "patch", ["0.2.0"])
    with pytest.raises(ValueError, match="below the current"):
        rel.next_version("kalshi-sdk", "23.0.0", "22.5.0", [])
    with pytest.raises(ValueError, match="already on PyPI"):
        rel.next_version("kalshi-sdk", "0.1.0", "22.4.0", [])
    with pytest.raises(ValueError, match="neither"):
        rel.next_version("kalshi-auth", "0.1.0", "huge", [])


def test_kalshi_sdk_sorts_above_the_published_line() -> None:
    """`pip install kalshi-sdk` must pick this meta-package over PyPI's 22.x (issue 13)."""
    from packaging.version import Version

    version = tomllib.loads((ROOT / "packages/kalshi-sdk/pyproject.toml").read_text())["project"]["version"]
    assert Version(version) > rel.PUBLISHED_FLOOR["kalshi-sdk"]


def test_cut_release_moves_entries_under_the_version_and_keeps_history() -> None:
    out = rel.cut_release(CHANGELOG, "0.2.0", "2026-12-05")
    assert out.startswith("# Changelog: kalshi-demo\n\nIntro.\n\n## Unreleased\n\n## 0.2.0 (2026-12-05)\n\n### Added\n")
    assert "- A thing.\n\n## 0.1.0 (2026-01-02)" in out
    assert rel.unreleased_body(out).strip() == ""
    assert not rel.has_entry(out)
    with pytest.raises(rel.ChangelogError, match="nothing under"):
        rel.cut_release(out, "0.2.1", "2026-12-06")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("# C\n\n## 0.1.0 (unreleased)\n\n- x\n", "write '## Unreleased'"),
        ("# C\n\n## 0.1.0 (2026-01-01)\n\n- x\n", "no '## Unreleased'"),
        ("# C\n\n## Unreleased\n\n- x\n\n## Unreleased\n\n- y\n", "more than one"),
        ("# C\n\n## 0.2.0 (2026-01-01)\n\n- x\n\n## Unreleased\n\n- y\n", "must be the first"),
    ],
)
def test_changelogs_off_the_convention_are_named(text: str, message: str) -> None:
    with pytest.raises(rel.ChangelogError, match=message):
        rel.unreleased_body(text)


def test_narrow_dependents_names_each_range_to_widen(tmp_path: Path) -> None:
    for name, deps, extras in [
        ("kalshi-auth", [], {}),
        ("kalshi-rest", ["kalshi-auth>=0.1.0,<0.2", "httpx>=0.27"], {}),
        ("kalshi-sdk", ["kalshi-rest>=0.1.0,<0.2"], {"pandas": ["kalshi-rest[pandas]>=0.1.0,<0.2"]}),
    ]:
        (tmp_path / name).mkdir()
        extra_toml = "".join(f"{k} = {v!r}\n" for k, v in extras.items())
        (tmp_path / name / "pyproject.toml").write_text(
            f'[project]\nname = "{name}"\nversion = "0.1.0"\ndependencies = {deps!r}\n'
            f"[project.optional-dependencies]\n{extra_toml}"
        )
    assert rel.narrow_dependents(tmp_path, "kalshi-auth", "0.1.5") == []
    [narrow] = rel.narrow_dependents(tmp_path, "kalshi-auth", "0.2.0")
    assert narrow.dependent == "kalshi-rest"
    assert "kalshi-auth>=0.1.0,<0.2" in str(narrow)
    assert [n.requirement for n in rel.narrow_dependents(tmp_path, "kalshi-rest", "1.0.0")] == [
        "kalshi-rest>=0.1.0,<0.2",
        "kalshi-rest[pandas]>=0.1.0,<0.2",
    ]


def test_set_module_version(tmp_path: Path) -> None:
    init = tmp_path / "__init__.py"
    init.write_text('"""Doc."""\n\n__version__ = "0.1.0"\n__all__ = []\n')
    rel.set_module_version(init, "0.1.1")
    assert '__version__ = "0.1.1"\n' in init.read_text()


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository with one package and its changelog."""
    pkg = tmp_path / "packages" / "kalshi-demo"
    (pkg / "src" / "kalshi_demo").mkdir(parents=True)
    (pkg / "src" / "kalshi_demo" / "__init__.py").write_text('__version__ = "0.1.0"\n')
    (pkg / "pyproject.toml").write_text('[project]\nname = "kalshi-demo"\nversion = "0.1.0"\n')
    (pkg / "CHANGELOG.md").write_text("# Changelog\n\n## Unreleased\n\n### Added\n- Everything.\n")
    _git(tmp_path, "init", "-q", "-b", "main")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "add", ".")
    _git(tmp_path, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", "first")
    return tmp_path


def _commit(repo: Path, message: str) -> None:
    _git(repo, "add", ".")
    _git(repo, "-c", "user.name=t", "-c", "user.email=t@example.invalid", "commit", "-qm", message)


def test_guard_before_any_tag_needs_an_unreleased_entry(repo: Path) -> None:
    assert rel.check_changelogs(repo, ["kalshi-demo"]) == []
    changelog = repo / "packages/kalshi-demo/CHANGELOG.md"
    changelog.write_text("# Changelog\n\n## Unreleased\n")
    _commit(repo, "empty the changelog")
    [problem] = rel.check_changelogs(repo, ["kalshi-demo"])
    assert "since the first commit" in problem
    assert "kalshi-demo" in problem


def test_guard_after_a_release_tracks_changes_since_the_tag(repo: Path) -> None:
    changelog = repo / "packages/kalshi-demo/CHANGELOG.md"
    changelog.write_text(rel.cut_release(changelog.read_text(), "0.1.0", "2026-12-05"))
    _commit(repo, "kalshi-demo 0.1.0")
    _git(repo, "tag", "kalshi-demo-v0.1.0")
    assert rel.last_release(repo, "kalshi-demo") == "kalshi-demo-v0.1.0"
    assert rel.check_changelogs(repo, ["kalshi-demo"]) == []  # nothing changed since the tag

    (repo / "packages/kalshi-demo/README.md").write_text("docs only\n")
    _commit(repo, "readme")
    assert rel.check_changelogs(repo, ["kalshi-demo"]) == []  # the shipped code did not change

    (repo / "packages/kalshi-demo/src/kalshi_demo/__init__.py").write_text('__version__ = "0.1.0"\nX = 1\n')
    _commit(repo, "code")
    [problem] = rel.check_changelogs(repo, ["kalshi-demo"])
    assert "since kalshi-demo-v0.1.0" in problem

    changelog.write_text(changelog.read_text().replace("## Unreleased\n", "## Unreleased\n\n- X.\n", 1))
    _commit(repo, "entry")
    assert rel.check_changelogs(repo, ["kalshi-demo"]) == []


def test_newest_tag_is_chosen_by_version_not_by_text(repo: Path) -> None:
    for version in ("0.9.0", "0.10.0", "0.2.0"):
        _git(repo, "tag", f"kalshi-demo-v{version}")
    _git(repo, "tag", "kalshi-demo-vbroken")
    _git(repo, "tag", "kalshi-demo-extra-v9.0.0")  # another distribution's name prefix
    assert rel.released_versions(repo, "kalshi-demo") == ["0.2.0", "0.9.0", "0.10.0"]


def test_every_changelog_in_the_tree_follows_the_convention() -> None:
    for changelog in sorted(ROOT.glob("packages/*/CHANGELOG.md")):
        rel.unreleased_body(changelog.read_text())
