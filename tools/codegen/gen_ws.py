"""Generate kalshi_ws message models, channel table and spec examples from an AsyncAPI spec.

Usage:
    uv run python tools/codegen/gen_ws.py            # write the generated modules
    uv run python tools/codegen/gen_ws.py --check    # exit 1 and list files that would change

Every target in `TARGETS` maps one AsyncAPI file to one `_generated/` package: the prediction
spec (asyncapi.yaml) into kalshi_ws, the perps spec (perps_asyncapi.yaml) into kalshi_perps (which
imports the base classes and `ChannelInfo` from kalshi_ws's public API).

What is generated (per target):
- `models.py`: one frozen, gc=False msgspec Struct per server message, tagged on `type`; messages
  that share a `type` value (e.g. the four `ok` replies, `market_lifecycle_v2` and its
  `metadata_updated` variant) are merged into one struct whose fields are the union and whose
  required fields are the intersection. Fixed-point strings and JSON numbers decode to `Decimal`,
  `date-time` strings to `datetime`; unknown fields are ignored. Client commands get Structs
  tagged on `cmd`. `SERVER_MESSAGES` / `COMMANDS` list the classes, `ServerMessage` is the union.
- `channels.py`: `CHANNELS`, one `ChannelInfo` per subscribable channel (message types, sequenced,
  private) and `SPEC_CHANNELS`, every channel name in the spec.
- `examples.py`: every example payload in the spec as JSON bytes, so package tests can parse them
  without reading `specs/`.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import keyword
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import ws_session  # tools/codegen/ws_session.py (this script's folder is on sys.path)
import yaml

ROOT = Path(__file__).resolve().parents[2]
_FUTURE = "from __future__ import annotations"


@dataclass(frozen=True)
class Target:
    spec: str
    """File name under specs/."""
    out: str
    """Output package folder, relative to the repository root."""
    base_module: str
    """Module holding the hand-written base classes (`WsMessage`, `WsPayload`, `WsCommand`)."""
    channel_module: str
    """Module holding `ChannelInfo`."""
    merged_names: dict[str, str] = field(default_factory=dict)
    """Class name for a `type` value carried by several spec messages."""
    decimal_names: frozenset[str] = frozenset()
    """Extra bare field names whose strings hold decimals (perps book levels `bid`/`ask`, split ratios)."""
    session_base: str = "kalshi_ws"
    """Module holding `BaseSession`, `Overflow` and `Stream` for the generated session."""
    session_class: str = "Session"
    """The generated session class (`session.py`): one typed `subscribe_<channel>` per channel."""
    session_doc: str = ""
    """Its docstring's first line."""
    state_channels: frozenset[str] = frozenset()
    """Channels the product keeps local state for (order books): their method takes `books=`."""
    aliases: dict[str, str] = field(default_factory=dict)
    """Extra method names (SEED-API.md, READMEs) -> the generated method they stand for."""


TARGETS = [
    Target(
        spec="asyncapi.yaml",
        out="packages/kalshi-ws/src/kalshi_ws/messages/_generated",
        base_module="kalshi_ws.messages._base",
        channel_module="kalshi_ws._channel",
        merged_names={
            "ok": "OkResponse",
            "market_lifecycle_v2": "MarketLifecycleV2",
            "update_subscription": "UpdateSubscriptionCommand",
        },
        session_base="kalshi_ws._session",
        session_doc="A prediction-markets session: a typed `subscribe_<channel>` for every channel of asyncapi.yaml.",
        state_channels=frozenset({"orderbook_delta"}),
        aliases={
            "subscribe_order_group": "subscribe_order_group_updates",
            "subscribe_market_lifecycle": "subscribe_market_lifecycle_v2",
            # the `multivariate` channel was removed from the API; this is its replacement
            "subscribe_multivariate": "subscribe_multivariate_market_lifecycle",
            "subscribe_multivariate_lifecycle": "subscribe_multivariate_market_lifecycle",
        },
    ),
    Target(
        spec="perps_asyncapi.yaml",
        out="packages/kalshi-perps/src/kalshi_perps/messages/_generated",
        base_module="kalshi_ws.messages",
        channel_module="kalshi_ws",
        merged_names={"ok": "OkResponse", "update_subscription": "UpdateSubscriptionCommand"},
        # docs/protocol/units.md: snapshot levels under `bid`/`ask` are [price, count] strings; split
        # ratios are decimal strings.
        decimal_names=frozenset({"bid", "ask", "ratio_old", "ratio_new"}),
        session_class="PerpsSession",
        session_doc="A perps session: a typed `subscribe_<channel>` for every channel of perps_asyncapi.yaml.",
        state_channels=frozenset({"orderbook_delta"}),
        aliases={"subscribe_order_group": "subscribe_order_group_updates"},
    ),
]

# Strings holding fixed-point numbers (dollars, counts, index values) decode to Decimal.
_DECIMAL_RUST_TYPES = {
    "common::types::Price",
    "common::types::Amount",
    "common::types::Value",
    "common::types::Position",
}
_DECIMAL_NAMES = {"fee_cost", "value_usd", "value", "settlement_value", "start", "end", "step", "price", "delta"}
_DECIMAL_SUFFIXES = ("_dollars", "_fp", "_dollars_fp")
# The decode policy (the one place it is decided; kalshi_ws._decode implements its slow path).
# A field the spec requires stays required in the model only when a client cannot act without it:
# identity (ids, sids, tickers) and the side, price and size of an order, a fill or a book level.
# Every other spec-required field decodes as None when absent or null (a list as []) and is listed
# in the class's `__required__`, so `missing_fields` can say which ones were missing.
_STRICT_AMOUNT_MESSAGES = frozenset({"orderbook_snapshot", "orderbook_delta", "fill", "user_order"})
_STRICT_AMOUNTS = frozenset(
    {
        "price_dollars",
        "delta_fp",
        "yes_price_dollars",
        "count_fp",
        "remaining_count_fp",
        "fill_count_fp",
        "price",
        "delta",
        "count",
        "remaining_count",
        "fill_count",
    }
)


# The channels whose `seq` the engine checks (drop duplicates, resync on a gap): the ones whose
# state is rebuilt from the server (asyncapi.yaml, sequenceNumber: "Used for snapshot/delta
# consistency"): order-book snapshots and deltas, and order-group updates. On every other channel
# a message is delivered whatever its seq: resubscribing cannot bring back a lost trade or fill.
_SEQUENCED_CHANNELS = frozenset({"orderbook_delta", "order_group_updates"})


def is_strict(tag: str | None, name: str) -> bool:
    """True if spec-required field `name` of a message with wire `type` `tag` stays strictly required."""
    if name in ("id", "sid", "ticker") or name.endswith(("_id", "_ticker")):
        return True
    if tag not in _STRICT_AMOUNT_MESSAGES:
        return False
    return name in _STRICT_AMOUNTS or name == "side" or name.endswith("_side")


def camel(name: str) -> str:
    parts = re.split(r"[_\W]+", name)
    out = "".join(p[:1].upper() + p[1:] for p in parts if p)
    return out


def first_sentence(text: str | None) -> str:
    if not text:
        return ""
    line = " ".join(text.strip().split())
    line = line.replace('"""', "'''").replace("\\", "\\\\")
    if len(line) > 300:
        line = line[:297].rstrip() + "..."
    return line


class Spec:
    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.schemas: dict[str, Any] = data["components"]["schemas"]
        self.messages: dict[str, Any] = data["components"]["messages"]

    def resolve(self, node: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
        """Follow $refs; sibling keys (description, deprecated) override the target's."""
        ref_name: str | None = None
        while isinstance(node, dict) and "$ref" in node:
            name = node["$ref"].split("/")[-1]
            ref_name = ref_name or name
            extra = {k: v for k, v in node.items() if k != "$ref"}
            node = {**self.schemas[name], **extra}
        return node, ref_name


@dataclass
class FieldDef:
    name: str
    annotation: str
    required: bool
    """Required in the model (strict)."""
    doc: str
    spec_required: bool = False
    """Required by the spec (and not deprecated); tolerant ones are listed in `__required__`."""


@dataclass
class Row:
    """One channel of the spec, as the channel table and the session methods need it."""

    name: str
    title: str
    description: str
    tags: list[str]
    sequenced: bool
    private: bool
    params: tuple[str, ...]
    markets_required: bool


@dataclass
class ClassDef:
    name: str
    base: str
    fields: list[FieldDef]
    doc: str
    tag: str | None = None


class Generator:
    def __init__(self, spec: Spec, target: Target) -> None:
        self.spec = spec
        self.target = target
        self.classes: dict[str, ClassDef] = {}
        self.order: list[str] = []
        self.uses_decimal = False
        self.uses_datetime = False
        self.uses_any = False
        self.exported: list[str] = []
        self.tag: str | None = None
        """The wire `type` of the server message being built (None for commands: all strict)."""
        self.command = False
        self.uses_classvar = False

    @staticmethod
    def py_name(name: str) -> str:
        return name + "_" if keyword.iskeyword(name) or name in {"type", "cmd"} else name

    # ---- types ---------------------------------------------------------------------------
    def is_decimal_string(self, name: str, node: dict[str, Any]) -> bool:
        if node.get("x-rust-type") in _DECIMAL_RUST_TYPES:
            return True
        if node.get("x-rust-type") == "i64":
            return True
        if name in _DECIMAL_NAMES or name in self.target.decimal_names or name.endswith(_DECIMAL_SUFFIXES):
            return True
        desc = (node.get("description") or "").lower()
        return "decimal places" in desc or "fixed-point" in desc

    def type_of(self, name: str, node: dict[str, Any], owner: str) -> str:
        node, ref_name = self.spec.resolve(node)
        types = node.get("type")
        nullable = False
        if isinstance(types, list):
            nullable = "null" in types
            rest = [t for t in types if t != "null"]
            types = rest[0] if rest else None
        if node.get("nullable"):
            nullable = True
        ann = self.base_type(name, node, types, owner, ref_name)
        return f"{ann} | None" if nullable else ann

    def base_type(self, name: str, node: dict[str, Any], types: Any, owner: str, ref_name: str | None) -> str:
        if types == "integer":
            return "int"
        if types == "number":
            self.uses_decimal = True
            return "Decimal"
        if types == "boolean":
            return "bool"
        if types == "string":
            if node.get("format") == "date-time":
                self.uses_datetime = True
                # Deprecated RFC 3339 times have arrived as integer milliseconds
                # (docs/protocol/server-behaviours.md#values).
                return "datetime | int" if node.get("deprecated") else "datetime"
            if self.is_decimal_string(name, node):
                self.uses_decimal = True
                return "Decimal"
            return "str"
        if types == "array":
            items, item_ref = self.spec.resolve(node.get("items", {}))
            if items.get("type") == "array":
                inner, _ = self.spec.resolve(items.get("items", {}))
                if inner.get("type") == "string" and items.get("minItems") == 2 and items.get("maxItems") == 2:
                    # a [price, count] level
                    elem = "Decimal" if self.is_decimal_string(name, node) else "str"
                    self.uses_decimal |= elem == "Decimal"
                    return f"list[tuple[{elem}, {elem}]]"
                return f"list[{self.type_of(name, items, owner)}]"
            if items.get("type") == "object" and items.get("properties"):
                cls = camel(item_ref) if item_ref else f"{owner}{camel(name)}Item"
                self.object_class(cls, items)
                return f"list[{cls}]"
            return f"list[{self.type_of(name, items, owner)}]"
        if types == "object":
            if not node.get("properties"):
                self.uses_any = True
                return "dict[str, Any]"
            cls = camel(ref_name) if ref_name else f"{owner}{camel(name)}"
            self.object_class(cls, node)
            return cls
        self.uses_any = True
        return "Any"

    # ---- classes -------------------------------------------------------------------------
    def fields_of(self, node: dict[str, Any], owner: str, skip: tuple[str, ...] = ()) -> list[FieldDef]:
        required = set(node.get("required", []))
        out = []
        for pname, pnode in (node.get("properties") or {}).items():
            if pname in skip:
                continue
            resolved, _ = self.spec.resolve(pnode)
            ann = self.type_of(pname, pnode, owner)
            spec_req = pname in required and not resolved.get("deprecated")
            req = spec_req and (self.command or is_strict(self.tag, pname))
            doc = first_sentence(resolved.get("description"))
            if resolved.get("enum") is not None:
                values = ", ".join(repr(v) for v in resolved["enum"])
                doc = f"{doc} One of: {values}." if doc else f"One of: {values}."
            if resolved.get("deprecated") and "deprecated" not in doc.lower():
                doc = f"Deprecated. {doc}".strip()
            out.append(FieldDef(pname, ann, req, doc, spec_req))
        return out

    def object_class(self, name: str, node: dict[str, Any], base: str = "WsPayload") -> None:
        if name in self.classes:
            return
        self.classes[name] = ClassDef(name, base, [], first_sentence(node.get("description")) or f"`{name}` object.")
        self.classes[name].fields = self.fields_of(node, name)
        self.order.append(name)

    def merge_objects(self, nodes: list[dict[str, Any]]) -> dict[str, Any]:
        """Union of properties, intersection of required; enum/const values are unioned."""
        props: dict[str, Any] = {}
        required: set[str] | None = None
        for raw in nodes:
            node, _ = self.spec.resolve(raw)
            req = set(node.get("required", []))
            required = req if required is None else required & req
            for k, v in (node.get("properties") or {}).items():
                if k not in props:
                    props[k] = v
                    continue
                a, _ = self.spec.resolve(props[k])
                b, _ = self.spec.resolve(v)
                if a.get("type") == "object" and b.get("type") == "object":
                    props[k] = self.merge_objects([a, b])
                elif "enum" in a or "const" in a or "enum" in b or "const" in b:
                    values = list(a.get("enum", [a["const"]] if "const" in a else []))
                    for x in b.get("enum", [b["const"]] if "const" in b else []):
                        if x not in values:
                            values.append(x)
                    props[k] = {k2: v2 for k2, v2 in a.items() if k2 != "const"} | {"enum": values}
        return {"type": "object", "properties": props, "required": sorted(required or set())}

    def message_class(self, tag_field: str, tag: str, comps: list[str], base: str) -> str:
        payloads = [self.spec.resolve(self.spec.messages[c]["payload"])[0] for c in comps]
        name = camel(comps[0]) if len(comps) == 1 else self.target.merged_names.get(tag, camel(tag))
        name = name[0].upper() + name[1:]
        docs = [
            first_sentence(self.spec.messages[c].get("summary") or self.spec.messages[c].get("title")) for c in comps
        ]
        doc = f"`{tag}`: " + " / ".join(d for d in docs if d)
        self.command = tag_field == "cmd"
        self.tag = None if self.command else tag
        envelope_props: dict[str, Any] = {}
        required: set[str] | None = None
        msg_nodes: list[dict[str, Any]] = []
        for p in payloads:
            req = set(p.get("required", []))
            required = req if required is None else required & req
            for k, v in p.get("properties", {}).items():
                if k == tag_field:
                    continue
                if k in {"msg", "params"}:
                    msg_nodes.append(self.spec.resolve(v)[0])
                    continue
                envelope_props.setdefault(k, v)
        fields = self.fields_of({"properties": envelope_props, "required": sorted(required or set())}, name)
        body_key = "params" if tag_field == "cmd" else "msg"
        if msg_nodes:
            objects = [n for n in msg_nodes if n.get("type") == "object"]
            arrays = [n for n in msg_nodes if n.get("type") == "array"]
            parts = []
            if objects:
                merged = self.merge_objects(objects) if len(objects) > 1 else objects[0]
                if merged.get("properties"):
                    cls = f"{name}Msg" if body_key == "msg" else f"{name}Params"
                    self.object_class(cls, merged)
                    parts.append(cls)
                else:
                    self.uses_any = True
                    parts.append("dict[str, Any]")
            if arrays:
                parts.append(self.type_of(body_key, arrays[0], name))
            ann = " | ".join(parts)
            body_required = body_key in (required or set()) and not (objects and arrays)
            # The body is strict when it holds a strict field (or for a command); otherwise a
            # missing body decodes as None like any tolerant field.
            body_cls = self.classes.get(parts[0])
            strict_body = self.command or (body_cls is not None and any(f.required for f in body_cls.fields))
            strict = body_required and strict_body
            body_ann = ann if strict else f"{ann} | None"
            fields.append(FieldDef(body_key, body_ann, strict, "The message body.", body_required))
        self.classes[name] = ClassDef(name, base, fields, doc, tag)
        self.order.append(name)
        return name

    # ---- emit ----------------------------------------------------------------------------
    def run(self) -> dict[str, str]:
        server_groups: dict[str, list[str]] = {}
        command_groups: dict[str, list[str]] = {}
        for cname, m in self.spec.messages.items():
            payload, _ = self.spec.resolve(m.get("payload", {}))
            props = payload.get("properties") or {}
            if "type" in props and "const" in self.spec.resolve(props["type"])[0]:
                tag = self.spec.resolve(props["type"])[0]["const"]
                server_groups.setdefault(tag, []).append(cname)
            elif "cmd" in props and "const" in self.spec.resolve(props["cmd"])[0]:
                tag = self.spec.resolve(props["cmd"])[0]["const"]
                command_groups.setdefault(tag, []).append(cname)
        server: list[tuple[str, str, list[str]]] = []
        for tag, comps in server_groups.items():
            server.append((tag, self.message_class("type", tag, comps, "WsMessage"), comps))
        commands: list[tuple[str, str, list[str]]] = []
        for tag, comps in command_groups.items():
            name = self.message_class("cmd", tag, comps, "WsCommand")
            commands.append((tag, name, comps))
        sha = hashlib.sha256((ROOT / "specs" / self.target.spec).read_bytes()).hexdigest()
        header = f"# Generated by tools/codegen from specs/{self.target.spec} (sha256 {sha}). Do not edit.\n"
        return {
            "models.py": header + self.emit_models(server, commands),
            "channels.py": header + self.emit_channels(server),
            "session.py": header + ws_session.emit_session(self, server),
            "examples.py": header + self.emit_examples(),
            "__init__.py": header + self.emit_init(),
        }

    def emit_models(self, server: list[tuple[str, str, list[str]]], commands: list[tuple[str, str, list[str]]]) -> str:
        lines = ['"""Message models generated from the AsyncAPI spec; import them from the parent package."""', ""]
        lines.append("from __future__ import annotations")
        lines.append("")
        self.uses_classvar = any(f.spec_required and not f.required for c in self.classes.values() for f in c.fields)
        std = []
        if self.uses_datetime:
            std.append("from datetime import datetime")
        if self.uses_decimal:
            std.append("from decimal import Decimal")
        typing_names = [n for n, used in (("Any", self.uses_any), ("ClassVar", self.uses_classvar)) if used]
        if typing_names:
            std.append(f"from typing import {', '.join(typing_names)}")
        lines += std
        if std:
            lines.append("")
        lines.append(f"from {self.target.base_module} import WsCommand, WsMessage, WsPayload")
        lines.append("")
        names = sorted(self.order)
        lines.append("__all__ = [")
        self.exported = sorted([*names, "COMMANDS", "SERVER_MESSAGES", "ServerMessage", "Command"])
        for n in self.exported:
            lines.append(f'    "{n}",')
        lines.append("]")
        # payloads first (dependency order: nested classes are registered before their parents
        # finish, but annotations are strings, so any order type-checks); envelopes after.
        for n in self.order:
            c = self.classes[n]
            lines.append("")
            lines.append("")
            tag = f', tag="{c.tag}"' if c.tag is not None else ""
            lines.append(f"class {c.name}({c.base}{tag}, frozen=True, gc=False, kw_only=True):")
            lines.append(f'    """{c.doc}"""')
            if not c.fields:
                continue
            lines.append("")
            tolerant = [self.py_name(f.name) for f in c.fields if f.spec_required and not f.required]
            if tolerant:
                lines.append(
                    "    __required__: ClassVar[tuple[str, ...]] = (" + "".join(f'"{n}", ' for n in tolerant) + ")"
                )
                lines.append('    """Spec-required fields decoded as None (a list as []) when absent or null."""')
            for f in c.fields:
                pyname = self.py_name(f.name)
                rename = f'name="{f.name}"' if pyname != f.name else ""
                ann = f.annotation
                if f.required:
                    value = f" = msgspec.field({rename})" if rename else ""
                elif f.spec_required and ann.startswith("list[") and not ann.endswith("| None"):
                    value = f" = msgspec.field(default_factory=list{', ' + rename if rename else ''})"
                else:
                    value = f" = msgspec.field(default=None, {rename})" if rename else " = None"
                    ann = ann if ann.endswith("| None") else f"{ann} | None"
                lines.append(f"    {pyname}: {ann}{value}")
                if f.doc:
                    lines.append(f'    """{f.doc}"""')
        lines.append("")
        lines.append("")
        server_names = [n for _, n, _ in server]
        command_names = [n for _, n, _ in commands]
        lines.append("ServerMessage = " + " | ".join(server_names))
        lines.append('"""Every message the server sends, tagged on `type`."""')
        lines.append("Command = " + " | ".join(command_names))
        lines.append('"""Every command a client sends, tagged on `cmd`."""')
        lines.append("")
        lines.append("SERVER_MESSAGES: dict[str, type[WsMessage]] = {")
        for tag, n, _ in server:
            lines.append(f'    "{tag}": {n},')
        lines.append("}")
        lines.append('"""Message class by wire `type`."""')
        lines.append("COMMANDS: dict[str, type[WsCommand]] = {")
        for tag, n, _ in commands:
            lines.append(f'    "{tag}": {n},')
        lines.append("}")
        lines.append('"""Command class by wire `cmd`."""')
        text = "\n".join(lines) + "\n"
        if "msgspec.field" in text:
            base = f"from {self.target.base_module} import"
            text = text.replace(base, f"import msgspec\n\n{base}", 1)
        return text

    def subscribe_params(self) -> dict[str, dict[str, Any]]:
        """The subscribe command's params (besides `channels`), by name, in spec order."""
        for m in self.spec.messages.values():
            payload, _ = self.spec.resolve(m.get("payload", {}))
            props = payload.get("properties") or {}
            if "cmd" in props and self.spec.resolve(props["cmd"])[0].get("const") == "subscribe":
                params, _ = self.spec.resolve(props["params"])
                return {k: self.spec.resolve(v)[0] for k, v in params["properties"].items() if k != "channels"}
        return {}

    def channel_params(self, cname: str, desc: str, names: list[str]) -> tuple[tuple[str, ...], bool]:
        """The subscribe params the spec allows on one channel, and whether markets are required.

        A param whose description names channels (`Communications channel only`, `ticker only`)
        belongs to those; the others to every channel. Market filters belong to a channel whose
        description says "Market specification required/optional" (only the ones it names, if it
        names any), minus the ones it says are "not supported".
        """
        lines = desc.splitlines()
        spec_line = next((line for line in lines if "market specification" in line.lower()), "").lower()
        takes_markets = "required" in spec_line or "optional" in spec_line
        named = re.findall(r"`(market_\w+)`", spec_line)
        unsupported = {n for line in lines if "not supported" in line for n in re.findall(r"`(market_\w+)`", line)}
        allowed = []
        for pname, node in self.subscribe_params().items():
            text = node.get("description") or ""
            mentioned = [c for c in names if re.search(rf"\b{re.escape(c)}\b", text, re.IGNORECASE)]
            if mentioned and cname not in mentioned:
                continue
            if pname.startswith("market_") and (
                not takes_markets or (named and pname not in named) or pname in unsupported
            ):
                continue
            allowed.append(pname)
        return tuple(allowed), "required" in spec_line

    def channel_rows(self) -> list[Row]:
        rows = []
        names = [c for c, ch in self.spec.data["channels"].items() if ch.get("address") not in ("/", None)]
        for cname, ch in self.spec.data["channels"].items():
            tags: list[str] = []
            seqs: list[bool] = []
            for ref in (ch.get("messages") or {}).values():
                comp = ref["$ref"].split("/")[-1]
                payload, _ = self.spec.resolve(self.spec.messages[comp].get("payload", {}))
                props = payload.get("properties") or {}
                if "type" not in props:
                    continue
                tag = self.spec.resolve(props["type"])[0].get("const")
                if tag and tag not in tags:
                    tags.append(tag)
                seqs.append("seq" in set(payload.get("required", [])))
            desc = ch.get("description") or ""
            text = desc.lower()
            private = (
                "authentication required" in text
                or "requires authentication" in text
                or text.lstrip().startswith("private")
            )
            subscribable = ch.get("address") not in ("/", None)
            params, markets_required = self.channel_params(cname, desc, names)
            rows.append(
                Row(
                    name=cname,
                    title=first_sentence(ch.get("title")),
                    description=desc,
                    tags=tags,
                    sequenced=bool(seqs) and all(seqs) and cname in _SEQUENCED_CHANNELS,
                    private=private and subscribable,
                    params=params,
                    markets_required=markets_required,
                )
            )
        return rows

    def emit_channels(self, server: list[tuple[str, str, list[str]]]) -> str:
        tag_to_class = {tag: n for tag, n, _ in server}
        rows = [r for r in self.channel_rows() if r.name not in ("root", "control_frames")]
        lines = [
            '"""The channel table generated from the AsyncAPI spec."""',
            "",
            "from __future__ import annotations",
            "",
        ]
        lines.append(f"from {self.target.channel_module} import ChannelInfo")
        lines.append("")
        lines.append("from .models import " + ", ".join(sorted({tag_to_class[t] for r in rows for t in r.tags})))
        lines.append("")
        lines.append('__all__ = ["CHANNELS", "SPEC_CHANNELS"]')
        lines.append("")
        all_rows = self.channel_rows()
        lines.append("SPEC_CHANNELS: tuple[str, ...] = (" + "".join(f'"{r.name}", ' for r in all_rows) + ")")
        lines.append('"""Every channel in the spec, including `root` (commands) and `control_frames` (ping/pong)."""')
        lines.append("")
        lines.append("CHANNELS: dict[str, ChannelInfo] = {")
        for r in rows:
            classes = "".join(f"{tag_to_class[t]}, " for t in r.tags)
            tag_tuple = "".join(f'"{t}", ' for t in r.tags)
            lines.append(f'    "{r.name}": ChannelInfo(')
            lines.append(f'        name="{r.name}",')
            lines.append(f'        title="{r.title}",')
            lines.append(f"        message_types=({tag_tuple}),")
            lines.append(f"        message_classes=({classes}),")
            lines.append(f"        sequenced={r.sequenced},")
            lines.append(f"        private={r.private},")
            lines.append("        params=(" + "".join(f'"{p}", ' for p in r.params) + "),")
            lines.append("    ),")
        lines.append("}")
        lines.append('"""Subscribable channels by name."""')
        return "\n".join(lines) + "\n"

    def emit_examples(self) -> str:
        lines = [
            '"""Every example payload in the spec, as JSON bytes, for tests."""',
            "",
            "from __future__ import annotations",
            "",
        ]
        lines.append('__all__ = ["EXAMPLES"]')
        lines.append("")
        lines.append("EXAMPLES: tuple[tuple[str, str, bytes], ...] = (")
        for cname, m in self.spec.messages.items():
            for ex in m.get("examples") or []:
                payload = ex.get("payload")
                if not isinstance(payload, dict):
                    continue
                raw = json.dumps(payload, separators=(",", ":"), ensure_ascii=False).encode()
                lines.append(f"    ({cname!r}, {ex.get('name', '')!r}, {raw!r}),")
        lines.append(")")
        lines.append('"""(component message name, example name, JSON bytes) for each example."""')
        return "\n".join(lines) + "\n"

    def emit_init(self) -> str:
        lines = ['"""Generated message models, channel table and examples."""', "", _FUTURE, ""]
        lines.append("from .channels import CHANNELS, SPEC_CHANNELS")
        lines.append("from .examples import EXAMPLES")
        lines.append("from .models import *  # noqa: F403")
        lines.append("")
        names = sorted([*self.exported, "CHANNELS", "EXAMPLES", "SPEC_CHANNELS"])
        lines.append("__all__ = [" + "".join(f'"{n}", ' for n in names) + "]")
        return "\n".join(lines) + "\n"


def ruff_format(text: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--stdin-filename", "generated.py", "-"],
        input=text.encode(),
        capture_output=True,
        cwd=ROOT,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"ruff format failed:\n{proc.stderr.decode()}\n")
    return proc.stdout.decode()


def render(target: Target) -> dict[Path, str]:
    data = yaml.safe_load((ROOT / "specs" / target.spec).read_text())
    files = Generator(Spec(data), target).run()
    return {ROOT / target.out / name: ruff_format(text) for name, text in files.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if regenerating would change any file")
    args = parser.parse_args(argv)
    stale: list[Path] = []
    for target in TARGETS:
        for path, text in render(target).items():
            current = path.read_text() if path.exists() else None
            if current == text:
                continue
            stale.append(path)
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
    if args.check:
        for path in stale:
            print(f"stale: {path.relative_to(ROOT)}")
        return 1 if stale else 0
    for path in stale:
        print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
