"""The operations added to cover the whole spec: their state, not only their shapes."""

from __future__ import annotations

from decimal import Decimal as D

from kalshi_auth import KalshiAuth, load_private_key
from kalshi_testing import KalshiExchangeSimulator
from kalshi_testing.simulator._shapes import rest as shape

FED = "KXFED-26DEC-T3.50"


def test_generated_api_key_signs_requests_until_deleted(sim: KalshiExchangeSimulator, rest, alice) -> None:  # type: ignore[no-untyped-def]
    made = rest("POST", "/api_keys/generate", alice, json_body={"name": "bot"})
    assert made.status_code == 201
    key_id = made.json()["api_key_id"]
    auth = KalshiAuth(key_id, load_private_key(made.json()["private_key"].encode()))
    headers = auth.headers("GET", "/trade-api/v2/portfolio/balance")
    assert rest.http.get("/trade-api/v2/portfolio/balance", headers=headers).status_code == 200
    assert [k["api_key_id"] for k in rest("GET", "/api_keys", alice).json()["api_keys"]] == [key_id]
    assert rest("GET", "/api_keys", sim.create_user("other")).json()["api_keys"] == []  # per user
    gone = rest("DELETE", f"/api_keys/{key_id}", alice)
    assert (gone.status_code, gone.content) == (204, b"")
    headers = auth.headers("GET", "/trade-api/v2/portfolio/balance")
    assert rest.http.get("/trade-api/v2/portfolio/balance", headers=headers).status_code == 401
    assert rest("DELETE", f"/api_keys/{key_id}", alice).status_code == 404


def test_rfq_quote_accept_confirm_flow(sim: KalshiExchangeSimulator, rest, alice, bob) -> None:  # type: ignore[no-untyped-def]
    sim.call(lambda ex: ex.cancel_all("market-maker"))  # the quote trades between alice and bob only
    rfq = rest(
        "POST",
        "/communications/rfqs",
        alice,
        json_body={"market_ticker": FED, "contracts_fp": "10", "rest_remainder": False},
    )
    assert rfq.status_code == 201
    rfq_id = rfq.json()["id"]
    own = rest(
        "POST",
        "/communications/quotes",
        alice,
        json_body={"rfq_id": rfq_id, "yes_bid": "0.40", "no_bid": "0.55", "rest_remainder": False},
    )
    assert own.status_code == 400  # nobody quotes their own RFQ
    quote = rest(
        "POST",
        "/communications/quotes",
        bob,
        json_body={"rfq_id": rfq_id, "yes_bid": "0.40", "no_bid": "0.55", "rest_remainder": False},
    )
    quote_id = quote.json()["id"]
    listed = rest("GET", "/communications/quotes", alice, rfq_id=rfq_id, rfq_user_filter="self").json()["quotes"]
    assert [(q["id"], q["yes_bid_dollars"], q["status"]) for q in listed] == [(quote_id, "0.4000", "open")]
    assert rest("PUT", f"/communications/rfqs/{rfq_id}/quotes/{quote_id}/confirm", bob, json_body={}).status_code == 400
    accepted = rest(
        "PUT", f"/communications/rfqs/{rfq_id}/quotes/{quote_id}/accept", alice, json_body={"accepted_side": "yes"}
    )
    assert (accepted.status_code, accepted.content) == (204, b"")
    assert rest("PUT", f"/communications/quotes/{quote_id}/confirm", bob, json_body={}).status_code == 204
    final = rest("GET", f"/communications/rfqs/{rfq_id}/quotes/{quote_id}", bob).json()["quote"]
    assert (final["status"], final["accepted_side"]) == ("executed", "yes")
    assert rest("GET", f"/communications/rfqs/{rfq_id}", alice).json()["rfq"]["status"] == "closed"
    assert rest("GET", "/communications/rfqs", alice, status="open", user_filter="self").json()["rfqs"] == []
    # Accepting `yes` took bob's YES bid: bob bought 10 YES at $0.40 and alice sold them (10 NO at $0.60).
    assert sim.exchange.account(bob.user_id).positions[FED].position == 10
    assert sim.exchange.account(alice.user_id).positions[FED].position == -10
    assert rest("GET", "/markets/trades", ticker=FED).json()["trades"][0]["yes_price_dollars"] == "0.4000"


def test_netting_transfers_and_allocation_keep_state(sim: KalshiExchangeSimulator, rest, alice) -> None:  # type: ignore[no-untyped-def]
    assert rest("GET", "/portfolio/subaccounts/netting", alice).json()["netting_configs"][0]["enabled"] is True
    assert (
        rest(
            "PUT", "/portfolio/subaccounts/netting", alice, json_body={"subaccount_number": 0, "enabled": False}
        ).status_code
        == 200
    )
    assert rest("GET", "/portfolio/subaccounts/netting", alice).json()["netting_configs"][0]["enabled"] is False
    assert (
        rest(
            "PUT", "/portfolio/subaccounts/netting", alice, json_body={"subaccount_number": 9, "enabled": True}
        ).status_code
        == 400
    )
    body = {"source": "event_contract", "destination": "margined", "amount": 1_000_000, "client_transfer_id": "x1"}
    moved = rest("POST", "/portfolio/intra_exchange_instance_transfer", alice, json_body=body)
    assert moved.status_code == 200
    assert rest("GET", "/portfolio/balance", alice).json()["balance"] == 90_000  # $100 (1,000,000 centicents) left
    assert rest("POST", "/portfolio/intra_exchange_instance_transfer", alice, json_body=body).status_code == 409
    one = rest("GET", f"/portfolio/intra_exchange_instance_transfers/{moved.json()['transfer_id']}", alice).json()
    assert one["transfer"]["amount"] == "100.0000"
    too_much = body | {"client_transfer_id": "x2", "amount": 10**12}
    assert (
        rest("POST", "/portfolio/intra_exchange_instance_transfer", alice, json_body=too_much).json()["code"]
        == "insufficient_balance"
    )
    split = {"allocations": [{"exchange_index": 0, "percent": 60}, {"exchange_index": 1, "percent": 40}]}
    assert rest("POST", "/portfolio/target_balance_allocation", alice, json_body=split).status_code == 200
    assert rest("GET", "/portfolio/target_balance_allocation", alice).json()["allocations"] == split["allocations"]
    bad = {"allocations": [{"exchange_index": 0, "percent": 60}]}
    assert rest("POST", "/portfolio/target_balance_allocation", alice, json_body=bad).status_code == 400


def test_fcm_operations_need_an_fcm_account(sim: KalshiExchangeSimulator, rest, alice) -> None:  # type: ignore[no-untyped-def]
    assert rest("GET", "/fcm/subtraders", alice).status_code == 403
    sim.call(lambda ex: ex.fcm_users.add(alice.user_id))
    made = rest("POST", "/fcm/subtraders", alice, json_body={"subtrader_suffix": "s1"})
    sub_id = made.json()["subtrader_id"]
    assert [s["subtrader_id"] for s in rest("GET", "/fcm/subtraders", alice).json()["subtraders"]] == [sub_id]
    cap = {"subtrader_id": sub_id, "limit": "250.00"}
    assert rest("PUT", "/fcm/subtraders/event_contract_daily_cap", alice, json_body=cap).status_code == 200
    got = rest("GET", "/fcm/subtraders/event_contract_daily_cap", alice, subtrader_id=sub_id).json()
    assert got["limit"] == "250.0000"
    blocked = {"subtrader_id": sub_id, "category": "Sports", "blocked": True}
    assert rest("PUT", "/fcm/subtraders/blocked_categories", alice, json_body=blocked).json()["categories"] == [
        "Sports"
    ]
    assert rest("DELETE", "/fcm/subtraders/event_contract_daily_cap", alice, subtrader_id=sub_id).status_code == 200
    assert rest("GET", "/fcm/subtraders/event_contract_daily_cap", alice, subtrader_id=sub_id).status_code == 404


def test_historical_tier_holds_what_is_older_than_the_cutoff(sim: KalshiExchangeSimulator, rest, alice, bob) -> None:  # type: ignore[no-untyped-def]
    rest.order(alice, "ask", "0.40", "3")
    rest.order(bob, "bid", "0.40", "3")
    assert rest("GET", "/historical/trades").json()["trades"] == []  # the cutoff is the scenario start
    sim.call(lambda ex: ex.settle_market(FED, "yes"))
    sim.call(lambda ex: setattr(ex, "historical_cutoff_ms", ex.clock() + 1000))
    trades = rest("GET", "/historical/trades", ticker=FED).json()["trades"]
    assert [t["count_fp"] for t in trades] == ["3.00"]
    assert [m["ticker"] for m in rest("GET", "/historical/markets").json()["markets"]] == [FED]
    assert len(rest("GET", "/historical/fills", bob).json()["fills"]) == 1
    assert rest("GET", f"/historical/markets/{FED}").json()["market"]["result"] == "yes"
    assert rest("GET", "/historical/markets/KXFED-26DEC-T3.25").status_code == 404


def test_reference_data_is_served_from_records(sim: KalshiExchangeSimulator, rest) -> None:  # type: ignore[no-untyped-def]
    assert rest("GET", "/milestones", limit=10).json()["milestones"] == []
    milestone = shape("Milestone", id="m1", category="sports", type="football_game", title="Final")
    sim.call(lambda ex: ex.add_record("milestone", "", milestone, "m1"))
    assert rest("GET", "/milestones", limit=10, category="sports").json()["milestones"] == [milestone]
    assert rest("GET", "/milestones/m1").json()["milestone"]["title"] == "Final"
    assert rest("GET", "/milestones/m2").status_code == 404
    meta = rest("GET", "/events/KXFED-26DEC/metadata").json()
    assert FED in [d["market_ticker"] for d in meta["market_details"]]


def test_positions_settlement_status_and_order_group_subaccount_filters(
    sim: KalshiExchangeSimulator, rest, alice, bob
) -> None:  # type: ignore[no-untyped-def]
    sim.call(lambda ex: ex.cancel_all("market-maker"))  # alice and bob trade with each other only
    rest.order(alice, "ask", "0.40", "2")
    rest.order(bob, "bid", "0.40", "2")
    rest.order(alice, "ask", "0.30", "1", ticker="KXFED-26DEC-T3.25")
    rest.order(bob, "bid", "0.30", "1", ticker="KXFED-26DEC-T3.25")
    sim.call(lambda ex: ex.settle_market("KXFED-26DEC-T3.25", "no"))

    def tickers(**q: str) -> list[str]:
        return [p["ticker"] for p in rest("GET", "/portfolio/positions", bob, **q).json()["market_positions"]]

    assert tickers() == [FED]  # unsettled by default
    assert tickers(settlement_status="settled") == ["KXFED-26DEC-T3.25"]
    assert tickers(settlement_status="all") == ["KXFED-26DEC-T3.25", FED]
    assert tickers(settlement_status="all", count_filter="position") == [FED]
    assert rest("GET", "/portfolio/positions", bob, settlement_status="nope").status_code == 400
    sub = rest("POST", "/portfolio/subaccounts", alice, json_body={}).json()["subaccount_number"]
    g0 = rest("POST", "/portfolio/order_groups/create", alice, json_body={"contracts_limit": 5}).json()[
        "order_group_id"
    ]
    g1 = rest(
        "POST", "/portfolio/order_groups/create", alice, json_body={"contracts_limit": 5, "subaccount": sub}
    ).json()
    listed = rest("GET", "/portfolio/order_groups", alice, subaccount=sub).json()["order_groups"]
    assert [g["id"] for g in listed] == [g1["order_group_id"]]
    assert len(rest("GET", "/portfolio/order_groups", alice).json()["order_groups"]) == 2  # all subaccounts
    assert rest("GET", f"/portfolio/order_groups/{g0}", alice, subaccount=sub).status_code == 404
    assert D(rest("GET", "/portfolio/balance", bob).json()["balance_dollars"]) < D("1000")


def test_market_trade_and_fill_time_filters(sim: KalshiExchangeSimulator, rest, alice, bob) -> None:  # type: ignore[no-untyped-def]
    sim.call(lambda ex: ex.cancel_all("market-maker"))
    rest.order(alice, "ask", "0.40", "1")
    rest.order(bob, "bid", "0.40", "1")
    now = sim.clock() // 1000
    close = {m["ticker"]: m["close_time"] for m in rest("GET", "/markets", limit=1000).json()["markets"]}
    assert close  # every market closes a week after the scenario starts
    assert rest("GET", "/markets", max_close_ts=now - 86_400 * 400).json()["markets"] == []
    assert len(rest("GET", "/markets", min_close_ts=0, limit=1000).json()["markets"]) == len(close)
    assert rest("GET", "/markets", min_settled_ts=0).json()["markets"] == []  # nothing settled yet
    assert len(rest("GET", "/markets/trades", ticker=FED, is_block_trade="false").json()["trades"]) == 1
    assert rest("GET", "/markets/trades", ticker=FED, is_block_trade="true").json()["trades"] == []
    assert len(rest("GET", "/portfolio/fills", bob, min_ts=now - 60).json()["fills"]) == 1
    assert rest("GET", "/portfolio/fills", bob, max_ts=now - 60).json()["fills"] == []
    assert rest("GET", "/portfolio/orders", bob, min_ts=now + 60).json()["orders"] == []
