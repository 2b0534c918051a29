"""REST routes for communications: RFQs and their quotes, RFQ batches, block-trade proposals.

Flow (docs.kalshi.com/getting_started/rfqs): the RFQ creator accepts one side of a quote, the quoter
confirms it, and it executes through the public order path, as the FIX gateway's RFQs do: accepting
`yes` takes the quoter's YES bid (the quoter buys YES at `yes_bid`, the creator sells it), `no` takes
the NO bid (the quoter buys NO at `no_bid`, the creator buys YES at 1 - `no_bid`). The quoter's order
rests post-only and the creator's crosses it immediate-or-cancel; what is left is cancelled. RFQ
batches and block trades keep their state but trade nothing.
"""

from __future__ import annotations

import uuid
from typing import Any, ClassVar

from aiohttp import web

from . import _format as fmt
from ._exchange import ExchangeError
from ._http import USER, RouteBase, answer, int_query, operation_body
from ._matching import OrderStatus
from ._pagination import paginate
from ._shapes import rest
from ._state import NS, Record

__all__ = ["CommunicationsRoutes"]


def comms_id(user: str) -> str:
    """The communications id the exchange shows for `user` (stable per user)."""
    return str(uuid.uuid5(NS, f"comms-{user}"))


def _count(body: dict[str, Any], whole: str, fp: str) -> str:
    try:
        if body.get(fp) is not None:
            return fmt.count(fmt.parse_count(body[fp]))
        return fmt.count(fmt.parse_count(str(body.get(whole) or 0)))
    except ValueError as exc:
        raise ExchangeError(400, "invalid_parameters", str(exc)) from None


class CommunicationsRoutes(RouteBase):
    """RFQ and quote life cycles, per user."""

    OPERATIONS: ClassVar[dict[str, str]] = {
        "GetCommunicationsID": "comms_id",
        "GetRFQs": "rfqs_list",
        "CreateRFQ": "rfq_create",
        "GetRFQ": "rfq_one",
        "DeleteRFQ": "rfq_delete",
        "GetQuotes": "quotes_list",
        "CreateQuote": "quote_create",
        "GetQuote": "quote_one",
        "GetRFQQuote": "quote_one",
        "DeleteQuote": "quote_delete",
        "DeleteRFQQuote": "quote_delete",
        "AcceptQuote": "quote_accept",
        "AcceptRFQQuote": "quote_accept",
        "ConfirmQuote": "quote_confirm",
        "ConfirmRFQQuote": "quote_confirm",
        "GetRFQBatches": "batches_list",
        "CreateRFQBatch": "batch_create_rfq",
        "GetRFQBatch": "batch_one",
        "DeleteRFQBatch": "batch_delete",
        "GetRFQBatchBestQuotes": "batch_best_quotes",
        "AcceptRFQBatch": "batch_accept",
        "GetRFQBatchQuotes": "batch_quotes_list",
        "CreateRFQBatchQuote": "batch_quote_create",
        "DeleteRFQBatchQuote": "batch_quote_delete",
        "ConfirmRFQBatchQuote": "batch_quote_confirm",
        "GetBlockTradeProposals": "block_trades_list",
        "ProposeBlockTrade": "block_trade_propose",
        "AcceptBlockTradeProposal": "block_trade_accept",
    }

    def _now(self) -> str:
        return fmt.rfc3339(self.clock())

    async def comms_id(self, request: web.Request) -> web.Response:
        """GetCommunicationsID."""
        return answer("GetCommunicationsID", communications_id=comms_id(USER.get()))

    # --- RFQs ----------------------------------------------------------------------------------

    async def rfq_create(self, request: web.Request) -> web.Response:
        """CreateRFQ -> 201 {id}; `replace_existing` closes the user's open RFQs on the market."""
        body = await operation_body(request, "CreateRFQ")
        user = USER.get()
        market = self.exchange.market(str(body["market_ticker"]))
        if body.get("replace_existing"):
            for r in self.exchange.records_of("rfq"):
                if r.owner == user and r.obj["market_ticker"] == market.ticker and r.obj["status"] == "open":
                    r.obj |= {"status": "closed", "cancellation_reason": "replaced", "cancelled_ts": self._now()}
        target = body.get("target_cost_dollars")
        rfq_id = self.exchange.add_record("rfq", user, {}).record_id
        self.exchange.records["rfq"][rfq_id].obj = rest(
            "RFQ",
            id=rfq_id,
            creator_id=comms_id(user),
            creator_user_id=user,
            market_ticker=market.ticker,
            contracts_fp=_count(body, "contracts", "contracts_fp"),
            target_cost_dollars=target,
            target_cost_excludes_fees=body.get("target_cost_excludes_fees"),
            rest_remainder=bool(body["rest_remainder"]),
            status="open",
            created_ts=self._now(),
            updated_ts=self._now(),
            creator_subaccount=body.get("subaccount") or 0,
        )
        return answer("CreateRFQ", id=rfq_id)

    async def rfqs_list(self, request: web.Request) -> web.Response:
        """GetRFQs: newest first; filters market_ticker, event_ticker, status, user_filter=self, subaccount."""
        q = request.query
        items = self._filtered("rfq", q, creator_key="creator_user_id")
        if "market_ticker" in q:
            items = [r for r in items if r.obj["market_ticker"] == q["market_ticker"]]
        if "event_ticker" in q:
            items = [r for r in items if self._event_of(r.obj["market_ticker"]) == q["event_ticker"]]
        page, cursor = paginate(items, q, "rfqs")
        return answer("GetRFQs", rfqs=[r.obj for r in page], cursor=cursor)

    def _filtered(self, kind: str, q: Any, *, creator_key: str) -> list[Record]:
        items = list(reversed(self.exchange.records_of(kind)))
        if q.get("user_filter") == "self":
            items = [r for r in items if r.owner == USER.get()]
        if creator_key in q:
            items = [r for r in items if r.obj.get(creator_key) == q[creator_key]]
        if "status" in q:
            items = [r for r in items if r.obj.get("status") == q["status"]]
        sub = int_query(q, "subaccount")
        if sub is not None:
            items = [r for r in items if r.obj.get("creator_subaccount", 0) == sub]
        return items

    def _event_of(self, ticker: str) -> str:
        market = self.exchange.markets.get(ticker)
        return str(market.info["event_ticker"]) if market else ""

    async def rfq_one(self, request: web.Request) -> web.Response:
        """GetRFQ."""
        return answer("GetRFQ", rfq=self.exchange.record("rfq", request.match_info["rfq_id"]).obj)

    async def rfq_delete(self, request: web.Request) -> web.Response:
        """DeleteRFQ -> 204: the creator closes it."""
        rfq = self.exchange.record("rfq", request.match_info["rfq_id"], USER.get())
        rfq.obj |= {"status": "closed", "cancellation_reason": "cancelled", "cancelled_ts": self._now()}
        return answer("DeleteRFQ")

    # --- quotes --------------------------------------------------------------------------------

    async def quote_create(self, request: web.Request) -> web.Response:
        """CreateQuote -> 201 {id}; quoting your own RFQ or a closed one is a 400."""
        body = await operation_body(request, "CreateQuote")
        user = USER.get()
        rfq = self.exchange.record("rfq", str(body["rfq_id"]))
        if rfq.owner == user:
            raise ExchangeError(400, "invalid_parameters", "you cannot quote your own RFQ")
        if rfq.obj["status"] != "open":
            raise ExchangeError(400, "invalid_parameters", "the RFQ is not open")
        try:
            yes, no = fmt.parse_price(body["yes_bid"]), fmt.parse_price(body["no_bid"])
        except ValueError as exc:
            raise ExchangeError(400, "invalid_parameters", str(exc)) from None
        quote = self.exchange.add_record("quote", user, {})
        quote.obj = rest(
            "Quote",
            id=quote.record_id,
            rfq_id=rfq.record_id,
            creator_id=comms_id(user),
            creator_user_id=user,
            rfq_creator_id=rfq.obj["creator_id"],
            rfq_creator_user_id=rfq.owner,
            market_ticker=rfq.obj["market_ticker"],
            contracts_fp=rfq.obj["contracts_fp"],
            yes_bid_dollars=fmt.dollars(yes),
            no_bid_dollars=fmt.dollars(no),
            rest_remainder=bool(body["rest_remainder"]),
            post_only=body.get("post_only"),
            created_ts=self._now(),
            updated_ts=self._now(),
            status="open",
            creator_subaccount=body.get("subaccount") or 0,
        )
        return answer("CreateQuote", id=quote.record_id)

    async def quotes_list(self, request: web.Request) -> web.Response:
        """GetQuotes: newest first; filters rfq_id, status, user_filter / rfq_user_filter, creator ids."""
        q = request.query
        items = self._filtered("quote", q, creator_key="creator_user_id")
        if q.get("rfq_user_filter") == "self":
            items = [r for r in items if r.obj["rfq_creator_user_id"] == USER.get()]
        for key, field in (
            ("quote_creator_user_id", "creator_user_id"),
            ("rfq_creator_user_id", "rfq_creator_user_id"),
        ):
            if key in q:
                items = [r for r in items if r.obj.get(field) == q[key]]
        if "rfq_id" in q:
            items = [r for r in items if r.obj["rfq_id"] == q["rfq_id"]]
        page, cursor = paginate(items, q, "quotes")
        return answer("GetQuotes", quotes=[r.obj for r in page], cursor=cursor)

    def _quote(self, request: web.Request) -> Record:
        quote = self.exchange.record("quote", request.match_info["quote_id"])
        rfq_id = request.match_info.get("rfq_id")
        if rfq_id is not None and quote.obj["rfq_id"] != rfq_id:
            raise ExchangeError(404, "not_found", f"quote {quote.record_id} not found on RFQ {rfq_id}")
        return quote

    async def quote_one(self, request: web.Request) -> web.Response:
        """GetQuote / GetRFQQuote."""
        return answer("GetQuote", quote=self._quote(request).obj)

    async def quote_delete(self, request: web.Request) -> web.Response:
        """DeleteQuote / DeleteRFQQuote -> 204: the quote's creator cancels it."""
        quote = self._quote(request)
        if quote.owner != USER.get():
            raise ExchangeError(404, "not_found", f"quote {quote.record_id} not found")
        quote.obj |= {"status": "cancelled", "cancelled_ts": self._now(), "updated_ts": self._now()}
        return answer("DeleteQuote")

    async def quote_accept(self, request: web.Request) -> web.Response:
        """AcceptQuote / AcceptRFQQuote -> 204: the RFQ's creator accepts one side of an open quote."""
        body = await operation_body(request, "AcceptQuote")
        quote = self._quote(request)
        if quote.obj["rfq_creator_user_id"] != USER.get():
            raise ExchangeError(404, "not_found", f"quote {quote.record_id} not found")
        side = body["accepted_side"]
        if quote.obj["status"] != "open" or side not in ("yes", "no"):
            raise ExchangeError(400, "invalid_parameters", "only an open quote can be accepted, on yes or no")
        if fmt.parse_price(quote.obj[f"{side}_bid_dollars"]) == 0:
            raise ExchangeError(400, "invalid_parameters", f"the quote declines the {side} side")
        quote.obj |= {"status": "accepted", "accepted_side": body["accepted_side"], "accepted_ts": self._now()}
        return answer("AcceptQuote")

    async def quote_confirm(self, request: web.Request) -> web.Response:
        """ConfirmQuote / ConfirmRFQQuote -> 204: the quote's creator confirms an accepted quote; it executes."""
        await operation_body(request, "ConfirmQuote")
        quote = self._quote(request)
        if quote.owner != USER.get():
            raise ExchangeError(404, "not_found", f"quote {quote.record_id} not found")
        if quote.obj["status"] != "accepted":
            raise ExchangeError(400, "invalid_parameters", "only an accepted quote can be confirmed")
        rfq = self.exchange.record("rfq", quote.obj["rfq_id"])
        self._execute_quote(quote, rfq)
        now = self._now()
        quote.obj |= {"status": "executed", "confirmed_ts": now, "executed_ts": now, "updated_ts": now}
        rfq.obj |= {"status": "closed", "updated_ts": now}
        return answer("ConfirmQuote")

    def _execute_quote(self, quote: Record, rfq: Record) -> None:
        """The quoter's side rests post-only at the quoted price; the creator's side crosses it."""
        taken_yes = quote.obj["accepted_side"] == "yes"
        bid = fmt.parse_price(quote.obj["yes_bid_dollars" if taken_yes else "no_bid_dollars"])
        price = bid if taken_yes else 1 - bid
        common = {
            "ticker": quote.obj["market_ticker"],
            "price": fmt.dollars(price),
            "count": quote.obj["contracts_fp"],
            "self_trade_prevention_type": "taker_at_cross",
        }
        maker = self.exchange.create_order(
            quote.owner,
            common
            | {
                "side": "bid" if taken_yes else "ask",
                "time_in_force": "good_till_canceled",
                "post_only": True,
                "subaccount": quote.obj.get("creator_subaccount") or 0,
            },
        )
        try:
            if self.exchange.orders[maker["order_id"]].status is not OrderStatus.RESTING:
                raise ExchangeError(400, "invalid_price", "the quote would cross the public book")
            creator = common | {"side": "ask" if taken_yes else "bid", "time_in_force": "immediate_or_cancel"}
            self.exchange.create_order(rfq.owner, creator | {"subaccount": rfq.obj.get("creator_subaccount") or 0})
        finally:
            if self.exchange.orders[maker["order_id"]].status is OrderStatus.RESTING:
                self.exchange.cancel_order(quote.owner, maker["order_id"])

    # --- RFQ batches ---------------------------------------------------------------------------

    async def batch_create_rfq(self, request: web.Request) -> web.Response:
        """CreateRFQBatch -> 201 {rfq_batch}."""
        body = await operation_body(request, "CreateRFQBatch")
        user = USER.get()
        if not isinstance(body["children"], list) or not body["children"]:
            raise ExchangeError(400, "invalid_parameters", "children must be a non-empty array", "children")
        batch = self.exchange.add_record("rfq_batch", user, {})
        batch.obj = rest(
            "RFQBatch",
            id=batch.record_id,
            creator_id=comms_id(user),
            creator_user_id=user,
            status="open",
            created_ts=self._now(),
            updated_ts=self._now(),
            rfqs=list(body["children"]),
            client_batch_id=body.get("client_batch_id"),
            creator_subaccount=body.get("subaccount") or 0,
        )
        return answer("CreateRFQBatch", rfq_batch=batch.obj)

    async def batches_list(self, request: web.Request) -> web.Response:
        """GetRFQBatches: newest first, at most 20 a page."""
        page, cursor = paginate(
            self._filtered("rfq_batch", request.query, creator_key=""), request.query, "rfq_batches"
        )
        return answer("GetRFQBatches", rfq_batches=[r.obj for r in page], cursor=cursor)

    async def batch_one(self, request: web.Request) -> web.Response:
        """GetRFQBatch."""
        return answer(
            "GetRFQBatch", rfq_batch=self.exchange.record("rfq_batch", request.match_info["rfq_batch_id"]).obj
        )

    async def batch_delete(self, request: web.Request) -> web.Response:
        """DeleteRFQBatch -> 204."""
        batch = self.exchange.record("rfq_batch", request.match_info["rfq_batch_id"], USER.get())
        batch.obj |= {"status": "closed", "closed_ts": self._now(), "close_reason": "cancelled"}
        return answer("DeleteRFQBatch")

    def _batch_quotes(self, batch_id: str) -> list[Record]:
        return [r for r in self.exchange.records_of("rfq_batch_quote") if r.obj["rfq_batch_id"] == batch_id]

    async def batch_best_quotes(self, request: web.Request) -> web.Response:
        """GetRFQBatchBestQuotes: the batch creator's view."""
        batch = self.exchange.record("rfq_batch", request.match_info["rfq_batch_id"], USER.get())
        open_quotes = [r for r in self._batch_quotes(batch.record_id) if r.obj["status"] == "open"]
        best = rest(
            "RFQBatchBestQuotes",
            rfq_batch_id=batch.record_id,
            status=batch.obj["status"],
            version=len(open_quotes),
            updated_ts=batch.obj.get("updated_ts"),
        )
        return answer("GetRFQBatchBestQuotes", best_quotes=best)

    async def batch_accept(self, request: web.Request) -> web.Response:
        """AcceptRFQBatch: the creator accepts a side; open batch quotes become accepted."""
        body = await operation_body(request, "AcceptRFQBatch")
        batch = self.exchange.record("rfq_batch", request.match_info["rfq_batch_id"], USER.get())
        if batch.obj["status"] != "open" or body["accepted_side"] not in ("yes", "no"):
            raise ExchangeError(400, "invalid_parameters", "only an open batch can be accepted, on yes or no")
        now = self._now()
        batch.obj |= {"status": "accepted", "accepted_ts": now, "updated_ts": now}
        accepted = []
        for quote in self._batch_quotes(batch.record_id):
            if quote.obj["status"] == "open":
                quote.obj |= {"status": "accepted", "accepted_side": body["accepted_side"], "accepted_ts": now}
                accepted.append(quote.record_id)
        return answer("AcceptRFQBatch", accepted_side=body["accepted_side"], quotes=accepted)

    async def batch_quotes_list(self, request: web.Request) -> web.Response:
        """GetRFQBatchQuotes."""
        batch = self.exchange.record("rfq_batch", request.match_info["rfq_batch_id"])
        return answer("GetRFQBatchQuotes", batch_quotes=[r.obj for r in self._batch_quotes(batch.record_id)])

    async def batch_quote_create(self, request: web.Request) -> web.Response:
        """CreateRFQBatchQuote -> 201 {id}; not on your own batch."""
        body = await operation_body(request, "CreateRFQBatchQuote")
        user = USER.get()
        batch = self.exchange.record("rfq_batch", request.match_info["rfq_batch_id"])
        if batch.owner == user:
            raise ExchangeError(400, "invalid_parameters", "you cannot quote your own RFQ batch")
        quote = self.exchange.add_record("rfq_batch_quote", user, {})
        quote.obj = rest(
            "RFQBatchQuote",
            id=quote.record_id,
            rfq_batch_id=batch.record_id,
            creator_id=comms_id(user),
            creator_user_id=user,
            rfq_creator_id=batch.obj["creator_id"],
            status="open",
            created_ts=self._now(),
            updated_ts=self._now(),
            quotes=list(body["quotes"]) if isinstance(body["quotes"], list) else [],
            rest_remainder=bool(body["rest_remainder"]),
        )
        return answer("CreateRFQBatchQuote", id=quote.record_id)

    def _batch_quote(self, request: web.Request) -> Record:
        quote = self.exchange.record("rfq_batch_quote", request.match_info["batch_quote_id"], USER.get())
        if quote.obj["rfq_batch_id"] != request.match_info["rfq_batch_id"]:
            raise ExchangeError(404, "not_found", "batch quote not found on this batch")
        return quote

    async def batch_quote_delete(self, request: web.Request) -> web.Response:
        """DeleteRFQBatchQuote -> 204."""
        self._batch_quote(request).obj |= {"status": "cancelled", "updated_ts": self._now()}
        return answer("DeleteRFQBatchQuote")

    async def batch_quote_confirm(self, request: web.Request) -> web.Response:
        """ConfirmRFQBatchQuote -> 204: an accepted batch quote executes."""
        await operation_body(request, "ConfirmRFQBatchQuote")
        quote = self._batch_quote(request)
        if quote.obj["status"] != "accepted":
            raise ExchangeError(409, "conflict", "only an accepted batch quote can be confirmed")
        quote.obj |= {"status": "executed", "confirmed_ts": self._now(), "updated_ts": self._now()}
        return answer("ConfirmRFQBatchQuote")

    # --- block trades --------------------------------------------------------------------------

    async def block_trade_propose(self, request: web.Request) -> web.Response:
        """ProposeBlockTrade -> 201; buyer and seller each accept it."""
        body = await operation_body(request, "ProposeBlockTrade")
        market = self.exchange.market(str(body["market_ticker"]))
        now = self._now()
        proposal = self.exchange.add_record("block_trade", USER.get(), {})
        fields = ("buyer_user_id", "seller_user_id", "price_centi_cents", "centicount", "maker_side", "expiration_ts")
        proposal.obj = rest(
            "BlockTradeProposal",
            id=proposal.record_id,
            proposer_user_id=USER.get(),
            market_ticker=market.ticker,
            status="proposed",
            created_ts=now,
            updated_ts=now,
            buyer_accepted=False,
            seller_accepted=False,
            **{f: body[f] for f in fields},
        )
        return answer("ProposeBlockTrade", block_trade_proposal_id=proposal.record_id)

    def _parties(self, record: Record) -> tuple[str, str]:
        return str(record.obj["buyer_user_id"]), str(record.obj["seller_user_id"])

    async def block_trades_list(self, request: web.Request) -> web.Response:
        """GetBlockTradeProposals: the user's proposals (as proposer, buyer or seller)."""
        q = request.query
        user = USER.get()
        items = [r for r in reversed(self.exchange.records_of("block_trade")) if user in (r.owner, *self._parties(r))]
        for key in ("market_ticker", "status"):
            if key in q:
                items = [r for r in items if r.obj[key] == q[key]]
        page, cursor = paginate(items, q, "block_trades")
        return answer("GetBlockTradeProposals", block_trade_proposals=[r.obj for r in page], cursor=cursor)

    async def block_trade_accept(self, request: web.Request) -> web.Response:
        """AcceptBlockTradeProposal -> 204 by buyer or seller; both accepted marks it executed."""
        await operation_body(request, "AcceptBlockTradeProposal")
        proposal = self.exchange.record("block_trade", request.match_info["block_trade_proposal_id"])
        buyer, seller = self._parties(proposal)
        user, now = USER.get(), self._now()
        if user not in (buyer, seller):
            raise ExchangeError(404, "not_found", "block trade proposal not found")
        side = "buyer" if user == buyer else "seller"
        proposal.obj |= {f"{side}_accepted": True, f"{side}_accepted_ts": now, "updated_ts": now}
        if proposal.obj["buyer_accepted"] and proposal.obj["seller_accepted"]:
            proposal.obj |= {"status": "executed", "executed_ts": now}
        return answer("AcceptBlockTradeProposal")
