"""Render the reliability suite's ledger (`reliability/.results.json`) as the table in
docs/reliability.md, print it, and fail if anything was sent twice, lost or leaked.

    python reliability/report.py [--write docs/reliability.md]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).parent
HEADER = """# Reliability

What the SDK survives, measured by the reliability suite against the local exchange simulator on
127.0.0.1 (`uvx nox -s reliability`; CI runs it on every change). Every loop in the suite is bounded
in count and time. This page is written by that session: do not edit it by hand.

- **Faults**: 5xx bursts and 429 with `Retry-After` on reads and writes, timeouts, connections
  reset in the middle of a body, HTML from a proxy, clock skew; WebSocket connections cut every N
  frames during a stretch of trading, sequence gaps, stalled consumers; FIX drops, restarts from
  the on-disk store, counterparty sequence resets and rejected logons.
- **Load**: a thousand REST calls in flight; one WebSocket session with 500 subscriptions.
- **Hostile input**: hypothesis fuzzing of the FIX decoder, the WebSocket decoder and order book,
  and REST response parsing; a FIX frame that claims a 2 GB body.
- **Secrets**: every log line, SDK exception, repr and recorded fixture of the whole run searched
  for private keys, signatures and tokens.
- **Soak**: a quoting bot with faults on a schedule; the exchange's order log is reconciled with
  what the bot believes.

"""


def render(rows: list[dict[str, object]]) -> tuple[str, list[str]]:
    lines = [
        "| area | scenario | faults injected | survived | sent twice | lost | fuzz cases | leaked fds | figures |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    problems: list[str] = []
    totals = {"injected": 0, "survived": 0, "sent_twice": 0, "lost": 0, "cases": 0, "leaked_fds": 0}
    for row in rows:
        for key in totals:
            totals[key] += int(row[key])  # type: ignore[call-overload]
        figures = ", ".join(f"{k}={v}" for k, v in dict(row["figures"]).items())  # type: ignore[call-overload]
        lines.append(
            f"| {row['area']} | {row['scenario']} | {row['injected']} | {row['survived']} | {row['sent_twice']} "
            f"| {row['lost']} | {row['cases'] or ''} | {row['leaked_fds']} | {figures} |"
        )
        if row["sent_twice"] or row["lost"] or row["leaked_fds"] or int(row["survived"]) < int(row["injected"]):  # type: ignore[call-overload]
            problems.append(f"{row['area']}: {row['scenario']}")
    peak = max((float(r["peak_rss_mb"]) for r in rows), default=0.0)  # type: ignore[arg-type]
    lines.append(
        f"| **total** | {len(rows)} scenarios | **{totals['injected']}** | **{totals['survived']}** | "
        f"**{totals['sent_twice']}** | **{totals['lost']}** | **{totals['cases']}** | **{totals['leaked_fds']}** | "
        f"peak RSS {peak:.0f} MiB |"
    )
    return "\n".join(lines) + "\n", problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--results", type=Path, default=HERE / ".results.json")
    parser.add_argument("--write", type=Path, help="write the page here (e.g. docs/reliability.md)")
    args = parser.parse_args(argv)
    if not args.results.exists():
        print(f"no results at {args.results}: run the suite first", file=sys.stderr)
        return 2
    rows = json.loads(args.results.read_text())
    table, problems = render(rows)
    print(table)
    if args.write:
        args.write.parent.mkdir(parents=True, exist_ok=True)
        args.write.write_text(HEADER + table)
    if problems:
        print("reliability: FAILED on " + "; ".join(problems), file=sys.stderr)
        return 1
    print(f"reliability: {len(rows)} scenarios, nothing sent twice, nothing lost, nothing leaked")
    return 0


if __name__ == "__main__":
    sys.exit(main())
