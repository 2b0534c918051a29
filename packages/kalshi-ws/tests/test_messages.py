"""Generated message models: every spec example decodes into its typed model."""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

import msgspec
import pytest

from kalshi_ws import KalshiDecodeError, MessageDecoder, RawMessage
from kalshi_ws.messages import (
    CHANNELS,
    COMMANDS,
    EXAMPLES,
    SERVER_MESSAGES,
    SPEC_CHANNELS,
    Command,
    EventFeeUpdate,
    Fill,
    MarketLifecycleV2,
    OkResponse,
    OkResponseMsg,
    OrderbookDelta,
    OrderbookSnapshot,
    Ticker,
    UserOrder,
    WsMessage,
)

DECODER = MessageDecoder(SERVER_MESSAGES)
SERVER_EXAMPLES = [(c, n, raw) for c, n, raw in EXAMPLES if b'"cmd"' not in raw]
COMMAND_EXAMPLES = [(c, n, raw) for c, n, raw in EXAMPLES if b'"cmd"' in raw]


@pytest.mark.parametrize(("component", "name", "raw"), SERVER_EXAMPLES, ids=[f"{c}-{n}" for c, n, _ in SERVER_EXAMPLES])
def test_every_server_example_decodes_to_its_type(component: str, name: str, raw: bytes) -> None:
    msg = DECODER.decode(raw)
    wire_type = json.loads(raw)["type"]
    assert isinstance(msg, WsMessage)
    assert type(msg) is SERVER_MESSAGES[wire_type]
    # Round trip: every field the example carries survives decode -> encode.
    again = json.loads(msgspec.json.encode(msg))
    for key, value in json.loads(raw).items():
        if key != "msg" or not isinstance(value, dict):
            assert again[key] == value


@pytest.mark.parametrize(
    ("component", "name", "raw"), COMMAND_EXAMPLES, ids=[f"{c}-{n}" for c, n, _ in COMMAND_EXAMPLES]
)
def test_every_command_example_decodes_to_a_command_model(component: str, name: str, raw: bytes) -> None:
    cmd = msgspec.json.decode(raw, type=Command)
    assert type(cmd) is COMMANDS[json.loads(raw)["cmd"]]


def test_examples_cover_most_server_types() -> None:
    seen = {json.loads(raw)["type"] for _, _, raw in SERVER_EXAMPLES}
    assert set(SERVER_MESSAGES) - seen == set()


def test_fixed_point_fields_are_decimal() -> None:
    (raw,) = [r for c, _, r in EXAMPLES if c == "orderbookDelta"]
    msg = DECODER.decode(raw)
    assert isinstance(msg, OrderbookDelta)
    assert msg.msg.price_dollars == Decimal("0.9600")
    assert msg.msg.delta_fp == Decimal("-54.00")
    assert isinstance(msg.msg.ts, datetime)
    (raw,) = [r for c, _, r in EXAMPLES if c == "orderbookSnapshot"]
    snap = DECODER.decode(raw)
    assert isinstance(snap, OrderbookSnapshot)
    assert snap.msg.yes_dollars_fp == [(Decimal("0.0800"), Decimal("300.00")), (Decimal("0.2200"), Decimal("333.00"))]
    (raw,) = [r for c, _, r in EXAMPLES if c == "fill"]
    fill = DECODER.decode(raw)
    assert isinstance(fill, Fill)
    assert fill.msg.fee_cost == Decimal("0.010000")
    (raw,) = [r for c, _, r in EXAMPLES if c == "ticker"]
    tick = DECODER.decode(raw)
    assert isinstance(tick, Ticker)
    assert tick.msg.dollar_volume == 16948
    assert tick.msg.yes_bid_dollars == Decimal("0.4500")


def test_shared_type_variants_decode_into_one_model() -> None:
    lifecycle = [DECODER.decode(r) for c, _, r in EXAMPLES if c in ("marketLifecycleV2", "marketMetadataUpdated")]
    assert all(isinstance(m, MarketLifecycleV2) for m in lifecycle)
    assert {m.msg.event_type for m in lifecycle} >= {"created", "metadata_updated"}
    oks = [DECODER.decode(r) for c, _, r in EXAMPLES if c in ("okResponse", "listSubscriptionsResponse")]
    assert isinstance(oks[0], OkResponse)
    assert isinstance(oks[0].msg, OkResponseMsg)
    assert isinstance(oks[1].msg, list)
    fee = [DECODER.decode(r) for c, _, r in EXAMPLES if c == "eventFeeUpdate"]
    assert isinstance(fee[1], EventFeeUpdate)
    assert fee[0].msg.fee_multiplier_override == Decimal(1)
    assert fee[1].msg.fee_type_override is None


def test_unknown_fields_are_tolerated_and_known_optional_fields_may_be_missing() -> None:
    (raw,) = [r for c, _, r in EXAMPLES if c == "userOrder"]
    obj = json.loads(raw)
    obj["msg"]["brand_new_field"] = {"nested": [1, 2]}
    obj["new_envelope_field"] = True
    del obj["msg"]["exchange_index"]  # missing during rollouts (docs/protocol/server-behaviours.md#values)
    del obj["msg"]["side"]  # deprecated
    # a deprecated ISO time seen as integer ms (docs/protocol/server-behaviours.md#values)
    obj["msg"]["created_time"] = 1669149841000
    msg = DECODER.decode(json.dumps(obj).encode())
    assert isinstance(msg, UserOrder)
    assert msg.msg.exchange_index is None
    assert msg.msg.created_time == 1669149841000


def test_unknown_type_is_raw_and_bad_frames_are_typed_errors() -> None:
    raw = DECODER.decode(b'{"type":"future_thing","sid":3,"seq":9,"msg":{}}')
    assert isinstance(raw, RawMessage)
    assert (raw.type, raw.sid, raw.seq) == ("future_thing", 3, 9)
    for bad in (b"not json", b"[1,2]", b'{"no_type":1}', b'{"type":5}'):
        with pytest.raises(KalshiDecodeError) as info:
            DECODER.decode(bad)
        assert info.value.data == bad
    with pytest.raises(KalshiDecodeError, match="does not match") as info:
        DECODER.decode(b'{"type":"ticker","sid":4,"msg":{"market_ticker":1}}')
    assert info.value.sid == 4


def test_decoder_is_built_once_per_message_table() -> None:
    assert MessageDecoder.for_messages(SERVER_MESSAGES) is MessageDecoder.for_messages(SERVER_MESSAGES)
    other = dict(SERVER_MESSAGES)
    assert MessageDecoder.for_messages(other) is not MessageDecoder.for_messages(SERVER_MESSAGES)


def test_age_on_arrival() -> None:
    (raw,) = [r for c, _, r in EXAMPLES if c == "orderbookDelta"]
    msg = DECODER.decode(raw)
    assert msg.age_ms is None
    msgspec.structs.force_setattr(msg, "received_ms", 1669149841123 + 40)
    assert msg.server_ts_ms == 1669149841123
    assert msg.age_ms == 40


def test_channel_table_matches_spec_shape() -> None:
    assert len(SPEC_CHANNELS) == 15
    assert set(SPEC_CHANNELS) - set(CHANNELS) == {"root", "control_frames"}
    assert CHANNELS["user_orders"].message_types == ("user_order",)
    assert CHANNELS["market_positions"].message_types == ("market_position",)
    assert not CHANNELS["ticker"].sequenced
    assert CHANNELS["orderbook_delta"].sequenced
    assert CHANNELS["fill"].private
    assert not CHANNELS["trade"].private
    for info in CHANNELS.values():
        assert info.message_classes
        for tag, cls in zip(info.message_types, info.message_classes, strict=True):
            assert SERVER_MESSAGES[tag] is cls


@pytest.mark.parametrize("sid", ['"\u00b9"', '"\u0663"'])
def test_an_unknown_frame_with_a_non_ascii_digit_sid_is_delivered_not_raised(sid: str) -> None:
    out = DECODER.decode(('{"type": "brand_new", "sid": ' + sid + ', "seq": "2"}').encode())
    assert isinstance(out, RawMessage)
    assert (out.sid, out.seq) == (None, 2)
