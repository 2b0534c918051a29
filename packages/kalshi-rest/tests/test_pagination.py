"""Pages, list_all and DataFrames, on both faces."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

import httpx
import pytest
from rest_support import LIST_ITEMS, Item, Server, close, collect, item_json, json_response, make_client, resolve

from kalshi_rest import AsyncPage, KalshiPaginationError, KalshiRequestError, Page

FACES = pytest.mark.parametrize("face", ["sync", "async"])


def pages(*cursors: str | None, per_page: int = 2) -> list[httpx.Response]:
    out = []
    for n, cursor in enumerate(cursors):
        items = [item_json(f"T{n}-{i}") for i in range(per_page)]
        body: dict[str, Any] = {"items": items}
        if cursor is not None:
            body["cursor"] = cursor
        out.append(json_response(200, body))
    return out


@FACES
async def test_page_is_iterable_with_cursor_and_has_next(face: str, server: Server) -> None:
    server.script = pages("c1")
    client = make_client(face, server)
    page = await resolve(client.items.list(status="open"))
    assert isinstance(page, Page if face == "sync" else AsyncPage)
    assert [i.ticker for i in page] == ["T0-0", "T0-1"]
    assert len(page) == 2
    assert page.cursor == "c1"
    assert page.has_next
    assert page[0].price_dollars == Decimal("0.5600")
    assert "cursor" not in server.requests[0].url.params
    await close(client)


@FACES
async def test_next_page_sends_the_cursor_and_last_page_has_none(face: str, server: Server) -> None:
    server.script = pages("c1", "")
    client = make_client(face, server)
    first = await resolve(client.items.list(status="open"))
    second = await resolve(first.next_page())
    assert server.requests[1].url.params["cursor"] == "c1"
    assert server.requests[1].url.params["status"] == "open"
    assert second.cursor is None
    assert not second.has_next
    assert await resolve(second.next_page()) is None
    await close(client)


@FACES
async def test_list_all_walks_every_page(face: str, server: Server) -> None:
    server.script = pages("c1", "c2", None)
    client = make_client(face, server)
    items = await collect(client.items.list_all(status="open"))
    assert [i.ticker for i in items] == ["T0-0", "T0-1", "T1-0", "T1-1", "T2-0", "T2-1"]
    assert [r.url.params.get("cursor") for r in server.requests] == [None, "c1", "c2"]
    await close(client)


@FACES
async def test_list_all_max_pages_stops_early(face: str, server: Server) -> None:
    server.script = pages("c1", "c2", "c3")
    client = make_client(face, server)
    items = await collect(client.items.list_all(max_pages=2))
    assert len(items) == 4
    assert len(server.requests) == 2
    await close(client)


@FACES
@pytest.mark.parametrize("bad", [0, -1])
async def test_max_pages_below_one_is_a_value_error_before_any_request(face: str, server: Server, bad: int) -> None:
    client = make_client(face, server)
    with pytest.raises(ValueError, match="max_pages") as err:
        client.items.list_all(max_pages=bad)
    assert isinstance(err.value, KalshiRequestError)
    with pytest.raises(TypeError):
        client.items.list_all(max_pages="2")
    assert server.requests == []
    await close(client)


@FACES
async def test_repeating_cursor_raises_instead_of_looping(face: str, server: Server) -> None:
    server.script = pages("A", "B", "A", "B")
    client = make_client(face, server)
    with pytest.raises(KalshiPaginationError, match="repeated cursor"):
        await collect(client.items.list_all())
    assert len(server.requests) == 3
    server.script = pages("same", "same")
    with pytest.raises(KalshiPaginationError):
        await collect(client.items.list_all())
    await close(client)


@FACES
async def test_iter_pages_yields_pages(face: str, server: Server) -> None:
    server.script = pages("c1", None)
    client = make_client(face, server)
    first = await resolve(client.items.list())
    walked = await collect(first.iter_pages())
    assert [len(p) for p in walked] == [2, 2]
    await close(client)


@FACES
async def test_null_items_list_is_an_empty_page(face: str, server: Server) -> None:
    server.script = [json_response(200, {"items": [], "cursor": ""})]
    client = make_client(face, server)
    page = await resolve(client.items.list())
    assert list(page) == []
    assert not page
    assert not page.has_next
    await close(client)


def _items(n: int) -> list[Item]:
    return [Item.model_validate(item_json(f"T{i}", f"0.{i % 10}{i % 7}00")) for i in range(n)]


def test_to_dataframe_pandas_keeps_decimal_and_datetime() -> None:
    pytest.importorskip("pandas")
    frame = Page(_items(3), None, None).to_dataframe()
    assert list(frame.columns) == ["ticker", "price_dollars", "open_time"]
    assert frame["price_dollars"].tolist() == [Decimal("0.0000"), Decimal("0.1100"), Decimal("0.2200")]
    assert isinstance(frame["price_dollars"].iloc[1], Decimal)
    assert frame["open_time"].iloc[0] == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_to_dataframe_polars_keeps_decimal_and_datetime() -> None:
    pl = pytest.importorskip("polars")
    frame = Page(_items(3), None, None).to_dataframe(backend="polars")
    assert frame.columns == ["ticker", "price_dollars", "open_time"]
    assert isinstance(frame.schema["price_dollars"], pl.Decimal)
    assert frame["price_dollars"].to_list() == [Decimal("0.0000"), Decimal("0.1100"), Decimal("0.2200")]
    assert frame["open_time"][0] == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)


def test_to_dataframe_includes_extra_fields_and_refuses_unknown_backend() -> None:
    pytest.importorskip("pandas")
    items = [Item.model_validate({**item_json("A"), "new_field": 1}), Item.model_validate(item_json("B"))]
    frame = Page(items, None, None).to_dataframe()
    assert frame["new_field"].tolist()[0] == 1
    with pytest.raises(ValueError, match="backend"):
        Page(items, None, None).to_dataframe(backend="excel")  # type: ignore[arg-type]


def test_empty_page_to_dataframe_is_empty() -> None:
    pytest.importorskip("pandas")
    assert len(Page([], None, None).to_dataframe()) == 0


def test_page_never_keeps_an_empty_cursor() -> None:
    assert Page([], "", None).cursor is None
    assert LIST_ITEMS.page_items == "items"


def _aware(text: str) -> datetime:
    return Item.model_validate({"ticker": "T", "price_dollars": "1", "open_time": text}).open_time  # type: ignore[return-value]


DATETIME_CASES = [
    "2026-01-02T03:04:05.123456Z",
    "2024-02-29T23:59:59.999999Z",
    "1969-12-31T23:59:59.000001Z",
    "2000-01-01T00:00:00Z",
    "2099-12-31T12:00:00.5Z",
]


def test_fast_datetime_columns_equal_the_exact_path() -> None:
    pytest.importorskip("numpy")  # the fast path needs numpy (it comes with the pandas/polars extras)
    from kalshi_rest._frames import _micros, _utc_micros

    values: list[Any] = [_aware(t) for t in DATETIME_CASES]
    fast = _utc_micros(values)
    assert fast is not None
    assert fast[0].tolist() == _micros(values)
    with_none = [values[0], None, values[1]]
    micros, mask = _utc_micros(with_none)  # type: ignore[misc]
    assert mask.tolist() == [False, True, False]
    assert micros[[0, 2]].tolist() == [_micros(values)[0], _micros(values)[1]]
    offset = [_aware("2026-01-02T03:04:05+05:00")]
    assert _utc_micros(offset) is None  # not UTC: the exact slow path is taken
    assert _utc_micros([datetime(2026, 1, 1)]) is None  # naive


@pytest.mark.parametrize("backend", ["pandas", "polars"])
def test_dataframe_datetimes_with_nulls_and_offsets_keep_the_instant(backend: str) -> None:
    pytest.importorskip(backend)
    texts = [*DATETIME_CASES, None, "2026-01-02T08:04:05+05:00"]
    items = [
        Item.model_validate({"ticker": f"T{i}", "price_dollars": "1", "open_time": t}) for i, t in enumerate(texts)
    ]
    frame = Page(items, None, None).to_dataframe(backend=backend)  # type: ignore[call-overload]
    got = frame["open_time"].to_list() if backend == "polars" else list(frame["open_time"])
    expected = [None if t is None else _aware(t) for t in texts]
    for value, want in zip(got, expected, strict=True):
        if want is None:
            assert value is None or str(value) in ("NaT", "None")
        else:
            assert value == want
    mixed = [*DATETIME_CASES[:2], "2026-01-02T08:04:05+05:00"]
    items = [Item.model_validate({"ticker": "T", "price_dollars": "1", "open_time": t}) for t in mixed]
    frame = Page(items, None, None).to_dataframe(backend=backend)  # type: ignore[call-overload]
    got = frame["open_time"].to_list() if backend == "polars" else list(frame["open_time"])
    assert got == [_aware(t) for t in mixed]


def test_polars_without_numpy_takes_the_exact_path(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("polars")
    from kalshi_rest._frames import _utc_micros

    values: list[Any] = [_aware(t) for t in DATETIME_CASES]
    monkeypatch.setitem(sys.modules, "numpy", None)
    assert _utc_micros(values) is None
    items = [Item.model_validate({"ticker": "T", "price_dollars": "1", "open_time": t}) for t in DATETIME_CASES]
    frame = Page(items, None, None).to_dataframe(backend="polars")
    assert frame["open_time"].to_list() == values
