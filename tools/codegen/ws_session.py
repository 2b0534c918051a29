"""Emit a product's session class (`session.py`): one typed `subscribe_<channel>` per channel.

Used by gen_ws.py. Each method's parameters come from the spec: the subscribe params the channel
takes (`Row.params`, see `Generator.channel_params`), with the market filters folded into one
`tickers` argument (required where the channel's description says so), `index_ids` or
`underlying_tickers` first where the channel is fed by those. Every method also takes the engine's
`queue_size`, `overflow` and `on_gap`, and `books` where the product keeps state for the channel.
The body hands everything to `BaseSession._subscribe_channel`, which checks and sends it.
"""

from __future__ import annotations

import re
from typing import Any

_MARKET = ("market_ticker", "market_tickers")
_FIRST = ("index_ids", "underlying_tickers")
_PY_TYPES = {"boolean": "bool", "integer": "int", "string": "str", "number": "float"}


def _doc(text: str | None) -> str:
    """The first sentence of a spec description, on one line, safe inside a docstring."""
    line = " ".join((text or "").replace("**", "").split())
    line = line.replace('"""', "'''").replace("\\", "\\\\")
    sentences = re.findall(r".+?[.!?](?=\s|$)", line) or [line]
    out = sentences[0]
    for more in sentences[1:]:
        if len(out) >= 40:
            break
        out += more
    return out.strip()[:240]


def _annotation(node: dict[str, Any]) -> str:
    kind = node.get("type")
    if kind == "array":
        return "Sequence[str]"
    return _PY_TYPES.get(str(kind), "Any")


def emit_session(gen: Any, server: list[tuple[str, str, list[str]]]) -> str:
    """The `session.py` module of one target."""
    target = gen.target
    tag_to_class = {tag: name for tag, name, _ in server}
    spec_params = gen.subscribe_params()
    rows = [r for r in gen.channel_rows() if r.name not in ("root", "control_frames")]
    classes = sorted({tag_to_class[t] for r in rows for t in r.tags})
    lines = [
        '"""The typed session generated from the AsyncAPI spec: one `subscribe_<channel>` per channel."""',
        "",
        "from __future__ import annotations",
        "",
        "from collections.abc import Sequence",
        "",
        f"from {target.session_base} import BaseSession, Overflow, Stream",
        "",
        "from .models import " + ", ".join(classes),
        "",
        f'__all__ = ["{target.session_class}"]',
        "",
        "",
        f"class {target.session_class}(BaseSession):",
        f'    """{target.session_doc}',
        "",
        "    Made by `connect()`. Aliases kept for the names the READMEs use: "
        + ", ".join(f"`{a}`" for a in sorted(target.aliases))
        + ".",
        '    """',
    ]
    for row in rows:
        lines += _method(row, spec_params, tag_to_class, target.state_channels)
    for alias, method in target.aliases.items():
        lines.append("")
        lines.append(f"    {alias} = {method}")
    return "\n".join(lines) + "\n"


def _method(row: Any, spec_params: dict[str, Any], tag_to_class: dict[str, str], state: frozenset[str]) -> list[str]:
    params = list(row.params)
    markets = any(p in params for p in _MARKET)
    first = next((p for p in _FIRST if p in params), None)
    keywords = [p for p in params if p not in _MARKET and p != first]
    union = " | ".join(tag_to_class[t] for t in row.tags)
    sig = ["self"]
    args: list[str] = []
    if markets:
        sig.append("tickers: Sequence[str] | str" + ("" if row.markets_required else " | None = None"))
        args.append("tickers")
    elif first:
        sig.append(f"{first}: Sequence[str] | None = None")
    sig.append("*")
    for p in keywords:
        sig.append(f"{p}: {_annotation(spec_params[p])} | None = None")
    if row.name in state:
        sig.append("books: bool = True")
    sig += ["queue_size: int | None = None", "overflow: Overflow | str | None = None", 'on_gap: str = "resync"']
    doc = [f"        `{row.name}`: {_doc(row.description) or row.title}", ""]
    types = ", ".join(f"`{t}`" for t in row.tags)
    facts = [f"Messages: {types}."]
    facts.append("Private (needs credentials)." if row.private else "Public data.")
    if row.sequenced:
        facts.append("Sequenced: a gap resyncs (or raises, with `on_gap='raise'`).")
    doc.append("        " + " ".join(facts))
    doc.append("")
    doc.append("        Args:")
    if markets:
        need = "required" if row.markets_required else "None for every market"
        doc.append(f"            tickers: market tickers, or one ticker ({need}).")
    if first:
        doc.append(f"            {first}: {_doc(spec_params[first].get('description')) or first}")
    for p in keywords:
        doc.append(f"            {p}: {_doc(spec_params[p].get('description')) or 'as on the wire.'}")
    if row.name in state:
        doc.append("            books: keep `stream.books` (default); False leaves it to the consumer.")
    doc.append("            queue_size, overflow, on_gap: as for `subscribe()`.")
    call = [f'"{row.name}"', *args]
    if first:
        call.append(f"{first}={first}")
    call += [f"{p}={p}" for p in keywords]
    if row.name in state:
        call.append("keep_state=books")
    call += ["queue_size=queue_size", "overflow=overflow", "on_gap=on_gap"]
    out = ["", f"    async def subscribe_{row.name}(", *(f"        {s}," for s in sig), f"    ) -> Stream[{union}]:"]
    out.append('        """' + doc[0].strip())
    out += doc[1:]
    out.append('        """')
    out.append(f"        return await self._subscribe_channel({', '.join(call)})")
    return out
