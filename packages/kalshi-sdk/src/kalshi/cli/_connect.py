"""Connectivity and local tools: `fix logon` (a FIX logon round trip) and `sim` (the local exchange)."""

from __future__ import annotations

import asyncio
import shlex
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import click

from ._app import EXIT_CONFIG, CliError, common_options, settings
from ._output import Column, console, emit_record

__all__ = ["fix", "sim"]

_SESSIONS = {"NR": "order_entry", "DC": "drop_copy", "MD": "market_data", "RFQ": "rfq"}


@click.group("fix")
def fix() -> None:
    """FIX gateway tools."""


@fix.command("logon")
@click.option(
    "--session", "session_name", type=click.Choice(list(_SESSIONS), case_sensitive=False), default="NR",
    show_default=True, help="Session: order entry (NR), drop copy, market data or RFQ.",
)  # fmt: skip
@click.option("--host", help="Gateway host (default: the environment's).")
@click.option("--port", type=click.IntRange(1, 65535), help="Gateway port (default: the session's).")
@click.option("--tls/--no-tls", default=None, help="TLS (default on; off is allowed to loopback only).")
@click.option("--timeout", type=click.FloatRange(0.1, 120), default=10.0, show_default=True, help="Seconds.")
@common_options
def fix_logon(*, session_name: str, host: str | None, port: int | None, tls: bool | None, timeout: float) -> None:
    """Connect, log on, log out: a connectivity and credentials check (sends no orders)."""
    from kalshi_fix import FixClient, FixEnvironment, ReconnectPolicy

    s = settings()
    auth = s.auth()
    if auth is None:
        raise CliError("FIX needs KALSHI_KEY_ID and KALSHI_PRIVATE_KEY_PATH (or KALSHI_PRIVATE_KEY)", EXIT_CONFIG)
    client = FixClient(
        auth,
        environment=FixEnvironment.PRODUCTION if s.prod else FixEnvironment.DEMO,
        host=host,
        port=port,
        tls=tls,
        reconnect=ReconnectPolicy(enabled=False),
    )
    name = session_name.upper()
    session = getattr(client, _SESSIONS[name])()
    endpoint = client.endpoint(session.session_type)

    async def round_trip() -> float:
        start = time.perf_counter()
        await session.open(timeout=timeout)
        elapsed = time.perf_counter() - start
        await session.close()
        return elapsed

    elapsed = asyncio.run(round_trip())
    record: dict[str, Any] = {
        "session": name,
        "target_comp_id": endpoint.target_comp_id,
        "address": f"{endpoint.host}:{endpoint.port}",
        "tls": endpoint.tls,
        "environment": s.environment_name,
        "logon_ms": round(elapsed * 1000, 1),
        "result": "logged on and out",
    }
    emit_record(record, [_field(k) for k in record], title="FIX logon")


def _field(key: str) -> Column:
    return Column(key.replace("_", " "), key, lambda record: record[key])


@click.command("sim")
@click.option("--host", default="127.0.0.1", show_default=True, help="Interface to bind.")
@click.option("--port", type=click.IntRange(0, 65535), default=8080, show_default=True, help="Port (0: any free one).")
@click.option("--seed", type=int, default=7, show_default=True, help="Seed of the default catalogue.")
@click.option("--scenario", type=click.Path(exists=True, dir_okay=False, path_type=Path), help="JSON/YAML scenario.")
@click.option("--key-dir", type=click.Path(file_okay=False, path_type=Path), help="Where to write the demo key.")
@click.option("--for", "duration", type=click.FloatRange(0, min_open=True), help="Stop after this many seconds.")
@common_options
def sim(
    *, host: str, port: int, seed: int, scenario: Path | None, key_dir: Path | None, duration: float | None
) -> None:
    """Run the local exchange simulator (REST and WebSocket) with a funded demo user, until Ctrl+C."""
    from kalshi_testing.simulator import KalshiExchangeSimulator

    simulator = KalshiExchangeSimulator(str(scenario) if scenario else None, seed=seed, host=host, port=port)
    simulator.start()
    try:
        user = simulator.create_user("demo", balance="10000.00")
        folder = key_dir or Path(tempfile.mkdtemp(prefix="kalshi-sim-"))
        folder.mkdir(parents=True, exist_ok=True)
        key_path = folder / "demo_private_key.pem"
        key_path.touch(mode=0o600)
        key_path.chmod(0o600)
        key_path.write_bytes(user.private_key_pem)
        out = console()
        out.print(f"Kalshi exchange simulator on {simulator.rest_url}", markup=False)
        out.print(f"  WebSocket: {simulator.ws_url}", markup=False)
        out.print(f"  demo user with $10,000; key file {key_path}", markup=False)
        fix_endpoint = getattr(simulator, "fix_endpoint", None)  # kalshi-testing versions with a FIX gateway
        if fix_endpoint is not None:
            from kalshi_auth import FixSessionType

            ports = ", ".join(f"{kind.target_comp_id} {fix_endpoint(kind).port}" for kind in FixSessionType)
            out.print(f"  FIX (tcp, {host}): {ports}", markup=False, soft_wrap=True)
        out.print("Point the SDK and this CLI at it:", markup=False)
        exports = {
            "KALSHI_KEY_ID": user.key_id,
            "KALSHI_PRIVATE_KEY_PATH": str(key_path),
            "KALSHI_API_BASE_URL": simulator.rest_url,
            "KALSHI_WS_URL": simulator.ws_url,
        }
        out.print(
            "  export " + " ".join(f"{k}={shlex.quote(v)}" for k, v in exports.items()), markup=False, soft_wrap=True
        )
        out.print("Ctrl+C stops it." if duration is None else f"Stopping after {duration:g} s.", markup=False)
        threading.Event().wait(duration)
    finally:
        simulator.stop()
