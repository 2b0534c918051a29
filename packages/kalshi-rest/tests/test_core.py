"""The sans-I/O core: request building, the retry flow driven by hand, response classification."""

from __future__ import annotations

import json
from decimal import Decimal
from enum import Enum

import httpx
import pytest
from rest_support import (
    CREATE_ITEM,
    DELETE_ITEM,
    GET_ITEM,
    LIST_ITEMS,
    PRIVATE_GET,
    RESET_ITEMS,
    CreateItemRequest,
    item_json,
)

from kalshi_auth import AuthRequiredError, KalshiAuth, KalshiConfig, KalshiConfigError, KalshiConnectionError
from kalshi_rest import (
    KalshiRequestError,
    KalshiResponseError,
    KalshiServerError,
    KalshiTimeoutError,
    RequestOptions,
)
from kalshi_rest._core import Core, Send, Sleep, encode_body, encode_query, render_path

BASE = KalshiConfig().rest_url


class Color(Enum):
    RED = "red"


def make_core(auth: KalshiAuth | None = None, **config: object) -> Core:
    return Core(KalshiConfig(**config), auth, random=lambda: 0.5)  # type: ignore[arg-type]


def test_query_drops_none_and_empty_cursor_and_spells_booleans() -> None:
    pairs = encode_query({"a": None, "cursor": "", "flag": True, "off": False, "n": 5, "d": Decimal("0.5600")})
    assert pairs == [("flag", "true"), ("off", "false"), ("n", "5"), ("d", "0.5600")]


def test_query_arrays_comma_joined_unless_exploded() -> None:
    assert encode_query({"tickers": ["A", "B"]}) == [("tickers", "A,B")]
    assert encode_query({"tickers": ["A", "B"]}, frozenset({"tickers"})) == [("tickers", "A"), ("tickers", "B")]
    assert encode_query({"tickers": []}) == []
    assert encode_query({"status": Color.RED}) == [("status", "red")]


def test_query_refuses_unserialisable_values() -> None:
    with pytest.raises(KalshiRequestError, match="query value"):
        encode_query({"x": object()})


def test_path_params_are_percent_encoded_and_never_unsafe() -> None:
    assert render_path("/markets/{ticker}", {"ticker": "A%B?C#D:E"}) == "/markets/A%25B%3FC%23D%3AE"
    for bad in ("", " ", ".", "..", "A/B", "A B", "a\tb", "x\x00", True, None, 1.5):
        with pytest.raises(KalshiRequestError) as info:
            render_path("/markets/{ticker}", {"ticker": bad})
        assert info.value.parameter == "ticker"
    with pytest.raises(KalshiRequestError, match="missing path parameter"):
        render_path("/markets/{ticker}", {})


def test_body_empty_post_and_put_send_braces_get_and_delete_send_nothing() -> None:
    assert encode_body("POST", None) == b"{}"
    assert encode_body("PUT", None) == b"{}"
    assert encode_body("GET", None) is None
    assert encode_body("DELETE", None) is None


def test_body_model_serialises_by_alias_without_nulls_and_keeps_decimal_text() -> None:
    body = encode_body("POST", CreateItemRequest(ticker="T", price_dollars=Decimal("0.5600")))
    assert json.loads(body or b"") == {"ticker": "T", "price_dollars": "0.5600"}
    assert json.loads(encode_body("POST", {"price": Decimal("0.10")}) or b"") == {"price": "0.10"}
    with pytest.raises(KalshiRequestError):
        encode_body("POST", [1, 2])


def test_prepare_builds_url_under_api_prefix_and_signs_full_path(auth: KalshiAuth) -> None:
    core = make_core(auth)
    call = core.prepare(LIST_ITEMS, None, {"status": "open", "limit": 100, "cursor": None})
    assert str(call.url) == f"{BASE}/items?status=open&limit=100"
    assert call.sign_path == "/trade-api/v2/items"
    request = core.sign(call)
    assert request.headers["KALSHI-ACCESS-KEY"] == "test-key-id-0001"
    assert request.url.raw_path.decode().split("?")[0] == call.sign_path


def test_private_operation_without_credentials_fails_before_building() -> None:
    with pytest.raises(AuthRequiredError, match="GetSecret"):
        make_core(None).prepare(PRIVATE_GET)


def test_public_operation_without_credentials_is_unsigned() -> None:
    core = make_core(None)
    request = core.sign(core.prepare(GET_ITEM, {"ticker": "T"}))
    assert "KALSHI-ACCESS-SIGNATURE" not in request.headers


def test_options_add_headers_and_timeout_but_not_auth_headers(auth: KalshiAuth) -> None:
    core = make_core(auth)
    call = core.prepare(GET_ITEM, {"ticker": "T"}, options=RequestOptions(timeout=2.5, extra_headers={"X-Trace": "1"}))
    request = core.sign(call)
    assert request.headers["X-Trace"] == "1"
    assert request.extensions["timeout"] == {"connect": 2.5, "read": 2.5, "write": 2.5, "pool": 2.5}
    with pytest.raises(KalshiRequestError, match="auth headers"):
        core.prepare(GET_ITEM, {"ticker": "T"}, options=RequestOptions(extra_headers={"kalshi-access-key": "x"}))
    with pytest.raises(KalshiRequestError, match="timeout"):
        core.prepare(GET_ITEM, {"ticker": "T"}, options=RequestOptions(timeout=0))


def test_default_timeout_comes_from_config(auth: KalshiAuth) -> None:
    request = make_core(auth, timeout=4.0).sign(make_core(auth, timeout=4.0).prepare(GET_ITEM, {"ticker": "T"}))
    assert request.extensions["timeout"]["read"] == 4.0


def test_flow_retries_get_with_fresh_signature_each_attempt(auth: KalshiAuth) -> None:
    core = make_core(auth, max_retries=3, retry_base_delay=1.0, retry_max_delay=30.0)
    flow = core.flow(core.prepare(GET_ITEM, {"ticker": "T"}))
    first = next(flow)
    assert isinstance(first, Send)
    sleep = flow.send(httpx.Response(503, request=first.request))
    assert sleep == Sleep(0.5)  # uniform(0, min(30, 1 * 2**0)) with random() = 0.5
    second = flow.send(None)
    assert isinstance(second, Send)
    sig1, sig2 = (a.request.headers["KALSHI-ACCESS-SIGNATURE"] for a in (first, second))
    ts1, ts2 = (a.request.headers["KALSHI-ACCESS-TIMESTAMP"] for a in (first, second))
    assert ts1 != ts2
    assert sig1 != sig2
    ok = httpx.Response(200, json={"item": item_json()}, request=second.request)
    with pytest.raises(StopIteration) as done:
        flow.send(ok)
    assert done.value.value is ok


def test_flow_backoff_doubles_and_is_capped(auth: KalshiAuth) -> None:
    core = make_core(auth, max_retries=5, retry_base_delay=1.0, retry_max_delay=3.0)
    flow = core.flow(core.prepare(GET_ITEM, {"ticker": "T"}))
    action = next(flow)
    sleeps = []
    for _ in range(5):
        assert isinstance(action, Send)
        sleep = flow.send(httpx.Response(500, request=action.request))
        assert isinstance(sleep, Sleep)
        sleeps.append(sleep.seconds)
        action = flow.send(None)
    assert sleeps == [0.5, 1.0, 1.5, 1.5, 1.5]
    assert isinstance(action, Send)
    with pytest.raises(KalshiServerError):
        flow.send(httpx.Response(500, request=action.request))


@pytest.mark.parametrize("op", [CREATE_ITEM, RESET_ITEMS, DELETE_ITEM])
def test_flow_never_retries_writes(auth: KalshiAuth, op: object) -> None:
    core = make_core(auth, max_retries=5)
    flow = core.flow(core.prepare(op, {"ticker": "T"}))  # type: ignore[arg-type]
    action = next(flow)
    assert isinstance(action, Send)
    with pytest.raises(KalshiServerError) as err:
        flow.send(httpx.Response(503, request=action.request))
    assert err.value.status_code == 503


def test_flow_retry_after_is_a_floor_capped_by_max_delay(auth: KalshiAuth) -> None:
    core = make_core(auth, max_retries=2, retry_base_delay=1.0, retry_max_delay=10.0)
    flow = core.flow(core.prepare(GET_ITEM, {"ticker": "T"}))
    action = next(flow)
    assert isinstance(action, Send)
    sleep = flow.send(httpx.Response(429, headers={"Retry-After": "4"}, request=action.request))
    assert sleep == Sleep(4.5)
    action = flow.send(None)
    assert isinstance(action, Send)
    sleep = flow.send(httpx.Response(429, headers={"Retry-After": "3600"}, request=action.request))
    assert sleep == Sleep(10.0)


def test_flow_retries_get_on_connect_error_but_not_post(auth: KalshiAuth) -> None:
    core = make_core(auth, max_retries=1)
    flow = core.flow(core.prepare(GET_ITEM, {"ticker": "T"}))
    next(flow)
    assert isinstance(flow.send(httpx.ConnectError("refused")), Sleep)
    flow.send(None)
    with pytest.raises(KalshiConnectionError, match="ConnectError"):
        flow.send(httpx.ConnectError("refused again"))
    post = core.flow(core.prepare(CREATE_ITEM))
    next(post)
    with pytest.raises(KalshiConnectionError):
        post.send(httpx.ConnectError("refused"))


def test_read_timeout_on_write_says_it_may_have_happened(auth: KalshiAuth) -> None:
    core = make_core(auth)
    flow = core.flow(core.prepare(CREATE_ITEM))
    next(flow)
    with pytest.raises(KalshiTimeoutError, match="may have happened") as err:
        flow.send(httpx.ReadTimeout("slow"))
    assert err.value.status_code is None


def test_per_call_max_retries_overrides_config(auth: KalshiAuth) -> None:
    core = make_core(auth, max_retries=5)
    flow = core.flow(core.prepare(GET_ITEM, {"ticker": "T"}, options=RequestOptions(max_retries=0)))
    action = next(flow)
    assert isinstance(action, Send)
    with pytest.raises(KalshiServerError):
        flow.send(httpx.Response(502, request=action.request))


def _response(op_status: int, content: bytes) -> httpx.Response:
    return httpx.Response(op_status, content=content, request=httpx.Request("GET", f"{BASE}/x"))


def test_parse_204_and_empty_bodies_are_none() -> None:
    core = make_core()
    assert core.parse(DELETE_ITEM, _response(204, b"")) is None
    assert core.parse(RESET_ITEMS, _response(200, b"{}")) is None
    assert core.parse(RESET_ITEMS, _response(201, b'{"message": "done"}')) is None


def test_parse_empty_body_where_a_model_is_expected_is_an_error() -> None:
    with pytest.raises(KalshiResponseError, match="empty body"):
        make_core().parse(GET_ITEM, _response(200, b""))


def test_parse_keeps_decimal_and_unknown_fields() -> None:
    payload = {"item": {**item_json(price="0.0010"), "new_field": 7}, "server_extra": "x"}
    model = make_core().parse(GET_ITEM, _response(200, json.dumps(payload).encode()))
    assert model.item.price_dollars == Decimal("0.0010")
    assert model.item.new_field == 7  # type: ignore[attr-defined]


def test_parse_2xx_error_object_raises_with_code() -> None:
    body = b'{"code":"deprecated_v1_order_endpoint","message":"Please switch to the V2 endpoints"}'
    with pytest.raises(KalshiResponseError) as err:
        make_core().parse(GET_ITEM, _response(200, body))
    assert err.value.code == "deprecated_v1_order_endpoint"
    assert err.value.body == body
    # also when the model would have accepted it (all-optional response) and when none was expected
    with pytest.raises(KalshiResponseError):
        make_core().parse(DELETE_ITEM, _response(200, body))


def test_parse_non_json_and_wrong_shape_keep_raw_body() -> None:
    with pytest.raises(KalshiResponseError) as err:
        make_core().parse(GET_ITEM, _response(200, b"<html>gateway</html>"))
    assert err.value.body == b"<html>gateway</html>"
    wrong = b'{"item": {"ticker": "T"}}'
    with pytest.raises(KalshiResponseError, match="price_dollars") as err:
        make_core().parse(GET_ITEM, _response(200, wrong))
    assert err.value.body == wrong
    assert err.value.status_code == 200


def test_page_parts_treat_empty_cursor_as_last_page() -> None:
    core = make_core()
    model = core.parse(LIST_ITEMS, _response(200, json.dumps({"items": [item_json()], "cursor": ""}).encode()))
    items, cursor = core.page_parts(LIST_ITEMS, model)
    assert [i.ticker for i in items] == ["KXTEST-1"]
    assert cursor is None


class Bearer:
    def headers(self, method: str, path: str) -> dict[str, str]:
        return {"Authorization": "Bearer admin:token"}


def test_core_serves_other_products_with_their_base_url_and_auth_scheme() -> None:
    core = Core(KalshiConfig(allow_custom_host=True), Bearer(), base_url="https://klear.example.test/v1/")
    call = core.prepare(PRIVATE_GET)
    request = core.sign(call)
    assert str(request.url) == "https://klear.example.test/v1/secret"
    assert call.sign_path == "/v1/secret"
    assert request.headers["Authorization"] == "Bearer admin:token"
    assert "KALSHI-ACCESS-KEY" not in request.headers


def test_credentials_go_only_to_kalshi_or_loopback_unless_opted_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KALSHI_ALLOW_CUSTOM_HOST", raising=False)
    with pytest.raises(KalshiConfigError, match=r"external-api\.kalshi\.com"):
        Core(KalshiConfig(), Bearer(), base_url="https://proxy.example/trade-api/v2")
    Core(KalshiConfig(), None, base_url="https://proxy.example/trade-api/v2")  # unsigned: any host
    Core(KalshiConfig(), Bearer(), base_url="http://127.0.0.1:9/trade-api/v2")
    monkeypatch.setenv("KALSHI_ALLOW_CUSTOM_HOST", "true")
    with pytest.raises(KalshiConfigError):
        Core(KalshiConfig(), Bearer(), base_url="https://proxy.example/trade-api/v2")
    monkeypatch.setenv("KALSHI_ALLOW_CUSTOM_HOST", "1")
    Core(KalshiConfig(), Bearer(), base_url="https://proxy.example/trade-api/v2")


def test_client_subclass_can_point_at_another_api() -> None:
    from kalshi_rest import KalshiClient

    class PerpsLike(KalshiClient):
        def _rest_url(self, config: KalshiConfig) -> str:
            return config.environment.perps_rest_url

    client = PerpsLike()
    assert client.base_url == KalshiConfig().environment.perps_rest_url.rstrip("/")
    assert client.with_options(timeout=1.0).base_url == client.base_url
    client.close()
