"""Both clients end to end through `httpx.MockTransport`: every test runs on the sync and the async face."""

from __future__ import annotations

import json
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from rest_support import (
    BATCH,
    DELETE_ITEM,
    GET_ITEM,
    PRIVATE_GET,
    RESET_ITEMS,
    BatchRequest,
    CreateItemRequest,
    Server,
    close,
    item_json,
    json_response,
    make_client,
    resolve,
)

from kalshi_auth import DEMO, AuthRequiredError, KalshiAuth, KalshiConfig, KalshiConfigError, KalshiConnectionError
from kalshi_rest import (
    APIResponse,
    AsyncKalshiClient,
    KalshiClient,
    KalshiNotFoundError,
    KalshiRateLimitError,
    KalshiResponseError,
    KalshiServerError,
    KalshiTimeoutError,
    KalshiValidationError,
    RequestOptions,
)

pytestmark = pytest.mark.parametrize("face", ["sync", "async"])


def ok_item(ticker: str = "KXTEST-1") -> httpx.Response:
    return json_response(200, {"item": item_json(ticker)})


async def test_signed_request_verifies_with_public_key(face: str, server: Server, auth: KalshiAuth) -> None:
    server.script = [ok_item()]
    client = make_client(face, server, auth=auth)
    result = await resolve(client.items.get("KXTEST-1"))
    assert result.item.price_dollars == Decimal("0.5600")
    assert server.signatures_ok == [True]
    sent = server.requests[0]
    assert sent.url.path == "/trade-api/v2/items/KXTEST-1"
    assert sent.headers["KALSHI-ACCESS-KEY"] == "test-key-id-0001"
    await close(client)


async def test_unauthenticated_client_sends_public_calls_unsigned(face: str, server: Server) -> None:
    server.script = [ok_item()]
    client = make_client(face, server)
    assert client.is_authenticated is False
    await resolve(client.items.get("KXTEST-1"))
    assert "KALSHI-ACCESS-SIGNATURE" not in server.requests[0].headers
    await close(client)


async def test_private_call_without_credentials_sends_nothing(face: str, server: Server) -> None:
    client = make_client(face, server)
    with pytest.raises(AuthRequiredError):
        await resolve(client._request(PRIVATE_GET))
    assert server.requests == []
    await close(client)


async def test_get_retries_503_then_succeeds_with_fresh_signatures(face: str, server: Server, auth: KalshiAuth) -> None:
    server.script = [json_response(503, {"code": "unavailable", "message": "busy"}), ok_item()]
    client = make_client(face, server, auth=auth, config=KalshiConfig(retry_base_delay=0.2, retry_max_delay=1.0))
    result = await resolve(client.items.get("KXTEST-1"))
    assert result.item.ticker == "KXTEST-1"
    assert len(server.requests) == 2
    assert server.signatures_ok == [True, True]
    timestamps = {r.headers["KALSHI-ACCESS-TIMESTAMP"] for r in server.requests}
    assert len(timestamps) == 2
    assert len(client.sleeper.calls) == 1
    assert 0 <= client.sleeper.calls[0] <= 0.2
    await close(client)


async def test_post_503_is_sent_once_and_raised(face: str, server: Server, auth: KalshiAuth) -> None:
    server.default = lambda request: json_response(503, {"code": "unavailable", "message": "busy"})
    client = make_client(face, server, auth=auth, config=KalshiConfig(max_retries=5))
    with pytest.raises(KalshiServerError) as err:
        await resolve(client.items.create(request=CreateItemRequest(ticker="T", price_dollars=Decimal("0.5"))))
    assert err.value.status_code == 503
    assert err.value.code == "unavailable"
    assert len(server.requests) == 1
    assert client.sleeper.calls == []
    await close(client)


@pytest.mark.parametrize("op", [DELETE_ITEM, RESET_ITEMS])
async def test_put_and_delete_are_never_retried(face: str, server: Server, auth: KalshiAuth, op: Any) -> None:
    server.default = lambda request: httpx.Response(502)
    client = make_client(face, server, auth=auth)
    with pytest.raises(KalshiServerError):
        await resolve(client._request(op, path={"ticker": "T"}))
    assert len(server.requests) == 1
    await close(client)


async def test_retries_exhausted_raise_rate_limit_with_retry_after(face: str, server: Server) -> None:
    server.default = lambda r: json_response(429, {"code": "too_many", "message": "slow down"}, {"Retry-After": "2"})
    client = make_client(face, server, config=KalshiConfig(max_retries=2, retry_max_delay=5.0))
    with pytest.raises(KalshiRateLimitError) as err:
        await resolve(client.items.get("T"))
    assert err.value.retry_after == 2.0
    assert len(server.requests) == 3
    assert all(2.0 <= s <= 5.0 for s in client.sleeper.calls)
    assert len(client.sleeper.calls) == 2
    await close(client)


async def test_connect_error_retried_on_get_then_mapped(face: str, server: Server) -> None:
    server.script = [httpx.ConnectError("refused"), ok_item()]
    client = make_client(face, server)
    assert (await resolve(client.items.get("T"))).item.ticker == "KXTEST-1"
    server.default = lambda r: (_ for _ in ()).throw(httpx.ConnectError("down"))
    with pytest.raises(KalshiConnectionError):
        await resolve(client.items.get("T"))
    assert len(server.requests) == 2 + 4
    await close(client)


async def test_read_timeout_on_post_is_a_timeout_error_sent_once(face: str, server: Server, auth: KalshiAuth) -> None:
    server.default = lambda r: (_ for _ in ()).throw(httpx.ReadTimeout("slow"))
    client = make_client(face, server, auth=auth)
    with pytest.raises(KalshiTimeoutError, match="may have happened"):
        await resolve(client.items.create(request=CreateItemRequest(ticker="T", price_dollars=Decimal("1"))))
    assert len(server.requests) == 1
    await close(client)


async def test_error_statuses_map_to_typed_errors(face: str, server: Server) -> None:
    server.script = [
        json_response(404, {"code": "not_found", "message": "no market"}, {"x-request-id": "req-1"}),
        json_response(400, {"code": "invalid_parameters", "message": "bad", "details": "limit > 1000"}),
    ]
    client = make_client(face, server)
    with pytest.raises(KalshiNotFoundError) as nf:
        await resolve(client.items.get("NOPE"))
    assert (nf.value.status_code, nf.value.code, nf.value.request_id) == (404, "not_found", "req-1")
    with pytest.raises(KalshiValidationError) as bad:
        await resolve(client.items.get("X"))
    assert bad.value.details == "limit > 1000"
    await close(client)


async def test_2xx_with_error_body_is_never_an_empty_success(face: str, server: Server, auth: KalshiAuth) -> None:
    body = {"code": "deprecated_v1_order_endpoint", "message": "Please switch to the V2 endpoints"}
    server.script = [json_response(201, body)]
    client = make_client(face, server, auth=auth)
    with pytest.raises(KalshiResponseError) as err:
        await resolve(client._request(BATCH, body=BatchRequest(orders=[])))
    assert err.value.code == "deprecated_v1_order_endpoint"
    assert json.loads(err.value.body) == body
    await close(client)


async def test_empty_post_sends_braces_with_json_type_and_204_is_none(
    face: str, server: Server, auth: KalshiAuth
) -> None:
    server.script = [httpx.Response(204), httpx.Response(204)]
    client = make_client(face, server, auth=auth)
    assert await resolve(client._request(RESET_ITEMS)) is None
    assert await resolve(client._request(DELETE_ITEM, path={"ticker": "T"})) is None
    put, delete = server.requests
    assert put.content == b"{}"
    assert put.headers["content-type"] == "application/json"
    assert delete.content == b""
    await close(client)


async def test_body_model_is_sent_as_json_strings(face: str, server: Server, auth: KalshiAuth) -> None:
    server.script = [json_response(201, {"item": item_json("NEW")})]
    client = make_client(face, server, auth=auth)
    created = await resolve(
        client.items.create(request=CreateItemRequest(ticker="NEW", price_dollars=Decimal("0.0010")))
    )
    assert created.item.ticker == "NEW"
    assert json.loads(server.requests[0].content) == {"ticker": "NEW", "price_dollars": "0.0010"}
    await close(client)


async def test_per_call_options_set_headers_and_timeout(face: str, server: Server) -> None:
    server.script = [ok_item()]
    client = make_client(face, server, config=KalshiConfig(extra_headers={"X-App": "bot"}))
    await resolve(client.items.get("T", options=RequestOptions(timeout=1.5, extra_headers={"X-Trace": "abc"})))
    sent = server.requests[0]
    assert sent.headers["X-Trace"] == "abc"
    assert sent.headers["X-App"] == "bot"
    assert sent.extensions["timeout"]["read"] == 1.5
    await close(client)


async def test_raw_response_gives_status_headers_and_parsed_model(face: str, server: Server) -> None:
    server.script = [ok_item(), json_response(200, {"items": [item_json()], "cursor": "c2"}, {"X-Remaining": "9"})]
    client = make_client(face, server)
    raw = await resolve(client.items.with_raw_response.get("T"))
    assert isinstance(raw, APIResponse)
    assert raw.status_code == 200
    assert raw.parse().item.ticker == "KXTEST-1"
    assert raw.parse() is raw.parse()
    raw_page = await resolve(client.items.with_raw_response.list(status="open"))
    assert raw_page.headers["X-Remaining"] == "9"
    page = raw_page.parse()
    assert page.cursor == "c2"
    assert [i.ticker for i in page] == ["KXTEST-1"]
    await close(client)


async def test_with_options_copies_settings_and_shares_connections(face: str, server: Server, auth: KalshiAuth) -> None:
    server.default = lambda r: httpx.Response(503)
    client = make_client(face, server, auth=auth, config=KalshiConfig(max_retries=3))
    quick = client.with_options(max_retries=0, extra_headers={"X-A": "1"})
    with pytest.raises(KalshiServerError):
        await resolve(quick._request(GET_ITEM, path={"ticker": "T"}))
    assert len(server.requests) == 1
    assert server.requests[0].headers["X-A"] == "1"
    assert quick.is_authenticated
    assert client.config.max_retries == 3
    assert quick._http is client._http
    await close(quick)
    assert not client._http.is_closed
    await close(client)


async def test_context_manager_closes_the_pool(face: str, server: Server) -> None:
    if face == "sync":
        with KalshiClient(transport=server.sync()) as client:
            assert not client._http.is_closed
        assert client._http.is_closed
    else:
        async with AsyncKalshiClient(transport=server.asynchronous()) as aclient:
            assert not aclient._http.is_closed
        assert aclient._http.is_closed


async def test_demo_flag_selects_demo_environment(face: str, server: Server) -> None:
    server.script = [ok_item()]
    client = make_client(face, server, demo=True)
    assert client.base_url == DEMO.rest_url.rstrip("/")
    await resolve(client.items.get("T"))
    assert server.requests[0].url.host == httpx.URL(DEMO.rest_url).host
    await close(client)


def _pem_file(tmp_path: Path, key: rsa.RSAPrivateKey) -> Path:
    path = tmp_path / "key.pem"
    path.write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return path


async def test_key_path_and_from_env(face: str, server: Server, rsa_key: rsa.RSAPrivateKey, tmp_path: Path) -> None:
    path = _pem_file(tmp_path, rsa_key)
    cls: Any = KalshiClient if face == "sync" else AsyncKalshiClient
    transport = server.sync() if face == "sync" else server.asynchronous()
    client = cls(key_id="kid-123", private_key_path=path, transport=transport)
    assert client.is_authenticated
    env = {"KALSHI_KEY_ID": "kid-123", "KALSHI_PRIVATE_KEY_PATH": str(path), "KALSHI_DEMO": "true"}
    from_env = cls.from_env(environ=env, transport=transport)
    assert from_env.is_authenticated
    assert from_env.base_url == DEMO.rest_url.rstrip("/")
    anonymous = cls.from_env(environ={}, transport=transport)
    assert not anonymous.is_authenticated
    server.script = [ok_item()]
    await resolve(from_env._request(GET_ITEM, path={"ticker": "T"}))
    assert server.signatures_ok == [True]
    assert server.requests[0].headers["KALSHI-ACCESS-KEY"] == "kid-123"
    for c in (client, from_env, anonymous):
        await close(c)


async def test_private_key_pem_in_memory_signs(face: str, server: Server, rsa_key: rsa.RSAPrivateKey) -> None:
    pem = rsa_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    server.script = [ok_item()]
    client = make_client(face, server, key_id="kid-pem", private_key=pem.decode())
    await resolve(client._request(PRIVATE_GET))
    assert server.signatures_ok == [True]
    await close(client)


async def test_half_set_credentials_are_refused(face: str, tmp_path: Path) -> None:
    cls: Any = KalshiClient if face == "sync" else AsyncKalshiClient
    with pytest.raises(KalshiConfigError, match="without private_key_path"):
        cls(key_id="kid")
    with pytest.raises(KalshiConfigError, match="without key_id"):
        cls(private_key_path=tmp_path / "nope.pem")
    with pytest.raises(KalshiConfigError, match="KALSHI_KEY_ID is set but neither"):
        cls.from_env(environ={"KALSHI_KEY_ID": "kid"})


async def test_repr_never_shows_key_material(face: str, server: Server, auth: KalshiAuth) -> None:
    client = make_client(face, server, auth=auth)
    text = repr(client)
    assert "test-key" in text
    assert "test-key-id-0001" not in text
    assert "PRIVATE" not in text
    await close(client)


async def test_http2_without_h2_is_a_config_error(face: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "h2", None)
    cls: Any = KalshiClient if face == "sync" else AsyncKalshiClient
    with pytest.raises(KalshiConfigError, match="http2"):
        cls(config=KalshiConfig(http2=True))


async def test_errors_do_not_carry_the_signature(face: str, server: Server, auth: KalshiAuth) -> None:
    server.script = [json_response(404, {"code": "not_found", "message": "gone"})]
    client = make_client(face, server, auth=auth)
    with pytest.raises(KalshiNotFoundError) as err:
        await resolve(client._request(PRIVATE_GET))
    assert server.requests[0].headers.get("KALSHI-ACCESS-SIGNATURE")
    kept = err.value.response
    assert kept is not None
    assert "KALSHI-ACCESS-SIGNATURE" not in kept.request.headers
    assert kept.request.headers["KALSHI-ACCESS-KEY"] == "test-key-id-0001"
    await close(client)


async def test_shared_http_client_is_used_and_not_closed(face: str, server: Server) -> None:
    server.script = [ok_item()]
    if face == "sync":
        http = httpx.Client(transport=server.sync())
        with KalshiClient(http_client=http) as client:
            assert (await resolve(client._request(GET_ITEM, path={"ticker": "T"}))).item.ticker == "KXTEST-1"
        assert not http.is_closed
        http.close()  # noqa: ASYNC212 (the sync face, driven from this async test)
        with pytest.raises(KalshiConfigError, match="not both"):
            KalshiClient(http_client=http, transport=server.sync())
    else:
        ahttp = httpx.AsyncClient(transport=server.asynchronous())
        async with AsyncKalshiClient(http_client=ahttp) as aclient:
            assert (await aclient._request(GET_ITEM, path={"ticker": "T"})).item.ticker == "KXTEST-1"
        assert not ahttp.is_closed
        await ahttp.aclose()
        with pytest.raises(KalshiConfigError, match="not both"):
            AsyncKalshiClient(http_client=ahttp, transport=server.asynchronous())
