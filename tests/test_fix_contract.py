"""Contract: every message, field, group and enum value of the FIX dictionary (plus the market-data
supplement) has a typed entry point in kalshi_fix, with the same tags, names and types."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from kalshi_fix.messages import FIELD_ENUMS, FIELDS, MESSAGE_TYPES

ROOT = Path(__file__).resolve().parents[1]
DICTIONARY = ROOT / "specs" / "kalshi-fix-dictionary.xml"
SUPPLEMENT = ROOT / "tools" / "codegen" / "fix_supplement.xml"


def load(path: Path) -> ET.Element:
    return ET.parse(path).getroot()


def children(node: ET.Element, name: str) -> list[ET.Element]:
    found = node.find(name)
    return [] if found is None else list(found)


def field_numbers() -> dict[str, int]:
    numbers: dict[str, int] = {}
    for root in (load(DICTIONARY), load(SUPPLEMENT)):
        for f in root.iter("field"):
            if "number" in f.attrib:
                numbers[f.attrib["name"]] = int(f.attrib["number"])
    return numbers


def spec_messages() -> list[tuple[str, ET.Element]]:
    out = [("dictionary", m) for m in children(load(DICTIONARY), "messages")]
    out += [("supplement", m) for m in children(load(SUPPLEMENT), "messages")]
    return out


def check_members(cls: Any, node: ET.Element, numbers: dict[str, int], where: str) -> int:
    """Assert every field/group under `node` maps to an attribute of `cls`; return how many were checked."""
    tags = set(cls._TAG_OF.values())
    checked = 0
    for child in node:
        tag = numbers[child.attrib["name"]]
        assert tag in tags, f"{where}: {child.attrib['name']} ({tag}) has no attribute on {cls.__name__}"
        required = child.attrib.get("required") == "Y"
        attr = next(a for a, t in cls._TAG_OF.items() if t == tag)
        if not attr.endswith("__length"):
            assert (attr in cls._REQUIRED) == required, f"{where}: {attr} required={required} disagrees"
        checked += 1
        if child.tag == "group":
            spec = cls._GROUPS[str(tag)]
            checked += check_members(spec.entry, child, numbers, f"{where}/{child.attrib['name']}")
    return checked


def test_every_message_and_field_is_covered(capsys: pytest.CaptureFixture[str]) -> None:
    numbers = field_numbers()
    messages = spec_messages()
    covered = 0
    for source, node in messages:
        msg_type, name = node.attrib["msgtype"], node.attrib["name"]
        cls = MESSAGE_TYPES.get(msg_type)
        assert cls is not None, f"{source} message {name} (35={msg_type}) has no class"
        assert cls.__name__ == name
        assert node.attrib["msgcat"] == cls.MSG_CAT
        check_members(cls, node, numbers, name)
        covered += 1
    dictionary_count = sum(1 for source, _ in messages if source == "dictionary")
    assert dictionary_count == 34
    assert covered == len(MESSAGE_TYPES) == 40
    with capsys.disabled():
        print(
            f"\n{covered}/{len(messages)} messages covered "
            f"({dictionary_count} dictionary + {covered - dictionary_count} market data)"
        )


def test_every_field_definition_and_enum_value_is_covered(capsys: pytest.CaptureFixture[str]) -> None:
    dictionary_fields = children(load(DICTIONARY), "fields")
    assert len(dictionary_fields) == 143
    for root in (load(DICTIONARY), load(SUPPLEMENT)):
        for f in children(root, "fields"):
            tag = int(f.attrib["number"])
            assert FIELDS[tag] == (f.attrib["name"], f.attrib["type"])
            values = [v.attrib["enum"] for v in f.findall("value")]
            if values:
                enum_cls = FIELD_ENUMS[tag]
                wire_values = {str(m.value) for m in enum_cls}
                assert set(values) <= wire_values, f"{f.attrib['name']}: {set(values) - wire_values} missing"
                names = {m.name for m in enum_cls}
                for v in f.findall("value"):
                    assert v.attrib["description"] in names
    with capsys.disabled():
        print(f"\n{len(dictionary_fields)}/143 dictionary fields covered; {len(FIELDS)} fields with the supplement")


def test_custom_tags_and_seed_names() -> None:
    from_dictionary = {int(f.attrib["number"]) for f in children(load(DICTIONARY), "fields")}
    custom = [tag for tag in FIELDS if tag >= 5000 and tag in from_dictionary]
    assert len(custom) == 38  # the custom tags (>= 5000) of specs/kalshi-fix-dictionary.xml
    supplement = {int(f.attrib["number"]) for f in children(load(SUPPLEMENT), "fields")} - from_dictionary
    assert supplement <= set(FIELDS)  # and the ones the docs add (2446, 20185-20187, ...)
    from kalshi_fix.messages import ExecutionReport, NewOrderSingle, Side

    assert Side.BUY_YES.value == "1"
    assert {"cl_ord_id", "exec_type", "ord_status"} <= set(ExecutionReport._ATTRS)
    assert {"cl_ord_id", "symbol", "side", "order_qty", "price"} <= set(NewOrderSingle._ATTRS)
