"""No package imports another distribution's private modules: each builds on the others' public API.

Walks every `packages/*/src` with `ast` and fails on `import kalshi_x._y`, `from kalshi_x._y import ...`
and `from kalshi_x import _y` where `kalshi_x` is not the importing package itself.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted(ROOT.glob("packages/*/src"))


def _private(module: str, own: str) -> bool:
    top, *rest = module.split(".")
    return top.startswith("kalshi") and top != own and any(part.startswith("_") for part in rest)


def private_imports(path: Path, own: str, root: Path = ROOT) -> list[str]:
    """`file:line module` for every import of another package's underscore module in `path`."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            bad = [a.name for a in node.names if _private(a.name, own)]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            bad = [node.module] if _private(node.module, own) else []
            if not bad and node.module.split(".")[0].startswith("kalshi") and node.module.split(".")[0] != own:
                bad = [f"{node.module}.{a.name}" for a in node.names if a.name.startswith("_") and a.name != "__all__"]
        else:
            continue
        found += [f"{path.relative_to(root)}:{node.lineno} {name}" for name in bad]
    return found


def test_the_walk_sees_every_package() -> None:
    owners = {next(p for p in src.iterdir() if p.is_dir() and not p.name.endswith(".egg-info")).name for src in SOURCES}
    assert {"kalshi_rest", "kalshi_perps", "kalshi_klear", "kalshi_ws", "kalshi_testing"} <= owners


def test_the_check_catches_each_form(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text(
        "import kalshi_rest._core\nfrom kalshi_rest._client import SyncAPIClient\nfrom kalshi_rest import _models\n"
        "from kalshi_rest.extension import Page\nfrom kalshi_perps._ws import PERPS\nfrom ._own import x\n"
        "if True:\n    from kalshi_ws._channel import ChannelInfo\n"
    )
    found = [line.split(" ", 1)[1] for line in private_imports(sample, "kalshi_perps", tmp_path)]
    assert found == ["kalshi_rest._core", "kalshi_rest._client", "kalshi_rest._models", "kalshi_ws._channel"]


def test_no_package_imports_another_packages_private_modules() -> None:
    found: list[str] = []
    for src in SOURCES:
        for path in sorted(src.rglob("*.py")):
            found += private_imports(path, path.relative_to(src).parts[0])
    assert found == [], (
        "private imports across packages (use the public API, e.g. kalshi_rest.extension):\n" + "\n".join(found)
    )
