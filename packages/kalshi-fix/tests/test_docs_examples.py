"""Every example message stored from the docs.kalshi.com FIX pages: parsed, decoded, re-encoded byte for byte."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

import pytest

from kalshi_fix import OrderBook, SessionHeader, decode_app_message, encode_frame, parse_frame
from kalshi_fix.messages import (
    MESSAGE_TYPES,
    AggressorSide,
    ExecutionReport,
    MarketDataIncrementalRefresh,
    MarketDataSnapshotFullRefresh,
    MarketSettlementReport,
    MDEntryType,
    NewOrderSingle,
    OrderCancelReplaceRequest,
    Quote,
    QuoteRequestReject,
    Side,
    TimeInForce,
    decode_message,
)

EXAMPLES = sorted((Path(__file__).parent / "docs_examples").glob("*.txt"))
_FRAMING = {"8", "9", "10"}
_HEADER = {"35", "49", "56", "34", "52"}
TS = "20230809-12:34:56.789"


class Example:
    """One documented message: its source, price units, header fields and body (in documented order).

    The docs break long messages over lines, indent group entries and put `// comments` above them; the
    message is its lines joined, without the indentation and the comments. Examples without 49/56 say in
    `# sent_by:` whether Kalshi or a member sends them. The Logon example shows RawData (96) without the
    RawDataLength (95) that FIX puts right before it: the wire form gets it.
    """

    def __init__(self, path: Path) -> None:
        lines = path.read_text().splitlines()
        meta = dict(line[2:].split(": ", 1) for line in lines if line.startswith("# "))
        self.source = meta["source"]
        self.use_dollars = meta["use_dollars"] == "true"
        self.sent_by_kalshi = meta.get("sent_by") == "kalshi"
        text = "".join(line.strip() for line in lines if not line.startswith(("# ", "//")))
        fields = [part for part in text.split("|") if part]
        self.header = {}
        body = []
        for part in fields:
            tag = part.partition("=")[0]
            if tag in _FRAMING:
                continue  # the docs show placeholders (9=200, 10=123); the encoder computes them
            if tag in _HEADER:
                self.header[tag] = part.partition("=")[2]
            else:
                if tag == "96" and not (body and body[-1].startswith("95=")):
                    body.append(f"95={len(part) - 3}")
                body.append(part)
        self.body = "".join(f"{part}\x01" for part in body).encode()

    @property
    def msg_type(self) -> str:
        return self.header["35"]

    def session_header(self) -> SessionHeader:
        kalshi, member = "Kalshi", "your-api-key"
        if self.sent_by_kalshi:
            member, kalshi = kalshi, member
        return SessionHeader(
            sender_comp_id=self.header.get("49", member),
            target_comp_id=self.header.get("56", kalshi),
            msg_seq_num=int(self.header.get("34", "1")),
            sending_time=self.header.get("52", "20230809-12:34:56.789"),
        )


def test_examples_were_collected_from_both_products() -> None:
    sources = {Example(p).source for p in EXAMPLES}
    assert any("/fix/" in s for s in sources)
    assert any("/fix-margin/" in s for s in sources)
    assert all(s.startswith("https://docs.kalshi.com/fix") for s in sources)


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.stem)
def test_documented_example_round_trips(path: Path) -> None:
    example = Example(path)
    header = example.session_header()
    wire = encode_frame(example.msg_type, header, example.body)  # the body is well-formed as documented
    frame = parse_frame(wire, use_dollars=example.use_dollars)
    message = decode_message(frame)
    assert type(message) is MESSAGE_TYPES[example.msg_type]
    # byte for byte: every documented field kept, in documented order, in the documented units
    assert message.encode(header, use_dollars=example.use_dollars) == wire


def test_documented_snapshot_is_a_dollar_book_on_a_cents_session() -> None:
    example = Example(Path(__file__).parent / "docs_examples" / "md_snapshot_response.txt")
    snapshot = decode_app_message(parse_frame(encode_frame("W", example.session_header(), example.body)))
    assert isinstance(snapshot, MarketDataSnapshotFullRefresh)
    book = OrderBook(snapshot.symbol)
    book.apply_snapshot(snapshot)
    assert book.best_bid() == (Decimal("0.35"), Decimal(10))
    assert book.best_offer() == (Decimal("0.65"), Decimal(5))


def test_documented_order_is_cents_on_prediction_and_dollars_on_margin() -> None:
    prediction = Example(Path(__file__).parent / "docs_examples" / "order_entry_new_order_single.txt")
    order = decode_app_message(parse_frame(encode_frame("D", prediction.session_header(), prediction.body)))
    assert isinstance(order, NewOrderSingle)
    assert order.price == Decimal("0.75")
    margin = Example(Path(__file__).parent / "docs_examples" / "margin_order_entry_new_order_single.txt")
    wire = encode_frame("D", margin.session_header(), margin.body)
    margin_order = decode_app_message(parse_frame(wire, use_dollars=True))
    assert isinstance(margin_order, NewOrderSingle)
    assert margin_order.price == Decimal("19.5000")
    assert margin_order.order_qty == Decimal("10.00")


def decoded(name: str) -> object:
    example = Example(Path(__file__).parent / "docs_examples" / f"{name}.txt")
    wire = encode_frame(example.msg_type, example.session_header(), example.body)
    return decode_message(parse_frame(wire, use_dollars=example.use_dollars))


def test_a_quote_notification_is_dollars_even_on_a_cents_session() -> None:
    """A creator on KalshiRT without UseDollars gets `132=0.7500`: that is 75 cents, not 0.75 of a cent."""
    notification = decoded("rfq_quote_notification")
    assert isinstance(notification, Quote)
    assert (notification.bid_px, notification.offer_px) == (Decimal("0.75"), Decimal("0.25"))
    maker_quote = decoded("rfq_mm_quote")  # the market maker's own Quote, in cents: 132=75
    assert isinstance(maker_quote, Quote)
    assert (maker_quote.bid_px, maker_quote.offer_px) == (Decimal("0.75"), Decimal("0.25"))
    quote = Quote(quote_id="q", quote_req_id="r", symbol="HIGHNY-23DEC31", bid_px=Decimal("0.75"))
    member = SessionHeader(sender_comp_id="your-api-key", target_comp_id="KalshiRFQ", msg_seq_num=1, sending_time=TS)
    kalshi = SessionHeader(sender_comp_id="Kalshi", target_comp_id="your-api-key", msg_seq_num=1, sending_time=TS)
    assert b"\x01132=75\x01" in quote.encode(member)
    assert b"\x01132=0.75\x01" in quote.encode(kalshi)


def test_a_documented_trade_update_keeps_its_aggressor_side_and_leaves_the_book_alone() -> None:
    update = decoded("md_trade_update")
    assert isinstance(update, MarketDataIncrementalRefresh)
    (entry,) = update.md_entries
    assert (entry.md_entry_type, entry.aggressor_side) == (MDEntryType.TRADE, AggressorSide.BUY)
    book = OrderBook(entry.symbol)
    book.apply_snapshot(decoded("md_snapshot_response"))  # type: ignore[arg-type]
    before = (book.best_bid(), book.best_offer())
    book.apply_incremental(update.md_entries)
    assert (book.best_bid(), book.best_offer()) == before
    assert book.ignored == 1


def test_documented_settlement_reads_730_as_cents_and_the_payout_as_dollars() -> None:
    report = decoded("market_settlement_scalar")
    assert isinstance(report, MarketSettlementReport)
    assert report.settlement_price == Decimal("0.3060")  # "settling at 30.60 cents each"
    assert report.last_fragment is True
    (party,) = report.market_settlement_party_ids or []
    assert party.long_qty == Decimal("100.01")
    assert [c.collateral_amount_change for c in party.collateral_amount_changes or []] == [Decimal("30.6030")]
    assert [f.misc_fee_amt for f in party.misc_fees or []] == [Decimal("0.00006")]


def test_our_listener_logon_has_the_documented_field_order() -> None:
    """The session's own Logon puts its fields where docs.kalshi.com/fix/listener-sessions shows them."""
    from kalshi_fix._session import SessionConfig
    from kalshi_fix._session_events import logon_frame

    config = SessionConfig(sender_comp_id="your-api-key", target_comp_id="KalshiNR", sign=lambda payload: "<signature>")
    ours = logon_frame(config, 1, TS, 30, False, ((20126, "Y"), (21011, "Y")))
    documented = Example(Path(__file__).parent / "docs_examples" / "listener_logon.txt")
    assert parse_frame(ours).parts[5:] == [p for p in documented.body.decode().split("\x01") if p]


def test_an_rfq_reject_for_an_invalid_combination_keeps_its_reason_code_and_legs() -> None:
    """docs.kalshi.com/fix/rfq-messages, 35=AG: 20187 and the 20185/20186 group (the dictionary lacks them)."""
    body = b"131=client-req-456\x01658=99\x0158=invalid combination\x0120187=conflicting_leg_outcomes\x01"
    body += b"20185=2\x0120186=MKT1\x0120186=MKT2\x01"
    header = SessionHeader(sender_comp_id="Kalshi", target_comp_id="your-api-key", msg_seq_num=3, sending_time=TS)
    reject = decode_message(parse_frame(encode_frame("AG", header, body)))
    assert isinstance(reject, QuoteRequestReject)
    assert reject.mve_validation_reason_code == "conflicting_leg_outcomes"
    assert [leg.mve_offending_market_ticker for leg in reject.mve_offending_legs or []] == ["MKT1", "MKT2"]
    assert reject.encode_body() == body


def test_the_order_entry_fields_the_tables_add_round_trip() -> None:
    """docs.kalshi.com/fix/order-entry: a replace can amend expiry (59, 126) and route (100); a Replaced report
    states the resulting validity (59) and the exchange index (30); a NewOrderSingle can accept a quote."""
    expire = datetime(2026, 12, 31, 16, 0, tzinfo=UTC)
    replace = OrderCancelReplaceRequest(
        cl_ord_id="r2",
        orig_cl_ord_id="r1",
        side=Side.BUY_YES,
        symbol="HIGHNY-23DEC31",
        order_qty=Decimal(10),
        price=Decimal("0.75"),
        ex_destination=-1,
        time_in_force=TimeInForce.GTD,
        expire_time=expire,
    )
    body = replace.encode_body()
    assert b"\x0155=HIGHNY-23DEC31\x01100=-1\x0159=6\x01126=20261231-16:00:00.000\x01" in body
    header = SessionHeader(sender_comp_id="Kalshi", target_comp_id="your-api-key", msg_seq_num=9, sending_time=TS)
    report_body = (
        b"37=o1\x0111=r2\x0117=4;7;1\x01150=5\x0139=0\x0154=1\x0155=HIGHNY-23DEC31\x0130=1\x01151=10\x0114=0\x01"
        b"6=0\x0138=10\x0144=75\x0159=6\x01126=20261231-16:00:00.000\x01"
    )
    report = decode_message(parse_frame(encode_frame("8", header, report_body)))
    assert isinstance(report, ExecutionReport)
    assert (report.last_mkt, report.time_in_force, report.expire_time) == ("1", TimeInForce.GTD, expire)
    accept = NewOrderSingle(
        cl_ord_id="a1",
        symbol="HIGHNY-23DEC31",
        side=Side.BUY_YES,
        order_qty=Decimal(10),
        price=Decimal("0.75"),
        quote_id="quote-789",
        rfq_id="server-rfq-456",
    )
    assert accept.encode_body().endswith(b"\x01117=quote-789\x0121023=server-rfq-456\x01")
