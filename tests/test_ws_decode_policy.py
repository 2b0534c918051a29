"""The WebSocket decode policy, proved from the specs (asyncapi.yaml and perps_asyncapi.yaml).

For every server message type in each spec, a complete frame is built from the message's schema.
Then every field the spec requires (envelope, body and nested objects) is in turn dropped, set to
null, and (for numbers) swapped between a JSON number and a numeric string. The client must return
the typed message, with the field listed in `missing_fields`, or, only for the fields the policy
keeps strict (tools/codegen/gen_ws.py, `is_strict`), raise the typed `KalshiDecodeError`.
"""

from __future__ import annotations

import copy
import json
import sys
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec
import pytest
import yaml

from kalshi_ws import KalshiDecodeError, MessageDecoder
from kalshi_ws.messages import SERVER_MESSAGES as PREDICTION_MESSAGES

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools" / "codegen"))
import gen_ws  # noqa: E402

try:
    from kalshi_perps.messages import SERVER_MESSAGES as PERPS_MESSAGES
except ImportError:  # kalshi-perps not installed: its half is skipped
    PERPS_MESSAGES = None

Path_ = tuple[str | int, ...]


class SpecFrames:
    """Builds one full frame per server message of a spec and walks its required fields."""

    def __init__(self, spec_name: str) -> None:
        data = yaml.safe_load((ROOT / "specs" / spec_name).read_text())
        self.spec = gen_ws.Spec(data)
        target = next(t for t in gen_ws.TARGETS if t.spec == spec_name)
        self.gen = gen_ws.Generator(self.spec, target)

    def node(self, raw: dict[str, Any]) -> dict[str, Any]:
        return self.spec.resolve(raw)[0]

    def messages(self) -> Iterator[tuple[str, str, dict[str, Any]]]:
        """(component name, wire type, payload schema) of every server message."""
        for name, message in self.spec.messages.items():
            payload = self.node(message.get("payload", {}))
            props = payload.get("properties") or {}
            if "type" in props and "const" in self.node(props["type"]):
                yield name, self.node(props["type"])["const"], payload

    def sample(self, name: str, raw: dict[str, Any]) -> Any:
        node = self.node(raw)
        kind = node.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), None)
        if "const" in node:
            return node["const"]
        if node.get("enum"):
            return next(v for v in node["enum"] if v is not None)
        if kind == "object" or (kind is None and "properties" in node):
            return {k: self.sample(k, v) for k, v in (node.get("properties") or {}).items()}
        if kind == "array":
            items = self.node(node.get("items", {}))
            return [self.sample(name, items) for _ in range(max(1, node.get("minItems", 1)))]
        if kind == "integer":
            return 7
        if kind == "number":
            return 1.25
        if kind == "boolean":
            return True
        if kind == "string":
            if node.get("format") == "date-time":
                return "2024-05-01T12:00:00Z"
            return "0.5600" if self.gen.is_decimal_string(name, node) else "X-1"
        return "X-1"

    def required_paths(self, node: dict[str, Any], prefix: Path_ = ()) -> Iterator[tuple[Path_, dict[str, Any]]]:
        """Every required field under `node`, as a path into the frame, with its schema."""
        node = self.node(node)
        props = node.get("properties") or {}
        for key in node.get("required", []):
            if key not in props or (not prefix and key == "type"):
                continue
            child = self.node(props[key])
            if child.get("deprecated"):
                continue
            yield (*prefix, key), child
            if child.get("type") == "object":
                yield from self.required_paths(child, (*prefix, key))
            elif child.get("type") == "array" and self.node(child.get("items", {})).get("type") == "object":
                yield from self.required_paths(child["items"], (*prefix, key, 0))
        for key, raw in props.items():
            child = self.node(raw)
            if key in node.get("required", []) or child.get("deprecated"):
                continue
            if child.get("type") == "object":  # optional objects are present in the sample frame
                yield from self.required_paths(child, (*prefix, key))

    def strict(self, tag: str, path: Path_, schema: dict[str, Any]) -> bool:
        """What the policy says about this field (a body is strict when it holds a strict field)."""
        name = str(path[-1])
        if path == ("msg",):
            body = self.node(schema)
            if body.get("type") == "array":
                return False
            return any(gen_ws.is_strict(tag, n) for n in body.get("required", []))
        return gen_ws.is_strict(tag, name)


def locate(frame: Any, path: Path_) -> tuple[Any, str | int]:
    parent = frame
    for key in path[:-1]:
        parent = parent[key]
    return parent, path[-1]


def attr_path(decoded: Any, path: Path_) -> Any:
    """The decoded object holding the field at `path` (None if an ancestor decoded as None)."""
    obj = decoded
    for key in path[:-1]:
        if obj is None:
            return None
        if isinstance(key, int):
            obj = obj[key] if isinstance(obj, list) and obj else None
        else:
            obj = getattr(obj, gen_ws.Generator.py_name(key))
    return obj


def swapped(value: Any) -> Any:
    """A JSON number as a numeric string, a numeric string as a JSON number; else unchanged."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, str):
        try:
            number = Decimal(value)
        except ArithmeticError:
            return value
        return float(value) if number != number.to_integral_value() else int(number)
    return value


def plain(message: Any) -> Any:
    return msgspec.structs.replace(message, received_ms=None)


CASES = [("asyncapi.yaml", PREDICTION_MESSAGES), ("perps_asyncapi.yaml", PERPS_MESSAGES)]


@pytest.mark.parametrize(("spec_name", "messages"), CASES, ids=["prediction", "perps"])
def test_every_required_field_dropped_nulled_or_swapped(spec_name: str, messages: Any) -> None:
    if messages is None:
        pytest.skip("kalshi-perps is not installed")
    frames = SpecFrames(spec_name)
    decoder = MessageDecoder(messages)
    checked = strict_errors = recorded = swaps = 0
    seen_types: set[str] = set()
    tags = [tag for _, tag, _ in frames.messages()]
    # Types several spec messages share (the `ok` replies, ...) decode into one model whose required
    # fields are the intersection: there a field one variant requires may be absent.
    merged = {tag for tag in tags if tags.count(tag) > 1}
    for component, tag, payload in frames.messages():
        seen_types.add(tag)
        base = frames.sample("", payload)
        original = decoder.decode(json.dumps(base).encode())
        assert isinstance(original, messages[tag]), (component, original)
        for path, schema in frames.required_paths(payload):
            strict = frames.strict(tag, path, schema)
            for mutation in ("drop", "null", "swap"):
                frame = copy.deepcopy(base)
                parent, key = locate(frame, path)
                if mutation == "drop":
                    del parent[key]
                elif mutation == "null":
                    parent[key] = None
                else:
                    value = swapped(parent[key])
                    if value == parent[key] or type(value) is type(parent[key]):
                        continue
                    parent[key] = value
                data = json.dumps(frame).encode()
                where = f"{component} {'.'.join(map(str, path))} {mutation}"
                checked += 1
                try:
                    decoded = decoder.decode(data)
                except KalshiDecodeError as exc:
                    decoded = exc
                if isinstance(decoded, KalshiDecodeError):
                    assert mutation != "swap", f"{where}: a numeric string/number swap was rejected: {decoded}"
                    assert strict, f"{where}: a lenient field was rejected: {decoded}"
                    assert decoded.type == tag
                    strict_errors += 1
                    continue
                assert isinstance(decoded, messages[tag]), where
                if mutation == "swap":
                    assert plain(decoded) == plain(original), where
                    swaps += 1
                    continue
                assert not strict or tag in merged, f"{where}: a strict field was not enforced"
                holder = attr_path(decoded, path)
                name = gen_ws.Generator.py_name(str(path[-1]))
                if holder is not None and name in getattr(type(holder), "__required__", ()):
                    assert name in holder.missing_fields, where
                    recorded += 1
    assert seen_types == set(messages), set(messages) ^ seen_types
    # the walk is not vacuous: every kind of outcome happened many times
    assert checked > 200 and strict_errors > 20 and recorded > 50 and swaps > 30, (
        checked,
        strict_errors,
        recorded,
        swaps,
    )


def test_decimal_reads_the_json_text_not_a_float() -> None:
    """A JSON number in a Decimal field keeps its exact text, on the fast and the slow path."""
    decoder = MessageDecoder(PREDICTION_MESSAGES)
    body = {
        "market_ticker": "M",
        "market_id": "u",
        "clock": "12",  # a numeric string forces the slow path
        "price_dollars": 0.1,
        "delta_fp": 3.30,
        "side": "yes",
    }
    message = decoder.decode(json.dumps({"type": "orderbook_delta", "sid": 1, "seq": 2, "msg": body}).encode())
    assert message.msg.price_dollars == Decimal("0.1")
    assert message.msg.delta_fp == Decimal("3.3")
    assert message.msg.clock == 12


def test_frames_without_clock_or_seq_are_typed_and_record_what_was_missing() -> None:
    decoder = MessageDecoder(PREDICTION_MESSAGES)
    body = {"market_ticker": "M", "market_id": "u", "price_dollars": "0.4", "delta_fp": "1", "side": "no"}
    message = decoder.decode(json.dumps({"type": "orderbook_delta", "sid": 1, "msg": body}).encode())
    assert message.seq is None and message.msg.clock is None
    assert message.missing_fields == ("seq",)
    assert message.msg.missing_fields == ("clock",)
