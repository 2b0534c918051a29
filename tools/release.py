"""Release trains: each distribution in packages/ has its own version, changelog and tags.

Pure helpers used by noxfile.py (sessions `release` and `changelog`) and tested in
tests/test_release_tool.py. The policy they implement is described in docs/releasing.md.

    python tools/release.py check-changelogs      # what CI runs (the `changelog` session)

Changelog convention: `## Unreleased` is the first `## ` section of every CHANGELOG.md; released
sections are `## <version> (<YYYY-MM-DD>)`. A release moves the Unreleased entries under a new
version heading and leaves an empty `## Unreleased` above it.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from dataclasses import dataclass
from pathlib import Path

from packaging.requirements import Requirement
from packaging.version import InvalidVersion, Version

__all__ = [
    "BUMPS",
    "PUBLISHED_FLOOR",
    "ChangelogError",
    "Narrow",
    "bump",
    "changed_since",
    "check_changelogs",
    "cut_release",
    "has_entry",
    "last_release",
    "narrow_dependents",
    "next_version",
    "read_version",
    "released_versions",
    "set_module_version",
    "tag_name",
    "unreleased_body",
]

BUMPS = ("major", "minor", "patch")

# Versions already on PyPI under the same name from the SDK this project succeeds: a new release
# must sort above them, or `pip install kalshi-sdk` keeps installing the old one.
PUBLISHED_FLOOR = {"kalshi-sdk": Version("22.4.0")}

_SECTION = re.compile(r"^## (.+?)[ \t]*$", re.M)
_ENTRY = re.compile(r"^\s*[-*] \S", re.M)


class ChangelogError(ValueError):
    """A CHANGELOG.md that does not follow the convention."""


def tag_name(dist: str, version: str) -> str:
    """The git tag of a release: `<dist>-v<version>`."""
    return f"{dist}-v{version}"


def bump(version: str, part: str) -> str:
    """`1.2.3` bumped by `major` -> `2.0.0`, `minor` -> `1.3.0`, `patch` -> `1.2.4`."""
    v = Version(version)
    major, minor, patch = (*v.release, 0, 0)[:3]
    if part == "major":
        return f"{major + 1}.0.0"
    if part == "minor":
        return f"{major}.{minor + 1}.0"
    if part == "patch":
        return f"{major}.{minor}.{patch + 1}"
    raise ValueError(f"unknown bump {part!r}: use one of {', '.join(BUMPS)}")


def next_version(dist: str, current: str, how: str, released: list[str]) -> str:
    """The version to release: `how` is a bump or an explicit version; checked against history.

    Raises:
        ValueError: the version is not above the current one, is already tagged, or is not above
            what PyPI already holds under the same name (`PUBLISHED_FLOOR`).
    """
    if how in BUMPS:
        new = bump(current, how)
    else:
        try:
            new = str(Version(how))
        except InvalidVersion:
            raise ValueError(f"{how!r} is neither {', '.join(BUMPS)} nor a version") from None
        if Version(new) < Version(current):
            raise ValueError(f"{dist}: {new} is below the current version {current}")
    if new in released:
        raise ValueError(f"{dist}: {new} is already released (tag {tag_name(dist, new)})")
    newest = max((Version(v) for v in released), default=None)
    if newest is not None and Version(new) <= newest:
        raise ValueError(f"{dist}: {new} is not above the last release {newest}")
    floor = PUBLISHED_FLOOR.get(dist)
    if floor is not None and Version(new) <= floor:
        raise ValueError(f"{dist}: {new} must be above {floor}, already on PyPI under this name")
    return new


def read_version(pyproject: Path) -> str:
    return str(tomllib.loads(pyproject.read_text())["project"]["version"])


def set_module_version(init: Path, version: str) -> None:
    """Rewrite the `__version__ = "..."` line of a package's `__init__.py`."""
    text = init.read_text()
    new, n = re.subn(r'^__version__ = "[^"]*"$', f'__version__ = "{version}"', text, count=1, flags=re.M)
    if n != 1:
        raise ValueError(f"{init}: no __version__ line")
    init.write_text(new)


def _sections(text: str) -> list[tuple[str, int, int]]:
    """(heading, start of body, end of body) for every `## ` section."""
    heads = list(_SECTION.finditer(text))
    return [
        (m.group(1), m.end(), heads[i + 1].start() if i + 1 < len(heads) else len(text)) for i, m in enumerate(heads)
    ]


def unreleased_body(text: str) -> str:
    """The text under `## Unreleased`.

    Raises:
        ChangelogError: no Unreleased section, more than one, one that is not first, or a legacy
            `## X.Y.Z (unreleased)` heading.
    """
    sections = _sections(text)
    legacy = [h for h, _, _ in sections if h.lower().endswith("(unreleased)")]
    if legacy:
        raise ChangelogError(f"heading '## {legacy[0]}': write '## Unreleased' (the version is set at release)")
    found = [i for i, (h, _, _) in enumerate(sections) if h == "Unreleased"]
    if not found:
        raise ChangelogError("no '## Unreleased' section")
    if len(found) > 1:
        raise ChangelogError("more than one '## Unreleased' section: merge them into one")
    if found[0] != 0:
        raise ChangelogError("'## Unreleased' must be the first '## ' section")
    _, start, end = sections[0]
    return text[start:end]


def has_entry(text: str) -> bool:
    """True when the Unreleased section holds at least one list item."""
    return bool(_ENTRY.search(unreleased_body(text)))


def cut_release(text: str, version: str, date: str) -> str:
    """Move the Unreleased entries under `## <version> (<date>)`, leaving an empty Unreleased above."""
    body = unreleased_body(text)
    if not _ENTRY.search(body):
        raise ChangelogError("nothing under '## Unreleased' to release")
    _, start, end = _sections(text)[0]
    return f"{text[:start]}\n\n## {version} ({date})\n\n{body.strip()}\n\n{text[end:]}".rstrip() + "\n"


@dataclass(frozen=True)
class Narrow:
    """A dependent whose declared range does not admit a new version."""

    dependent: str
    requirement: str

    def __str__(self) -> str:
        return f"{self.dependent}: '{self.requirement}' does not admit it; widen the range in its pyproject.toml"


def narrow_dependents(packages_dir: Path, dist: str, version: str) -> list[Narrow]:
    """Every requirement on `dist` (dependencies and extras of the other packages) that excludes `version`."""
    out: list[Narrow] = []
    for pyproject in sorted(packages_dir.glob("*/pyproject.toml")):
        project = tomllib.loads(pyproject.read_text())["project"]
        reqs = list(project.get("dependencies", []))
        for extra in project.get("optional-dependencies", {}).values():
            reqs += extra
        for line in reqs:
            req = Requirement(line)
            if req.name == dist and not req.specifier.contains(version, prereleases=True):
                out.append(Narrow(project["name"], line))
    return out


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, check=False)


def released_versions(root: Path, dist: str) -> list[str]:
    """The versions of `dist` with a `<dist>-v<version>` tag, oldest first."""
    out = _git(root, "tag", "--list", f"{dist}-v*").stdout.split()
    versions = []
    for tag in out:
        try:
            versions.append(Version(tag.removeprefix(f"{dist}-v")))
        except InvalidVersion:
            continue
    return [str(v) for v in sorted(versions)]


def last_release(root: Path, dist: str) -> str | None:
    """The newest release tag of `dist`, or None before its first release."""
    versions = released_versions(root, dist)
    return tag_name(dist, versions[-1]) if versions else None


def changed_since(root: Path, dist: str, tag: str | None) -> bool:
    """Whether what `dist` ships (its src/ and pyproject.toml) differs from the tagged release.

    With no tag, everything since the first commit is unreleased, so any package is changed. A tag
    whose commit a shallow clone lacks counts as changed: the guard errs towards asking for an entry.
    """
    if tag is None:
        return True
    paths = [f"packages/{dist}/src", f"packages/{dist}/pyproject.toml"]
    diff = _git(root, "diff", "--quiet", f"{tag}^{{commit}}", "HEAD", "--", *paths)
    return diff.returncode != 0


def check_changelogs(root: Path, dists: list[str]) -> list[str]:
    """One line per problem: a changelog off the convention, or changed source without an entry."""
    problems = []
    for dist in dists:
        path = root / "packages" / dist / "CHANGELOG.md"
        if not path.is_file():
            problems.append(f"{dist}: no CHANGELOG.md")
            continue
        try:
            entry = has_entry(path.read_text())
        except ChangelogError as exc:
            problems.append(f"{dist}: CHANGELOG.md: {exc}")
            continue
        tag = last_release(root, dist)
        if not entry and changed_since(root, dist, tag):
            since = tag or "the first commit (no release tag yet)"
            problems.append(f"{dist}: source changed since {since} but CHANGELOG.md has no entry under '## Unreleased'")
    return problems


def main(argv: list[str]) -> int:
    root = Path(__file__).resolve().parent.parent
    if argv[:1] != ["check-changelogs"]:
        print("usage: python tools/release.py check-changelogs", file=sys.stderr)
        return 2
    dists = sorted(p.parent.name for p in (root / "packages").glob("*/pyproject.toml"))
    problems = check_changelogs(root, dists)
    for line in problems:
        print(line, file=sys.stderr)
    print(f"changelogs: {len(dists) - len({p.split(':')[0] for p in problems})}/{len(dists)} OK")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
