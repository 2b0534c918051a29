"""`reexport`: a package that re-exports a generated package's names, each loaded on first access."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable

__all__ = ["reexport"]


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
