"""Page items to pandas or polars DataFrames, column by column, keeping Decimal and datetime."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

__all__ = ["to_dataframe"]


def _columns(items: Sequence[Any]) -> dict[str, list[Any]]:
    if not items:
        return {}
    first = items[0]
    fields = getattr(type(first), "model_fields", None)
    if fields is None:
        rows = [dict(item) for item in items]
    else:
        rows = []
        for item in items:
            row = dict(item.__dict__)
            extra = item.__pydantic_extra__
            if extra:
                row.update(extra)
            rows.append(row)
    names: dict[str, None] = dict.fromkeys(rows[0])
    for row in rows:
        if row.keys() != names.keys():
            names.update(dict.fromkeys(row))
    return {name: [row.get(name) for row in rows] for name in names}


def to_dataframe(items: Sequence[Any], backend: str) -> Any:
    """Build a DataFrame with one row per item and one column per field (extras included)."""
    if backend == "pandas":
        try:
            import pandas as pd
        except ImportError as exc:
            raise ImportError("to_dataframe(backend='pandas') needs pandas: pip install 'kalshi-rest[pandas]'") from exc
        return pd.DataFrame(_columns(items))
    if backend == "polars":
        try:
            import polars as pl
        except ImportError as exc:
            raise ImportError("to_dataframe(backend='polars') needs polars: pip install 'kalshi-rest[polars]'") from exc
        return pl.DataFrame(_columns(items), strict=False)
    raise ValueError(f"backend must be 'pandas' or 'polars', got {backend!r}")
