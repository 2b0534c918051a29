"""The `kalshi` command line (console script of kalshi-sdk), on click and rich.

```
kalshi markets list --status open            # demo unless --prod
kalshi book KXFED-26DEC-T3.50 --watch
kalshi order create KXFED-26DEC-T3.50 --side bid --count 10 --price 0.42
kalshi portfolio balance --json
```

Credentials and endpoints come from the same variables as the clients (`KALSHI_KEY_ID`,
`KALSHI_PRIVATE_KEY_PATH` or `KALSHI_PRIVATE_KEY`, `KALSHI_API_BASE_URL`), plus `KALSHI_WS_URL`.
Exit codes are listed in `kalshi --help` and in `kalshi.cli._app`. Loaded only when the command
runs: `import kalshi` does not import this package, click or rich.
"""

from __future__ import annotations

import click

from kalshi import __version__

from ._app import KalshiGroup, common_options
from ._connect import fix, sim
from ._markets import book, candles, market, markets
from ._trading import order, portfolio

__all__ = ["cli", "main"]

_EPILOG = """Exit codes: 0 ok, 1 unexpected error (--debug shows it), 2 bad input, 3 configuration or
credentials, 4 refused by the exchange, 5 no connection or timeout, 6 not confirmed, 130 interrupted."""


@click.group(cls=KalshiGroup, epilog=_EPILOG, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kalshi")
@common_options
def cli() -> None:
    """Kalshi from the command line: markets, order books, your portfolio and orders, FIX, the simulator.

    Uses the demo environment unless --prod is given. Options such as --json, --csv, --prod and
    --debug go before or after the command.
    """


for _command in (markets, market, book, candles, portfolio, order, fix, sim):
    cli.add_command(_command)


def main() -> None:
    """The console script: `kalshi ...`."""
    cli.main(prog_name="kalshi")
