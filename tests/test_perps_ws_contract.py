"""Contract: every channel and message of perps_asyncapi.yaml has a typed model and an entry point in kalshi_perps."""

from __future__ import annotations

import inspect
import keyword
import subprocess
import sys
import typing
from decimal import Decimal
from pathlib import Path
from typing import Any

import msgspec
import pytest
import yaml

from kalshi_perps import PerpsSession, PerpsWebSocket
from kalshi_perps.messages import CHANNELS, COMMANDS, EXAMPLES, SERVER_MESSAGES, SPEC_CHANNELS, ServerMessage

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools" / "codegen"))
import gen_ws  # noqa: E402

SPEC = yaml.safe_load((ROOT / "specs" / "perps_asyncapi.yaml").read_text())
SCHEMAS = SPEC["components"]["schemas"]
MESSAGES = SPEC["components"]["messages"]

# Names promised by SEED-API.md (and the brief), with the channel each one subscribes to.
SEED_METHODS = {
    "subscribe_ticker": "ticker",
    "subscribe_orderbook_delta": "orderbook_delta",
    "subscribe_trade": "trade",
    "subscribe_fill": "fill",
    "subscribe_user_orders": "user_orders",
    "subscribe_order_group": "order_group_updates",
    "subscribe_order_group_updates": "order_group_updates",
    "subscribe_corporate_actions": "corporate_actions",
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
    return set(cls.__struct_encode_fields__)  # type: ignore[attr-defined]


def body_class(cls: type, key: str) -> list[type]:
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
                if not callable(getattr(PerpsSession, COMMAND_METHODS.get(cmd, ""), None)):
                    problems.append(f"command {cmd} has no PerpsSession method")
            elif typ not in SERVER_MESSAGES:
                problems.append(f"response {comp} ({typ}) has no model")
        return problems
    if channel == "control_frames":
        params = inspect.signature(PerpsWebSocket.__mro__[1]).parameters
        return [f"no {p}" for p in ("ping_interval", "dead_peer_timeout") if p not in params]
    if channel not in CHANNELS:
        return [f"{channel} missing from the channel table"]
    if not callable(getattr(PerpsSession, f"subscribe_{channel}", None)):
        problems.append(f"PerpsSession.subscribe_{channel} missing")
    for comp in channel_components(channel):
        typ = wire_tag(comp, "type")
        if typ not in SERVER_MESSAGES:
            problems.append(f"{comp} ({typ}) has no model")
        elif typ not in CHANNELS[channel].message_types:
            problems.append(f"{typ} not routed for {channel}")
    return problems


def test_nine_channels_are_covered() -> None:
    channels = list(SPEC["channels"])
    assert channels == list(SPEC_CHANNELS)
    covered = [c for c in channels if not channel_coverage(c)]
    print(f"\n{len(covered)}/{len(channels)} channels covered")
    assert {c: channel_coverage(c) for c in channels if c not in covered} == {}
    assert (len(covered), len(channels)) == (9, 9)


def test_the_checker_notices_a_missing_method(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(PerpsSession, "subscribe_corporate_actions")
    assert channel_coverage("corporate_actions") == ["PerpsSession.subscribe_corporate_actions missing"]


@pytest.mark.parametrize("component", list(MESSAGES))
def test_every_message_has_a_model_with_every_spec_field(component: str) -> None:
    node = payload(component)
    if node.get("type") != "object":
        assert component in ("incomingPing", "incomingPong", "outgoingPing", "outgoingPong")
        return
    cmd, typ = wire_tag(component, "cmd"), wire_tag(component, "type")
    cls = COMMANDS[cmd] if cmd is not None else SERVER_MESSAGES[typ]
    props = node["properties"]
    assert set(props) - {"type", "cmd"} <= struct_fields(cls)
    body_key = "params" if cmd is not None else "msg"
    if body_key not in props:
        return
    body = resolve(props[body_key])
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


# docs/protocol/units.md: the perps WebSocket mostly uses bare names for fixed-point strings, and the
# ticker's funding rate is a JSON double; all of them must decode to Decimal.
DECIMAL_FIELDS = {
    "ticker": [
        "price",
        "bid",
        "ask",
        "bid_size_fp",
        "ask_size_fp",
        "last_trade_size_fp",
        "volume",
        "volume_notional_value_dollars",
        "volume_24h",
        "volume_24h_notional_value_dollars",
        "open_interest",
        "open_interest_notional_value_dollars",
        "funding_rate.rate",
        "settlement_mark_price.price",
        "liquidation_mark_price.price",
    ],
    "trade": ["price", "count"],
    "fill": ["price", "count", "fee_cost", "post_position"],
    "user_order": ["price", "fill_count", "remaining_count"],
    "orderbook_delta": ["price", "delta"],
    "order_group_updates": ["contracts_limit_fp"],
    "corporate_actions_delta": [
        "corporate_action.split.ratio_old",
        "corporate_action.split.ratio_new",
        "corporate_action.split.pre_split_mark_price",
        "corporate_action.split.post_split_mark_price",
        "corporate_action.final_settlement.settlement_price_per_contract",
    ],
}


def _leaf_annotation(cls: Any, path: str) -> Any:
    *parents, leaf = path.split(".")
    for parent in parents:
        (cls,) = body_class(cls, parent)
    return inspect.get_annotations(cls, eval_str=True)[leaf]


@pytest.mark.parametrize("typ", sorted(DECIMAL_FIELDS))
def test_fixed_point_fields_decode_to_decimal(typ: str) -> None:
    (msg_cls,) = body_class(SERVER_MESSAGES[typ], "msg")
    for path in DECIMAL_FIELDS[typ]:
        ann = _leaf_annotation(msg_cls, path)
        assert Decimal in (typing.get_args(ann) or (ann,)), f"{typ}.{path}: {ann}"


def test_snapshot_levels_are_decimal_pairs() -> None:
    (msg_cls,) = body_class(SERVER_MESSAGES["orderbook_snapshot"], "msg")
    for side in ("bid", "ask"):
        ann = inspect.get_annotations(msg_cls, eval_str=True)[side]
        assert ann == list[tuple[Decimal, Decimal]] | None, ann


@pytest.mark.parametrize(("component", "name", "raw"), EXAMPLES)
def test_every_spec_example_decodes(component: str, name: str, raw: bytes) -> None:
    message = msgspec.json.decode(raw, type=ServerMessage)
    assert type(message) is SERVER_MESSAGES[wire_tag(component, "type") or ""]


def test_spec_counts() -> None:
    assert len(MESSAGES) == 23
    assert len(SPEC["operations"]) == 23


def test_seed_api_method_names() -> None:
    for method, channel in SEED_METHODS.items():
        assert callable(getattr(PerpsSession, method, None)), method
        assert channel in CHANNELS


def test_perps_messages_regenerate_unchanged() -> None:
    result = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "codegen" / "gen_ws.py"), "--check"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout
    header = "# Generated by tools/codegen from specs/perps_asyncapi.yaml"
    folder = ROOT / "packages" / "kalshi-perps" / "src" / "kalshi_perps" / "messages" / "_generated"
    files = sorted(folder.glob("*.py"))
    assert len(files) == 5  # __init__, channels, examples, models, session
    for path in files:
        assert path.read_text().startswith(header), path
