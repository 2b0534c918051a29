"""Hostile input: arbitrary and mutated bytes thrown at the FIX decoder, the WebSocket frame
decoder and order book, and REST response parsing. Only the SDK's typed errors may escape; nothing
hangs, and a frame that claims an absurd length is refused before anything is allocated for it."""

from __future__ import annotations

import json
import time
import tracemalloc
from decimal import Decimal
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kalshi_auth import KalshiError

from .conftest import Ledger

CASES = 1500
FUZZ = settings(max_examples=CASES, deadline=None, suppress_health_check=list(HealthCheck), database=None)
SOH = b"\x01"
COUNTS: dict[str, int] = {}


def count(name: str) -> None:
    COUNTS[name] = COUNTS.get(name, 0) + 1


def frame(body: bytes) -> bytes:
    head = b"8=FIXT.1.1" + SOH + b"9=" + str(len(body)).encode() + SOH
    total = sum(head + body) % 256
    return head + body + b"10=" + f"{total:03d}".encode() + SOH


EXEC_REPORT = frame(
    b"35=8\x0149=KalshiNR\x0156=key\x0134=7\x0152=20261204-12:00:00.000\x01"
    b"37=ord-1\x0111=cl-1\x0117=exec-1\x01150=0\x0139=0\x0155=KXFED-26DEC-T3.50\x0154=1\x01"
    b"38=10\x0144=55\x01151=10\x0114=0\x016=0\x0160=20261204-12:00:00.000\x01"
)


def mutate(data: bytes, edits: list[tuple[int, int]]) -> bytes:
    out = bytearray(data)
    for pos, byte in edits:
        if out:
            out[pos % len(out)] = byte
    return bytes(out)


edits = st.lists(st.tuples(st.integers(0, 10_000), st.integers(0, 255)), max_size=8)


@FUZZ
@given(st.one_of(st.binary(max_size=512), edits.map(lambda e: mutate(EXEC_REPORT, e))), st.integers(1, 64))
def test_fix_decoder_raises_only_typed_errors(data: bytes, chunk: int) -> None:
    from kalshi_fix import FixError, FrameSplitter, decode_app_message, parse_frame

    count("FIX frames")
    splitter = FrameSplitter()
    frames: list[bytes] = []
    for i in range(0, len(data), chunk):
        frames += splitter.feed(data[i : i + chunk])
    assert all(isinstance(e, FixError) for e in splitter.take_errors())
    for raw in frames:
        try:
            decode_app_message(parse_frame(raw))
        except FixError:
            pass


def test_fix_absurd_body_length_is_refused_at_once(ledger: Ledger) -> None:
    from kalshi_fix import FixError, FrameSplitter

    splitter = FrameSplitter()
    tracemalloc.start()
    started = time.perf_counter()
    frames = splitter.feed(b"8=FIXT.1.1\x019=2147483648\x0135=8\x0149=Kalshi\x01" + b"x" * 64)
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    errors = splitter.take_errors()
    assert frames == []
    assert errors and all(isinstance(e, FixError) for e in errors), errors
    assert splitter.buffered < 1024, "the splitter must not wait for (or keep) 2 GB that will never come"
    assert peak < 1 << 20 and elapsed < 0.1
    ledger.row("Hostile input", "FIX frame claiming a 2 GB BodyLength", injected=1, survived=1)


def ws_frames() -> list[bytes]:
    """Every documented example of the prediction and perps AsyncAPI specs, as frames."""
    from pathlib import Path

    import yaml

    out: list[bytes] = []
    root = Path(__file__).resolve().parents[1] / "specs"
    for name in ("asyncapi.yaml", "perps_asyncapi.yaml"):
        spec = yaml.safe_load((root / name).read_text())
        for message in spec.get("components", {}).get("messages", {}).values():
            for example in message.get("examples", []) or []:
                payload = example.get("payload")
                if isinstance(payload, dict) and "type" in payload:
                    out.append(json.dumps(payload).encode())
    return out


WS_FRAMES = ws_frames()


def json_mutation() -> st.SearchStrategy[bytes]:
    """A documented frame with one value swapped for something hostile, or raw bytes."""
    values = st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=20),
        st.just("NaN"), st.just("-1e400"), st.just("0.1234567890123"), st.lists(st.integers(), max_size=3),
        st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    )  # fmt: skip

    def swap(index: int, path_pick: int, value: Any) -> bytes:
        obj = json.loads(WS_FRAMES[index % len(WS_FRAMES)])
        target = obj.get("msg") if isinstance(obj.get("msg"), dict) and path_pick % 2 else obj
        keys = sorted(target)
        if keys:
            target[keys[path_pick % len(keys)]] = value
        return json.dumps(obj).encode()

    return st.one_of(st.binary(max_size=256), st.builds(swap, st.integers(0, 10_000), st.integers(0, 100), values))


@FUZZ
@given(json_mutation())
def test_ws_decoder_and_book_raise_only_typed_errors(data: bytes) -> None:
    from kalshi_ws import BookKeeper, MessageDecoder
    from kalshi_ws.messages import SERVER_MESSAGES

    count("WebSocket frames")
    decoder = MessageDecoder.for_messages(SERVER_MESSAGES)
    keeper = BookKeeper()
    try:
        message = decoder.decode(data)
        keeper(message)
    except KalshiError:
        pass


def rest_bodies() -> st.SearchStrategy[bytes]:
    good = json.dumps(
        {"markets": [{"ticker": "KXFED-26DEC-T3.50", "event_ticker": "KXFED-26DEC", "yes_bid_dollars": "0.4500"}],
         "cursor": "abc"}
    ).encode()  # fmt: skip
    return st.one_of(st.binary(max_size=256), edits.map(lambda e: mutate(good, e)))


@FUZZ
@given(rest_bodies(), st.sampled_from([200, 201, 204, 400, 401, 404, 429, 500, 503]))
def test_rest_response_parsing_raises_only_typed_errors(body: bytes, status: int) -> None:
    from kalshi_auth import KalshiConfig
    from kalshi_rest import KalshiClient

    count("REST bodies")

    def answer(request: httpx.Request) -> httpx.Response:
        return httpx.Response(status, content=body, headers={"content-type": "application/json"})

    config = KalshiConfig(base_url="http://127.0.0.1:9/trade-api/v2", max_retries=0)
    with KalshiClient(config=config, http_client=httpx.Client(transport=httpx.MockTransport(answer))) as client:
        try:
            page = client.markets.list()
            for market in page:
                assert market.yes_bid is None or isinstance(market.yes_bid, Decimal)
        except KalshiError:
            pass


@pytest.mark.parametrize("name", ["FIX frames", "WebSocket frames", "REST bodies"])
def test_zz_fuzz_counts(name: str, ledger: Ledger) -> None:
    """Runs after the fuzzers above (file order) and puts their case counts in the report."""
    ran = COUNTS.get(name, 0)
    assert ran >= CASES
    ledger.row("Hostile input", f"fuzzed {name} (hypothesis)", injected=ran, survived=ran, cases=ran)
