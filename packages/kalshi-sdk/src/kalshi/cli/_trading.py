"""Account commands: `portfolio balance|positions|fills|orders` and `order create|amend|cancel`."""

from __future__ import annotations

import re
import time
import uuid
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import click

from ._app import EXIT_DECLINED, CliError, DecimalParam, common_options, present, settings
from ._markets import market_ticker
from ._output import Column, emit_record, emit_rows

if TYPE_CHECKING:
    from kalshi_rest import KalshiClient
    from kalshi_rest.models import Order

__all__ = ["order", "portfolio"]

_CENTS = Decimal("0.01")
_TIF = {"gtc": "good_till_canceled", "ioc": "immediate_or_cancel", "fok": "fill_or_kill"}


@click.group("portfolio")
def portfolio() -> None:
    """Your balance, positions, fills and orders."""


def _page_options(fn: Any) -> Any:
    fn = click.option("--all", "all_pages", is_flag=True, help="Follow the cursor through every page.")(fn)
    fn = click.option("--limit", type=click.IntRange(1, 1000), default=100, show_default=True, help="Rows per page.")(
        fn
    )
    return click.option("--ticker", metavar="TICKER", help="Only this market.")(fn)


def _rows(resource: Any, name: str, all_pages: bool, **query: Any) -> list[Any]:
    if all_pages:
        return list(getattr(resource, f"{name}_all")(**query))
    return list(getattr(resource, name)(**query))


@portfolio.command("balance")
@common_options
def balance() -> None:
    """Cash balance and portfolio value, in dollars."""
    with settings().client() as client:
        got = client.portfolio.balance()
    record = {
        "balance": got.balance_dollars,
        "portfolio_value": None if got.portfolio_value is None else Decimal(got.portfolio_value) * _CENTS,  # cents
        "updated_ts": got.updated_ts,
    }
    columns = [
        Column("balance ($)", "balance", lambda r: r["balance"]),
        Column("portfolio value ($)", "portfolio_value", lambda r: r["portfolio_value"]),
        Column("updated (unix s)", "updated_ts", lambda r: r["updated_ts"]),
    ]
    emit_record(record, columns, title=f"balance ({settings().environment_name})")


@portfolio.command("positions")
@_page_options
@common_options
def positions(*, ticker: str | None, limit: int, all_pages: bool) -> None:
    """Open positions (positive = YES, negative = NO)."""
    with settings().client() as client:
        rows = _rows(client.portfolio, "positions", all_pages, ticker=ticker, limit=limit)
    emit_rows(
        rows,
        [
            Column("ticker", "ticker", lambda p: p.ticker),
            Column("position", "position", lambda p: p.position_fp, numeric=True),
            Column("exposure ($)", "market_exposure", lambda p: p.market_exposure_dollars, numeric=True),
            Column("realized P&L ($)", "realized_pnl", lambda p: p.realized_pnl_dollars, numeric=True),
            Column("fees ($)", "fees_paid", lambda p: p.fees_paid_dollars, numeric=True),
            Column("traded ($)", "total_traded", lambda p: p.total_traded_dollars, numeric=True),
        ],
    )


@portfolio.command("fills")
@_page_options
@common_options
def fills(*, ticker: str | None, limit: int, all_pages: bool) -> None:
    """Your fills, newest first."""
    with settings().client() as client:
        rows = _rows(client.portfolio, "fills", all_pages, ticker=ticker, limit=limit)
    emit_rows(
        rows,
        [
            Column("time", "created_time", lambda f: f.created_time),
            Column("ticker", "ticker", lambda f: f.market_ticker or f.ticker),
            Column("side", "book_side", lambda f: f.book_side),
            Column("count", "count", lambda f: f.count_fp, numeric=True),
            Column("YES price", "yes_price", lambda f: f.yes_price_dollars, numeric=True),
            Column("fee ($)", "fee", lambda f: f.fee_cost, numeric=True),
            Column("taker", "is_taker", lambda f: f.is_taker),
            Column("order", "order_id", lambda f: f.order_id),
        ],
    )


_ORDER_COLUMNS = [
    Column("order", "order_id", lambda o: o.order_id),
    Column("ticker", "ticker", lambda o: o.ticker),
    Column("side", "book_side", lambda o: o.book_side),
    Column("YES price", "yes_price", lambda o: o.yes_price_dollars, numeric=True),
    Column("remaining", "remaining", lambda o: o.remaining_count_fp, numeric=True),
    Column("filled", "filled", lambda o: o.fill_count_fp, numeric=True),
    Column("status", "status", lambda o: o.status),
    Column("client id", "client_order_id", lambda o: o.client_order_id),
]


@portfolio.command("orders")
@_page_options
@click.option("--status", type=click.Choice(["resting", "canceled", "executed"]), help="Only orders in this state.")
@common_options
def orders(*, ticker: str | None, limit: int, all_pages: bool, status: str | None) -> None:
    """Your orders."""
    with settings().client() as client:
        rows = _rows(client.orders, "list", all_pages, ticker=ticker, limit=limit, status=status)
    emit_rows(rows, _ORDER_COLUMNS)


# -------------------------------------------------------------------------------------------- orders


@click.group("order")
def order() -> None:
    """Create, amend and cancel orders (V2: one YES book, prices in dollars)."""


def _confirm(action: str, yes: bool) -> None:
    """On production, ask before acting unless --yes; declining sends nothing."""
    if not settings().prod or yes:
        return
    if not click.confirm(f"PRODUCTION: {action}. Go ahead?", default=False, err=True):
        raise CliError("not confirmed; no order action was sent", EXIT_DECLINED)


def _order_id(value: str) -> str:
    value = value.strip()
    if not re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9_-]*", value):
        raise CliError(f"{value!r} is not an order id")
    return value


_yes_option = click.option("--yes", "-y", is_flag=True, help="Do not ask for confirmation on production.")


@order.command("create")
@click.argument("ticker")
@click.option("--side", type=click.Choice(["bid", "ask"]), required=True, help="bid buys YES, ask sells YES.")
@click.option("--count", type=DecimalParam(), required=True, help="Contracts.")
@click.option("--price", type=DecimalParam(below_one=True), required=True, help="YES price in dollars, e.g. 0.42.")
@click.option("--tif", type=click.Choice(list(_TIF)), default="gtc", show_default=True, help="Time in force.")
@click.option("--post-only", is_flag=True, help="Reject instead of taking liquidity.")
@click.option("--client-order-id", metavar="ID", help="Your id for the order (default: a new UUID).")
@click.option(
    "--stp", type=click.Choice(["taker_at_cross", "maker"]), default="taker_at_cross", show_default=True,
    help="Self-trade prevention.",
)  # fmt: skip
@_yes_option
@common_options
def order_create(
    *, ticker: str, side: str, count: Decimal, price: Decimal, tif: str, post_only: bool,
    client_order_id: str | None, stp: str, yes: bool,
) -> None:  # fmt: skip
    """Place a limit order."""
    from kalshi_rest.models import CreateOrderV2Request

    request = CreateOrderV2Request(
        ticker=market_ticker(ticker),
        client_order_id=client_order_id or str(uuid.uuid4()),
        side=side,  # type: ignore[arg-type]
        count=count,
        price=price,
        time_in_force=_TIF[tif],  # type: ignore[arg-type]
        post_only=post_only or None,
        self_trade_prevention_type=stp,  # type: ignore[arg-type]
    )
    _confirm(f"{side} {count} {request.ticker} at ${price}", yes)
    with settings().client() as client:
        got = client.orders.create_v2(request=request)
    emit_record(got, _RESULT_COLUMNS, title="order created")


_RESULT_COLUMNS = [
    Column("order", "order_id", lambda r: r.order_id),
    Column("client id", "client_order_id", lambda r: r.client_order_id),
    Column("filled", "fill_count", lambda r: getattr(r, "fill_count", None)),
    Column("remaining", "remaining_count", lambda r: getattr(r, "remaining_count", None)),
    Column("average price", "average_fill_price", lambda r: getattr(r, "average_fill_price", None)),
]


@order.command("amend")
@click.argument("order_id")
@click.option("--price", type=DecimalParam(below_one=True), help="New YES price in dollars.")
@click.option("--count", type=DecimalParam(), help="New total count (already filled + to rest).")
@_yes_option
@common_options
def order_amend(*, order_id: str, price: Decimal | None, count: Decimal | None, yes: bool) -> None:
    """Change an order's price and/or total count (the rest is read from the order)."""
    from kalshi_rest.models import AmendOrderV2Request

    order_id = _order_id(order_id)
    if price is None and count is None:
        raise CliError("give --price and/or --count")
    with settings().client() as client:
        current = _fetch_order(client, order_id)
        request = AmendOrderV2Request(
            ticker=current.ticker,
            side=current.book_side,  # type: ignore[arg-type]
            price=price if price is not None else current.yes_price_dollars,
            count=count
            if count is not None
            else present(current.fill_count_fp, "fill count") + present(current.remaining_count_fp, "remaining count"),
        )
        _confirm(f"amend {order_id} to {request.count} at ${request.price}", yes)
        got = client.orders.amend_v2(order_id, request=request)
    emit_record(got, _RESULT_COLUMNS, title="order amended")


def _fetch_order(client: KalshiClient, order_id: str) -> Order:
    """GET one order. Right after its creation the exchange can answer 404 for a moment (eventual
    consistency, reproduced by kalshi-testing's realistic mode), so a 404 is read again, briefly."""
    from kalshi_rest import KalshiNotFoundError

    for delay in (0.25, 0.5, 1.0):
        try:
            return present(client.orders.get(order_id).order, "order")
        except KalshiNotFoundError:
            time.sleep(delay)
    return present(client.orders.get(order_id).order, "order")


@order.command("cancel")
@click.argument("order_id")
@_yes_option
@common_options
def order_cancel(*, order_id: str, yes: bool) -> None:
    """Cancel an order."""
    order_id = _order_id(order_id)
    _confirm(f"cancel {order_id}", yes)
    with settings().client() as client:
        got = client.orders.cancel_v2(order_id)
    emit_record(
        got,
        [
            Column("order", "order_id", lambda r: r.order_id),
            Column("client id", "client_order_id", lambda r: r.client_order_id),
            Column("reduced by", "reduced_by", lambda r: r.reduced_by),
        ],
        title="order canceled",
    )
