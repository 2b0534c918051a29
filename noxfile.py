"""nox: the single entry point for tests, lint, types, codegen drift, wheel isolation and benchmarks.

uvx nox -s ci                 # what CI runs (README's test command)
uvx nox -l                    # every session
uvx nox -s tests-fix-3.13     # one package on one Python
uvx nox -s codegen -- --check # fail if regenerating from specs/ would change anything
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import zipfile
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv"
nox.options.error_on_missing_interpreters = True
nox.options.sessions = ["ci"]

ROOT = Path(__file__).parent
PYTHONS = ["3.11", "3.12", "3.13"]

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
    },
}  # fmt: skip

# Heavy third-party packages that a lean install must not contain unless its closure declares them.
HEAVY = {"httpx", "pydantic", "websockets", "msgspec", "aiohttp", "pyyaml", "pandas", "polars", "h2"}

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
    """The RECORD lines (path, hash, size) of a distribution's files, its .dist-info aside."""
    return {line for line in record.splitlines() if line and ".dist-info/" not in line.split(",", 1)[0]}


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
    only = set(session.posargs) or set(PACKAGES)
    work = Path(tempfile.mkdtemp(prefix="kalshi-iso-"))
    dist_dir = work / "dist"
    session.run("uv", "build", "--all-packages", "--out-dir", str(dist_dir), "--quiet", external=True)
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
        tests_copy = _copy_tests(dist, work)
        session.run(
            py, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-m", "not slow and not live",
            "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(work), str(tests_copy),
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


def _copy_tests(dist: str, work: Path) -> Path:
    """Copy a package's tests and README (what its sdist ships, minus src/) out of the tree."""
    target = work / f"pkg-{dist}"
    shutil.copytree(ROOT / "packages" / dist, target, ignore=shutil.ignore_patterns("src", "__pycache__"))
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


@nox.session(python="3.11")
def docs(session: nox.Session) -> None:
    """Build the docs site (warnings are errors), run every Python block of docs/ and the READMEs
    against the simulator, and the examples' tests."""
    _sync(session, groups=("docs", "test"), extras=True)
    session.run("python", "tools/docs_reference.py", "--check")
    site = tempfile.mkdtemp(prefix="kalshi-site-")
    session.run("mkdocs", "build", "--strict", "--quiet", "--site-dir", site, env={"NO_MKDOCS_2_WARNING": "1"})
    shutil.rmtree(site, ignore_errors=True)
    session.run("python", "tools/docs_blocks.py", "--summary")
    session.run("pytest", "-q", "-p", "no:cacheprovider", "-rs", "tools/docs_blocks.py", "examples", *session.posargs)


@nox.session(python=False)
def ci(session: nox.Session) -> None:
    """Everything CI runs, in order: lint, types, codegen drift, contracts, docs, tests on 3.11-3.13, isolation,
    lowest."""
    queue: list[tuple[str, list[str] | None]] = [("lint", None), ("typecheck", None), ("codegen", ["--check"])]
    queue += [("contracts", None), ("docs", None)]
    queue += [(f"tests-{_short(d)}-3.11", None) for d in PACKAGES]
    queue += [(f"tests-{_short(d)}-3.13", None) for d in PACKAGES]
    queue += [("isolation", None), ("lowest", None)]
    for name, args in queue:
        session.notify(name, posargs=args)


os.environ.setdefault("UV_PYTHON_DOWNLOADS", "never")
