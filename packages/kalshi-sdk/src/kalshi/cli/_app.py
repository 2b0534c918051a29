"""The `kalshi` command group: shared options, where to connect, and one error line per failure.

Exit codes (scripts may test them):

| code | meaning |
|---|---|
| 0 | success |
| 1 | an unexpected error (a bug: `--debug` shows the traceback) |
| 2 | bad input: an unknown option, a malformed price, count, ticker or time |
| 3 | configuration: missing or half-set credentials, an unreadable key, a missing optional package |
| 4 | the exchange refused the request (its status and message are printed) |
| 5 | no answer: the connection failed or timed out |
| 6 | not confirmed: a production order action was declined |
| 130 | interrupted (Ctrl+C) |
"""

from __future__ import annotations

import os
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any, Literal, TypeVar

import click

if TYPE_CHECKING:
    from rich.console import Console

    from kalshi_auth import KalshiAuth, KalshiConfig
    from kalshi_rest import KalshiClient

__all__ = [
    "EXIT_API",
    "EXIT_CONFIG",
    "EXIT_CONNECTION",
    "EXIT_DECLINED",
    "EXIT_INTERNAL",
    "EXIT_INTERRUPTED",
    "EXIT_USAGE",
    "CliError",
    "DecimalParam",
    "KalshiGroup",
    "Settings",
    "common_options",
    "settings",
]

EXIT_INTERNAL = 1
EXIT_USAGE = 2
EXIT_CONFIG = 3
EXIT_API = 4
EXIT_CONNECTION = 5
EXIT_DECLINED = 6
EXIT_INTERRUPTED = 130

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


class CliError(Exception):
    """A failure the CLI reports as one line with its own exit code."""

    def __init__(self, message: str, exit_code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def present(value: T | None, what: str) -> T:
    """`value`, or a one-line error when the exchange's answer left it out (responses are read
    tolerantly: a field the CLI cannot work without is checked where it is used)."""
    if value is None:
        raise CliError(f"the exchange's answer has no {what}", EXIT_API)
    return value


@dataclass
class Settings:
    """What the shared options say; one per invocation (`ctx.obj`)."""

    prod: bool = False
    output: Literal["table", "json", "csv"] = "table"
    debug: bool = False
    base_url: str | None = None
    ws_url: str | None = None

    def config(self) -> KalshiConfig:
        """Demo unless --prod; `--base-url`/`KALSHI_API_BASE_URL` and `--ws-url`/`KALSHI_WS_URL` override."""
        from kalshi_auth import DEMO, PRODUCTION, KalshiConfig

        base_url = self.base_url or _env("KALSHI_API_BASE_URL")
        ws_url = self.ws_url or _env("KALSHI_WS_URL") or _ws_beside(base_url)
        return KalshiConfig(environment=PRODUCTION if self.prod else DEMO, base_url=base_url, ws_url=ws_url)

    def auth(self) -> KalshiAuth | None:
        """The signer from `KALSHI_KEY_ID` and `KALSHI_PRIVATE_KEY_PATH` (or `KALSHI_PRIVATE_KEY`), like the clients."""
        from kalshi_auth import credentials_from_env

        return credentials_from_env("prediction").auth

    def client(self) -> KalshiClient:
        from kalshi_rest import KalshiClient

        return KalshiClient(auth=self.auth(), config=self.config())

    @property
    def environment_name(self) -> str:
        return "production" if self.prod else "demo"


def _env(name: str) -> str | None:
    value = os.environ.get(name, "").strip()
    return value or None


def _ws_beside(base_url: str | None) -> str | None:
    """The WebSocket URL of a server whose REST base is `base_url`, when it is a loopback simulator."""
    if base_url is None:
        return None
    from urllib.parse import urlsplit

    from kalshi_auth import is_loopback

    parts = urlsplit(base_url)
    if not parts.hostname or not is_loopback(parts.hostname) or not parts.path.endswith("/trade-api/v2"):
        return None
    scheme = "wss" if parts.scheme == "https" else "ws"
    return f"{scheme}://{parts.netloc}{parts.path.removesuffix('/trade-api/v2')}/trade-api/ws/v2"


def settings() -> Settings:
    """The current invocation's settings."""
    obj = click.get_current_context().find_object(Settings)
    assert obj is not None
    return obj


def _set(field: str, value: Any, default: Any) -> None:
    if value != default:
        setattr(settings(), field, value)


def common_options(fn: F) -> F:
    """--prod, --json/--csv, --debug, --base-url and --ws-url, accepted before or after the command."""

    def cb(field: str, default: Any) -> Callable[[click.Context, click.Parameter, Any], Any]:
        def store(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
            ctx.ensure_object(Settings)
            _set(field, value, default)
            return value

        return store

    def flag(name: str, field: str, default: Any, help_text: str, **kw: Any) -> Any:
        return click.option(name, expose_value=False, callback=cb(field, default), help=help_text, **kw)

    options = [
        flag("--prod", "prod", False, "Use production (default: demo).", is_flag=True),
        flag("--json", "output", None, "Print JSON (money as strings).", flag_value="json"),
        flag("--csv", "output", None, "Print CSV.", flag_value="csv"),
        flag("--debug", "debug", False, "Show tracebacks.", is_flag=True),
        flag("--base-url", "base_url", None, "REST base URL (env KALSHI_API_BASE_URL).", metavar="URL"),
        flag("--ws-url", "ws_url", None, "WebSocket URL (env KALSHI_WS_URL).", metavar="URL"),
    ]
    for option in reversed(options):
        fn = option(fn)
    return fn


class DecimalParam(click.ParamType):  # type: ignore[type-arg]  # generic in click 8.2+ only
    """A decimal number parsed from its text, never through float (prices, counts)."""

    name = "decimal"

    def __init__(self, *, positive: bool = True, below_one: bool = False) -> None:
        self.positive = positive
        self.below_one = below_one

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Decimal:
        if isinstance(value, Decimal):
            return value
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            self.fail(f"{value!r} is not a decimal number", param, ctx)
        if not number.is_finite():
            self.fail(f"{value!r} is not a finite number", param, ctx)
        if self.positive and number <= 0:
            self.fail(f"{value} must be above 0", param, ctx)
        if self.below_one and number >= 1:
            self.fail(f"{value} must be below 1 (prices are in dollars, e.g. 0.42)", param, ctx)
        return number


def _classify(exc: BaseException) -> tuple[int, str]:
    """The exit code and the one line for an exception."""
    from kalshi_auth import AuthRequiredError, KalshiConfigError, KalshiConnectionError, KalshiKeyError

    if isinstance(exc, CliError):
        return exc.exit_code, str(exc)
    if isinstance(exc, AuthRequiredError | KalshiConfigError | KalshiKeyError):
        return EXIT_CONFIG, str(exc)
    if isinstance(exc, KalshiConnectionError | ConnectionError | TimeoutError):
        return EXIT_CONNECTION, str(exc) or type(exc).__name__
    rest = sys.modules.get("kalshi_rest")
    if rest is not None:
        if isinstance(exc, rest.KalshiTimeoutError):
            return EXIT_CONNECTION, str(exc)
        if isinstance(exc, rest.KalshiRequestError):
            return EXIT_USAGE, str(exc)
        if isinstance(exc, rest.KalshiAPIError | rest.KalshiError):
            return EXIT_API, str(exc)
    pydantic = sys.modules.get("pydantic")
    if pydantic is not None and isinstance(exc, pydantic.ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        return EXIT_USAGE, f"invalid {where}: {first.get('msg', 'bad value')}" if where else str(first.get("msg"))
    from kalshi_auth import KalshiError

    if isinstance(exc, KalshiError):
        return EXIT_API, str(exc)
    return EXIT_INTERNAL, f"{type(exc).__name__}: {exc}"


class _NotRaised(click.UsageError):
    """Stands in for click 8.2's NoArgsIsHelpError on older clicks (which print the help themselves)."""


_NO_ARGS_IS_HELP: type[click.UsageError] = getattr(click.exceptions, "NoArgsIsHelpError", _NotRaised)
"""What click 8.2+ raises for a group called without a command."""


class KalshiGroup(click.Group):
    """A click group whose failures are one line on stderr and an exit code, never a traceback."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        argv = list(sys.argv[1:] if args is None else args)
        obj = extra.pop("obj", None) or Settings(debug="--debug" in argv)
        code = 0
        try:
            rv = super().main(argv, prog_name, complete_var, standalone_mode=False, obj=obj, **extra)
            code = rv if isinstance(rv, int) else 0
        except click.exceptions.Exit as exc:
            code = exc.exit_code
        except _NO_ARGS_IS_HELP as exc:  # `kalshi` or `kalshi markets` alone: the help, as click prints it
            click.echo(exc.format_message(), err=True)
            code = exc.exit_code
        except click.ClickException as exc:
            hint = ""
            if isinstance(exc, click.UsageError) and exc.ctx is not None:
                hint = f" (see '{exc.ctx.command_path} --help')"
            _stderr().print(f"error: {exc.format_message()}{hint}", markup=False, highlight=False, soft_wrap=True)
            code = exc.exit_code
        except (click.exceptions.Abort, KeyboardInterrupt):
            _stderr().print("interrupted")
            code = EXIT_INTERRUPTED
        except Exception as exc:
            code, line = _classify(exc)
            if obj.debug:
                traceback.print_exception(exc, file=sys.stderr)
            _stderr().print(f"error: {line}", markup=False, highlight=False, soft_wrap=True)
        if standalone_mode:
            sys.exit(code)
        return code


def _stderr() -> Console:
    from rich.console import Console

    return Console(stderr=True)
