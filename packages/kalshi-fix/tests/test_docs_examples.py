"""Every example message stored from the docs.kalshi.com FIX pages: parsed, decoded, re-encoded byte for byte."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from kalshi_fix import OrderBook, SessionHeader, decode_app_message, encode_frame, parse_frame
from kalshi_fix.messages import MESSAGE_TYPES, MarketDataSnapshotFullRefresh, NewOrderSingle

EXAMPLES = sorted((Path(__file__).parent / "docs_examples").glob("*.txt"))
_FRAMING = {"8", "9", "10"}
_HEADER = {"35", "49", "56", "34", "52"}


class Example:
    """One documented message: its source, price units, header fields and body (in documented order)."""

    def __init__(self, path: Path) -> None:
        lines = path.read_text().splitlines()
        meta = dict(line[2:].split(": ", 1) for line in lines if line.startswith("# "))
        self.source = meta["source"]
        self.use_dollars = meta["use_dollars"] == "true"
        text = "".join(line for line in lines if not line.startswith("# "))
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
                body.append(part)
        self.body = "".join(f"{part}\x01" for part in body).encode()

    @property
    def msg_type(self) -> str:
        return self.header["35"]

    def session_header(self) -> SessionHeader:
        return SessionHeader(
            sender_comp_id=self.header.get("49", "your-api-key"),
            target_comp_id=self.header.get("56", "Kalshi"),
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
    message = decode_app_message(frame)
    assert type(message) is MESSAGE_TYPES[example.msg_type]
    assert message.encode_body(example.use_dollars) == example.body  # field order as documented
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
