"""Extra headers: no auth header in any case, no header line twice, JSON content type wins, frozen config."""

from __future__ import annotations

import functools
from decimal import Decimal

import httpx
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from kalshi_auth import KalshiAuth, KalshiConfig, KalshiConfigError
from kalshi_rest import KalshiClient, KalshiRequestError, RequestOptions
from kalshi_rest.models import CreateOrderGroupRequest


@functools.cache
def _auth() -> KalshiAuth:
    return KalshiAuth("key-id", rsa.generate_private_key(public_exponent=65537, key_size=2048))


def _client(sent: list[httpx.Request], **config: object) -> KalshiClient:
    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        return httpx.Response(200, json={"markets": [], "cursor": "", "order_group_id": "og", "subaccount": 0})

    return KalshiClient(auth=_auth(), config=KalshiConfig(**config), transport=httpx.MockTransport(handler))  # type: ignore[arg-type]


def _lines(request: httpx.Request, name: str) -> list[str]:
    return [v.decode() for k, v in request.headers.raw if k.decode().lower() == name.lower()]


def test_a_header_differing_only_in_case_is_sent_once() -> None:
    sent: list[httpx.Request] = []
    with _client(sent, extra_headers={"accept": "application/x-test", "user-agent": "bot/1"}) as client:
        client.markets.list(options=RequestOptions(extra_headers={"USER-AGENT": "bot/2", "x-trace": "t1"}))
    (request,) = sent
    assert _lines(request, "Accept") == ["application/x-test"]
    assert _lines(request, "User-Agent") == ["bot/2"]
    assert _lines(request, "X-Trace") == ["t1"]


def test_the_json_content_type_wins() -> None:
    sent: list[httpx.Request] = []
    with _client(sent, extra_headers={"content-type": "text/plain"}) as client:
        client.order_groups.create(
            request=CreateOrderGroupRequest(contracts_limit_fp=Decimal(5)),
            options=RequestOptions(extra_headers={"CONTENT-TYPE": "text/xml"}),
        )
    assert _lines(sent[0], "Content-Type") == ["application/json"]


@pytest.mark.parametrize(
    "name", ["kalshi-access-signature", "Kalshi-Access-Key", "KALSHI-ACCESS-ANYTHING", "authorization"]
)
def test_auth_headers_in_any_case_are_refused(name: str) -> None:
    sent: list[httpx.Request] = []
    with pytest.raises(KalshiConfigError, match=name):
        _client(sent, extra_headers={name: "x"})
    with _client(sent) as client, pytest.raises(KalshiRequestError, match=name):
        client.markets.list(options=RequestOptions(extra_headers={name: "x"}))
    assert sent == []


def test_config_headers_cannot_change_after_construction() -> None:
    sent: list[httpx.Request] = []
    headers = {"X-App": "bot"}
    with _client(sent, extra_headers=headers) as client:
        headers["X-App"] = "changed"
        headers["X-Evil"] = "1"
        client.markets.list()
    assert _lines(sent[0], "X-App") == ["bot"] and _lines(sent[0], "X-Evil") == []
