"""The reliability suite's shared parts: the ledger every test reports its figures to, and the
secret sentry that watches every log line, exception, repr and recorded fixture the suite makes.

Run it with `nox -s reliability`; the session renders the ledger into docs/reliability.md.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import threading
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import pytest

RESULTS = Path(os.environ.get("KALSHI_RELIABILITY_RESULTS", Path(__file__).with_name(".results.json")))


def open_fds() -> int:
    """Descriptors this process holds now (Linux /proc; macOS /dev/fd)."""
    for where in ("/proc/self/fd", "/dev/fd"):
        if os.path.isdir(where):
            return len(os.listdir(where))
    return -1


def peak_rss_mb() -> float:
    """The process's peak resident set size so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass
class Row:
    """One line of the report: what was thrown at one part of the SDK and what it did."""

    area: str
    scenario: str
    injected: int = 0
    survived: int = 0
    sent_twice: int = 0
    lost: int = 0
    cases: int = 0
    leaked_fds: int = 0
    peak_rss_mb: float = 0.0
    figures: dict[str, Any] = field(default_factory=dict)


class Ledger:
    """Collects one `Row` per scenario; written to JSON when the session ends."""

    def __init__(self) -> None:
        self.rows: list[Row] = []
        self._lock = threading.Lock()

    def row(self, area: str, scenario: str, **values: Any) -> Row:
        """Record (or extend) the row for `area` / `scenario`."""
        with self._lock:
            row = next((r for r in self.rows if (r.area, r.scenario) == (area, scenario)), None)
            if row is None:
                row = Row(area, scenario)
                self.rows.append(row)
            figures = values.pop("figures", {})
            for key, value in values.items():
                setattr(row, key, value)
            row.figures.update(figures)
            row.peak_rss_mb = round(peak_rss_mb(), 1)
            return row

    def dump(self, path: Path) -> None:
        path.write_text(json.dumps([asdict(r) for r in self.rows], indent=2, default=str))


LEDGER = Ledger()


@pytest.fixture(scope="session")
def ledger() -> Ledger:
    """The suite's one ledger."""
    return LEDGER


class Sentry:
    """Every secret the suite creates, and every text the suite emits that could carry one."""

    def __init__(self) -> None:
        self.secrets: set[str] = set()
        self.texts: list[tuple[str, str]] = []  # (where, text)
        self.errors: list[BaseException] = []
        self.fixture_dirs: list[Path] = []
        self.objects: list[object] = []
        self._lock = threading.Lock()

    def secret(self, value: str | bytes) -> None:
        # A copy, made here: the sentry's holdings must not count against the SDK's heap.
        text = value.decode() if isinstance(value, bytes) else value.encode().decode()
        with self._lock:
            self.secrets.add(text)
            # A PEM leaks if any line of its body does, not only as a whole.
            self.secrets.update(line for line in text.splitlines() if len(line) >= 40 and "-----" not in line)

    def text(self, where: str, value: str) -> None:
        with self._lock:
            self.texts.append((where, value))

    def watch(self, obj: object) -> object:
        """Keep `obj` so its repr and str are searched at the end."""
        with self._lock:
            self.objects.append(obj)
        return obj

    def settle(self) -> None:
        """Turn the errors kept so far into text (bounding what the suite holds in memory)."""
        with self._lock:
            errors, self.errors = self.errors, []
        for e in errors:
            self.text("exception", f"{type(e).__name__}: {e!s} {e!r} {getattr(e, 'args', '')}")

    def hits(self) -> list[str]:
        """Where any secret showed up (empty means clean)."""
        self.settle()
        corpus = list(self.texts)
        corpus += [("repr", f"{o!r} {o!s}") for o in self.objects]
        for folder in self.fixture_dirs:
            for path in folder.rglob("*"):
                if path.is_file():
                    corpus.append((f"fixture {path.name}", path.read_text(errors="replace")))
        found = []
        for where, text in corpus:
            for secret in self.secrets:
                if secret and secret in text:
                    found.append(f"{where}: {secret[:12]}...")
                    break
        return found


SENTRY = Sentry()


class _Capture(logging.Handler):
    def emit(self, record: logging.LogRecord) -> None:
        try:
            SENTRY.text(f"log {record.name}", self.format(record))
        except Exception:
            pass


@pytest.fixture(scope="session", autouse=True)
def sentry() -> Iterator[Sentry]:
    """Installed for the whole run: every KALSHI-ACCESS-SIGNATURE and FIX logon signature the SDK
    makes, every simulated user's private key, every log record at DEBUG and every SDK exception
    are recorded, and `test_zz_secrets.py` searches them all at the end."""
    from kalshi_auth import SIGNATURE_HEADER, KalshiAuth, KalshiError
    from kalshi_testing.simulator import KalshiExchangeSimulator

    original_headers = KalshiAuth.headers
    original_sign = KalshiAuth.sign
    original_user = KalshiExchangeSimulator.create_user
    original_error_init = KalshiError.__init__

    def headers(self: KalshiAuth, *args: Any, **kwargs: Any) -> dict[str, str]:
        out = original_headers(self, *args, **kwargs)
        SENTRY.secret(out[SIGNATURE_HEADER])
        return out

    def sign(self: KalshiAuth, *args: Any, **kwargs: Any) -> Any:
        out = original_sign(self, *args, **kwargs)
        SENTRY.secret(out if isinstance(out, str) else out.decode("latin-1"))
        return out

    def create_user(self: Any, *args: Any, **kwargs: Any) -> Any:
        user = original_user(self, *args, **kwargs)
        SENTRY.secret(user.private_key_pem)
        SENTRY.watch(user.auth)
        return user

    def error_init(self: BaseException, *args: Any, **kwargs: Any) -> None:
        original_error_init(self, *args, **kwargs)
        if len(SENTRY.errors) > 32:
            SENTRY.settle()  # earlier errors are complete by now: keep their text, drop their frames
        SENTRY.errors.append(self)

    KalshiAuth.headers = headers  # type: ignore[method-assign]
    KalshiAuth.sign = sign  # type: ignore[method-assign]
    KalshiExchangeSimulator.create_user = create_user  # type: ignore[method-assign]
    KalshiError.__init__ = error_init  # type: ignore[method-assign,assignment]
    handler = _Capture(logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(name)s %(levelname)s %(message)s %(exc_info)s"))
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)  # third-party libraries at INFO; the SDK's own loggers at DEBUG
    logging.getLogger("kalshi").setLevel(logging.DEBUG)
    try:
        yield SENTRY
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)
        KalshiAuth.headers = original_headers  # type: ignore[method-assign]
        KalshiAuth.sign = original_sign  # type: ignore[method-assign]
        KalshiExchangeSimulator.create_user = original_user  # type: ignore[method-assign]
        KalshiError.__init__ = original_error_init  # type: ignore[method-assign]


@pytest.fixture(autouse=True)
def _settle_errors() -> Iterator[None]:
    """After each test, keep the text of the SDK errors it raised, not the errors (and their frames)."""
    yield
    SENTRY.settle()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    LEDGER.dump(RESULTS)
