"""Resources through httpx.MockTransport, both faces: paths, params, bodies, pages, errors, money types."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from urllib.parse import parse_qsl

import httpx
import pytest
from klear_support import ADMIN, BASE, FAST, TOKEN, Recorder, ok

from kalshi_klear import AsyncKlearClient, KlearClient
from kalshi_klear.models import (
    CreateMarginFcmApiKeyRequest,
    CreateMarginSubtraderGroupRequest,
    EstimatePortfolioMaintenanceMarginPosition,
    EstimatePortfolioMaintenanceMarginRequest,
    UpdateMarginSubtraderGroupRequest,
    WithdrawSettlementBalanceRequest,
)
from kalshi_rest import (
    AsyncPage,
    KalshiAPIError,
    KalshiAuthError,
    KalshiConflictError,
    KalshiNotFoundError,
    KalshiPaginationError,
    KalshiRateLimitError,
    KalshiRequestError,
    KalshiResponseError,
    KalshiServerError,
    KalshiTimeoutError,
    KalshiValidationError,
    Page,
)

OBLIGATION = {
    "id": "ob-1",
    "user_id": ADMIN,
    "amount_centicents": -1_234_500,
    "fees_centicents": 2_500,
    "maintenance_margin_centicents": 400_000,
    "pnl_centicents": -832_000,
    "execution_time": "2026-11-20T21:00:00Z",
    "last_updated_ts": "2026-11-20T21:05:00Z",
    "asset_class": "Crypto",
    "receives": [],
    "settlement_details": [
        {
            "id": "sd-1",
            "market_ticker": "BTC-PERP",
            "subtrader_id": "s1",
            "position_quantity_fp": "1.25",
            "pnl_centicents": -832_000,
            "total_fees_centicents": 2_500,
            "total_amount_centicents": -834_500,
        }
    ],
    "maintenance_margin_details": [],
    "funding_payments": [],
    "corporate_action_payments": [],
    "settlement_details_truncated": False,
}


def _query(request: httpx.Request) -> dict[str, str]:
    return dict(parse_qsl(request.url.query.decode(), keep_blank_values=True))


def _sync(rec: Recorder) -> KlearClient:
    return KlearClient(admin_user_id=ADMIN, access_token=TOKEN, transport=httpx.MockTransport(rec), config=FAST)


def _async(rec: Recorder) -> AsyncKlearClient:
    return AsyncKlearClient(admin_user_id=ADMIN, access_token=TOKEN, transport=httpx.MockTransport(rec), config=FAST)


class TestObligations:
    def test_active_parses_centicents_as_int_and_counts_as_decimal(self) -> None:
        rec = Recorder(ok({"obligations": [OBLIGATION]}))
        with _sync(rec) as klear:
            active = klear.obligations.active()
        (entry,) = active.obligations
        assert entry.amount_centicents == -1_234_500
        assert isinstance(entry.amount_centicents, int)
        assert entry.settlement_details[0].position_quantity_fp == Decimal("1.25")
        assert entry.execution_time == datetime(2026, 11, 20, 21, tzinfo=UTC)
        assert entry.settlement_details_truncated is False
        assert rec.last.url.path == "/klear-api/v1/margin/active_obligations"

    def test_history_pages_until_the_cursor_is_absent(self) -> None:
        rec = Recorder(
            ok({"obligations": [OBLIGATION], "cursor": "c2"}),
            ok({"obligations": [{**OBLIGATION, "id": "ob-2"}], "cursor": "c3"}),
            ok({"obligations": [{**OBLIGATION, "id": "ob-3"}]}),
        )
        with _sync(rec) as klear:
            ids = [o.id for o in klear.obligations.history_all(limit=1)]
        assert ids == ["ob-1", "ob-2", "ob-3"]
        assert [_query(r) for r in rec.requests] == [
            {"limit": "1"},
            {"limit": "1", "cursor": "c2"},
            {"limit": "1", "cursor": "c3"},
        ]
        assert all(r.headers["Authorization"] == f"Bearer {ADMIN}:{TOKEN}" for r in rec.requests)

    def test_one_page_exposes_cursor_and_next_page(self) -> None:
        rec = Recorder(ok({"obligations": [OBLIGATION], "cursor": "c2"}), ok({"obligations": []}))
        with _sync(rec) as klear:
            page = klear.obligations.history(limit=1)
            assert isinstance(page, Page)
            assert page.cursor == "c2"
            assert page.has_next
            last = page.next_page()
        assert last is not None
        assert not last.has_next
        assert list(last) == []

    def test_a_repeated_cursor_stops_instead_of_looping(self) -> None:
        rec = Recorder(ok({"obligations": [OBLIGATION], "cursor": "same"}))
        with _sync(rec) as klear, pytest.raises(KalshiPaginationError):
            list(klear.obligations.history_all())
        assert len(rec.requests) <= 3

    def test_max_pages_bounds_the_walk(self) -> None:
        rec = Recorder(*(ok({"settlement_details": [], "cursor": f"c{i}"}) for i in range(10)))
        with _sync(rec) as klear:
            assert list(klear.obligations.settlement_details_all("ob-1", max_pages=2)) == []
        assert len(rec.requests) == 2

    def test_path_parameters_are_percent_encoded_and_empty_is_refused(self) -> None:
        rec = Recorder(ok({"maintenance_margin_details": []}))
        with _sync(rec) as klear:
            klear.obligations.maintenance_margin_details("ob%1?x", limit=1000)
            assert rec.last.url.raw_path.decode().startswith(
                "/klear-api/v1/margin/obligations/ob%251%3Fx/maintenance_margin_details"
            )
            for bad in ("", ".", "..", "ob/1", "ob 1"):
                with pytest.raises(KalshiRequestError):
                    klear.obligations.funding_payments(bad)
        assert len(rec.requests) == 1

    async def test_async_pages_until_the_cursor_is_absent(self) -> None:
        ca_id = "8c35ecb3-328f-4f52-8c7c-0f4b9862f8d1"
        row = {
            "id": "ca-1",
            "type": "cash",
            "ca_id": "c",
            "market_id": ca_id,
            "market_ticker": "AAPL-PERP",
            "asset_class": "Equities",
            "subtrader_id": "s1",
            "position_quantity_fp": "3.00",
            "post_position_quantity_fp": "3.00",
            "payment_amount_centicents": 1200,
            "payment_time": None,
            "settlement_execution_time": "2026-11-20T21:00:00Z",
            "created_ts": "2026-11-20T21:00:00Z",
        }
        first = ok({"corporate_action_payments": [row], "cursor": "c2"})
        last = ok({"corporate_action_payments": []})  # the final page may be empty (spec)
        rec = Recorder(first, last, first, last)
        async with _async(rec) as klear:
            page = await klear.obligations.corporate_action_payments(ca_id)
            assert isinstance(page, AsyncPage)
            assert page.cursor == "c2"
            assert (await page.next_page()) is not None
            items = [x async for x in klear.obligations.corporate_action_payments_all(ca_id)]
        assert [x.payment_amount_centicents for x in items] == [1200]
        assert items[0].payment_time is None
        assert len(rec.requests) == 4
        assert "cursor" not in _query(rec.requests[2])
        assert _query(rec.requests[3]) == {"cursor": "c2"}


class TestQueryParameters:
    def test_reports_send_iso_dates(self) -> None:
        rec = Recorder(ok({"reports": []}))
        with _sync(rec) as klear:
            klear.reports.list(start_date=date(2026, 9, 1), end_date=date(2026, 11, 1))
        assert rec.last.url.path == "/klear-api/v1/margin/reports"
        assert _query(rec.last) == {"start_date": "2026-09-01", "end_date": "2026-11-01"}

    def test_member_funding_payments_send_rfc3339_and_optional_filters(self) -> None:
        rec = Recorder(ok({"payments": []}))
        with _sync(rec) as klear:
            klear.funding.payments(funding_time=datetime(2026, 11, 20, 16, tzinfo=UTC), market_ticker="BTC-PERP")
        assert _query(rec.last) == {"funding_time": "2026-11-20T16:00:00+00:00", "market_ticker": "BTC-PERP"}

    def test_settlement_prices_are_centicent_integers(self) -> None:
        rec = Recorder(ok({"settlement_prices": {"BTC-PERP": 950_123_400}}))
        with _sync(rec) as klear:
            prices = klear.settlement.prices(asset_class="Crypto", settlement_time=datetime(2026, 11, 20, tzinfo=UTC))
        assert prices.settlement_prices == {"BTC-PERP": 950_123_400}
        assert _query(rec.last)["asset_class"] == "Crypto"

    def test_unset_optional_params_are_left_out(self) -> None:
        rec = Recorder(ok({"api_keys": []}))
        with _sync(rec) as klear:
            klear.api_keys.list()
            klear.api_keys.list(fcm_subtrader_id="acct_a1")
        assert _query(rec.requests[0]) == {}
        assert _query(rec.requests[1]) == {"fcm_subtrader_id": "acct_a1"}

    def test_withdrawal_status_by_id_parses_dollars_as_decimal(self) -> None:
        payload = {"id": "w1", "amount": "500.00", "status": "pending", "created_ts": "2026-11-20T10:00:00Z"}
        rec = Recorder(ok(payload))
        with _sync(rec) as klear:
            withdrawal = klear.settlement.withdrawal(id="w1")
        assert withdrawal.amount == Decimal("500.00")
        assert _query(rec.last) == {"id": "w1"}


class TestBodies:
    def test_withdraw_sends_dollars_as_a_string_and_is_never_retried(self) -> None:
        rec = Recorder(httpx.Response(503), ok({"id": "w1"}))
        with _sync(rec) as klear, pytest.raises(KalshiServerError):
            klear.settlement.withdraw(request=WithdrawSettlementBalanceRequest(amount=Decimal("500.00")))
        assert len(rec.requests) == 1
        assert rec.body(0) == {"amount": "500.00"}
        assert rec.last.method == "POST"
        assert rec.last.url.path == "/klear-api/v1/margin/withdraw_settlement_balance"

    def test_withdraw_timeout_says_the_write_may_have_happened(self) -> None:
        def boom(request: httpx.Request) -> httpx.Response:
            raise httpx.ReadTimeout("slow", request=request)

        rec = Recorder(boom)
        with _sync(rec) as klear, pytest.raises(KalshiTimeoutError, match="may have happened"):
            klear.settlement.withdraw(request=WithdrawSettlementBalanceRequest(amount=Decimal("1.00")))
        assert len(rec.requests) == 1

    @pytest.mark.parametrize("bad", [500.0, "500.00", 500])
    def test_withdraw_amount_must_be_decimal(self, bad: object) -> None:
        with pytest.raises(TypeError):
            WithdrawSettlementBalanceRequest(amount=bad)  # type: ignore[arg-type]

    def test_withdraw_docstring_warns_about_real_money(self) -> None:
        from kalshi_klear.resources import AsyncSettlement, Settlement

        for cls in (Settlement, AsyncSettlement):
            assert "moves real money" in (cls.withdraw.__doc__ or "")

    async def test_async_withdraw_is_not_retried(self) -> None:
        rec = Recorder(httpx.Response(502), ok({"id": "w1"}))
        async with _async(rec) as klear:
            with pytest.raises(KalshiServerError):
                await klear.settlement.withdraw(request=WithdrawSettlementBalanceRequest(amount=Decimal("2.50")))
        assert len(rec.requests) == 1

    def test_estimate_maintenance_margin_round_trip(self) -> None:
        rec = Recorder(ok({"maintenance_margin_fp": "1234.5600", "base_margin_fp": "1000.0000", "hvar_fp": "990.1"}))
        request = EstimatePortfolioMaintenanceMarginRequest(
            asset_class="Crypto",
            date=date(2026, 11, 19),
            clearing_type="FCM",
            positions=[
                EstimatePortfolioMaintenanceMarginPosition(market_ticker="BTC-PERP", quantity=-3),
                EstimatePortfolioMaintenanceMarginPosition(market_ticker="ETH-PERP", quantity=2, price=Decimal("6.8")),
            ],
        )
        with _sync(rec) as klear:
            estimate = klear.margin.estimate_maintenance_margin(request=request)
        assert estimate.maintenance_margin_fp == Decimal("1234.5600")
        assert estimate.funding_addon_fp is None
        assert rec.body() == {
            "asset_class": "Crypto",
            "date": "2026-11-19",
            "clearing_type": "FCM",
            "positions": [
                {"market_ticker": "BTC-PERP", "quantity": -3},
                {"market_ticker": "ETH-PERP", "quantity": 2, "price": "6.8"},
            ],
        }

    def test_request_models_reject_unknown_fields_and_bad_enums(self) -> None:
        with pytest.raises(ValueError):
            CreateMarginSubtraderGroupRequest(subtrader_ids=["a"], name="x")  # type: ignore[call-arg]
        with pytest.raises(ValueError):
            EstimatePortfolioMaintenanceMarginRequest(asset_class="Bonds", positions=[])  # type: ignore[arg-type]

    def test_subtrader_group_lifecycle(self) -> None:
        gid = "2f0e8a52-0000-4000-8000-000000000001"
        rec = Recorder(
            ok({"group_id": gid}),
            httpx.Response(200),
            httpx.Response(200),
            ok({"groups": [{"group_id": gid, "member_subtrader_ids": ["a", "b"]}]}),
        )
        with _sync(rec) as klear:
            created = klear.subtrader_groups.create(request=CreateMarginSubtraderGroupRequest(subtrader_ids=["a"]))
            assert created.group_id == gid
            update = UpdateMarginSubtraderGroupRequest(subtrader_ids=["a", "b"])
            assert klear.subtrader_groups.update(gid, request=update) is None  # type: ignore[func-returns-value]
            assert klear.subtrader_groups.delete(gid) is None  # type: ignore[func-returns-value]
            groups = klear.subtrader_groups.list()
        assert groups.groups[0].member_subtrader_ids == ["a", "b"]
        assert [(r.method, r.url.path) for r in rec.requests] == [
            ("POST", "/klear-api/v1/fcm/margin/subtrader_groups"),
            ("PUT", f"/klear-api/v1/fcm/margin/subtrader_groups/{gid}"),
            ("DELETE", f"/klear-api/v1/fcm/margin/subtrader_groups/{gid}"),
            ("GET", "/klear-api/v1/fcm/margin/subtrader_groups"),
        ]
        assert rec.body(1) == {"subtrader_ids": ["a", "b"]}

    async def test_api_keys_create_and_delete_204(self) -> None:
        key_id = "0b7a3a61-1111-4222-8333-444455556666"
        rec = Recorder(ok({"api_key_id": key_id, "warning": None}, status=201), httpx.Response(204))
        async with _async(rec) as klear:
            created = await klear.api_keys.create(
                request=CreateMarginFcmApiKeyRequest(name="inst", public_key="PEM", fcm_subtrader_id="acct_a1")
            )
            assert created.api_key_id == key_id
            assert await klear.api_keys.delete(key_id) is None  # type: ignore[func-returns-value]
        assert rec.requests[1].method == "DELETE"
        assert rec.requests[1].url.path == f"/klear-api/v1/fcm/margin/api_keys/{key_id}"


class TestErrors:
    @pytest.mark.parametrize(
        ("status", "error"),
        [
            (400, KalshiValidationError),
            (401, KalshiAuthError),
            (403, KalshiAuthError),
            (404, KalshiNotFoundError),
            (409, KalshiConflictError),
            (429, KalshiRateLimitError),
            (500, KalshiServerError),
            (504, KalshiTimeoutError),
        ],
    )
    def test_status_codes_map_to_typed_errors(self, status: int, error: type[KalshiAPIError]) -> None:
        body = {"code": "some_code", "message": "went wrong", "details": "more", "service": "klear"}
        rec = Recorder(ok(body, status=status))
        with (
            KlearClient(
                admin_user_id=ADMIN,
                access_token=TOKEN,
                transport=httpx.MockTransport(rec),
                config=FAST.replace(max_retries=0),
            ) as klear,
            pytest.raises(error) as info,
        ):
            klear.settlement.guaranty_fund_balance()
        assert info.value.status_code == status
        assert info.value.code == "some_code"
        assert TOKEN not in str(info.value)

    def test_get_is_retried_on_5xx_then_succeeds(self) -> None:
        payload = {"user_id": ADMIN, "amount_centicents": 0, "updated_ts": "2026-11-20T10:00:00Z"}
        rec = Recorder(httpx.Response(503), httpx.Response(429), ok(payload))
        with _sync(rec) as klear:
            assert klear.settlement.guaranty_fund_balance().amount_centicents == 0
        assert len(rec.requests) == 3

    async def test_async_error_mapping(self) -> None:
        rec = Recorder(ok({"code": "not_found", "message": "no matrices"}, status=404))
        async with _async(rec) as klear:
            with pytest.raises(KalshiNotFoundError, match="no matrices"):
                await klear.margin.maintenance_margin_metadata(asset_class="Crypto", date=date(2026, 1, 2))
        assert _query(rec.last) == {"asset_class": "Crypto", "date": "2026-01-02"}

    def test_a_malformed_body_is_a_response_error_that_keeps_the_bytes(self) -> None:
        rec = Recorder(httpx.Response(200, content=b"<html>oops</html>"))
        with _sync(rec) as klear, pytest.raises(KalshiResponseError) as info:
            klear.funding.schedule(asset_class="Crypto")
        assert info.value.body == b"<html>oops</html>"

    def test_unknown_response_fields_are_kept(self) -> None:
        rec = Recorder(ok({"schedule": "0 */8 * * *", "timezone": "America/New_York"}))
        with _sync(rec) as klear:
            schedule = klear.funding.schedule(asset_class="Crypto")
        assert schedule.schedule == "0 */8 * * *"
        assert schedule.model_extra == {"timezone": "America/New_York"}


def test_raw_response_gives_status_and_headers() -> None:
    rec = Recorder(httpx.Response(200, json={"reports": []}, headers={"x-request-id": "r-1"}))
    with _sync(rec) as klear:
        raw = klear.reports.with_raw_response.list(start_date=date(2026, 1, 1), end_date=date(2026, 1, 2))
    assert raw.status_code == 200
    assert raw.headers["x-request-id"] == "r-1"
    assert raw.parse().reports == []


def test_base_url_is_klear_not_trade_api() -> None:
    rec = Recorder(ok({"groups": []}))
    with _sync(rec) as klear:
        klear.subtrader_groups.list()
    assert str(rec.last.url) == f"{BASE}/fcm/margin/subtrader_groups"
    assert "/trade-api/" not in str(rec.last.url)
