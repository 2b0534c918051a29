"""Names loaded on first access (PEP 562): `lazy_names` for a module's own heavy names, `reexport`
for a package that re-exports a generated package."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable, Mapping

__all__ = ["lazy_names", "reexport"]


def lazy_names(module: str, table: Mapping[str, str]) -> Callable[[str], object]:
    """A module `__getattr__` that imports `table[name]` (relative to `module`) on first access.

    An entry naming a submodule itself (`{"models": ".models"}`) yields the submodule; any other
    yields the attribute of that name. The value is cached in the module's globals.
    """

    def __getattr__(name: str) -> object:
        where = table.get(name)
        if where is None:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        loaded = importlib.import_module(where, sys.modules[module].__package__)
        value = loaded if where.endswith("." + name) else getattr(loaded, name)
        setattr(sys.modules[module], name, value)
        return value

    return __getattr__


def reexport(
    module: str, source: str, public: Callable[[str], bool] = lambda name: True
) -> tuple[list[str], Callable[[str], object], Callable[[], list[str]]]:
    """`__all__`, `__getattr__` and `__dir__` for `module`, re-exporting the names of `source`'s `__all__`.

    ```python
    __all__, __getattr__, __dir__ = reexport(__name__, "kalshi_perps.models._generated")
    ```

    Args:
        module: the re-exporting module's `__name__`; a loaded value is cached in its globals.
        source: the generated package, whose own `__getattr__` imports each name's module lazily.
        public: which of `source.__all__` to export (default: all).
    """
    src = importlib.import_module(source)
    names = [name for name in src.__all__ if public(name)]
    exported = frozenset(names)

    def __getattr__(name: str) -> object:
        if name not in exported:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        value = getattr(src, name)
        setattr(sys.modules[module], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(names)

    return names, __getattr__, __dir__
