from __future__ import annotations

import time
from decimal import Decimal as D

import httpx

from kalshi_testing import KalshiExchangeSimulator, SimulatedUser

FED = "KXFED-26DEC-T3.50"


def test_public_catalogue_shapes(rest) -> None:  # type: ignore[no-untyped-def]
    status = rest("GET", "/exchange/status").json()
    assert status["exchange_active"] is True
    assert status["trading_active"] is True
    assert rest("GET", "/exchange/schedule").json()["schedule"]["standard_hours"][0]["monday"]
    series = rest("GET", "/series").json()["series"]
    assert {s["ticker"] for s in series} >= {"KXFED", "KXHIGHNY"}
    assert rest("GET", "/series/KXFED").json()["series"]["fee_type"] == "quadratic"
    market = rest("GET", f"/markets/{FED}").json()["market"]
    assert market["ticker"] == FED
    assert market["status"] == "active"
    assert D(market["yes_bid_dollars"]) < D(market["yes_ask_dollars"])
    assert D(market["no_bid_dollars"]) == 1 - D(market["yes_ask_dollars"])
    event = rest("GET", "/events/KXFED-26DEC").json()
    assert {m["ticker"] for m in event["markets"]} == {"KXFED-26DEC-T3.25", FED, "KXFED-26DEC-T3.75"}
    assert rest("GET", "/markets/NOPE").status_code == 404
    assert rest("GET", "/markets/NOPE").json()["code"] == "market_not_found"


def test_orderbook_is_yes_and_no_bids_best_first(rest) -> None:  # type: ignore[no-untyped-def]
    book = rest("GET", f"/markets/{FED}/orderbook").json()["orderbook_fp"]
    yes = [D(p) for p, _ in book["yes_dollars"]]
    no = [D(p) for p, _ in book["no_dollars"]]
    assert yes == sorted(yes, reverse=True)
    assert no == sorted(no, reverse=True)
    assert yes[0] + no[0] < 1  # spread: best YES bid + best NO bid stay under $1
    assert len(rest("GET", f"/markets/{FED}/orderbook", depth=1).json()["orderbook_fp"]["yes_dollars"]) == 1
    assert rest("GET", f"/markets/{FED}/orderbook", depth=101).status_code == 400
    multi = rest("GET", "/markets/orderbooks", tickers=[FED, "KXFED-26DEC-T3.25"]).json()["orderbooks"]
    assert [b["ticker"] for b in multi] == [FED, "KXFED-26DEC-T3.25"]


def test_cursor_pagination_and_limits(rest) -> None:  # type: ignore[no-untyped-def]
    seen: list[str] = []
    cursor = None
    for _ in range(20):
        params = {"limit": 5} | ({"cursor": cursor} if cursor else {})
        page = rest("GET", "/markets", **params).json()
        seen += [m["ticker"] for m in page["markets"]]
        cursor = page["cursor"]
        if not cursor:
            break
    everything = [m["ticker"] for m in rest("GET", "/markets", limit=1000).json()["markets"]]
    assert seen == everything
    assert len(seen) == 17
    assert rest("GET", "/markets", limit=1001).status_code == 400
    assert rest("GET", "/events", limit=0).status_code == 400  # events: 1-200
    assert rest("GET", "/markets", cursor="").status_code == 200  # spec-exact: an empty cursor is the first page
    assert rest("GET", "/markets", cursor="garbage!").status_code == 400
    assert {m["status"] for m in rest("GET", "/markets", status="closed").json()["markets"]} == {"closed"}
    assert len(rest("GET", "/markets", tickers=f"{FED},KXFED-26DEC-T3.25").json()["markets"]) == 2
    assert (
        len(rest("GET", "/events", series_ticker="KXFED", with_nested_markets="true").json()["events"][0]["markets"])
        == 3
    )


def test_private_endpoints_need_a_valid_signature(sim: KalshiExchangeSimulator, rest, alice: SimulatedUser) -> None:  # type: ignore[no-untyped-def]
    path = "/trade-api/v2/portfolio/balance"
    assert rest("GET", "/portfolio/balance", alice).status_code == 200
    unsigned = rest("GET", "/portfolio/balance")
    assert unsigned.status_code == 401
    assert set(unsigned.json()) == {"code", "message", "details"}
    stale = alice.auth.headers("GET", path, timestamp_ms=int(time.time() * 1000) - 120_000)
    assert rest.http.get(path, headers=stale).status_code == 401
    tampered = alice.auth.headers("GET", "/trade-api/v2/portfolio/positions")
    assert rest.http.get(path, headers=tampered).json()["details"] == "signature does not verify"
    stranger = KalshiExchangeSimulator().create_user("x")  # a key this simulator never saw
    r = rest.http.get(path, headers=stranger.auth.headers("GET", path))
    assert r.status_code == 401
    assert r.json()["details"] == "unknown API key"
    wrong_key = alice.auth.headers("GET", path) | {"KALSHI-ACCESS-KEY": sim.create_user("y").key_id}
    assert rest.http.get(path, headers=wrong_key).status_code == 401
    # query strings are not signed
    assert rest.http.get(path + "?subaccount=0", headers=alice.auth.headers("GET", path)).status_code == 200


def test_cross_two_users_fills_positions_and_balances(sim, rest, alice, bob) -> None:  # type: ignore[no-untyped-def]
    ticker = "KXBTCD-26NOV2417-T95000"  # deci-cent market
    assert sim.call(lambda ex: ex.cancel_all("market-maker")) > 0  # an empty book for this test
    made = rest.order(alice, "ask", "0.955", "10", ticker=ticker, client_order_id="a-1")
    assert made["remaining_count"] == "10.00"
    assert made["fill_count"] == "0.00"
    book = rest("GET", f"/markets/{ticker}/orderbook").json()["orderbook_fp"]
    assert ["0.0450", "10.00"] in book["no_dollars"]
    taken = rest.order(bob, "bid", "0.960", "4", ticker=ticker, time_in_force="immediate_or_cancel")
    assert taken["fill_count"] == "4.00"
    assert taken["remaining_count"] == "0.00"
    assert taken["average_fill_price"] == "0.9550"
    bob_fill = rest("GET", "/portfolio/fills", bob).json()["fills"][0]
    alice_fill = rest("GET", "/portfolio/fills", alice).json()["fills"][0]
    assert bob_fill["is_taker"] is True
    assert alice_fill["is_taker"] is False
    assert bob_fill["trade_id"] == alice_fill["trade_id"]
    assert bob_fill["book_side"] == "bid"
    assert alice_fill["book_side"] == "ask"
    fee = D(bob_fill["fee_cost"])
    assert fee == D("0.02")  # ceil(0.07 * 4 * 0.955 * 0.045) to the cent
    bob_bal = rest("GET", "/portfolio/balance", bob).json()
    alice_bal = rest("GET", "/portfolio/balance", alice).json()
    assert D(bob_bal["balance_dollars"]) == D("1000") - D("0.955") * 4 - fee
    # 4 NO contracts bought at $0.045; the 6 still resting hold 6 x $0.045 of the available balance.
    assert D(alice_bal["balance_dollars"]) == D("1000") - D("0.045") * 4 - D("0.045") * 6
    assert bob_bal["balance"] == int(D(bob_bal["balance_dollars"]) * 100)
    pos = rest("GET", "/portfolio/positions", alice).json()
    assert pos["market_positions"][0]["position_fp"] == "-4.00"
    assert pos["event_positions"][0]["event_ticker"] == "KXBTCD-26NOV2417"
    order = rest("GET", f"/portfolio/orders/{made['order_id']}", alice).json()["order"]
    assert order["status"] == "resting"
    assert order["fill_count_fp"] == "4.00"
    assert order["remaining_count_fp"] == "6.00"
    trades = rest("GET", "/markets/trades", ticker=ticker).json()["trades"]
    assert trades[0]["taker_book_side"] == "bid"
    assert trades[0]["count_fp"] == "4.00"


def test_order_lifecycle_cancel_amend_decrease(rest, alice) -> None:  # type: ignore[no-untyped-def]
    o = rest.order(alice, "bid", "0.10", "10", client_order_id="c-1")
    oid = o["order_id"]
    dec = rest("POST", f"/portfolio/events/orders/{oid}/decrease", alice, json_body={"reduce_by": "3"})
    assert dec.status_code == 200
    assert dec.json()["remaining_count"] == "7.00"
    both = rest(
        "POST", f"/portfolio/events/orders/{oid}/decrease", alice, json_body={"reduce_by": "1", "reduce_to": "2"}
    )
    assert both.status_code == 400
    amend = rest(
        "POST",
        f"/portfolio/events/orders/{oid}/amend",
        alice,
        json_body={"ticker": FED, "side": "bid", "price": "0.11", "count": "8", "updated_client_order_id": "c-2"},
    )
    assert amend.status_code == 200
    assert amend.json()["remaining_count"] == "8.00"
    assert amend.json()["client_order_id"] == "c-2"
    cancel = rest("DELETE", f"/portfolio/events/orders/{oid}", alice)
    assert cancel.status_code == 200
    assert cancel.json()["reduced_by"] == "8.00"
    again = rest("DELETE", f"/portfolio/events/orders/{oid}", alice)
    assert again.status_code == 404
    assert again.json()["code"] == "order_not_found"
    listed = rest("GET", "/portfolio/orders", alice, status="canceled").json()["orders"]
    assert [x["order_id"] for x in listed] == [oid]


def test_validation_errors_and_idempotency(rest, alice) -> None:  # type: ignore[no-untyped-def]
    base = {
        "ticker": FED,
        "side": "bid",
        "price": "0.10",
        "count": "1",
        "time_in_force": "good_till_canceled",
        "self_trade_prevention_type": "maker",
    }
    cases = [
        base | {"price": "0.105"},  # off tick
        base | {"price": "1.00"},
        base | {"count": "1.001"},
        base | {"side": "yes"},
        base | {"bogus": 1},
        {k: v for k, v in base.items() if k != "time_in_force"},
        base | {"reduce_only": True},
        base | {"time_in_force": "immediate_or_cancel", "expiration_time": 4_000_000_000},
        base | {"count": "99999"},
    ]
    for body in cases:
        r = rest("POST", "/portfolio/events/orders", alice, json_body=body)
        assert r.status_code == 400, body
        assert r.json()["code"] in {"invalid_parameters", "invalid_price", "insufficient_balance"}
    first = rest("POST", "/portfolio/events/orders", alice, json_body=base | {"client_order_id": "same"}).json()
    second = rest("POST", "/portfolio/events/orders", alice, json_body=base | {"client_order_id": "same"}).json()
    assert first["order_id"] == second["order_id"]
    assert len(rest("GET", "/portfolio/orders", alice).json()["orders"]) == 1
    clash = rest("POST", "/portfolio/events/orders", alice, json_body=base | {"client_order_id": "same", "count": "2"})
    assert clash.status_code == 409
    closed = rest("POST", "/portfolio/events/orders", alice, json_body=base | {"ticker": "KXBTCD-26NOV2417-T90000"})
    assert closed.status_code == 400
    assert closed.json()["code"] == "market_closed"
    assert rest("POST", "/portfolio/events/orders", alice, json_body=base | {"ticker": "NOPE"}).status_code == 404


def test_batch_create_and_cancel(rest, alice) -> None:  # type: ignore[no-untyped-def]
    good = {
        "ticker": FED,
        "side": "bid",
        "price": "0.05",
        "count": "1",
        "time_in_force": "good_till_canceled",
        "self_trade_prevention_type": "maker",
    }
    r = rest("POST", "/portfolio/events/orders/batched", alice, json_body={"orders": [good, good | {"price": "2"}]})
    assert r.status_code == 201
    first, second = r.json()["orders"]
    assert first["error"] is None
    assert first["remaining_count"] == "1.00"
    assert "order_id" not in second
    assert second["error"]["code"] == "invalid_price"
    c = rest(
        "DELETE",
        "/portfolio/events/orders/batched",
        alice,
        json_body={"orders": [{"order_id": first["order_id"]}, {"order_id": "nope"}]},
    )
    ok, bad = c.json()["orders"]
    assert ok["reduced_by"] == "1.00"
    assert bad["reduced_by"] == "0.00"
    assert bad["error"]["code"] == "order_not_found"
    rest.order(alice, "bid", "0.05", "1")
    cancel_all = rest("DELETE", "/portfolio/events/orders", alice)
    assert cancel_all.status_code == 204
    assert cancel_all.content == b""
    assert rest("GET", "/portfolio/orders", alice, status="resting").json()["orders"] == []


def test_order_groups_trigger_on_limit(sim, rest, alice, bob) -> None:  # type: ignore[no-untyped-def]
    sim.call(lambda ex: ex.cancel_all("market-maker"))
    created = rest("POST", "/portfolio/order_groups/create", alice, json_body={"contracts_limit": 5})
    assert created.status_code == 201
    gid = created.json()["order_group_id"]
    a = rest.order(alice, "ask", "0.90", "3", order_group_id=gid)
    rest.order(alice, "ask", "0.91", "10", order_group_id=gid)
    assert sorted(rest("GET", f"/portfolio/order_groups/{gid}", alice).json()["orders"])
    rest.order(bob, "bid", "0.91", "6", time_in_force="immediate_or_cancel")  # 3 @0.90 + 3 @0.91 = 6 >= 5
    group = rest("GET", f"/portfolio/order_groups/{gid}", alice).json()
    assert group["orders"] == []
    assert group["is_auto_cancel_enabled"] is False
    blocked = rest(
        "POST",
        "/portfolio/events/orders",
        alice,
        json_body={
            "ticker": FED,
            "side": "ask",
            "price": "0.95",
            "count": "1",
            "time_in_force": "good_till_canceled",
            "self_trade_prevention_type": "maker",
            "order_group_id": gid,
        },
    )
    assert blocked.status_code == 400
    assert blocked.json()["code"] == "order_group_triggered"
    assert rest("PUT", f"/portfolio/order_groups/{gid}/reset", alice, json_body={}).status_code == 200
    rest.order(alice, "ask", "0.95", "1", order_group_id=gid)
    assert (
        rest("PUT", f"/portfolio/order_groups/{gid}/limit", alice, json_body={"contracts_limit_fp": "9.00"}).status_code
        == 200
    )
    assert [g["id"] for g in rest("GET", "/portfolio/order_groups", alice).json()["order_groups"]] == [gid]
    assert rest("DELETE", f"/portfolio/order_groups/{gid}", alice).status_code == 200
    assert rest("GET", f"/portfolio/order_groups/{gid}", alice).status_code == 404
    assert a["order_id"]


def test_faults_rate_limit_server_error_latency_slow(sim: KalshiExchangeSimulator, rest) -> None:  # type: ignore[no-untyped-def]
    sim.faults.rate_limit(retry_after=2, times=2, path="/markets")
    for _ in range(2):
        r = rest("GET", "/markets")
        assert r.status_code == 429
        assert r.headers["Retry-After"] == "2"
        assert r.json()["code"] == "too_many_requests"
    assert rest("GET", "/markets").status_code == 200
    sim.faults.server_error(status=502, times=3, method="GET")
    assert [rest("GET", "/exchange/status").status_code for _ in range(4)] == [502, 502, 502, 200]
    sim.faults.latency(0.2, path="/exchange/status", times=1)
    t0 = time.monotonic()
    assert rest("GET", "/exchange/status").status_code == 200
    assert time.monotonic() - t0 >= 0.2
    sim.faults.slow_response(0.3, path="/series")
    with httpx.Client(base_url=sim.base_url, timeout=httpx.Timeout(5, read=0.1)) as impatient:
        try:
            impatient.get("/trade-api/v2/series")
            raise AssertionError("expected a read timeout")
        except httpx.ReadTimeout:
            pass
    assert sim.faults.fired.count("rate_limit") == 2
    assert "slow" in sim.faults.fired
    sim.faults.latency(5)
    sim.faults.clear()
    assert rest("GET", "/exchange/status").status_code == 200


def test_candlesticks_from_trades(sim: KalshiExchangeSimulator, rest, alice, bob) -> None:  # type: ignore[no-untyped-def]
    sim.call(lambda ex: ex.cancel_all("market-maker"))
    rest.order(alice, "ask", "0.80", "2")
    rest.order(bob, "bid", "0.80", "2")
    now = int(time.time())
    r = rest(
        "GET", f"/series/KXFED/markets/{FED}/candlesticks", start_ts=now - 3600, end_ts=now + 60, period_interval=60
    )
    candles = r.json()["candlesticks"]
    assert len(candles) == 1
    assert candles[0]["price"]["close_dollars"] == "0.8000"
    assert candles[0]["volume_fp"] == "2.00"
    assert (
        rest("GET", f"/series/KXFED/markets/{FED}/candlesticks", start_ts=1, end_ts=2, period_interval=7).status_code
        == 400
    )


def test_queue_positions_account_and_empty_lists(sim: KalshiExchangeSimulator, rest, alice, bob) -> None:  # type: ignore[no-untyped-def]
    first = rest.order(bob, "bid", "0.05", "7")
    mine = rest.order(alice, "bid", "0.05", "3")
    pos = rest("GET", f"/portfolio/orders/{mine['order_id']}/queue_position", alice).json()
    assert pos["queue_position_fp"] == "7.00"
    rest("POST", f"/portfolio/events/orders/{first['order_id']}/decrease", bob, json_body={"reduce_to": "2"})
    listed = rest("GET", "/portfolio/orders/queue_positions", alice, market_tickers=FED).json()["queue_positions"]
    assert listed == [{"order_id": mine["order_id"], "market_ticker": FED, "queue_position_fp": "2.00"}]
    costs = rest("GET", "/account/endpoint_costs").json()
    assert costs["default_cost"] == 10
    assert {"method": "GET", "path": "/trade-api/v2/portfolio/orders/{order_id}", "cost": 2} in costs["endpoint_costs"]
    assert rest("GET", "/account/limits").status_code == 401
    assert rest("GET", "/account/limits", alice).json()["read"]["bucket_capacity"] == 200
    assert rest("GET", "/portfolio/deposits", alice).json() == {"deposits": [], "cursor": ""}
    assert rest("GET", "/portfolio/withdrawals", alice, limit=501).status_code == 400
    assert rest("GET", "/portfolio/settlements", alice).json()["settlements"] == []
    assert rest("GET", "/exchange/user_data_timestamp").json()["as_of_time"].endswith("Z")


def test_ed25519_keys_verify_and_bad_registrations_fail(sim: KalshiExchangeSimulator, rest) -> None:  # type: ignore[no-untyped-def]
    import pytest
    from cryptography.hazmat.primitives.asymmetric import ec, ed25519
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    from kalshi_auth import KalshiAuth
    from kalshi_testing import SimulatorError

    key = ed25519.Ed25519PrivateKey.generate()
    auth = KalshiAuth("ed-key", key)
    sim.register_key("ed-user", auth.public_key_pem, key_id="ed-key")
    path = "/trade-api/v2/portfolio/balance"
    assert rest.http.get(path, headers=auth.headers("GET", path)).status_code == 200
    with pytest.raises(SimulatorError, match="cannot load"):
        sim.register_key("x", b"not a pem")
    ec_pem = (
        ec.generate_private_key(ec.SECP256R1())
        .public_key()
        .public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo)
    )
    with pytest.raises(SimulatorError, match="only RSA and Ed25519"):
        sim.register_key("x", ec_pem)


def test_injected_clock_drives_timestamps_and_signature_freshness() -> None:
    now = [1_800_000_000_000]
    with KalshiExchangeSimulator(clock=lambda: now[0]) as sim:
        user = sim.create_user("clocked")
        path = "/trade-api/v2/portfolio/balance"
        r = httpx.get(sim.base_url + path, headers=user.auth.headers("GET", path))
        assert r.json()["updated_ts"] == 1_800_000_000
        signed_then = user.auth.headers("GET", path)
        now[0] += 31_000
        assert httpx.get(sim.base_url + path, headers=signed_then).status_code == 401


def test_subaccounts_transfer_and_trade_separately(rest, alice) -> None:  # type: ignore[no-untyped-def]
    created = rest("POST", "/portfolio/subaccounts", alice, json_body={})
    assert created.status_code == 201
    sub = created.json()["subaccount_number"]
    assert sub == 1
    move = {"client_transfer_id": "t-1", "from_subaccount": 0, "to_subaccount": sub, "amount_cents": 2500}
    assert rest("POST", "/portfolio/subaccounts/transfer", alice, json_body=move).json() == {}
    again = rest("POST", "/portfolio/subaccounts/transfer", alice, json_body=move)
    assert again.status_code == 409  # a reused client_transfer_id moves nothing
    balances = rest("GET", "/portfolio/subaccounts/balances", alice).json()["subaccount_balances"]
    assert [(b["subaccount_number"], b["balance"]) for b in balances] == [(0, "975.0000"), (1, "25.0000")]
    too_much = move | {"client_transfer_id": "t-2", "from_subaccount": sub, "to_subaccount": 0, "amount_cents": 2501}
    assert rest("POST", "/portfolio/subaccounts/transfer", alice, json_body=too_much).status_code == 400
    rest.order(alice, "bid", "0.10", "5", subaccount=sub)
    big = rest(
        "POST",
        "/portfolio/events/orders",
        alice,
        json_body={
            "ticker": FED,
            "side": "bid",
            "price": "0.10",
            "count": "300",
            "subaccount": sub,
            "time_in_force": "good_till_canceled",
            "self_trade_prevention_type": "maker",
        },
    )
    assert big.json()["code"] == "insufficient_balance"  # $30 > the subaccount's $25
    transfers = rest("GET", "/portfolio/subaccounts/transfers", alice).json()["transfers"]
    assert [t["transfer_id"] for t in transfers] == ["t-1"]
    # $25 available less the $0.50 the resting 5 x $0.10 bid holds.
    assert rest("GET", "/portfolio/balance", alice, subaccount=sub).json()["balance"] == 2450


def test_mistyped_fields_are_400_not_500(rest, alice) -> None:  # type: ignore[no-untyped-def]
    base = {
        "ticker": FED,
        "side": "bid",
        "price": "0.10",
        "count": "1",
        "time_in_force": "good_till_canceled",
        "self_trade_prevention_type": "maker",
    }
    for bad in ({"subaccount": "one"}, {"expiration_time": "soon"}, {"price": 0.1}, {"count": None}):
        r = rest("POST", "/portfolio/events/orders", alice, json_body=base | bad)
        assert r.status_code == 400, (bad, r.text)
    r = rest.http.post(
        "/trade-api/v2/portfolio/events/orders",
        content=b"{not json",
        headers=alice.auth.headers("POST", "/trade-api/v2/portfolio/events/orders"),
    )
    assert r.status_code == 400
    assert rest("POST", "/portfolio/events/orders", alice, json_body=[1, 2]).status_code == 400


def test_opt_in_token_buckets_answer_429_on_the_simulator_clock() -> None:
    from kalshi_testing.simulator import BucketSpec, RateLimits

    now = [1_800_000_000_000]
    limits = RateLimits(read=BucketSpec(10, 20), write=BucketSpec(10, 20))
    with (
        KalshiExchangeSimulator(clock=lambda: now[0], rate_limits=limits) as sim,
        httpx.Client(base_url=sim.rest_url) as http,
    ):
        user = sim.create_user("limited")
        assert [http.get("/exchange/status").status_code for _ in range(3)] == [200, 200, 429]  # 20 tokens, cost 10
        refused = http.get("/exchange/status")
        assert refused.headers["Retry-After"] == "1"
        assert refused.json()["code"] == "too_many_requests"
        now[0] += 1000  # one second refills 10 tokens: one more default-cost read
        assert http.get("/exchange/status").status_code == 200
        path = "/trade-api/v2/portfolio/events/orders"
        body = {
            "ticker": FED,
            "side": "bid",
            "price": "0.05",
            "count": "1",
            "client_order_id": "rl",
            "time_in_force": "good_till_canceled",
            "self_trade_prevention_type": "maker",
        }
        created = http.post(path.removeprefix("/trade-api/v2"), json=body, headers=user.auth.headers("POST", path))
        assert created.status_code == 201, created.text  # writes have their own bucket
        cancel = f"{path}/{created.json()['order_id']}"
        for _ in range(5):  # the create took 10 of 20 write tokens; cancels cost 2 each: 5 x 2 = the rest
            r = http.delete(cancel.removeprefix("/trade-api/v2"), headers=user.auth.headers("DELETE", cancel))
            assert r.status_code in (200, 404)
        r = http.delete(cancel.removeprefix("/trade-api/v2"), headers=user.auth.headers("DELETE", cancel))
        assert r.status_code == 429
        limits_view = http.get("/account/limits", headers=user.auth.headers("GET", "/trade-api/v2/account/limits"))
        assert limits_view.json()["read"] == {"refill_rate": 10, "bucket_capacity": 20}  # each user has own buckets
