"""Contract: every channel and message in asyncapi.yaml has a typed model and an entry point in kalshi_ws."""

from __future__ import annotations

import inspect
import keyword
import sys
import typing
from pathlib import Path
from typing import Any

import msgspec
import pytest
import yaml

from kalshi_ws import KalshiWebSocket, Session
from kalshi_ws.messages import CHANNELS, COMMANDS, SERVER_MESSAGES, SPEC_CHANNELS

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools" / "codegen"))
import gen_ws

SPEC = yaml.safe_load((Path(__file__).resolve().parents[1] / "specs" / "asyncapi.yaml").read_text())
SCHEMAS = SPEC["components"]["schemas"]
MESSAGES = SPEC["components"]["messages"]

# Names promised by SEED-API.md, with the channel each one subscribes to.
SEED_METHODS = {
    "subscribe_ticker": "ticker",
    "subscribe_trade": "trade",
    "subscribe_orderbook_delta": "orderbook_delta",
    "subscribe_fill": "fill",
    "subscribe_market_positions": "market_positions",
    "subscribe_user_orders": "user_orders",
    "subscribe_order_group": "order_group_updates",
    "subscribe_market_lifecycle": "market_lifecycle_v2",
    "subscribe_multivariate": "multivariate_market_lifecycle",
    "subscribe_multivariate_lifecycle": "multivariate_market_lifecycle",
    "subscribe_communications": "communications",
    "subscribe_cfbenchmarks_value": "cfbenchmarks_value",
}
COMMAND_METHODS = {
    "subscribe": "subscribe",
    "unsubscribe": "unsubscribe",
    "update_subscription": "update_subscription",
    "list_subscriptions": "list_subscriptions",
}


def resolve(node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        extra = {k: v for k, v in node.items() if k != "$ref"}
        node = {**SCHEMAS[node["$ref"].split("/")[-1]], **extra}
    return node


def payload(component: str) -> dict[str, Any]:
    return resolve(MESSAGES[component]["payload"])


def wire_tag(component: str, key: str) -> str | None:
    props = payload(component).get("properties") or {}
    return resolve(props[key]).get("const") if key in props else None


def channel_components(channel: str) -> list[str]:
    return [ref["$ref"].split("/")[-1] for ref in (SPEC["channels"][channel].get("messages") or {}).values()]


def struct_fields(cls: type) -> set[str]:
    """Wire names of a Struct's fields."""
    names = cls.__struct_encode_fields__  # type: ignore[attr-defined]
    return set(names)


def body_class(cls: type, key: str) -> list[type]:
    """The Struct classes a body annotation can hold (`X | list[Y] | None` -> [X, Y])."""
    ann = inspect.get_annotations(cls, eval_str=True)[key]
    out = []
    for arg in typing.get_args(ann) or (ann,):
        inner = typing.get_args(arg)[0] if typing.get_origin(arg) is list else arg
        if isinstance(inner, type) and hasattr(inner, "__struct_fields__"):
            out.append(inner)
    return out


def channel_coverage(channel: str) -> list[str]:
    """Problems with one spec channel (empty when covered)."""
    problems = []
    if channel == "root":
        for comp in channel_components(channel):
            cmd, typ = wire_tag(comp, "cmd"), wire_tag(comp, "type")
            if cmd is not None:
                if cmd not in COMMANDS:
                    problems.append(f"command {comp} ({cmd}) has no model")
                if not callable(getattr(Session, COMMAND_METHODS.get(cmd, ""), None)):
                    problems.append(f"command {cmd} has no Session method")
            elif typ not in SERVER_MESSAGES:
                problems.append(f"response {comp} ({typ}) has no model")
        return problems
    if channel == "control_frames":
        params = inspect.signature(KalshiWebSocket).parameters
        for needed in ("ping_interval", "dead_peer_timeout"):
            if needed not in params:
                problems.append(f"KalshiWebSocket has no {needed}")
        return problems
    if channel not in CHANNELS:
        return [f"{channel} missing from the channel table"]
    if not callable(getattr(Session, f"subscribe_{channel}", None)):
        problems.append(f"Session.subscribe_{channel} missing")
    for comp in channel_components(channel):
        typ = wire_tag(comp, "type")
        if typ not in SERVER_MESSAGES:
            problems.append(f"{comp} ({typ}) has no model")
        elif typ not in CHANNELS[channel].message_types:
            problems.append(f"{typ} not routed for {channel}")
    return problems


def test_fifteen_channels_are_covered() -> None:
    channels = list(SPEC["channels"])
    assert channels == list(SPEC_CHANNELS)
    covered = [c for c in channels if not channel_coverage(c)]
    print(f"\n{len(covered)}/{len(channels)} channels covered")
    assert {c: channel_coverage(c) for c in channels if c not in covered} == {}
    assert len(channels) == 15
    assert len(covered) == 15


@pytest.mark.parametrize("component", list(MESSAGES))
def test_every_message_has_a_model_with_every_spec_field(component: str) -> None:
    node = payload(component)
    if node.get("type") != "object":
        assert component in ("incomingPing", "incomingPong", "outgoingPing", "outgoingPong")
        return
    cmd, typ = wire_tag(component, "cmd"), wire_tag(component, "type")
    cls = COMMANDS[cmd] if cmd is not None else SERVER_MESSAGES[typ]
    props = node["properties"]
    envelope = set(props) - {"type", "cmd"}
    assert envelope <= struct_fields(cls), envelope - struct_fields(cls)
    body_key = "params" if cmd is not None else "msg"
    body = resolve(props[body_key]) if body_key in props else None
    if body is None:
        return
    if body.get("type") == "array":
        body = resolve(body["items"])
    spec_fields = set(body.get("properties") or {})
    model_fields = set().union(*(struct_fields(c) for c in body_class(cls, body_key)))
    assert spec_fields <= model_fields, spec_fields - model_fields


def test_required_fields_follow_the_decode_policy() -> None:
    """A spec-required field is required in the model if the policy keeps it strict, else it is
    decoded leniently and listed in the class's `__required__` (tools/codegen/gen_ws.py, is_strict)."""
    for component in MESSAGES:
        node = payload(component)
        if node.get("type") != "object" or "msg" not in node.get("properties", {}):
            continue
        typ = wire_tag(component, "type")
        cls = SERVER_MESSAGES.get(typ)
        if cls is None or sum(1 for c in MESSAGES if wire_tag(c, "type") == typ) > 1:
            continue  # merged variants relax requirements to the intersection
        body = resolve(node["properties"]["msg"])
        if body.get("type") != "object":
            continue
        (msg_cls,) = body_class(cls, "msg")
        required = {f.name for f in msgspec.structs.fields(msg_cls) if f.required}
        for name in body.get("required", []):
            if resolve(body["properties"][name]).get("deprecated"):
                continue
            py = name + "_" if keyword.iskeyword(name) or name == "type" else name
            if gen_ws.is_strict(typ, name):
                assert py in required, f"{typ}.{name} should be required"
            else:
                assert py not in required and py in msg_cls.__required__, f"{typ}.{name} should be lenient"


def test_seed_api_method_names() -> None:
    for method, channel in SEED_METHODS.items():
        assert callable(getattr(Session, method, None)), method
        assert channel in CHANNELS


def test_spec_counts() -> None:
    assert len(MESSAGES) == 51
    ops = SPEC["operations"]
    assert len(ops) == 48
    assert sum(1 for o in ops.values() if o["action"] == "receive") == 10
    assert sum(1 for o in ops.values() if o["action"] == "send") == 38


ENGINE_ARGS = {"self", "books", "queue_size", "overflow", "on_gap"}


@pytest.mark.parametrize("product", ["prediction", "perps"])
def test_generated_methods_take_exactly_the_channel_params(product: str) -> None:
    """Each subscribe_<channel> offers every param the spec allows on its channel, and no other."""
    if product == "perps":
        kalshi_perps = pytest.importorskip("kalshi_perps")
        session, channels = kalshi_perps.PerpsSession, kalshi_perps.PERPS.channels
    else:
        session, channels = Session, CHANNELS
    for name, info in channels.items():
        method = getattr(session, f"subscribe_{name}")
        args = set(inspect.signature(method).parameters) - ENGINE_ARGS
        wire = set(info.params or ())
        expected = (wire - {"market_ticker", "market_tickers"}) | (
            {"tickers"} if wire & {"market_ticker", "market_tickers"} else set()
        )
        assert args == expected, (name, args ^ expected)
