from __future__ import annotations

import kalshi_auth


def test_all_is_sorted_and_complete() -> None:
    names = kalshi_auth.__all__

    def isort_key(name: str) -> tuple[int, str]:  # constants, then classes, then functions (ruff RUF022)
        return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)

    assert names == sorted(names, key=isort_key)
    public = {n for n in dir(kalshi_auth) if not n.startswith("_")} - {"annotations"}
    assert set(names) == public


def test_errors_share_one_root() -> None:
    for name in ("KalshiConfigError", "KalshiKeyError", "AuthRequiredError", "KalshiConnectionError"):
        assert issubclass(getattr(kalshi_auth, name), kalshi_auth.KalshiError)
