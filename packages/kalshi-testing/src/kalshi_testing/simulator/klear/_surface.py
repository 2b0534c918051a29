"""`KlearSurface`: the 28 operations of specs/perps_scm_openapi.yaml under `/klear-api/v1`, Bearer token checked."""

from __future__ import annotations

import hmac
import logging
import secrets
import uuid
from collections.abc import Awaitable, Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar

from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from kalshi_testing._errors import SimulatorError
from kalshi_testing.simulator import _format as fmt
from kalshi_testing.simulator._state import ExchangeError
from kalshi_testing.simulator._surfaces import ENV_NAMES, Surface
from kalshi_testing.simulator.perps._surface import perps_surface

from ._estimates import EstimateRoutes
from ._ledger import KLEAR, Ledger, centicents
from ._request import Body, error, page, query, query_date, reply

if TYPE_CHECKING:
    from kalshi_testing.simulator._simulator import KalshiExchangeSimulator

__all__ = ["KLEAR_PREFIX", "KlearSurface", "klear_surface"]

KLEAR_PREFIX = "/klear-api/v1"
_log = logging.getLogger("kalshi.testing")
Route = Callable[[web.Request], Awaitable[Body]]


class KlearSurface(EstimateRoutes, Surface):
    """Klear for the simulator's one clearing member; its data comes from the perps engine's accounts.

    `admin_user_id` and `access_token` are the credentials (`Authorization: Bearer <id>:<token>`).
    """

    name: ClassVar[str] = "klear"

    def __init__(self, simulator: KalshiExchangeSimulator) -> None:
        super().__init__(simulator)
        self.admin_user_id = "sim-klear-admin"
        self.access_token = secrets.token_urlsafe(24)
        self._ledger: Ledger | None = None

    @property
    def ledger(self) -> Ledger:
        """The member's books over the simulator's perps engine (built on first use)."""
        if self._ledger is None:
            self._ledger = Ledger(perps_surface(self.simulator).engine, self.simulator.clock)
        return self._ledger

    def __repr__(self) -> str:
        return f"KlearSurface(admin_user_id={self.admin_user_id!r}, access_token='***')"

    def env(self) -> dict[str, str]:
        """`KALSHI_KLEAR_API_BASE_URL` and the Klear credentials (the variables `KlearClient.from_env` reads)."""
        return {
            ENV_NAMES["klear"]: self.simulator.base_url + KLEAR_PREFIX,
            "KALSHI_KLEAR_ADMIN_USER_ID": self.admin_user_id,
            "KALSHI_KLEAR_ACCESS_TOKEN": self.access_token,
        }

    def install(self, app: web.Application) -> None:
        """Add the 28 Klear routes."""
        routes: list[tuple[str, str, Route, int]] = [
            ("GET", "/margin/reports", self.reports, 200),
            ("GET", "/margin/active_obligations", self.active_obligations, 200),
            ("GET", "/margin/obligation_history", self.obligation_history, 200),
            ("GET", "/margin/obligations/{obligation_id}/settlement_details", self.settlement_details, 200),
            ("GET", "/margin/obligations/{obligation_id}/funding_payments", self.obligation_funding, 200),
            ("GET", "/margin/obligations/{obligation_id}/corporate_action_payments", self.ca_payments, 200),
            ("GET", "/margin/obligations/{obligation_id}/maintenance_margin_details", self.mm_details, 200),
            ("GET", "/margin/funding_payments", self.member_funding, 200),
            ("GET", "/margin/large_trader_positions", self.large_trader_positions, 200),
            ("POST", "/margin/estimate_maintenance_margin", self.estimate_mm, 200),
            ("GET", "/margin/estimate_maintenance_margin/metadata", self.mm_metadata, 200),
            ("GET", "/margin/settlement_estimate_by_asset_class", self.settlement_estimate, 200),
            ("GET", "/margin/funding_estimate_by_asset_class", self.funding_estimate, 200),
            ("GET", "/margin/funding_schedule", self.funding_schedule, 200),
            ("GET", "/margin/settlement_prices", self.settlement_prices, 200),
            ("GET", "/margin/settlement_balance", self.settlement_balance, 200),
            ("GET", "/margin/guaranty_fund_balance", self.guaranty_fund, 200),
            ("GET", "/margin/settlement_balance_history", self.balance_history, 200),
            ("POST", "/margin/withdraw_settlement_balance", self.withdraw, 200),
            ("GET", "/margin/settlement_balance_withdrawal", self.withdrawal, 200),
            ("GET", "/fcm/margin/subtrader_groups", self.groups_list, 200),
            ("POST", "/fcm/margin/subtrader_groups", self.group_create, 200),
            ("PUT", "/fcm/margin/subtrader_groups/{group_id}", self.group_update, 200),
            ("DELETE", "/fcm/margin/subtrader_groups/{group_id}", self.group_delete, 200),
            ("POST", "/fcm/margin/api_keys", self.key_create, 201),
            ("GET", "/fcm/margin/api_keys", self.keys_list, 200),
            ("POST", "/fcm/margin/api_keys/generate", self.key_generate, 201),
            ("DELETE", "/fcm/margin/api_keys/{api_key_id}", self.key_delete, 204),
        ]
        for method, path, handler, status in routes:
            app.router.add_route(method, KLEAR_PREFIX + path, self._wrap(handler, status))

    def _wrap(self, fn: Route, status: int) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
        async def handler(request: web.Request) -> web.StreamResponse:
            if not self._authorized(request.headers.get("Authorization", "")):
                return error(401, "unauthorized", "missing or invalid bearer token")
            try:
                perps_surface(self.simulator).engine.tick()
                self.ledger.process()
                return reply(await fn(request), status)
            except ExchangeError as exc:
                return error(exc.status, exc.code, exc.message)
            except Exception:  # a simulator bug: answer 500, keep serving, and say where
                _log.exception("simulator: unhandled error serving %s %s", request.method, request.path)
                return error(500, "internal_server_error", "internal server error")

        return handler

    def _authorized(self, header: str) -> bool:
        expected = f"Bearer {self.admin_user_id}:{self.access_token}"
        return hmac.compare_digest(header.encode(), expected.encode())

    @staticmethod
    async def _body(request: web.Request) -> Any:
        try:
            return await request.json() if request.body_exists else {}
        except ValueError:
            raise ExchangeError(400, "invalid_parameters", "the request body is not valid JSON") from None

    # --- reports and obligations ---------------------------------------------------------------

    async def reports(self, request: web.Request) -> Body:
        start, end = query_date(request, "start_date"), query_date(request, "end_date")
        if end < start or (end - start).days > 90:
            raise ExchangeError(400, "invalid_parameters", "end_date must be on or after start_date, within 90 days")
        reports = []
        for offset in range((end - start).days + 1):
            day = (start + timedelta(days=offset)).isoformat()
            for kind in ("daily_statement", "funding_periods", "settlement_periods"):
                reports.append(
                    KLEAR.rest(
                        "MarginReport",
                        report_type=kind,
                        url=f"{self.simulator.base_url}{KLEAR_PREFIX}/reports/{day}/{kind}.csv",
                        date=day,
                        created_ts=f"{day}T23:00:00Z",
                        is_end_of_day=True,
                    )
                )
        return KLEAR.rest("GetMarginReportsResponse", reports=reports)

    async def active_obligations(self, request: web.Request) -> Body:
        obligations = [self.ledger.obligation(c) for c in self.ledger.asset_classes()]
        return KLEAR.rest("GetActiveMarginObligationsResponse", obligations=obligations)

    async def obligation_history(self, request: web.Request) -> Body:
        executed = list(reversed(self.ledger.past))  # newest first
        return page(executed, request, "klear_obligations", "obligations", "GetObligationHistoryResponse")

    def _obligation(self, request: web.Request) -> dict[str, Any]:
        return self.ledger.find_obligation(request.match_info["obligation_id"])

    async def settlement_details(self, request: web.Request) -> Body:
        rows = self._obligation(request)["settlement_details"]
        return page(rows, request, "klear_details", "settlement_details", "GetObligationSettlementDetailsResponse")

    async def obligation_funding(self, request: web.Request) -> Body:
        rows = self._obligation(request)["funding_payments"]
        return page(rows, request, "klear_details", "funding_payments", "GetObligationFundingPaymentsResponse")

    async def ca_payments(self, request: web.Request) -> Body:
        try:
            uuid.UUID(request.match_info["obligation_id"])
        except ValueError:
            raise ExchangeError(400, "invalid_parameters", "obligation_id must be a UUID", "obligation_id") from None
        self._obligation(request)
        return page(
            [], request, "klear_details", "corporate_action_payments", "GetObligationCorporateActionPaymentsResponse"
        )

    async def mm_details(self, request: web.Request) -> Body:
        rows = self._obligation(request)["maintenance_margin_details"]
        schema = "GetObligationMaintenanceMarginDetailsResponse"
        return page(rows, request, "klear_details", "maintenance_margin_details", schema)

    async def member_funding(self, request: web.Request) -> Body:
        raw = query(request, "funding_time")
        try:
            wanted = datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise ExchangeError(400, "invalid_parameters", "funding_time must be a date-time", "funding_time") from None
        ticker = request.query.get("market_ticker")
        settle = fmt.rfc3339(self.ledger.next_settle_ms)
        rows = [
            KLEAR.rest("MemberFundingPayment", settlement_execution_time=settle, **row)
            for row in self.ledger.funding_payments(unsettled=False)
            if datetime.fromisoformat(row["funding_time"].replace("Z", "+00:00")) == wanted
            and ticker in (None, "", row["market_ticker"])
        ]
        return page(rows, request, "klear_funding", "payments", "GetMemberFundingPaymentsResponse")

    async def large_trader_positions(self, request: web.Request) -> Body:
        day = request.query.get("report_date") or date.fromtimestamp(self.simulator.clock() / 1000).isoformat()
        totals: dict[str, Decimal] = {}
        for account in self.ledger.engine.accounts.values():
            for pos in account.positions.values():
                totals[pos.ticker] = totals.get(pos.ticker, Decimal(0)) + pos.position
        threshold = 25
        positions = [
            {"market_ticker": t, "position": int(q), "exit_day": False, "reportable_threshold": threshold}
            for t, q in sorted(totals.items())
            if abs(q) >= threshold
        ]
        return KLEAR.rest(
            "GetLargeTraderPositionsResponse", user_id=self.ledger.member_id, report_date=day, positions=positions
        )

    # --- settlement balance --------------------------------------------------------------------

    async def settlement_balance(self, request: web.Request) -> Body:
        available, locked = self.ledger.balances()
        return KLEAR.rest(
            "GetSettlementBalanceResponse",
            user_id=self.ledger.member_id,
            balance_available_centicents=centicents(available),
            locked_balance_centicents=centicents(locked),
        )

    async def guaranty_fund(self, request: web.Request) -> Body:
        return KLEAR.rest(
            "GetGuarantyFundBalanceResponse",
            user_id=self.ledger.member_id,
            amount_centicents=centicents(self.ledger.guaranty_fund),
            updated_ts=fmt.rfc3339(self.ledger.started_ms),
        )

    async def balance_history(self, request: web.Request) -> Body:
        entries = list(reversed(self.ledger.history))
        return page(entries, request, "klear_balance_history", "entries", "GetSettlementBalanceHistoryResponse")

    async def withdraw(self, request: web.Request) -> Body:
        return self.ledger.withdraw(await self._body(request))

    async def withdrawal(self, request: web.Request) -> Body:
        return self.ledger.withdrawal(query(request, "id"))

    # --- FCM subtrader groups and API keys -----------------------------------------------------

    def _subtraders(self, body: Any, schema: str) -> list[str]:
        if (
            not isinstance(body, dict)
            or KLEAR.missing_required(schema, body)
            or not isinstance(body["subtrader_ids"], list)
        ):
            raise ExchangeError(400, "invalid_parameters", "subtrader_ids (an array) is required", "subtrader_ids")
        return [str(s) for s in body["subtrader_ids"]]

    async def groups_list(self, request: web.Request) -> Body:
        groups = [
            KLEAR.rest("MarginSubtraderGroup", group_id=g, member_subtrader_ids=ids)
            for g, ids in self.ledger.groups.items()
        ]
        return KLEAR.rest("GetMarginSubtraderGroupsResponse", groups=groups)

    async def group_create(self, request: web.Request) -> Body:
        ids = self._subtraders(await self._body(request), "CreateMarginSubtraderGroupRequest")
        group_id = str(uuid.uuid4())
        self.ledger.groups[group_id] = ids
        return KLEAR.rest("CreateMarginSubtraderGroupResponse", group_id=group_id)

    def _group(self, request: web.Request) -> str:
        group_id = request.match_info["group_id"]
        try:
            uuid.UUID(group_id)
        except ValueError:
            raise ExchangeError(400, "invalid_parameters", "group_id must be a UUID", "group_id") from None
        if group_id not in self.ledger.groups:
            raise ExchangeError(404, "not_found", f"subtrader group {group_id} not found")
        return group_id

    async def group_update(self, request: web.Request) -> Body:
        group_id = self._group(request)
        self.ledger.groups[group_id] = self._subtraders(await self._body(request), "UpdateMarginSubtraderGroupRequest")
        return {}

    async def group_delete(self, request: web.Request) -> Body:
        del self.ledger.groups[self._group(request)]
        return {}

    def _register(self, name: str, subtrader_id: str, public_pem: bytes) -> str:
        key_id = str(uuid.uuid4())
        user_id = subtrader_id.split(":", 1)[0]
        try:
            self.simulator.keys.register(key_id, user_id, public_pem)
        except SimulatorError as exc:
            raise ExchangeError(400, "invalid_parameters", str(exc), "public_key") from None
        self.ledger.api_keys[key_id] = KLEAR.rest(
            "MarginFcmApiKey", api_key_id=key_id, name=name, fcm_subtrader_id=subtrader_id
        )
        return key_id

    async def key_create(self, request: web.Request) -> Body:
        body = await self._body(request)
        if not isinstance(body, dict) or KLEAR.missing_required("CreateMarginFcmApiKeyRequest", body):
            raise ExchangeError(400, "invalid_parameters", "name, public_key and fcm_subtrader_id are required")
        key_id = self._register(str(body["name"]), str(body["fcm_subtrader_id"]), str(body["public_key"]).encode())
        return KLEAR.rest("CreateMarginFcmApiKeyResponse", api_key_id=key_id)

    async def keys_list(self, request: web.Request) -> Body:
        wanted = request.query.get("fcm_subtrader_id")
        keys = [k for k in self.ledger.api_keys.values() if wanted in (None, "", k["fcm_subtrader_id"])]
        return KLEAR.rest("ListMarginFcmApiKeysResponse", api_keys=keys)

    async def key_generate(self, request: web.Request) -> Body:
        body = await self._body(request)
        if not isinstance(body, dict) or KLEAR.missing_required("GenerateMarginFcmApiKeyRequest", body):
            raise ExchangeError(400, "invalid_parameters", "name and fcm_subtrader_id are required")
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        public = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        key_id = self._register(str(body["name"]), str(body["fcm_subtrader_id"]), public)
        private = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption()
        )
        return KLEAR.rest("GenerateMarginFcmApiKeyResponse", api_key_id=key_id, private_key=private.decode())

    async def key_delete(self, request: web.Request) -> Body:
        key_id = request.match_info["api_key_id"]
        if self.ledger.api_keys.pop(key_id, None) is None:
            raise ExchangeError(404, "not_found", f"API key {key_id} not found")
        self.simulator.keys.revoke(key_id)
        return None


def klear_surface(simulator: KalshiExchangeSimulator) -> KlearSurface:
    """The simulator's Klear surface (every simulator has one)."""
    for surface in simulator.surfaces:
        if isinstance(surface, KlearSurface):
            return surface
    raise LookupError("this simulator serves no Klear surface")
