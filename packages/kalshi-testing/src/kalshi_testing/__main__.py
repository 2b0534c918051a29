"""Command line: `python -m kalshi_testing serve --port 8080` runs the simulator in the foreground."""

from __future__ import annotations

import argparse
import shlex
import sys
import tempfile
import threading
from decimal import Decimal
from pathlib import Path

from kalshi_testing.simulator import KalshiExchangeSimulator
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
    args = parser.parse_args(argv)

    simulator = KalshiExchangeSimulator(args.scenario, seed=args.seed, host=args.host, port=args.port)
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
    out.write(f"  Perps WS:  {perps.ws_url}\n")
    out.write(f"  Klear:     {simulator.base_url}/klear-api/v1\n")
    out.write(f"Demo user {user.user_id!r} with $10,000 (and $100,000 of perps margin)\n  key id:    {user.key_id}\n")
    out.write(f"  key file:  {key_path}\n")
    out.write("Point the SDK at it:\n")
    exports = {"KALSHI_KEY_ID": user.key_id, "KALSHI_PRIVATE_KEY_PATH": str(key_path)}
    exports |= {"KALSHI_PERPS_KEY_ID": user.key_id, "KALSHI_PERPS_PRIVATE_KEY_PATH": str(key_path)}
    for name, value in (exports | simulator.env()).items():
        out.write(f"  export {name}={shlex.quote(value)}\n")
    out.write("Press Ctrl+C to stop.\n")
    out.flush()
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        simulator.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
