"""Page items to pandas or polars DataFrames, column by column, keeping Decimal and datetime.

The slow part of building a frame from Python objects is converting aware `datetime`s one by one
inside pandas/polars; here each datetime column becomes exact epoch microseconds first (one
subtraction per value) and is then cast in one vectorised step. Decimal columns stay `Decimal`
objects in pandas and become polars `Decimal` with the widest scale present (no digit lost).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

__all__ = ["to_dataframe"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)


def _columns(items: Sequence[Any]) -> dict[str, list[Any]]:
    """One list per field, in field order, then any unknown (extra) fields the server sent."""
    if not items:
        return {}
    first = items[0]
    cls = type(first)
    if hasattr(first, "__pydantic_extra__") and all(type(item) is cls for item in items):
        dicts = [item.__dict__ for item in items]
        names = list(dicts[0])
        columns = dict(zip(names, map(list, zip(*[d.values() for d in dicts], strict=True)), strict=True))
        extras = [item.__pydantic_extra__ for item in items]
        extra_names: dict[str, None] = {}
        for extra in extras:
            if extra:
                extra_names.update(dict.fromkeys(extra))
        for name in extra_names:
            if name not in columns:
                columns[name] = [extra.get(name) if extra else None for extra in extras]
        return columns
    rows = [_row(item) for item in items]
    all_names: dict[str, None] = {}
    for row in rows:
        all_names.update(dict.fromkeys(row))
    return {name: [row.get(name) for row in rows] for name in all_names}


def _row(item: Any) -> dict[str, Any]:
    if hasattr(item, "__pydantic_extra__"):
        row = dict(item.__dict__)
        if item.__pydantic_extra__:
            row.update(item.__pydantic_extra__)
        return row
    return dict(item)


def _kind(values: list[Any]) -> type | None:
    for value in values:
        if value is not None:
            if isinstance(value, datetime) and value.tzinfo is not None:
                return datetime
            if isinstance(value, Decimal):
                return Decimal
            return None
    return None


def _micros(values: list[Any]) -> list[int | None]:
    """Exact epoch microseconds of aware datetimes (None kept); TypeError if any value is not one."""
    return [None if v is None else (v - _EPOCH) // _MICROSECOND for v in values]


def _pandas(columns: dict[str, list[Any]]) -> Any:
    import numpy as np
    import pandas as pd

    nat = np.iinfo(np.int64).min
    data: dict[str, Any] = {}
    for name, values in columns.items():
        kind = _kind(values)
        if kind is datetime:
            try:
                micros = np.array([nat if v is None else (v - _EPOCH) // _MICROSECOND for v in values], dtype=np.int64)
            except TypeError:
                data[name] = values
                continue
            data[name] = pd.DatetimeIndex(micros.view("M8[us]")).tz_localize("UTC")
        elif kind is Decimal:
            column = np.empty(len(values), dtype=object)
            column[:] = values
            data[name] = column
        else:
            data[name] = values
    return pd.DataFrame(data)


def _polars(columns: dict[str, list[Any]]) -> Any:
    import polars as pl

    series = []
    for name, values in columns.items():
        kind = _kind(values)
        try:
            if kind is datetime:
                series.append(pl.Series(name, _micros(values), dtype=pl.Int64).cast(pl.Datetime("us", "UTC")))
                continue
            if kind is Decimal:
                texts = pl.Series(name, [None if v is None else str(v) for v in values], dtype=pl.String)
                decimals = texts.str.to_decimal(inference_length=len(values))
                if decimals.null_count() == texts.null_count():  # every value parsed (no exponent forms)
                    series.append(decimals)
                    continue
        except (TypeError, pl.exceptions.PolarsError):
            pass
        series.append(pl.Series(name, values, strict=False))
    return pl.DataFrame(series)


def to_dataframe(items: Sequence[Any], backend: str) -> Any:
    """Build a DataFrame with one row per item and one column per field (extras included)."""
    if backend not in ("pandas", "polars"):
        raise ValueError(f"backend must be 'pandas' or 'polars', got {backend!r}")
    try:
        if backend == "pandas":
            import pandas  # noqa: F401
        else:
            import polars  # noqa: F401
    except ImportError as exc:
        raise ImportError(
            f"to_dataframe(backend={backend!r}) needs {backend}: pip install 'kalshi-rest[{backend}]'"
        ) from exc
    columns = _columns(items)
    return _pandas(columns) if backend == "pandas" else _polars(columns)
