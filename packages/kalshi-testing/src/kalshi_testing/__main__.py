"""Command line: `python -m kalshi_testing serve --port 8080` runs the simulator in the foreground.

REST and WebSocket share `--port`; FIX listens on one port per session: Kalshi's documented ports
(8228-8233) for the prediction gateway and the same plus 10000 for margin by default
(a port already taken gets a free one; `--fix-ports ephemeral` picks free ones for all, `--no-fix` turns
FIX off). Every address is printed.
"""

from __future__ import annotations

import argparse
import shlex
import socket
import sys
import tempfile
import threading
from decimal import Decimal
from pathlib import Path

from kalshi_auth import FixSessionType
from kalshi_testing.simulator import KalshiExchangeSimulator
from kalshi_testing.simulator.fix import MARGIN_SESSIONS, PREDICTION_SESSIONS
from kalshi_testing.simulator.perps import perps_surface

__all__ = ["main"]


def main(argv: list[str] | None = None) -> int:
    """Parse arguments and run the chosen command; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m kalshi_testing", description="Local Kalshi exchange simulator")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the simulator until interrupted")
    serve.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port (0 picks a free one; default 8080)")
    serve.add_argument("--scenario", help="a JSON or YAML scenario file (default: the seeded catalogue)")
    serve.add_argument("--seed", type=int, default=7, help="seed of the default catalogue")
    serve.add_argument("--key-dir", help="where to write the demo private key (default: a new temp dir)")
    serve.add_argument(
        "--fix-ports",
        choices=("documented", "ephemeral"),
        default="documented",
        help="FIX ports: Kalshi's (8228-8233; margin +10000, the default) or free ones",
    )
    serve.add_argument("--no-fix", action="store_true", help="do not run the FIX acceptor")
    args = parser.parse_args(argv)

    simulator = KalshiExchangeSimulator(
        args.scenario,
        seed=args.seed,
        host=args.host,
        port=args.port,
        fix=not args.no_fix,
        fix_ports=documented_fix_ports(args.host) if args.fix_ports == "documented" else None,
    )
    simulator.start()
    user = simulator.create_user("demo", balance="10000.00")
    key_dir = Path(args.key_dir) if args.key_dir else Path(tempfile.mkdtemp(prefix="kalshi-sim-"))
    key_path = key_dir / "demo_private_key.pem"
    key_path.write_bytes(user.private_key_pem)
    key_path.chmod(0o600)
    perps = perps_surface(simulator)
    simulator.call(lambda _: perps.engine.deposit(user.user_id, Decimal(100_000)))
    out = sys.stdout
    out.write(f"Kalshi exchange simulator listening\n  REST:      {simulator.rest_url}\n")
    out.write(f"  WebSocket: {simulator.ws_url}\n")
    if not args.no_fix:
        for margin, kinds in ((False, PREDICTION_SESSIONS), (True, MARGIN_SESSIONS)):
            for kind in kinds:
                ep = simulator.fix_endpoint(kind, margin=margin)
                label = f"FIX {'margin' if margin else 'prediction'} {ep.target_comp_id}"
                out.write(f"  {label}: tcp://{ep.host}:{ep.port}\n")
    out.write(f"  Perps WS:  {perps.ws_url}\n")
    out.write(f"  Klear:     {simulator.base_url}/klear-api/v1\n")
    out.write(f"Demo user {user.user_id!r} with $10,000 (and $100,000 of perps margin)\n  key id:    {user.key_id}\n")
    out.write(f"  key file:  {key_path}\n")
    out.write("Point the SDK at it:\n")
    exports = {"KALSHI_KEY_ID": user.key_id, "KALSHI_PRIVATE_KEY_PATH": str(key_path)}
    exports |= {"KALSHI_PERPS_KEY_ID": user.key_id, "KALSHI_PERPS_PRIVATE_KEY_PATH": str(key_path)}
    for name, value in (exports | simulator.env()).items():
        out.write(f"  export {name}={shlex.quote(value)}\n")
    if not args.no_fix:
        nr = simulator.fix_endpoint(FixSessionType.ORDER_ENTRY)
        if all(simulator.fix_endpoint(kind).port == kind.port for kind in PREDICTION_SESSIONS):
            out.write(f"FIX (plain TCP on loopback): FixClient.from_env(host={nr.host!r}, tls=False)\n")
        else:  # a client's port= applies to every session: pass each session's own port
            out.write(f"FIX (plain TCP on loopback): e.g. FixClient.from_env(host={nr.host!r}, port={nr.port}, ")
            out.write("tls=False) for KalshiNR; each session on its port above\n")
    out.write("Press Ctrl+C to stop.\n")
    out.flush()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        simulator.stop()
    return 0


def documented_fix_ports(host: str) -> dict[tuple[bool, FixSessionType], int]:
    """Kalshi's FIX ports for the prediction gateway, and the same plus 10000 for margin (one loopback host).

    A port already taken on `host` (another simulator, say) is left out, so that session gets a free port
    instead; every session's address is printed either way.
    """
    wanted = {(False, kind): kind.port for kind in PREDICTION_SESSIONS}
    wanted.update({(True, kind): kind.port + 10000 for kind in MARGIN_SESSIONS})
    return {key: port for key, port in wanted.items() if _free(host, port)}


def _free(host: str, port: int) -> bool:
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError:
            return False
    return True


if __name__ == "__main__":
    sys.exit(main())
