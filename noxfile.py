"""nox: the single entry point for tests, lint, types, codegen drift, wheel isolation and benchmarks.

uvx nox -s ci                 # what CI runs (README's test command)
uvx nox -l                    # every session
uvx nox -s tests-fix-3.13     # one package on one Python
uvx nox -s codegen -- --check # fail if regenerating from specs/ would change anything
uvx nox -s release -- kalshi-auth patch [--dry-run]   # cut one distribution's release (docs/releasing.md)
"""

from __future__ import annotations

import datetime
import json
import os
import re
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv"
nox.options.error_on_missing_interpreters = True
nox.options.sessions = ["ci"]

ROOT = Path(__file__).parent
PYTHONS = ["3.11", "3.12", "3.13"]


sys.path.insert(0, str(ROOT / "tools"))
import release as _rel  # noqa: E402  tools/release.py: versions, changelogs, tags

# dist name -> import name
PACKAGES = {
    "kalshi-auth": "kalshi_auth",
    "kalshi-rest": "kalshi_rest",
    "kalshi-ws": "kalshi_ws",
    "kalshi-perps": "kalshi_perps",
    "kalshi-klear": "kalshi_klear",
    "kalshi-fix": "kalshi_fix",
    "kalshi-testing": "kalshi_testing",
    "kalshi-sdk": "kalshi",
}

# What each wheel may name in its (unconditional) Requires-Dist, and nothing more.
ALLOWED_REQUIRES = {
    "kalshi-auth": {"cryptography"},
    "kalshi-rest": {"kalshi-auth", "httpx", "pydantic"},
    "kalshi-ws": {"kalshi-auth", "websockets", "msgspec"},
    "kalshi-perps": {"kalshi-rest", "kalshi-ws", "msgspec"},
    "kalshi-klear": {"kalshi-rest", "httpx", "pydantic"},
    "kalshi-fix": {"kalshi-auth"},
    "kalshi-testing": {
        "kalshi-auth", "kalshi-rest", "kalshi-ws", "kalshi-fix", "aiohttp", "pyyaml", "cryptography", "httpx",
    },
    "kalshi-sdk": {
        "kalshi-auth", "kalshi-rest", "kalshi-ws", "kalshi-perps", "kalshi-klear", "kalshi-fix", "kalshi-testing",
        "click", "rich",
    },
}  # fmt: skip

# Heavy third-party packages that a lean install must not contain unless its closure declares them.
HEAVY = {"httpx", "pydantic", "websockets", "msgspec", "aiohttp", "pyyaml", "pandas", "polars", "h2", "rich", "click"}

# The default CI run (about 5 minutes on 2 cores): every package's tests on 3.11 and 3.13 against
# the workspace, and on 3.12 against its installed wheel alone (the isolation session), so every
# package meets every supported Python each run; then the lowest-bounds run on 3.11.


def _short(dist: str) -> str:
    return dist.removeprefix("kalshi-")


def _sync(session: nox.Session, *packages: str, groups: tuple[str, ...] = ("test",), extras: bool = False) -> None:
    """Install workspace packages (editable) and dependency groups from uv.lock into the session venv."""
    args = ["uv", "sync", "--frozen", "--no-default-groups", "--python", str(session.python)]
    args += [f"--group={g}" for g in groups]
    args += [f"--package={p}" for p in packages] if packages else ["--all-packages"]
    if extras:
        args.append("--all-extras")
    session.run_install(*args, env={"UV_PROJECT_ENVIRONMENT": session.virtualenv.location}, silent=True)


def _pytest(session: nox.Session, *paths: str) -> None:
    session.run("pytest", "-q", "-p", "no:cacheprovider", "-m", "not slow and not live", *paths, *session.posargs)


def _make_tests_session(dist: str) -> None:
    @nox.session(name=f"tests-{_short(dist)}", python=PYTHONS)
    def tests(session: nox.Session) -> None:
        _sync(session, dist, extras=True)
        _pytest(session, f"packages/{dist}/tests")

    tests.__doc__ = f"Run {dist}'s tests against the workspace (editable install)."


for _dist in PACKAGES:
    _make_tests_session(_dist)


@nox.session(python="3.11")
def contracts(session: nox.Session) -> None:
    """Cross-package contract tests in tests/: spec coverage, codegen drift, exported names."""
    _sync(session, groups=("dev",), extras=True)
    session.run("pytest", "-q", "-s", "-p", "no:cacheprovider", "tests", *session.posargs)


@nox.session(python="3.11")
def lint(session: nox.Session) -> None:
    """ruff check and ruff format --check over the whole tree."""
    _sync(session, "kalshi-auth", groups=("dev",))
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session(python="3.11")
def typecheck(session: nox.Session) -> None:
    """mypy --strict over every package's src (one run per package, so each stands alone)."""
    _sync(session, groups=("dev",), extras=True)
    for dist in PACKAGES:
        session.run("mypy", f"packages/{dist}/src")


@nox.session(python="3.11")
def codegen(session: nox.Session) -> None:
    """Regenerate every generated module from specs/ (pass `-- --check` to only detect drift)."""
    _sync(session, groups=("dev",))
    generators = sorted((ROOT / "tools" / "codegen").glob("gen_*.py"))
    if not generators:
        session.skip("no generators yet")
    for gen in generators:
        session.run("python", str(gen.relative_to(ROOT)), *session.posargs)


def _requires(wheel: Path) -> tuple[str, set[str]]:
    """Return the wheel's version and the names in its unconditional Requires-Dist."""
    with zipfile.ZipFile(wheel) as zf:
        meta_name = next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))
        meta = zf.read(meta_name).decode()
    version = re.search(r"^Version: (.+)$", meta, re.M)
    assert version is not None
    names = set()
    for line in re.findall(r"^Requires-Dist: (.+)$", meta, re.M):
        if "extra ==" in line:
            continue
        names.add(re.split(r"[\s\[<>=!~;(]", line, maxsplit=1)[0].lower().replace("_", "-"))
    return version.group(1).strip(), names


def _wheel_for(dist: str, dist_dir: Path) -> Path:
    [wheel] = dist_dir.glob(f"{dist.replace('-', '_')}-*.whl")
    return wheel


def _payload(record: str) -> set[str]:
    """The RECORD lines (path, hash, size) of a distribution's files, its .dist-info and the console
    scripts the installer writes outside site-packages (`../../../bin/kalshi`) aside."""
    return {
        line
        for line in record.splitlines()
        if line and ".dist-info/" not in (path := line.split(",", 1)[0]) and not path.startswith("../")
    }


def _record(wheel: Path) -> set[str]:
    with zipfile.ZipFile(wheel) as zf:
        return _payload(zf.read(next(n for n in zf.namelist() if n.endswith(".dist-info/RECORD"))).decode())


@nox.session(python="3.12")
def isolation(session: nox.Session) -> None:
    """Build every wheel and sdist; install each wheel ALONE in a fresh venv and run its own tests there.

    Fails if a wheel's Requires-Dist names anything outside ALLOWED_REQUIRES, if an install pulls a
    heavy package its declared closure does not call for (kalshi-fix must not bring httpx, pydantic,
    websockets), if an internal package was not taken from the freshly built wheels, or if the
    package's tests fail against the installed wheel.
    """
    _isolation(session, set(session.posargs) or set(PACKAGES), ROOT)


def _isolation(session: nox.Session, only: set[str], root: Path) -> None:
    """The isolation check for the packages in `only`, on the tree at `root`."""
    work = Path(tempfile.mkdtemp(prefix="kalshi-iso-"))
    dist_dir = work / "dist"
    session.run(
        "uv", "--directory", str(root), "build", "--all-packages", "--out-dir", str(dist_dir), "--quiet",
        external=True,
    )  # fmt: skip
    for dist in PACKAGES:
        sdists = list(dist_dir.glob(f"{dist.replace('-', '_')}-*.tar.gz"))
        if len(sdists) != 1:
            session.error(f"{dist}: expected one sdist in {dist_dir}, found {sdists}")
        _, names = _requires(_wheel_for(dist, dist_dir))
        if names != ALLOWED_REQUIRES[dist]:
            session.error(f"{dist}: Requires-Dist {sorted(names)} != allowed {sorted(ALLOWED_REQUIRES[dist])}")

    def closure(dist: str) -> set[str]:
        seen: set[str] = set()
        todo = [dist]
        while todo:
            name = todo.pop()
            for dep in ALLOWED_REQUIRES.get(name, ()):
                if dep not in seen:
                    seen.add(dep)
                    todo.append(dep)
        return seen

    for dist, imp in PACKAGES.items():
        if dist not in only:
            continue
        env_dir = work / f"venv-{dist}"
        session.run("uv", "venv", "--quiet", "--python", str(session.python), str(env_dir), external=True)
        py = str(env_dir / "bin" / "python")
        wheel = _wheel_for(dist, dist_dir)
        session.run(
            "uv", "pip", "install", "--quiet", "--python", py, "--find-links", str(dist_dir), str(wheel),
            external=True,
        )  # fmt: skip
        listing = session.run(
            "uv", "pip", "list", "--quiet", "--python", py, "--format", "json", external=True, silent=True
        )
        installed = {row["name"].lower().replace("_", "-"): row["version"] for row in json.loads(str(listing))}
        allowed_heavy = closure(dist) & HEAVY
        extra_heavy = (set(installed) & HEAVY) - allowed_heavy
        if extra_heavy:
            session.error(f"{dist}: a lean install pulled {sorted(extra_heavy)}")
        for internal in [d for d in PACKAGES if d in installed]:
            if internal != dist and internal not in closure(dist):
                session.error(f"{dist}: installed undeclared internal package {internal}")
            site = session.run(
                py, "-c", f"import importlib.metadata as m; print(m.distribution({internal!r}).read_text('RECORD'))",
                external=True, silent=True,
            )  # fmt: skip
            if _payload(str(site)) != _record(_wheel_for(internal, dist_dir)):
                session.error(f"{dist}: {internal} was not installed from the freshly built wheel")
        session.log(f"{dist}: lean install OK ({len(installed)} distributions: {', '.join(sorted(installed))})")
        session.run(
            py, "-c", f"import {imp}, sys; assert '/packages/' not in {imp}.__file__, {imp}.__file__", external=True
        )
        # Now the test tools and the package's own extras, then its tests against the wheel.
        extras_spec = f"{wheel}[pandas,polars]" if dist == "kalshi-rest" else str(wheel)
        session.run(
            "uv", "pip", "install", "--quiet", "--python", py, "--find-links", str(dist_dir), extras_spec,
            "pytest>=8.2", "pytest-asyncio>=0.24", "hypothesis>=6.100", external=True,
        )  # fmt: skip
        tests_copy = _copy_tests(dist, work, root)
        session.run(
            py, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not slow and not live",
            "-c", str(root / "pyproject.toml"), "--rootdir", str(work), str(tests_copy),
            external=True, success_codes=[0, 5],
        )  # fmt: skip
    shutil.rmtree(work, ignore_errors=True)


@nox.session(python="3.11")
def lowest(session: nox.Session) -> None:
    """Each package's direct dependencies at their lowest allowed versions, then its tests."""
    only = set(session.posargs) or set(PACKAGES)
    work = Path(tempfile.mkdtemp(prefix="kalshi-lowest-"))
    dist_dir = work / "dist"
    session.run("uv", "build", "--all-packages", "--wheel", "--out-dir", str(dist_dir), "--quiet", external=True)
    for dist in PACKAGES:
        if dist not in only:
            continue
        env_dir = work / f"venv-{dist}"
        session.run("uv", "venv", "--quiet", "--python", str(session.python), str(env_dir), external=True)
        py = str(env_dir / "bin" / "python")
        wheel = _wheel_for(dist, dist_dir)
        with zipfile.ZipFile(wheel) as zf:
            meta = zf.read(next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))).decode()
        third_party = [
            line.split(";")[0].strip()
            for line in re.findall(r"^Requires-Dist: (.+)$", meta, re.M)
            if "extra ==" not in line and not line.startswith("kalshi")
        ]
        internal = [_wheel_for(d, dist_dir) for d in {dist, *_internal_closure(dist)}]
        # Internal wheels without their deps, then every package's own third-party requirements
        # as direct requirements, so lowest-direct lowers exactly the declared bounds.
        session.run("uv", "pip", "install", "-q", "--python", py, "--no-deps", *map(str, internal), external=True)
        requirements = sorted({*third_party, *_third_party_of_closure(dist, dist_dir)})
        if requirements:
            session.run(
                "uv", "pip", "install", "-q", "--python", py, "--resolution", "lowest-direct", *requirements,
                external=True,
            )  # fmt: skip
        session.run("uv", "pip", "install", "-q", "--python", py, "pytest>=8.2", "pytest-asyncio>=0.24",
                    "hypothesis>=6.100", external=True)  # fmt: skip
        session.run("uv", "pip", "list", "--python", py, external=True)
        tests_copy = _copy_tests(dist, work)
        session.run(
            py, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not slow and not live",
            "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(work), str(tests_copy),
            external=True, success_codes=[0, 5],
        )  # fmt: skip
    shutil.rmtree(work, ignore_errors=True)


def _copy_tests(dist: str, work: Path, root: Path = ROOT) -> Path:
    """Copy a package's tests and README (what its sdist ships, minus src/) out of the tree."""
    target = work / f"pkg-{dist}"
    shutil.copytree(root / "packages" / dist, target, ignore=shutil.ignore_patterns("src", "__pycache__"))
    return target / "tests"


def _internal_closure(dist: str) -> set[str]:
    out: set[str] = set()
    todo = [dist]
    while todo:
        for dep in ALLOWED_REQUIRES[todo.pop()]:
            if dep in PACKAGES and dep not in out:
                out.add(dep)
                todo.append(dep)
    return out


def _third_party_of_closure(dist: str, dist_dir: Path) -> set[str]:
    reqs: set[str] = set()
    for dep in _internal_closure(dist):
        with zipfile.ZipFile(_wheel_for(dep, dist_dir)) as zf:
            meta = zf.read(next(n for n in zf.namelist() if n.endswith(".dist-info/METADATA"))).decode()
        reqs |= {
            line.split(";")[0].strip()
            for line in re.findall(r"^Requires-Dist: (.+)$", meta, re.M)
            if "extra ==" not in line and not line.startswith("kalshi")
        }
    return reqs


@nox.session(python="3.11")
def bench(session: nox.Session) -> None:
    """Run every benchmark in bench/ (figures are printed; each script fails if it misses its target)."""
    _sync(session, groups=("dev",), extras=True)
    for script in sorted((ROOT / "bench").glob("bench_*.py")):
        session.run("python", str(script.relative_to(ROOT)), *session.posargs)


@nox.session(python=False)
def changelog(session: nox.Session) -> None:
    """Fail when a distribution changed since its last release tag and its changelog has no Unreleased entry."""
    problems = _rel.check_changelogs(ROOT, list(PACKAGES))
    for line in problems:
        session.warn(line)
    if problems:
        session.error(f"{len(problems)} changelog problem(s); see docs/releasing.md")
    session.log(f"changelogs: all {len(PACKAGES)} distributions OK")


_TREE_JUNK = (".git", ".venv", ".nox", "dist", "site", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache")


@nox.session(python="3.12")
def release(session: nox.Session) -> None:
    """Cut one distribution's release: `-- <dist> <major|minor|patch|X.Y.Z> [--dry-run]`.

    Checks that its changelog has Unreleased entries and that every dependent's declared range
    admits the new version (naming the ranges to widen if not), bumps the version (`uv version`)
    and `__version__`, moves the Unreleased entries under the new version, builds only its wheel
    and sdist into dist/, runs the isolation check for it and prints the tag to push. Publishing
    (`uv publish`) stays a manual step, never run by CI. `--dry-run` does all of it in a temporary
    copy of the tree, which is left untouched.
    """
    args = [a for a in session.posargs if a != "--dry-run"]
    dry_run = len(args) != len(session.posargs)
    if len(args) != 2 or args[0] not in PACKAGES:
        session.error(f"usage: nox -s release -- <{'|'.join(PACKAGES)}> <major|minor|patch|X.Y.Z> [--dry-run]")
    dist, how = args
    released = _rel.released_versions(ROOT, dist)
    if not dry_run:
        tag, files = _release(session, dist, how, released, ROOT, dry_run=False)
        session.log(f'next: git commit -am "{dist} {tag.rsplit("-v", 1)[1]}" && git tag {tag} && git push origin {tag}')
        session.log(f"then publish by hand (never from CI): uv publish {files}")
        session.log(f"tag to push: {tag}")
        return
    copy = Path(tempfile.mkdtemp(prefix="kalshi-release-"))
    try:
        shutil.copytree(ROOT, copy / "tree", ignore=shutil.ignore_patterns(*_TREE_JUNK))
        tag, _ = _release(session, dist, how, released, copy / "tree", dry_run=True)
    finally:
        shutil.rmtree(copy, ignore_errors=True)
    session.log(f"dry run: built and checked in a copy; this tree is unchanged. Tag to push: {tag}")


def _release(
    session: nox.Session, dist: str, how: str, released: list[str], root: Path, *, dry_run: bool
) -> tuple[str, str]:
    """The release steps on the tree at `root`; returns the tag to push and the built files.

    A dry run goes on past an empty Unreleased section (CI's dry run must not fail right after a
    real release emptied it); a real release stops there.
    """
    pkg = root / "packages" / dist
    current = _rel.read_version(pkg / "pyproject.toml")
    changelog_md = (pkg / "CHANGELOG.md").read_text()
    try:
        new = _rel.next_version(dist, current, how, released)
        entries = _rel.has_entry(changelog_md)
        if not entries and not dry_run:
            session.error(f"{dist}: nothing under '## Unreleased' in its CHANGELOG.md to release")
        if not entries:
            session.warn(f"{dist}: nothing under '## Unreleased' yet; a real release would stop here")
    except ValueError as exc:
        session.error(str(exc))
    narrow = _rel.narrow_dependents(root / "packages", dist, new)
    if narrow:
        lines = "\n".join(f"  {n}" for n in narrow)
        session.error(f"{dist} {new} is outside ranges its dependents declare; widen them first:\n{lines}")
    session.log(f"{dist}: {current} -> {new}; every dependent's range admits {new}")
    version_args = ["--bump", how] if how in _rel.BUMPS else [new]
    session.run(
        "uv", "--directory", str(root), "version", *version_args, "--package", dist, "--no-sync", external=True
    )  # fmt: skip
    if _rel.read_version(pkg / "pyproject.toml") != new:
        session.error(f"uv version did not set {dist} to {new}")
    _rel.set_module_version(pkg / "src" / PACKAGES[dist] / "__init__.py", new)
    today = datetime.datetime.now(datetime.UTC).date().isoformat()
    if entries:
        (pkg / "CHANGELOG.md").write_text(_rel.cut_release(changelog_md, new, today))
    out = root / "dist"
    stem = f"{dist.replace('-', '_')}-{new}"
    for old in out.glob(f"{stem}*"):
        old.unlink()
    session.run("uv", "--directory", str(root), "build", "--package", dist, "--out-dir", str(out), external=True)
    built = sorted(p.name for p in out.glob(f"{stem}*"))
    if built != [f"{stem}-py3-none-any.whl", f"{stem}.tar.gz"]:
        session.error(f"expected {stem}'s wheel and sdist in {out}, found {built}")
    _isolation(session, {dist}, root)
    return _rel.tag_name(dist, new), f"dist/{stem}-py3-none-any.whl dist/{stem}.tar.gz"


@nox.session(python=False)
def ci(session: nox.Session) -> None:
    """Everything CI runs, in order: changelogs, lint, types, codegen drift, contracts, tests on 3.11-3.13,
    isolation, a dry-run release of one distribution, lowest."""
    queue: list[tuple[str, list[str] | None]] = [("changelog", None), ("lint", None), ("typecheck", None)]
    queue += [("codegen", ["--check"]), ("contracts", None)]
    queue += [(f"tests-{_short(d)}-3.11", None) for d in PACKAGES]
    queue += [(f"tests-{_short(d)}-3.13", None) for d in PACKAGES]
    queue += [("isolation", None), ("release", ["kalshi-auth", "patch", "--dry-run"]), ("lowest", None)]
    for name, args in queue:
        session.notify(name, posargs=args)


os.environ.setdefault("UV_PYTHON_DOWNLOADS", "never")
