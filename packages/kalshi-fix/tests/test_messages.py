"""Typed messages: exact wire bodies, price units, groups (flat, nested, out of order), enums, encode errors."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import pytest

from kalshi_fix._codec import (
    SessionHeader,
    parse_frame,
)
from kalshi_fix._errors import FixEncodeError, FixMissingTagError
from kalshi_fix.messages import (
    FIELD_ENUMS,
    FIELDS,
    MESSAGE_TYPES,
    CollateralAmountChangeEntry,
    ExecType,
    ExecutionReport,
    FixMessage,
    Heartbeat,
    Logon,
    MarketDataIncrementalRefresh,
    MarketDataRequest,
    MarketDataSnapshotFullRefresh,
    MarketSettlementReport,
    MDEntryType,
    MDIncrementalEntry,
    MDSnapshotEntry,
    MDUpdateAction,
    MiscFee,
    NewOrderSingle,
    OrdStatus,
    OrdType,
    Party,
    PartyRole,
    QuoteConfirmStatus,
    QuoteConfirmStatusValue,
    RelatedSym,
    SecurityStatus,
    SecurityTradingStatus,
    SequenceReset,
    Side,
    SubscriptionRequestType,
    TimeInForce,
)
from kalshi_fix.messages._decode import decode_app_message, decode_message

KEY = "0b7c2c7e-1d2f-4c34-9a55-7e6f5a4b3c2d"
T = "20261124-09:30:01.123"
HEADER = SessionHeader(sender_comp_id=KEY, target_comp_id="KalshiNR", msg_seq_num=2, sending_time=T)


def frame(msg_type: str, body: str, seq: int = 4) -> bytes:
    """A frame as the gateway would send it, built by hand from `|`-separated text."""
    inner = f"35={msg_type}\x0149=KalshiNR\x0156={KEY}\x0134={seq}\x0152={T}\x01" + body.replace("|", "\x01") + "\x01"
    data = f"8=FIXT.1.1\x019={len(inner.encode())}\x01{inner}".encode()
    return data + b"10=%03d\x01" % (sum(data) % 256)


FEE = MiscFee(misc_fee_amt=Decimal(1), misc_fee_curr="USD", misc_fee_type="4", misc_fee_basis=0)


def seed_order() -> NewOrderSingle:
    return NewOrderSingle(
        cl_ord_id="order-1", symbol="KXBTC-25DEC31", side=Side.BUY_YES, order_qty=Decimal("10"), price=Decimal("0.55")
    )


def test_registry_holds_all_40_messages_with_unique_types() -> None:
    assert len(MESSAGE_TYPES) == 40
    for msg_type, cls in MESSAGE_TYPES.items():
        assert issubclass(cls, FixMessage)
        assert msg_type == cls.MSG_TYPE
        assert cls.MSG_CAT in {"admin", "app"}
    assert sorted(t for t, c in MESSAGE_TYPES.items() if c.MSG_CAT == "admin") == ["0", "1", "2", "3", "4", "5", "A"]


def test_seed_new_order_single_body_in_cents_and_dollars() -> None:
    order = seed_order()
    assert order.ord_type is OrdType.LIMIT  # the only legal value, defaulted
    # field order as docs.kalshi.com/fix/order-entry shows it: 44 after 55 (the dictionary has it before 54)
    assert order.encode_body() == b"11=order-1\x0138=10\x0140=2\x0154=1\x0155=KXBTC-25DEC31\x0144=55\x01"
    assert (
        order.encode_body(use_dollars=True) == b"11=order-1\x0138=10\x0140=2\x0154=1\x0155=KXBTC-25DEC31\x0144=0.55\x01"
    )
    wire = order.encode(HEADER)
    assert decode_app_message(wire) == order
    assert decode_app_message(order.encode(HEADER, use_dollars=True), use_dollars=True) == order


def test_optional_fields_groups_and_types_encode_in_dictionary_order() -> None:
    order = NewOrderSingle(
        cl_ord_id="o2",
        symbol="KX",
        side=Side.SELL_NO,
        order_qty=Decimal("2.50"),
        price=Decimal("0.07"),
        time_in_force=TimeInForce.GTD,
        expire_time=datetime(2026, 11, 24, 10, 0, 0, 250, tzinfo=UTC),
        party_ids=[Party(party_id="acct-1", party_role=PartyRole.CUSTOMER_ACCOUNT)],
        cancel_order_on_pause=True,
        max_execution_cost=Decimal("12.34"),
        alloc_account=3,
    )
    assert order.encode_body() == (
        b"11=o2\x0138=2.50\x0140=2\x0154=2\x0155=KX\x0144=7\x0159=6\x01126=20261124-10:00:00.000250\x01"
        b"453=1\x01448=acct-1\x01452=24\x0121006=Y\x0121009=12.34\x0179=3\x01"
    )
    assert decode_app_message(order.encode(HEADER)) == order


def test_execution_report_from_the_gateway_decodes_to_typed_fields() -> None:
    raw = frame(
        "8",
        "37=ord-9|11=order-1|17=4;7|150=F|39=1|54=1|55=KXBTC|151=6|14=4|6=55|38=10|31=55|32=4|44=55"
        f"|60={T}|136=1|137=0.07|138=USD|139=4|891=0|704=4|705=0|1703=1|1704=-2.27|1705=BALANCE|880=m1|1057=Y",
    )
    report = decode_app_message(raw)
    assert isinstance(report, ExecutionReport)
    assert report.cl_ord_id == "order-1"
    assert report.exec_type is ExecType.TRADE
    assert report.ord_status is OrdStatus.PARTIALLY_FILLED
    assert report.side is Side.BUY_YES
    assert report.avg_px == Decimal("0.55")
    assert report.last_qty == Decimal("4")
    assert report.transact_time == datetime(2026, 11, 24, 9, 30, 1, 123000, tzinfo=UTC)
    assert report.aggressor_indicator is True
    assert report.text is None
    assert report.misc_fees == [
        MiscFee(misc_fee_amt=Decimal("0.07"), misc_fee_curr="USD", misc_fee_type="4", misc_fee_basis=0)
    ]
    assert report.collateral_amount_changes == [
        CollateralAmountChangeEntry(collateral_amount_change=Decimal("-2.27"), collateral_amount_type="BALANCE")
    ]


def test_groups_with_several_entries_keep_order_and_values() -> None:
    raw = frame(
        "8",
        "37=o|11=c|17=1;1|150=0|39=0|54=1|55=KX|151=1|14=0|6=0|38=1"
        "|136=2|137=0.01|138=USD|139=4|891=0|137=0.02|138=USD|139=4|891=0|453=2|448=a|452=24|448=b",
    )
    report = decode_app_message(raw)
    assert isinstance(report, ExecutionReport)
    assert [f.misc_fee_amt for f in report.misc_fees or []] == [Decimal("0.01"), Decimal("0.02")]
    assert report.party_ids == [Party(party_id="a", party_role=PartyRole.CUSTOMER_ACCOUNT), Party(party_id="b")]


def test_group_count_rules_from_the_facts() -> None:
    base = "37=o|11=c|17=1;1|150=0|39=0|54=1|55=KX|151=1|14=0|6=0|38=1"
    # NumInGroup larger than the entries present: keep what is present
    report = decode_app_message(frame("8", base + "|453=3|448=a|452=24"))
    assert isinstance(report, ExecutionReport)
    assert report.party_ids == [Party(party_id="a", party_role=PartyRole.CUSTOMER_ACCOUNT)]
    # a count that is not an integer drops the group (and its fields)
    report = decode_app_message(frame("8", base + "|453=x|448=a|452=24|58=hi"))
    assert isinstance(report, ExecutionReport)
    assert report.party_ids is None
    assert report.text == "hi"
    # a required field missing inside an entry is a typed error
    with pytest.raises(FixMissingTagError) as info:
        decode_app_message(frame("8", base + "|136=1|137=0.07|138=USD|139=4"))
    assert info.value.tag == 891


def test_settlement_report_nested_groups_and_trailing_last_fragment() -> None:
    # Kalshi's example puts LastFragment (893) after the nested party group (docs/protocol/sequencing.md#fix-specifics).
    raw = frame(
        "UMS",
        "20105=r1|55=KXRAIN|715=20261124|20106=2|20107=scalar|730=30.60"
        "|20108=2|20109=p1|20110=24|704=5|705=0|1703=1|1704=1.53|1705=PAYOUT|136=1|137=0.01|138=USD|139=4|891=0"
        "|20109=p2|20110=24|705=3|893=N",
    )
    report = decode_app_message(raw)
    assert isinstance(report, MarketSettlementReport)
    assert report.clearing_business_date == date(2026, 11, 24)
    assert report.settlement_price == Decimal("0.3060")  # wire cents, typed dollars
    assert report.last_fragment is False
    parties = report.market_settlement_party_ids or []
    assert [p.market_settlement_party_id for p in parties] == ["p1", "p2"]
    assert parties[0].collateral_amount_changes == [
        CollateralAmountChangeEntry(collateral_amount_change=Decimal("1.53"), collateral_amount_type="PAYOUT")
    ]
    assert parties[0].misc_fees is not None
    assert parties[1].short_qty == Decimal("3")
    assert parties[1].misc_fees is None
    # encoding puts 893 in dictionary order; decoding that gives the same report
    assert decode_message(report.encode(HEADER)) == report
    assert b"730=30.60\x01" in report.encode(HEADER)


def test_market_data_messages_from_the_supplement() -> None:
    request = MarketDataRequest(
        subscription_request_type=SubscriptionRequestType.SNAPSHOT, related_sym=[RelatedSym(symbol="KX-1")]
    )
    assert request.encode_body() == b"263=0\x01146=1\x0155=KX-1\x01"
    assert MarketDataRequest(subscription_request_type="2").encode_body() == b"263=2\x01"
    # 270 MDEntryPx is dollars on every session, UseDollars or not (docs.kalshi.com/fix/market-data)
    snap = decode_app_message(frame("W", "55=KX-1|268=2|269=0|270=0.41|271=100|269=1|270=0.4500|271=12.5"))
    assert snap == decode_app_message(
        frame("W", "55=KX-1|268=2|269=0|270=0.41|271=100|269=1|270=0.4500|271=12.5"), use_dollars=True
    )
    assert snap == MarketDataSnapshotFullRefresh(
        symbol="KX-1",
        md_entries=[
            MDSnapshotEntry(md_entry_type=MDEntryType.BID, md_entry_px=Decimal("0.41"), md_entry_size=Decimal(100)),
            MDSnapshotEntry(
                md_entry_type=MDEntryType.OFFER, md_entry_px=Decimal("0.45"), md_entry_size=Decimal("12.5")
            ),
        ],
    )
    empty = decode_app_message(frame("W", "55=KX-2|268=0"))
    assert isinstance(empty, MarketDataSnapshotFullRefresh)
    assert empty.md_entries == []
    inc = decode_app_message(
        frame("X", "268=2|279=1|55=KX-1|269=0|270=0.41|271=0|279=2|55=KX-2|269=1|270=0.5"), use_dollars=False
    )
    assert isinstance(inc, MarketDataIncrementalRefresh)
    assert inc.md_entries == [
        MDIncrementalEntry(
            md_update_action=MDUpdateAction.CHANGE,
            symbol="KX-1",
            md_entry_type=MDEntryType.BID,
            md_entry_px=Decimal("0.41"),
            md_entry_size=Decimal(0),
        ),
        MDIncrementalEntry(
            md_update_action=MDUpdateAction.DELETE,
            symbol="KX-2",
            md_entry_type=MDEntryType.OFFER,
            md_entry_px=Decimal("0.5"),
        ),
    ]
    status = decode_app_message(frame("f", "55=KX-1|326=2"))
    assert status == SecurityStatus(symbol="KX-1", security_trading_status=SecurityTradingStatus.TRADING_HALT)


def test_unknown_enum_values_are_kept_raw_not_rejected() -> None:
    raw = frame("8", "37=o|11=c|17=1;1|150=Z|39=0|54=1|55=KX|151=1|14=0|6=0|38=1|103=77")
    report = decode_app_message(raw)
    assert isinstance(report, ExecutionReport)
    assert report.exec_type == "Z"
    assert report.ord_rej_reason == 77
    assert decode_app_message(report.encode(HEADER)) == report


def test_unknown_tags_are_ignored() -> None:
    report = decode_app_message(frame("8", "37=o|11=c|17=1;1|150=0|39=0|54=1|55=KX|151=1|14=0|6=0|38=1|9999=x"))
    assert isinstance(report, ExecutionReport)
    assert report.order_id == "o"


def test_field_named_like_a_message_gets_a_value_suffix() -> None:
    msg = QuoteConfirmStatus(quote_id="q1", quote_confirm_status=QuoteConfirmStatusValue.REJECTED)
    assert msg.encode_body() == b"117=q1\x0121010=1\x01"


def test_admin_messages_round_trip() -> None:
    for msg in (
        Heartbeat(),
        Heartbeat(test_req_id="TR1"),
        SequenceReset(gap_fill_flag=True, new_seq_no=10),
        Logon(heart_bt_int=30, raw_data=b"sig==", reset_seq_num_flag=True, use_dollars=True, listener_session=False),
    ):
        wire = msg.encode(HEADER)
        assert decode_message(parse_frame(wire)) == msg
    assert Heartbeat().encode_body() == b""
    assert Logon(heart_bt_int=30).encode_body() == b"98=0\x01108=30\x011137=9\x01"


@pytest.mark.parametrize(
    ("override", "match"),
    [
        ({"price": Decimal("0.555")}, "whole number of cents"),
        ({"order_qty": 1.5}, "float"),
        ({"cl_ord_id": "o\x01"}, "SOH"),
        ({"cl_ord_id": ""}, "empty"),
        ({"cl_ord_id": None}, "None"),
        ({"symbol": 12}, "str"),
        ({"order_qty": Decimal("NaN")}, "finite"),
        ({"order_qty": Decimal("1e999999")}, "finite"),
        ({"price": Decimal("sNaN")}, "finite"),
        ({"price": Decimal("-Infinity")}, "finite"),
        ({"price": 0.55}, "float"),
        ({"alloc_account": True}, "int"),
        ({"expire_time": datetime(2026, 1, 1)}, "aware"),
        (
            {"party_ids": [MiscFee(misc_fee_amt=Decimal(1), misc_fee_curr="USD", misc_fee_type="4", misc_fee_basis=0)]},
            "Party",
        ),
        ({"party_ids": Party(party_id="p")}, "list"),
        ({"cancel_order_on_pause": "Y"}, "bool"),
        ({"symbol": "\udcff\ud800"}, "encoded"),
    ],
)
def test_bad_outbound_values_raise_encode_errors(override: dict[str, Any], match: str) -> None:
    fields: dict[str, Any] = {
        "cl_ord_id": "o",
        "symbol": "KX",
        "side": Side.BUY_YES,
        "order_qty": Decimal(1),
        "price": Decimal("0.5"),
    }
    fields.update(override)
    with pytest.raises(FixEncodeError, match=match):
        NewOrderSingle(**fields).encode(HEADER)


def test_sub_cent_prices_need_dollars_mode() -> None:
    order = NewOrderSingle(cl_ord_id="o", symbol="KX", side=Side.BUY_YES, order_qty=Decimal(1), price=Decimal("0.555"))
    assert b"44=0.555\x01" in order.encode_body(use_dollars=True)


def test_aware_non_utc_times_are_converted_and_microseconds_kept() -> None:
    from datetime import timedelta, timezone

    eastern = datetime(2026, 11, 24, 4, 30, 1, 123456, tzinfo=timezone(timedelta(hours=-5)))
    order = NewOrderSingle(
        cl_ord_id="o", symbol="KX", side=Side.BUY_YES, order_qty=Decimal(1), price=Decimal("0.5"), expire_time=eastern
    )
    assert b"126=20261124-09:30:01.123456\x01" in order.encode_body()
    decoded = decode_app_message(order.encode(HEADER))
    assert isinstance(decoded, NewOrderSingle)
    assert decoded.expire_time == eastern


def test_nanosecond_timestamps_truncate_to_microseconds() -> None:
    raw = frame("8", "37=o|11=c|17=1;1|150=0|39=0|54=1|55=KX|151=1|14=0|6=0|38=1|60=20261124-09:30:01.123456789")
    report = decode_app_message(raw)
    assert isinstance(report, ExecutionReport)
    assert report.transact_time == datetime(2026, 11, 24, 9, 30, 1, 123456, tzinfo=UTC)


def test_equality_repr_and_to_dict() -> None:
    a, b = seed_order(), seed_order()
    assert a == b
    b.price = Decimal("0.56")
    assert a != b
    assert a != "order"
    assert "cl_ord_id='order-1'" in repr(a)
    assert "exec_inst" not in repr(a)
    assert a.to_dict()["price"] == Decimal("0.55")


def test_field_tables_cover_every_enum() -> None:
    assert FIELDS[54] == ("Side", "CHAR")
    assert FIELD_ENUMS[54] is Side
    assert FIELD_ENUMS[21010] is QuoteConfirmStatusValue
    for tag, enum_cls in FIELD_ENUMS.items():
        assert tag in FIELDS
        assert len(enum_cls) > 0


@pytest.mark.parametrize(
    "module",
    [
        "kalshi_fix._codec",
        "kalshi_fix._types",
        "kalshi_fix._errors",
        "kalshi_fix.messages",
        "kalshi_fix.messages._base",
        "kalshi_fix.messages._generated",
        "kalshi_fix.messages._generated.enums",
        "kalshi_fix.messages._generated.messages",
        "kalshi_fix.messages._generated.fields",
    ],
)
def test_all_is_sorted_and_complete(module: str) -> None:
    import importlib

    mod = importlib.import_module(module)
    names = list(mod.__all__)
    assert names == sorted(names)
    assert [n for n in names if not hasattr(mod, n)] == []


def test_seed_api_names_are_reachable_from_the_package() -> None:
    import kalshi_fix

    for name in ("NewOrderSingle", "ExecutionReport", "Side", "decode_app_message"):
        assert getattr(kalshi_fix, name) is not None
