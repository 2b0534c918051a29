"""`kalshi_fix._errors`, imported on first use.

The error classes subclass `kalshi_auth.KalshiError`, and importing kalshi_auth costs ~25 ms (keys, signing,
environments). The message path (`from kalshi_fix import NewOrderSingle`, encode, decode) raises errors only
on bad input, so it reaches them through `errors.FixDecodeError` etc. and pays for kalshi_auth only then.
"""

from __future__ import annotations

from typing import Any

__all__ = ["errors"]


class _Errors:
    """Attribute access loads `kalshi_fix._errors` once; each class is then cached on the instance."""

    __slots__ = ("__dict__",)

    def __getattr__(self, name: str) -> Any:
        from kalshi_fix import _errors

        value = getattr(_errors, name)
        setattr(self, name, value)
        return value


errors: Any = _Errors()
