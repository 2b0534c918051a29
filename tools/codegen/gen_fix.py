"""Generate kalshi_fix's typed FIX messages from specs/kalshi-fix-dictionary.xml plus fix_supplement.xml.

Usage:
    uv run python tools/codegen/gen_fix.py          # (re)write kalshi_fix/messages/_generated/
    uv run python tools/codegen/gen_fix.py --check  # exit 1 and list the files that would change

Output: `enums.py` (one enum per field with values), `fields.py` (every field: tag, name, type),
`messages.py` (group-entry and message classes with precomputed encode code and decode tables) and
`__init__.py` (re-exports and the MsgType -> class registry). The output is run through `ruff format`.
"""

from __future__ import annotations

import argparse
import hashlib
import keyword
import re
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DICTIONARY = ROOT / "specs" / "kalshi-fix-dictionary.xml"
SUPPLEMENT = ROOT / "tools" / "codegen" / "fix_supplement.xml"
OUT = ROOT / "packages" / "kalshi-fix" / "src" / "kalshi_fix" / "messages" / "_generated"

STR_TYPES = {"STRING", "CHAR", "CURRENCY", "MULTIPLEVALUESTRING", "EXCHANGE"}
INT_TYPES = {"INT", "SEQNUM", "LENGTH", "NUMINGROUP"}
DEC_TYPES = {"QTY", "AMT", "DECIMAL", "PRICE", "FLOAT", "PRICEOFFSET", "PERCENTAGE"}


@dataclass
class FieldDef:
    number: int
    name: str
    type: str
    values: list[tuple[str, str]] = field(default_factory=list)
    note: str = ""  # the dictionary's own comment on this field ("Tag 79: Subaccount number ...")


@dataclass
class Member:
    """A field or a group inside a message or group entry."""

    name: str
    required: bool
    children: list[Member] | None = None  # a group when not None
    entry: str | None = None  # entry class name for groups


@dataclass
class MessageDef:
    name: str
    msg_type: str
    cat: str
    members: list[Member]
    source: str


def snake(name: str) -> str:
    """ClOrdID -> cl_ord_id, NoPartyIDs -> no_party_ids, RFQCancelStatus -> rfq_cancel_status."""
    name = name.replace("IDs", "Ids")
    name = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    name = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    out = name.lower()
    return out + "_" if keyword.iskeyword(out) else out


def member_ident(desc: str) -> str:
    ident = re.sub(r"\W", "_", desc.upper())
    if ident[0].isdigit():
        ident = "V_" + ident
    return ident


def parse_members(node: ET.Element) -> list[Member]:
    out: list[Member] = []
    for child in node:
        if child.tag is ET.Comment:
            continue
        if child.tag == "field":
            out.append(Member(child.attrib["name"], child.attrib.get("required", "N") == "Y"))
        elif child.tag == "group":
            out.append(
                Member(
                    child.attrib["name"],
                    child.attrib.get("required", "N") == "Y",
                    parse_members(child),
                    child.attrib.get("entry"),
                )
            )
        elif child.tag == "component":
            raise SystemExit(f"component references are not used by the dictionary: {child.attrib}")
    return out


def children(node: ET.Element, name: str) -> list[ET.Element]:
    """The children of `node`'s first `name` child; none when it is absent."""
    found = node.find(name)
    return [] if found is None else list(found)


def parse_xml(path: Path) -> ET.Element:
    """Parse keeping comments: the dictionary documents some fields only in `<!-- Tag N: ... -->`."""
    parser = ET.XMLParser(target=ET.TreeBuilder(insert_comments=True))
    return ET.parse(path, parser=parser).getroot()


def load() -> tuple[dict[str, FieldDef], list[MessageDef], ET.Element, ET.Element]:
    dic = parse_xml(DICTIONARY)
    sup = parse_xml(SUPPLEMENT)
    fields: dict[str, FieldDef] = {}
    notes: dict[int, str] = {}
    for root in (dic, sup):
        for f in children(root, "fields"):
            if f.tag is ET.Comment:
                found = re.match(r"\s*Tag (\d+): (.*?)\s*$", f.text or "")
                if found:
                    notes[int(found.group(1))] = found.group(2).rstrip(".")
                continue
            name = f.attrib["name"]
            values = [(v.attrib["enum"], v.attrib["description"]) for v in f.findall("value")]
            if name in fields:  # the supplement extends an existing field's values
                fields[name].values.extend(values)
            else:
                number = int(f.attrib["number"])
                fields[name] = FieldDef(number, name, f.attrib["type"], values, notes.get(number, ""))
    messages: list[MessageDef] = []
    for root, source in ((dic, "dictionary"), (sup, "supplement")):
        for m in children(root, "messages"):
            if m.tag is ET.Comment:
                continue
            messages.append(
                MessageDef(m.attrib["name"], m.attrib["msgtype"], m.attrib["msgcat"], parse_members(m), source)
            )
    apply_doc_order(messages, sup)
    return fields, messages, dic, sup


def apply_doc_order(messages: list[MessageDef], sup: ET.Element) -> None:
    """Move and add fields where Kalshi's documented examples differ from the dictionary."""
    by_name = {m.name: m for m in messages}
    for change in children(sup, "doc-order"):
        if change.tag is ET.Comment:
            continue
        members = by_name[change.attrib["message"]].members
        if change.tag == "move":
            names = [m.name for m in members]
            added = [members.pop(names.index(change.attrib["field"]))]
        elif change.tag == "add":
            added = parse_members(change)
            if {m.name for m in added} & {m.name for m in members}:
                raise SystemExit(f"doc-order adds a field {change.attrib['message']} already has")
        else:
            raise SystemExit(f"unknown doc-order element {change.tag}")
        after = [m.name for m in members].index(change.attrib["after"])
        members[after + 1 : after + 1] = added


class Generator:
    def __init__(self) -> None:
        self.fields, self.messages, self.dic, self.sup = load()
        pricing = self.sup.find("pricing")
        assert pricing is not None
        self.prices = {p.attrib["field"]: p.attrib["integral"] == "Y" for p in pricing.findall("price")}
        self.always_cents = {p.attrib["field"] for p in pricing.findall("always-cents")}
        self.always_dollars = {p.attrib["field"] for p in pricing.findall("always-dollars")}
        self.dollars_from_kalshi = {p.attrib["message"] for p in pricing.findall("dollars-from-kalshi")}
        self.entry_names = {e.attrib["group"]: e.attrib["class"] for e in children(self.sup, "entries")}
        self.defaults = {
            (d.attrib["message"], d.attrib["field"]): d.attrib["value"] for d in children(self.sup, "defaults")
        }
        self.entries: dict[str, tuple[str, list[Member]]] = {}  # class name -> (group name, members)
        self.entry_order: list[str] = []
        self.data_for_length = self._data_pairs()
        message_names = {m.name for m in self.messages}
        # An enum named like a message (QuoteConfirmStatus the field vs the message) gets a `Value` suffix.
        self.enum_names = {
            f.name: f.name + "Value" if f.name in message_names else f.name for f in self.fields.values()
        }

    def _data_pairs(self) -> dict[str, str]:
        """LENGTH field name -> DATA field name, for lengths named after their data (RawDataLength/RawData)."""
        out = {}
        for f in self.fields.values():
            if f.type == "DATA":
                for cand in (f.name + "Length",):
                    if cand in self.fields and self.fields[cand].type == "LENGTH":
                        out[cand] = f.name
        return out

    # ------------------------------------------------------------------------------------------ helpers

    def fdef(self, name: str) -> FieldDef:
        if name not in self.fields:
            raise SystemExit(f"field {name} is used but not defined")
        return self.fields[name]

    def kind(self, f: FieldDef) -> str:
        if f.name in self.always_cents:
            return "settle"
        if f.name in self.prices:
            return "price"
        if f.type == "DATA":
            return "data"
        if f.type == "BOOLEAN":
            return "bool"
        if f.type == "UTCTIMESTAMP":
            return "ts"
        if f.type == "LOCALMKTDATE":
            return "date"
        if f.type in DEC_TYPES:
            if f.type == "PRICE" and f.name not in self.always_dollars:
                raise SystemExit(f"PRICE field {f.name} has no pricing rule in the supplement")
            return "dec"
        if f.type in INT_TYPES:
            return "ienum" if f.values else "int"
        if f.type in STR_TYPES:
            return "senum" if f.values else "str"
        raise SystemExit(f"unhandled FIX type {f.type} for {f.name}")

    def py_type(self, f: FieldDef) -> str:
        k = self.kind(f)
        return {
            "str": "str",
            "senum": f"{self.enum_names[f.name]} | str",
            "int": "int",
            "ienum": f"{self.enum_names[f.name]} | int",
            "dec": "Decimal",
            "price": "Decimal",
            "settle": "Decimal",
            "bool": "bool",
            "ts": "datetime",
            "date": "date",
            "data": "bytes",
        }[k]

    def decoder(self, f: FieldDef, ud: bool) -> str:
        k = self.kind(f)
        if k == "price":
            return "_dec" if ud else "_cents"
        return {
            "str": "None",
            "senum": f"_dec_{f.name}",
            "int": "_int",
            "ienum": f"_dec_{f.name}",
            "dec": "_dec",
            "settle": "_settle",
            "bool": "_bool",
            "ts": "_ts",
            "date": "_date",
            "data": "_data",
        }[k]

    def decode_expr(self, f: FieldDef, var: str) -> str:
        """Fast-path conversion of wire text `var`; memo hits and enum lookups stay in C."""
        k = self.kind(f)
        dec = f"(_DM[{var}] if {var} in _DM else _dec({var}))"
        if k == "price":
            return f"{dec} if ud else (_CM[{var}] if {var} in _CM else _cents({var}))"
        if k == "senum":
            return f"_t_{f.name}.get({var}, {var})"
        if k == "ienum":
            return f"_t_{f.name}[{var}] if {var} in _t_{f.name} else _int({var})"
        return {
            "str": var,
            "int": f"(_IM[{var}] if {var} in _IM else _int({var}))",
            "dec": dec,
            "settle": f"_settle({var})",
            "bool": f"_BW[{var}]",
            "ts": f"_ts({var})",
            "date": f"_date({var})",
            "data": f"_data({var})",
        }[k]

    def nested_tags(self, members: list[Member]) -> set[int]:
        out: set[int] = set()
        for m in members:
            if m.children is not None:
                for c in m.children:
                    out.add(self.fdef(c.name).number)
                out |= self.nested_tags(m.children)
        return out

    def group_tag_list(self, members: list[Member]) -> list[int]:
        """Every tag owned by the groups among `members` (nested included), with repeats."""
        out: list[int] = []
        for m in members:
            if m.children is not None:
                out.extend(self.fdef(c.name).number for c in m.children)
                out.extend(self.group_tag_list(m.children))
        return out

    def fast_decode(self, cls: str, members: list[Member], entry: bool = False) -> list[str]:
        """A classmethod reading `frame.fields` (a dict) directly, skipping the ordered walk.

        Messages get `_decode`; flat group entries get `_decode1`, used when the group's count is 1 and its
        tags are not shared with another group of the message (then each appears once). Empty when a
        top-level tag is also a group tag (the dict could not tell them apart).
        """
        top = {self.fdef(m.name).number for m in members}
        group_tags = self.group_tag_list(members)
        if top & set(group_tags):
            return []
        shared = {t for t in group_tags if group_tags.count(t) > 1}
        req_lines: list[str] = []
        items: list[str] = []
        opt_lines: list[str] = []
        for m in members:
            f = self.fdef(m.name)
            if m.name in self.data_for_length:
                continue
            if m.children is not None:
                attr = snake(m.name[2:]) if m.name.startswith("No") else snake(m.name)
                spec = f'cls._GROUPS["{f.number}"]'
                entry_cls = self.entry_class(m)
                own = {self.fdef(c.name).number for c in m.children}
                flat = all(c.children is None for c in m.children) and not own & shared
                if flat:
                    expr = f'[{entry_cls}._decode1(fields, ud)] if {{v}} == "1" else group_at(frame, {spec}, {{v}}, ud)'
                else:
                    expr = f"group_at(frame, {spec}, {{v}}, ud)"
                if m.required:
                    req_lines.append(f'r{f.number} = fields["{f.number}"]')
                    items.append(f'"{attr}": ' + expr.format(v=f"r{f.number}"))
                else:
                    opt_lines.append(f'if "{f.number}" in fields:')
                    opt_lines.append(f'    v = fields["{f.number}"]')
                    opt_lines.append(f'    d["{attr}"] = ' + expr.format(v="v"))
                continue
            attr = snake(m.name)
            if m.required:
                req_lines.append(f'r{f.number} = fields["{f.number}"]')
                items.append(f'"{attr}": {self.decode_expr(f, f"r{f.number}")}')
            else:
                # most optional tags are absent: a containment test is cheaper than a `get` call
                opt_lines.append(f'if "{f.number}" in fields:')
                opt_lines.append(f'    v = fields["{f.number}"]')
                opt_lines.append(f'    d["{attr}"] = {self.decode_expr(f, "v")}')
        if entry:
            out = ["", "    @classmethod", "    def _decode1(cls, fields: dict[str, str], ud: bool) -> Any:"]
        else:
            sig = "    def _decode(cls, fields: dict[str, str], frame: FixFrame, ud: bool) -> Any:"
            out = ["", "    @classmethod", sig]
            if cls in self.dollars_from_kalshi:
                out.append('        ud = ud or sent_by_kalshi(fields.get("49"))')
        out.extend(f"        {line}" for line in req_lines)
        out.append(f"        d: dict[str, Any] = {{{', '.join(items)}}}")
        out.extend(f"        {line}" for line in opt_lines)
        out.append("        obj = object.__new__(cls)")
        out.append("        obj.__dict__ = d")
        out.append("        return obj")
        return out

    def encode_expr(self, f: FieldDef, var: str) -> str:
        k = self.kind(f)
        t = f.number
        if k == "str":
            return f"{var} if {var}.__class__ is str and {var} and _SOH not in {var} else _s({var}, {t})"
        if k == "senum":  # members format as their value; plain text is checked like any string
            enum = self.enum_names[f.name]
            return (
                f"{var} if {var}.__class__ is {enum} or ({var}.__class__ is str and {var} and _SOH not in {var}) "
                f"else _s({var}, {t})"
            )
        if k == "int":
            return f"str({var}) if {var}.__class__ is int else _i({var}, {t})"
        if k == "ienum":
            enum = self.enum_names[f.name]
            return f"str({var}) if {var}.__class__ is {enum} or {var}.__class__ is int else _i({var}, {t})"
        if k == "dec":
            return f"_d({var}, {t})"
        if k == "price":
            return f"_d({var}, {t}) if ud else _pc({var}, {t}, {self.prices[f.name]})"
        return {
            "settle": f"_sp({var}, {t})",
            "bool": f"_b({var}, {t})",
            "ts": f"_t({var}, {t})",
            "date": f"_dt({var}, {t})",
        }[k]

    def entry_class(self, group: Member) -> str:
        name = group.entry or self.entry_names.get(group.name) or group.name[2:] + "Entry"
        assert group.children is not None
        shape = [(m.name, m.required, m.children is not None) for m in group.children]
        if name in self.entries:
            old = [(m.name, m.required, m.children is not None) for m in self.entries[name][1]]
            if old != shape:
                raise SystemExit(f"group entry class {name} has two shapes: {old} / {shape}")
            return name
        for child in group.children:
            if child.children is not None:
                self.entry_class(child)
        self.entries[name] = (group.name, group.children)
        self.entry_order.append(name)
        return name

    # ------------------------------------------------------------------------------------------ classes

    def class_body(self, cls: str, owner: str, members: list[Member], is_entry: bool) -> list[str]:
        """Attributes, __init__, _encode_body and decode tables of one message or entry class."""
        lines: list[str] = []
        attrs: list[tuple[str, str, bool, str, str | None]] = []  # attr, type, required, doc, default
        enc_pre: list[str] = []
        enc_parts: list[str] = []
        dec_c: list[str] = []
        dec_d: list[str] = []
        groups: list[str] = []
        member_tags: list[str] = []
        tag_of: list[str] = []
        required: list[str] = []
        skip_next_data = None
        for m in members:
            if m.children is not None:
                gdef = self.fdef(m.name)
                entry = self.entry_class(m)
                attr = snake(m.name[2:]) if m.name.startswith("No") else snake(m.name)
                delim = self.fdef(m.children[0].name).number
                attrs.append((attr, f"list[{entry}]", m.required, f"{m.name} ({gdef.number}) entries", None))
                groups.append(f'"{gdef.number}": GroupSpec("{gdef.number}", "{attr}", {entry}, "{delim}")')
                member_tags.append(str(gdef.number))
                tag_of.append(f'"{attr}": {gdef.number}')
                if m.required:
                    required.append(attr)
                var = f"g{gdef.number}"
                enc_pre.append(f"{var} = self.{attr}")
                if m.required:
                    enc_parts.append(f"{{_grp({gdef.number}, {var}, {entry}, ud)}}")
                else:
                    enc_pre.append(f'o{gdef.number} = "" if {var} is None else _grp({gdef.number}, {var}, {entry}, ud)')
                    enc_parts.append(f"{{o{gdef.number}}}")
                continue
            f = self.fdef(m.name)
            member_tags.append(str(f.number))
            if m.name in self.data_for_length:
                skip_next_data = self.data_for_length[m.name]
                length_tag = f.number
                continue  # folded into its data field
            attr = snake(m.name)
            default = self.defaults.get((owner, m.name))
            doc = f"{m.name} ({f.number})" + (", required" if m.required else "")
            if f.note:
                doc += f". {f.note}"
            if f.values:
                doc += ": " + ", ".join(f"{v} {d}" for v, d in f.values)
            if self.kind(f) == "price":
                doc += "; dollars (wire: integer cents unless UseDollars=Y)"
            if self.kind(f) == "settle":
                doc += "; dollars (wire: cents with 2 decimals)"
            if f.name in self.always_dollars:
                doc += "; dollars (wire: fixed-point dollars on every session, whatever UseDollars says)"
            if default is not None:
                if self.kind(f) in ("senum", "ienum"):
                    ident = next(member_ident(d) for v, d in f.values if v == default)
                    default_expr = f"{self.enum_names[f.name]}.{ident}"
                elif self.kind(f) == "int":
                    default_expr = default
                else:
                    default_expr = repr(default)
            else:
                default_expr = None
            attrs.append((attr, self.py_type(f), m.required, doc, default_expr))
            tag_of.append(f'"{attr}": {f.number}')
            if m.required:
                required.append(attr)
            dec_c.append(f'"{f.number}": ("{attr}", {self.decoder(f, False)})')
            dec_d.append(f'"{f.number}": ("{attr}", {self.decoder(f, True)})')
            var = f"a{f.number}"
            enc_pre.append(f"{var} = self.{attr}")
            if self.kind(f) == "data":
                if skip_next_data != m.name:
                    raise SystemExit(f"data field {m.name} without its length field just before it")
                tag_of.append(f'"{attr}__length": {length_tag}')
                dvar = f"d{f.number}"
                if m.required:
                    enc_pre.append(f"{dvar} = _raw({var}, {f.number})")
                    enc_parts.append(f"{length_tag}={{_rawlen({dvar})}}\\x01{f.number}={{{dvar}}}\\x01")
                else:
                    enc_pre.append(f'{dvar} = "" if {var} is None else _raw({var}, {f.number})')
                    enc_pre.append(
                        f'o{f.number} = "" if {var} is None else f"{length_tag}={{_rawlen({dvar})}}\\x01'
                        f'{f.number}={{{dvar}}}\\x01"'
                    )
                    enc_parts.append(f"{{o{f.number}}}")
                skip_next_data = None
                continue
            expr = self.encode_expr(f, var)
            if m.required:
                enc_parts.append(f"{f.number}={{{expr}}}\\x01")
            else:
                enc_pre.append(f'o{f.number} = "" if {var} is None else f"{f.number}={{{expr}}}\\x01"')
                enc_parts.append(f"{{o{f.number}}}")

        # attributes
        for attr, typ, req, doc, _default in attrs:
            lines.append(f"    {attr}: {typ}" if req else f"    {attr}: {typ} | None = None")
            lines.append(f'    """{doc}."""')
        # tables
        lines.append("")
        lines.append(f"    _ATTRS: ClassVar[tuple[str, ...]] = ({''.join(f'{a[0]!r}, ' for a in attrs)})")
        lines.append(f"    _REQUIRED: ClassVar[frozenset[str]] = frozenset({{{', '.join(repr(r) for r in required)}}})")
        lines.append(f"    _TAG_OF: ClassVar[dict[str, int]] = {{{', '.join(tag_of)}}}")
        lines.append(f"    _DEC_CENTS: ClassVar[FieldTable] = {{{', '.join(dec_c)}}}")
        if dec_c == dec_d:
            lines.append("    _DEC_DOLLARS: ClassVar[FieldTable] = _DEC_CENTS")
        else:
            lines.append(f"    _DEC_DOLLARS: ClassVar[FieldTable] = {{{', '.join(dec_d)}}}")
        if groups:
            lines.append(f"    _GROUPS: ClassVar[dict[str, GroupSpec]] = {{{', '.join(groups)}}}")
        if is_entry:
            lines.append(
                f"    _MEMBERS: ClassVar[frozenset[str]] = frozenset({{{', '.join(repr(t) for t in member_tags)}}})"
            )
        # __init__
        lines.append("")
        if attrs:
            params = []
            for attr, typ, req, _doc, default_expr in attrs:
                if default_expr is not None:
                    params.append(f"{attr}: {typ} = {default_expr}")
                elif req:
                    params.append(f"{attr}: {typ}")
                else:
                    params.append(f"{attr}: {typ} | None = None")
            lines.append(f"    def __init__(self, *, {', '.join(params)}) -> None:")
            for attr, _typ, req, _doc, default_expr in attrs:
                if req or default_expr is not None:
                    lines.append(f"        self.{attr} = {attr}")
                else:  # absent optional fields read the class-level None; a smaller __dict__ builds faster
                    lines.append(f"        if {attr} is not None:")
                    lines.append(f"            self.{attr} = {attr}")
        # encode
        lines.append("")
        lines.append("    def _encode_body(self, ud: bool) -> str:")
        if not enc_parts:
            lines.append('        return ""')
        else:
            lines.extend(f"        {p}" for p in enc_pre)
            lines.append("        return (")
            lines.extend(f'            f"{p}"' for p in enc_parts)
            lines.append("        )")
        return lines

    def generate(self) -> dict[str, str]:
        dic_hash = hashlib.sha256(DICTIONARY.read_bytes()).hexdigest()
        sup_hash = hashlib.sha256(SUPPLEMENT.read_bytes()).hexdigest()
        head = (
            f"# Generated by tools/codegen from specs/kalshi-fix-dictionary.xml (sha256 {dic_hash}). Do not edit.\n"
            f"# Supplement: tools/codegen/fix_supplement.xml (sha256 {sup_hash}).\n"
        )
        files: dict[str, str] = {}

        # enums
        enum_fields = sorted((f for f in self.fields.values() if f.values), key=lambda f: f.number)
        out = [head, '"""Enumerations for FIX fields that have values (dictionary + market-data supplement)."""', ""]
        out.append("from __future__ import annotations\n")
        out.append("from enum import IntEnum, StrEnum\n")
        out.append(f"__all__ = [{', '.join(repr(n) for n in sorted(self.enum_names[f.name] for f in enum_fields))}]\n")
        for f in enum_fields:
            is_int = f.type in INT_TYPES
            out.append(f"\nclass {self.enum_names[f.name]}({'IntEnum' if is_int else 'StrEnum'}):")
            out.append(f'    """{f.name} ({f.number}), {f.type}."""\n')
            seen = set()
            for value, desc in f.values:
                ident = member_ident(desc)
                if ident in seen:
                    raise SystemExit(f"duplicate enum member {f.name}.{ident}")
                seen.add(ident)
                out.append(f"    {ident} = {int(value) if is_int else repr(value)}")
            out.append("")
        files["enums.py"] = "\n".join(out)

        # fields table
        out = [head, '"""Every FIX field the SDK knows: tag -> (name, FIX type)."""', ""]
        out.append("from __future__ import annotations\n")
        out.append('__all__ = ["FIELDS", "FIELD_KINDS"]\n')
        out.append("FIELDS: dict[int, tuple[str, str]] = {")
        for f in sorted(self.fields.values(), key=lambda f: f.number):
            out.append(f"    {f.number}: ({f.name!r}, {f.type!r}),")
        out.append("}")
        out.append('"""Tag -> (name, FIX type), for every field of the dictionary and the supplement."""\n')
        out.append("FIELD_KINDS: dict[int, str] = {")
        for f in sorted(self.fields.values(), key=lambda f: f.number):
            kind = self.kind(f) if f.type != "NUMINGROUP" else "group"
            if kind == "price" and self.prices[f.name]:
                kind = "price_whole_cents"
            out.append(f"    {f.number}: {kind!r},")
        out.append("}")
        out.append(
            '"""Tag -> how the SDK types it: str, senum/ienum (enum or raw), int, dec, price (dollars; cents on '
            "the wire unless UseDollars), price_whole_cents, settle (always cents on the wire), bool, ts, date, "
            'data, group."""\n'
        )
        files["fields.py"] = "\n".join(out)

        # messages
        msg_blocks: list[str] = []
        for m in self.messages:
            body = self.class_body(m.name, m.name, m.members, is_entry=False)
            body.extend(self.fast_decode(m.name, m.members))
            doc = f"{m.name} (35={m.msg_type}), {'session-level' if m.cat == 'admin' else 'application'} message"
            if m.source == "supplement":
                doc += " (market data; from the supplement, the dictionary lacks it)"
            block = [f"class {m.name}(FixMessage):", f'    """{doc}."""', ""]
            block.append(f'    MSG_TYPE: ClassVar[str] = "{m.msg_type}"')
            block.append(f'    MSG_CAT: ClassVar[str] = "{m.cat}"')
            if m.name in self.dollars_from_kalshi:
                block.append("    DOLLARS_FROM_KALSHI: ClassVar[bool] = True")
            block.extend(body)
            msg_blocks.append("\n".join(block))
        entry_blocks: list[str] = []
        for name in self.entry_order:
            group, members = self.entries[name]
            body = self.class_body(name, name, members, is_entry=True)
            if all(c.children is None for c in members):
                body.extend(self.fast_decode(name, members, entry=True))
            block = [f"class {name}(FixGroupEntry):", f'    """One entry of the {group} repeating group."""', ""]
            block.extend(body)
            entry_blocks.append("\n".join(block))
        used_enums = sorted(self.enum_names[f.name] for f in enum_fields)
        out = [head, '"""Typed FIX message and group-entry classes."""', ""]
        out.append("from __future__ import annotations\n")
        out.append("from datetime import date, datetime")
        out.append("from decimal import Decimal")
        out.append("from typing import Any, ClassVar\n")
        out.append("from kalshi_fix._codec import FixFrame")
        out.append("from kalshi_fix._types import (")
        for a, b in (
            ("BOOL_WIRE", "_BW"),
            ("CENTS_MEMO", "_CM"),
            ("DEC_MEMO", "_DM"),
            ("INT_MEMO", "_IM"),
            ("bool_to_wire", "_b"),
            ("data_from_wire", "_data"),
            ("data_to_wire", "_raw"),
            ("date_from_wire", "_date"),
            ("date_to_wire", "_dt"),
            ("decimal_from_wire", "_dec"),
            ("decimal_to_wire", "_d"),
            ("int_from_wire", "_int"),
            ("int_to_wire", "_i"),
            ("parse_bool", "_bool"),
            ("price_from_cents", "_cents"),
            ("price_to_cents", "_pc"),
            ("settlement_price_from_wire", "_settle"),
            ("settlement_price_to_wire", "_sp"),
            ("str_to_wire", "_s"),
            ("timestamp_from_wire", "_ts"),
            ("timestamp_to_wire", "_t"),
        ):
            out.append(f"    {a} as {b},")
        out.append(")")
        out.append(
            "from kalshi_fix.messages._base import FieldTable, FixGroupEntry, FixMessage, GroupSpec, "
            "encode_group as _grp, group_at, int_enum_decoder, raw_length as _rawlen, sent_by_kalshi, str_enum_decoder"
        )
        out.append(f"from .enums import {', '.join(used_enums)}\n")
        names = sorted([m.name for m in self.messages] + self.entry_order)
        out.append(f"__all__ = [{', '.join(repr(n) for n in names)}]\n")
        out.append('_SOH = "\\x01"\n')
        for f in enum_fields:
            dec = "int_enum_decoder" if f.type in INT_TYPES else "str_enum_decoder"
            out.append(f"_dec_{f.name} = {dec}({self.enum_names[f.name]})")
            enum = self.enum_names[f.name]
            out.append(f"_t_{f.name}: dict[str, {enum}] = {{str(m.value): m for m in {enum}}}")
        out.append("\n")
        out.append("\n\n\n".join(entry_blocks + msg_blocks))
        out.append("")
        files["messages.py"] = "\n".join(out)

        # package init
        out = [head, '"""Generated FIX messages, enums and field table; import from `kalshi_fix.messages`."""', ""]
        out.append("from __future__ import annotations\n")
        out.append("from enum import IntEnum, StrEnum\n")
        out.append("from kalshi_fix.messages._base import FixMessage")
        out.append(f"from .enums import {', '.join(used_enums)}")
        out.append("from .fields import FIELD_KINDS, FIELDS")
        out.append(f"from .messages import {', '.join(names)}\n")
        all_names = sorted([*used_enums, *names, "FIELDS", "FIELD_ENUMS", "FIELD_KINDS", "MESSAGE_TYPES"])
        out.append(f"__all__ = [{', '.join(repr(n) for n in all_names)}]\n")
        out.append("MESSAGE_TYPES: dict[str, type[FixMessage]] = {")
        for m in self.messages:
            out.append(f'    "{m.msg_type}": {m.name},')
        out.append("}")
        out.append('"""MsgType (35) -> message class, for all dictionary and supplement messages."""\n')
        out.append("FIELD_ENUMS: dict[int, type[IntEnum] | type[StrEnum]] = {")
        for f in enum_fields:
            out.append(f"    {f.number}: {self.enum_names[f.name]},")
        out.append("}")
        out.append('"""Tag -> enum class, for the fields that have values."""\n')
        files["__init__.py"] = "\n".join(out)
        return {name: ruff_format(text) for name, text in files.items()}


def ruff_format(text: str) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "ruff", "format", "--stdin-filename", "generated.py", "-"],
        input=text,
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    if result.returncode != 0:
        raise SystemExit(f"ruff format failed:\n{result.stderr}\n{text[:2000]}")
    return result.stdout


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if regenerating would change any file")
    args = parser.parse_args()
    files = Generator().generate()
    changed = []
    for name, text in files.items():
        path = OUT / name
        if not path.exists() or path.read_text() != text:
            changed.append(path)
            if not args.check:
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
    if args.check and changed:
        print("out of date (run tools/codegen/gen_fix.py):")
        for path in changed:
            print(f"  {path.relative_to(ROOT)}")
        return 1
    if not args.check:
        print(f"wrote {len(changed)} file(s) in {OUT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
