"""Command line: `python -m kalshi_testing serve` runs every simulated surface in the foreground.

It prints one block of `export` lines on stdout that points every client at the simulator
(prediction REST and WebSocket, perps REST and WebSocket, Klear, `KALSHI_[PERPS_]FIX_HOST` /
`_FIX_PORTS` / `_FIX_TLS`, and the key it generated); what is listening goes to stderr. REST,
WebSocket, perps and Klear share `--port`;
FIX listens on one port per session: Kalshi's documented ports (8228-8233) for the prediction
gateway and the same plus 10000 for margin by default (`--fix-ports ephemeral` picks free ones,
`--no-fix` turns FIX off). A bad argument (a missing key directory, a busy port) is reported in
one line on stderr with exit status 2.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import shlex
import socket
import sys
import tempfile
import threading
from decimal import Decimal
from pathlib import Path
from typing import TextIO

from kalshi_auth import FixSessionType
from kalshi_testing._errors import KalshiTestingError
from kalshi_testing.simulator import ENV_NAMES, KalshiExchangeSimulator, SimulatedUser
from kalshi_testing.simulator.fix import MARGIN_SESSIONS, PREDICTION_SESSIONS
from kalshi_testing.simulator.perps import perps_surface

__all__ = ["export_block", "main"]

_PROG = "python -m kalshi_testing"


class _UsageError(Exception):
    """A bad argument: reported in one line, no traceback."""


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=_PROG, description="Local Kalshi exchange simulator")
    sub = parser.add_subparsers(dest="command", required=True)
    serve = sub.add_parser("serve", help="run the simulator until interrupted")
    serve.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8080, help="port (0 picks a free one; default 8080)")
    serve.add_argument("--scenario", help="a JSON or YAML scenario file (default: the seeded catalogue)")
    serve.add_argument("--seed", type=int, default=7, help="seed of the default catalogue")
    serve.add_argument("--key-dir", help="an existing directory for the demo private key (default: a new temp dir)")
    serve.add_argument(
        "--fix-ports",
        choices=("documented", "ephemeral"),
        default="documented",
        help="FIX ports: Kalshi's (8228-8233; margin +10000, the default) or free ones",
    )
    serve.add_argument("--no-fix", action="store_true", help="do not run the FIX acceptor")
    serve.add_argument("--spec-exact", action="store_true", help="answer in the spec's exact shapes (realistic off)")
    return parser


def main(argv: list[str] | None = None, *, stop: threading.Event | None = None) -> int:
    """Parse arguments and run the chosen command; returns the exit status.

    `stop` ends `serve` when set (tests); otherwise it runs until Ctrl+C.
    """
    args = _parser().parse_args(argv)
    try:
        return _serve(args, stop or threading.Event(), sys.stdout, sys.stderr)
    except _UsageError as exc:
        sys.stderr.write(f"{_PROG} serve: error: {exc}\n")
        return 2


def _key_dir(raw: str | None) -> Path:
    if raw is None:
        return Path(tempfile.mkdtemp(prefix="kalshi-sim-"))
    path = Path(raw).expanduser()
    if not path.is_dir():
        raise _UsageError(f"--key-dir {raw}: no such directory (create it first)")
    return path


def _start(args: argparse.Namespace) -> KalshiExchangeSimulator:
    try:
        simulator = KalshiExchangeSimulator(
            args.scenario,
            seed=args.seed,
            host=args.host,
            port=args.port,
            fix=not args.no_fix,
            fix_ports=documented_fix_ports(args.host) if args.fix_ports == "documented" else None,
            realistic=not args.spec_exact,
        )
        return simulator.start()
    except OSError as exc:
        if exc.errno in (errno.EADDRINUSE, errno.EACCES, errno.EADDRNOTAVAIL):
            fix = "" if args.no_fix else " or a FIX port (try --fix-ports ephemeral)"
            why = exc.strerror or str(exc)
            raise _UsageError(
                f"cannot listen on {args.host}:{args.port}{fix}: {why} (--port 0 picks a free one)"
            ) from None
        raise _UsageError(f"cannot start: {exc}") from None
    except KalshiTestingError as exc:
        raise _UsageError(str(exc)) from None


def _serve(args: argparse.Namespace, stop: threading.Event, out: TextIO, err: TextIO) -> int:
    key_dir = _key_dir(args.key_dir)  # checked before anything listens
    key_path = key_dir / "demo_private_key.pem"
    if key_path.exists() and not key_path.is_file():
        raise _UsageError(f"--key-dir {args.key_dir}: {key_path.name} exists and is not a file")
    simulator = _start(args)
    try:
        user = simulator.create_user("demo", balance="10000.00")
        try:
            key_path.write_bytes(user.private_key_pem)
            key_path.chmod(0o600)
        except OSError as exc:
            raise _UsageError(f"cannot write the key to {key_path}: {exc.strerror or exc}") from None
        perps = perps_surface(simulator)
        simulator.call(lambda _: perps.engine.deposit(user.user_id, Decimal(100_000)))
        err.write(f"Kalshi exchange simulator listening on {simulator.base_url}\n")
        err.write(f"Demo user {user.user_id!r}: $10,000 and $100,000 of perps margin; key id {user.key_id}\n")
        err.write("Point every client at it:\n")
        err.flush()
        if not args.no_fix:
            for margin, kinds in ((False, PREDICTION_SESSIONS), (True, MARGIN_SESSIONS)):
                for kind in kinds:
                    ep = simulator.fix_endpoint(kind, margin=margin)
                    err.write(
                        f"  FIX {'margin' if margin else 'prediction'} {ep.target_comp_id}: tcp://{ep.host}:{ep.port}\n"
                    )
        out.write(export_block(simulator, user, key_path))
        out.flush()
        err.write("Press Ctrl+C to stop.\n")
        err.flush()
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()
    finally:
        simulator.stop()
    return 0


def export_block(simulator: KalshiExchangeSimulator, user: SimulatedUser, key_path: Path) -> str:
    """The `export NAME=value` lines pointing every client at `simulator` as `user` (`sim.env()` plus the key)."""
    values = {
        ENV_NAMES["key_id"]: user.key_id,
        ENV_NAMES["key_path"]: str(key_path),
        "KALSHI_PERPS_KEY_ID": user.key_id,
        "KALSHI_PERPS_PRIVATE_KEY_PATH": str(key_path),
    }
    values |= simulator.env()
    return "".join(f"export {name}={shlex.quote(value)}\n" for name, value in values.items())


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
