"""REST routes for account settings: API keys, usage level, netting, cross-instance transfers, FCM.

API keys are real: a key created or generated here signs requests as its user, and a deleted one
stops working. FCM operations need an FCM account (`Exchange.fcm_users`); others get 403
(openapi.yaml, fcm tag).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from aiohttp import web
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa

from kalshi_testing._errors import SimulatorError

from . import _format as fmt
from ._exchange import ExchangeError
from ._http import USER, RouteBase, answer, int_query, operation_body
from ._matching import BookSide, OrderStatus
from ._pagination import paginate
from ._shapes import rest
from ._state import ONE, ZERO

__all__ = ["AccountRoutes"]

_CENTICENTS = Decimal(10_000)


class AccountRoutes(RouteBase):
    """Account settings and FCM views."""

    OPERATIONS: ClassVar[dict[str, str]] = {
        "GetApiKeys": "api_keys_list",
        "CreateApiKey": "api_key_create",
        "GenerateApiKey": "api_key_generate",
        "DeleteApiKey": "api_key_delete",
        "UpgradeAccountApiUsageLevel": "usage_upgrade",
        "GetAccountApiUsageLevelVolumeProgress": "usage_progress",
        "GetSubaccountNetting": "netting_get",
        "UpdateSubaccountNetting": "netting_put",
        "IntraExchangeInstanceTransfer": "instance_transfer",
        "GetIntraExchangeInstanceTransfers": "instance_transfers",
        "GetIntraExchangeInstanceTransfer": "instance_transfer_one",
        "GetTargetBalanceAllocation": "allocation_get",
        "SetTargetBalanceAllocation": "allocation_set",
        "GetPortfolioRestingOrderTotalValue": "resting_value",
        "ListFCMSubtraders": "fcm_subtraders",
        "CreateFCMSubtrader": "fcm_subtrader_create",
        "GetFCMEventContractDailyCap": "fcm_cap_get",
        "UpdateFCMEventContractDailyCap": "fcm_cap_put",
        "DeleteFCMEventContractDailyCap": "fcm_cap_delete",
        "GetFCMSubtraderBlockedCategories": "fcm_blocked_get",
        "UpdateFCMSubtraderBlockedCategories": "fcm_blocked_put",
        "GetFCMOrders": "fcm_orders",
        "GetFCMFills": "fcm_fills",
        "GetFCMPositions": "fcm_positions",
        "CreateFCMPositionTransfer": "fcm_position_transfer",
    }

    # --- API keys ------------------------------------------------------------------------------

    def _add_key(self, body: dict[str, Any], public_pem: bytes) -> str:
        key_id = self.exchange._next_id()
        try:
            self.keys.register(key_id, USER.get(), public_pem)
        except SimulatorError as exc:
            raise ExchangeError(400, "invalid_parameters", str(exc), "public_key") from None
        obj = rest(
            "ApiKey",
            api_key_id=key_id,
            name=body["name"],
            scopes=list(body.get("scopes") or ["read", "write"]),
            subaccount=body.get("subaccount"),
            fcm_subtrader_id=body.get("fcm_subtrader_id"),
        )
        self.exchange.add_record("api_key", USER.get(), obj, key_id)
        return key_id

    async def api_keys_list(self, request: web.Request) -> web.Response:
        """GetApiKeys: keys created through the API (keys registered by tests are not listed)."""
        keys = [r.obj for r in self.exchange.records_of("api_key") if r.owner == USER.get()]
        return answer("GetApiKeys", api_keys=keys)

    async def api_key_create(self, request: web.Request) -> web.Response:
        """CreateApiKey -> 201: register your own public key."""
        body = await operation_body(request, "CreateApiKey")
        return answer("CreateApiKey", api_key_id=self._add_key(body, str(body["public_key"]).encode()))

    async def api_key_generate(self, request: web.Request) -> web.Response:
        """GenerateApiKey -> 201 with the PEM private key (RSA unless key_type is ed25519)."""
        body = await operation_body(request, "GenerateApiKey")
        kind = body.get("key_type") or "rsa"
        if kind not in ("rsa", "ed25519"):
            raise ExchangeError(400, "invalid_parameters", "key_type must be rsa or ed25519", "key_type")
        key = ed25519.Ed25519PrivateKey.generate() if kind == "ed25519" else rsa.generate_private_key(65537, 2048)
        private = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        public = key.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        key_id = self._add_key(body, public)
        return answer("GenerateApiKey", api_key_id=key_id, key_type=kind, private_key=private.decode())

    async def api_key_delete(self, request: web.Request) -> web.Response:
        """DeleteApiKey -> 204; the key stops verifying at once."""
        record = self.exchange.record("api_key", request.match_info["api_key"], USER.get())
        del self.exchange.records["api_key"][record.record_id]
        self.keys.revoke(record.record_id)
        return answer("DeleteApiKey")

    async def usage_upgrade(self, request: web.Request) -> web.Response:
        """UpgradeAccountApiUsageLevel -> 201 (no body in the spec)."""
        return answer("UpgradeAccountApiUsageLevel")

    async def usage_progress(self, request: web.Request) -> web.Response:
        """GetAccountApiUsageLevelVolumeProgress: traded volume over the simulator's life."""
        volume = sum(
            (p.volume for (u, _), a in self.exchange.accounts.items() if u == USER.get() for p in a.positions.values()),
            ZERO,
        )
        progress = rest(
            "AccountApiUsageLevelVolumeProgress",
            computed_ts=self.clock() // 1000,
            trailing_30d_volume_fp=fmt.count(volume),
        )
        return answer("GetAccountApiUsageLevelVolumeProgress", volume_progress=[progress])

    # --- netting, transfers, allocation --------------------------------------------------------

    async def netting_get(self, request: web.Request) -> web.Response:
        """GetSubaccountNetting: one config per subaccount (netting on unless turned off)."""
        user = USER.get()
        configs = [
            rest("SubaccountNettingConfig", subaccount_number=s, enabled=a.netting, exchange_index=0)
            for (u, s), a in sorted(self.exchange.accounts.items())
            if u == user
        ]
        return answer("GetSubaccountNetting", netting_configs=configs)

    async def netting_put(self, request: web.Request) -> web.Response:
        """UpdateSubaccountNetting (an existing subaccount; `enabled` a boolean)."""
        body = await operation_body(request, "UpdateSubaccountNetting")
        key = (USER.get(), body["subaccount_number"])
        if key not in self.exchange.accounts or not isinstance(body["enabled"], bool):
            raise ExchangeError(400, "invalid_parameters", "an existing subaccount_number and a boolean enabled")
        self.exchange.accounts[key].netting = body["enabled"]
        return answer("UpdateSubaccountNetting")

    async def instance_transfer(self, request: web.Request) -> web.Response:
        """IntraExchangeInstanceTransfer: `amount` centicents between event_contract and margined cash."""
        body = await operation_body(request, "IntraExchangeInstanceTransfer")
        user = USER.get()
        source, target, amount = body["source"], body["destination"], body["amount"]
        if {source, target} != {"event_contract", "margined"} or not isinstance(amount, int) or amount <= 0:
            raise ExchangeError(
                400, "invalid_parameters", "source and destination differ; amount is positive centicents"
            )
        client_id = body.get("client_transfer_id")
        if client_id and any(r.obj.get("client_transfer_id") == client_id for r in self._transfers()):
            raise ExchangeError(409, "duplicate_client_transfer_id", "client_transfer_id was already used")
        dollars = Decimal(amount) / _CENTICENTS
        account = self.exchange.account(user, 0)
        margined = self.exchange.margined_cash.get(user, ZERO)
        available = account.balance - account.reserved if source == "event_contract" else margined
        if available < dollars:
            raise ExchangeError(400, "insufficient_balance", "insufficient balance in the source instance")
        sign = -1 if source == "event_contract" else 1
        account.balance += sign * dollars
        self.exchange.margined_cash[user] = margined - sign * dollars
        record = self.exchange.add_record("instance_transfer", user, {})
        record.obj = rest(
            "IntraExchangeInstanceTransfer",
            transfer_id=record.record_id,
            client_transfer_id=client_id,
            source=source,
            destination=target,
            source_exchange_shard=body.get("source_exchange_shard") or 0,
            destination_exchange_shard=body.get("destination_exchange_shard") or 0,
            amount=fmt.dollars(dollars),
            status="complete",
            created_ts=self.clock() // 1000,
        )
        return answer("IntraExchangeInstanceTransfer", transfer_id=record.record_id)

    def _transfers(self) -> list[Any]:
        return [r for r in self.exchange.records_of("instance_transfer") if r.owner == USER.get()]

    async def instance_transfers(self, request: web.Request) -> web.Response:
        """GetIntraExchangeInstanceTransfers: newest first."""
        page, cursor = paginate(list(reversed(self._transfers())), request.query, "transfers")
        return answer("GetIntraExchangeInstanceTransfers", transfers=[r.obj for r in page], cursor=cursor)

    async def instance_transfer_one(self, request: web.Request) -> web.Response:
        """GetIntraExchangeInstanceTransfer."""
        record = self.exchange.record("instance_transfer", request.match_info["transfer_id"], USER.get())
        return answer("GetIntraExchangeInstanceTransfer", transfer=record.obj)

    async def allocation_get(self, request: web.Request) -> web.Response:
        """GetTargetBalanceAllocation: 100% on exchange index 0 until set."""
        stored = self.exchange.allocations.get(USER.get())
        if stored is None:
            stored = {"allocations": [rest("TargetBalanceAllocation", exchange_index=0, percent=100)]}
        return answer("GetTargetBalanceAllocation", resting_margin_reservation="none", **stored)

    async def allocation_set(self, request: web.Request) -> web.Response:
        """SetTargetBalanceAllocation: percents must add up to 100."""
        body = await operation_body(request, "SetTargetBalanceAllocation")
        items = body["allocations"]
        if not isinstance(items, list) or sum(int(a.get("percent", 0)) for a in items if isinstance(a, dict)) != 100:
            raise ExchangeError(400, "invalid_parameters", "allocations must add up to 100 percent", "allocations")
        self.exchange.allocations[USER.get()] = {k: v for k, v in body.items() if v is not None}
        return answer("SetTargetBalanceAllocation")

    async def resting_value(self, request: web.Request) -> web.Response:
        """GetPortfolioRestingOrderTotalValue: the cash resting orders hold, in cents.

        FCM accounts only: realistic mode answers others 403 as the exchange does (observed; the spec
        declares no 403 here).
        """
        user = self._fcm() if self.realism.enabled else USER.get()
        total = ZERO
        for order in self.exchange.orders.values():
            if order.meta["user_id"] == user and order.status is OrderStatus.RESTING:
                total += order.remaining * (order.price if order.side is BookSide.BID else ONE - order.price)
        breakdown = [rest("IndexedBalance", exchange_index=0, balance=fmt.dollars(total))]
        return answer(
            "GetPortfolioRestingOrderTotalValue",
            total_resting_order_value=int(total * 100),
            resting_order_value_breakdown=breakdown,
        )

    # --- FCM -----------------------------------------------------------------------------------

    def _fcm(self) -> str:
        user = USER.get()
        if user not in self.exchange.fcm_users:
            raise ExchangeError(403, "forbidden", "this endpoint is for FCM accounts")
        return user

    def _subtrader(self, subtrader_id: Any) -> Any:
        return self.exchange.record("fcm_subtrader", str(subtrader_id), self._fcm())

    async def fcm_subtraders(self, request: web.Request) -> web.Response:
        """ListFCMSubtraders."""
        user = self._fcm()
        items = [r.obj for r in self.exchange.records_of("fcm_subtrader") if r.owner == user]
        return answer("ListFCMSubtraders", subtraders=items)

    async def fcm_subtrader_create(self, request: web.Request) -> web.Response:
        """CreateFCMSubtrader -> 201."""
        user = self._fcm()
        body = await operation_body(request, "CreateFCMSubtrader")
        subtrader_id = f"{user}-{body['subtrader_suffix']}"
        if subtrader_id in self.exchange.records.get("fcm_subtrader", {}):
            raise ExchangeError(409, "conflict", "subtrader already exists")
        obj = rest(
            "FCMSubtrader",
            subtrader_id=subtrader_id,
            exchange_indices=[0],
            trading_blocked=False,
            fcm_trading_blocked=False,
            propagation_pending=False,
        )
        self.exchange.add_record("fcm_subtrader", user, obj, subtrader_id)
        return answer("CreateFCMSubtrader", subtrader_id=subtrader_id)

    async def fcm_cap_get(self, request: web.Request) -> web.Response:
        """GetFCMEventContractDailyCap."""
        record = self._subtrader(request.query.get("subtrader_id"))
        cap = self.exchange.record("fcm_cap", record.record_id)
        return answer(
            "GetFCMEventContractDailyCap",
            subtrader_id=record.record_id,
            limit=cap.obj["limit"],
            cap_date=fmt.rfc3339(self.clock())[:10],
        )

    async def fcm_cap_put(self, request: web.Request) -> web.Response:
        """UpdateFCMEventContractDailyCap."""
        body = await operation_body(request, "UpdateFCMEventContractDailyCap")
        record = self._subtrader(body["subtrader_id"])
        try:
            limit = fmt.dollars(fmt.parse_amount(body["limit"]))
        except ValueError as exc:
            raise ExchangeError(400, "invalid_parameters", str(exc), "limit") from None
        self.exchange.add_record("fcm_cap", record.owner, {"limit": limit}, record.record_id)
        return answer("UpdateFCMEventContractDailyCap")

    async def fcm_cap_delete(self, request: web.Request) -> web.Response:
        """DeleteFCMEventContractDailyCap."""
        record = self._subtrader(request.query.get("subtrader_id"))
        self.exchange.record("fcm_cap", record.record_id)
        del self.exchange.records["fcm_cap"][record.record_id]
        return answer("DeleteFCMEventContractDailyCap")

    async def fcm_blocked_get(self, request: web.Request) -> web.Response:
        """GetFCMSubtraderBlockedCategories."""
        record = self._subtrader(request.query.get("subtrader_id"))
        blocked = self.exchange.records.get("fcm_blocked", {}).get(record.record_id)
        return answer("GetFCMSubtraderBlockedCategories", categories=blocked.obj["categories"] if blocked else [])

    async def fcm_blocked_put(self, request: web.Request) -> web.Response:
        """UpdateFCMSubtraderBlockedCategories: block or unblock one category; answers the blocked set."""
        body = await operation_body(request, "UpdateFCMSubtraderBlockedCategories")
        record = self._subtrader(body["subtrader_id"])
        known = self.exchange.records.get("fcm_blocked", {}).get(record.record_id)
        blocked = set(known.obj["categories"] if known else ())
        (blocked.add if body["blocked"] else blocked.discard)(str(body["category"]))
        self.exchange.add_record("fcm_blocked", record.owner, {"categories": sorted(blocked)}, record.record_id)
        return answer("UpdateFCMSubtraderBlockedCategories", categories=sorted(blocked))

    async def fcm_orders(self, request: web.Request) -> web.Response:
        """GetFCMOrders: the FCM account's orders (subtraders trade as the FCM in the simulator)."""
        user = self._fcm()
        orders = [o for o in self.exchange.orders.values() if o.meta["user_id"] == user]
        orders.sort(key=lambda o: (o.meta["created_ms"], o.order_id), reverse=True)
        page, cursor = paginate(orders, request.query, "orders")
        return answer("GetFCMOrders", orders=[self.exchange.order_view(o) for o in page], cursor=cursor)

    async def fcm_fills(self, request: web.Request) -> web.Response:
        """GetFCMFills."""
        user = self._fcm()
        fills = [f for (u, _), a in self.exchange.accounts.items() if u == user for f in a.fills]
        page, cursor = paginate(list(reversed(fills)), request.query, "fills")
        return answer("GetFCMFills", fills=page, cursor=cursor)

    async def fcm_positions(self, request: web.Request) -> web.Response:
        """GetFCMPositions."""
        user = self._fcm()
        sub = int_query(request.query, "subaccount") or 0
        positions = [p for p in self.exchange.account(user, sub).positions.values() if p.position != 0]
        page, cursor = paginate(positions, request.query, "positions")
        views = [self.exchange.position_view(p) for p in page]
        return answer("GetFCMPositions", market_positions=views, event_positions=[], cursor=cursor)

    async def fcm_position_transfer(self, request: web.Request) -> web.Response:
        """CreateFCMPositionTransfer: not enabled for the simulated FCM (400, as until Kalshi enables it)."""
        self._fcm()
        await operation_body(request, "CreateFCMPositionTransfer")
        raise ExchangeError(400, "not_enabled", "position transfers are not enabled for this FCM")
