"""The package root: a sorted, complete `__all__`, lazy loading, and a light `import kalshi_fix`."""

from __future__ import annotations

import subprocess
import sys

import pytest

import kalshi_fix


def test_all_is_sorted_and_every_name_resolves() -> None:
    assert kalshi_fix.__all__ == sorted(kalshi_fix.__all__)
    for name in kalshi_fix.__all__:
        assert getattr(kalshi_fix, name) is not None, name


def test_message_classes_resolve_from_the_root() -> None:
    from kalshi_fix.messages import ExecutionReport, NewOrderSingle, Side

    assert kalshi_fix.NewOrderSingle is NewOrderSingle
    assert kalshi_fix.ExecutionReport is ExecutionReport
    assert kalshi_fix.Side is Side


def test_unknown_names_raise_attribute_error() -> None:
    with pytest.raises(AttributeError, match="NoSuchThing"):
        kalshi_fix.NoSuchThing  # noqa: B018


def test_import_loads_nothing_heavy() -> None:
    code = "import sys, kalshi_fix; print(sorted(m for m in sys.modules if m.startswith(('kalshi', 'crypto'))))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "['kalshi_fix']"


def test_the_message_path_does_not_load_kalshi_auth_until_an_error_needs_it() -> None:
    code = """
import sys
from decimal import Decimal
from kalshi_fix import NewOrderSingle, SessionHeader, Side, decode_app_message
order = NewOrderSingle(cl_ord_id="o1", symbol="KX", side=Side.BUY_YES, order_qty=Decimal(1), price=Decimal("0.5"))
wire = order.encode(SessionHeader(sender_comp_id="k", target_comp_id="KalshiNR", msg_seq_num=1))
assert decode_app_message(wire).cl_ord_id == "o1"
print(sorted(m for m in sys.modules if m.startswith(("kalshi_auth", "cryptography"))))
try:
    decode_app_message(wire.replace(b"55=KX", b"55=KY"))  # the CheckSum no longer adds up
except Exception as exc:
    from kalshi_auth import KalshiError
    from kalshi_fix import FixChecksumError
    print(type(exc).__name__, isinstance(exc, FixChecksumError), isinstance(exc, KalshiError))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.splitlines()
    assert out[0] == "[]"  # encode and decode ran without kalshi_auth (or cryptography)
    assert out[1] == "FixChecksumError True True"  # the error, when it came, is the SDK's typed one
