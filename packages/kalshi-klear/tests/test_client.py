"""KlearClient / AsyncKlearClient: bearer auth, configuration, secrets, context managers."""

from __future__ import annotations

import inspect
import logging
import pickle

import httpx
import pytest
from klear_support import ADMIN, BASE, DEMO_BASE, FAST, TOKEN, Recorder, ok

from kalshi_auth import DEMO, AuthRequiredError, KalshiConfig, KalshiConfigError, KlearCredentials
from kalshi_klear import AsyncKlearClient, BearerAuth, KlearClient
from kalshi_klear.resources._generated import OPERATION_METHODS
from kalshi_rest import KalshiAuthError, KalshiRequestError, RequestOptions

BALANCE = {"user_id": ADMIN, "balance_available_centicents": 5_000_000, "locked_balance_centicents": 10_000}


def _client(rec: Recorder, **kw: object) -> KlearClient:
    return KlearClient(admin_user_id=ADMIN, access_token=TOKEN, transport=httpx.MockTransport(rec), **kw)  # type: ignore[arg-type]


class TestBearerAuth:
    def test_every_request_carries_the_bearer_header_and_no_signature(self) -> None:
        rec = Recorder(ok(BALANCE))
        with _client(rec) as klear:
            balance = klear.settlement.balance()
        assert balance.balance_available_centicents == 5_000_000
        request = rec.last
        assert request.headers["Authorization"] == f"Bearer {ADMIN}:{TOKEN}"
        assert not any(h.lower().startswith("kalshi-access") for h in request.headers)
        assert str(request.url) == f"{BASE}/margin/settlement_balance"

    async def test_async_face_sends_the_same_header(self) -> None:
        rec = Recorder(ok(BALANCE))
        async with AsyncKlearClient(
            admin_user_id=ADMIN, access_token=TOKEN, transport=httpx.MockTransport(rec)
        ) as klear:
            balance = await klear.settlement.balance()
        assert balance.locked_balance_centicents == 10_000
        assert rec.last.headers["Authorization"] == f"Bearer {ADMIN}:{TOKEN}"

    def test_each_retry_attempt_carries_the_header(self) -> None:
        rec = Recorder(httpx.Response(503), ok(BALANCE))
        with _client(rec, config=FAST) as klear:
            klear.settlement.balance()
        assert len(rec.requests) == 2
        assert all(r.headers["Authorization"] == f"Bearer {ADMIN}:{TOKEN}" for r in rec.requests)

    def test_credentials_object_is_accepted(self) -> None:
        rec = Recorder(ok(BALANCE))
        creds = KlearCredentials(admin_user_id=ADMIN, access_token=TOKEN)
        with KlearClient(credentials=creds, transport=httpx.MockTransport(rec)) as klear:
            klear.settlement.balance()
        assert rec.last.headers["Authorization"] == f"Bearer {ADMIN}:{TOKEN}"

    def test_extra_headers_cannot_replace_authorization(self) -> None:
        rec = Recorder(ok(BALANCE))
        with _client(rec) as klear:
            with pytest.raises(KalshiConfigError):
                klear.with_options(extra_headers={"Authorization": "Bearer other"})
            with pytest.raises(KalshiRequestError):
                klear.settlement.balance(options=RequestOptions(extra_headers={"authorization": "Bearer other"}))
        assert rec.requests == []


class TestUnauthenticated:
    def test_sync_call_raises_before_sending(self) -> None:
        rec = Recorder(ok(BALANCE))
        with KlearClient(transport=httpx.MockTransport(rec)) as klear:
            assert not klear.is_authenticated
            with pytest.raises(AuthRequiredError, match="KALSHI_KLEAR_ACCESS_TOKEN"):
                klear.settlement.balance()
            with pytest.raises(AuthRequiredError):
                klear.obligations.history()
            with pytest.raises(AuthRequiredError):
                next(iter(klear.obligations.history_all()))
        assert rec.requests == []

    async def test_async_call_raises_before_sending(self) -> None:
        rec = Recorder(ok(BALANCE))
        async with AsyncKlearClient(transport=httpx.MockTransport(rec)) as klear:
            with pytest.raises(AuthRequiredError):
                await klear.settlement.balance()
            with pytest.raises(AuthRequiredError):
                await klear.obligations.history_all().__anext__()
        assert rec.requests == []


class TestCredentialErrors:
    @pytest.mark.parametrize(
        "kwargs",
        [
            {"admin_user_id": ADMIN},
            {"access_token": TOKEN},
            {"admin_user_id": "", "access_token": TOKEN},
            {"admin_user_id": "a:b", "access_token": TOKEN},
            {
                "admin_user_id": ADMIN,
                "access_token": TOKEN,
                "credentials": KlearCredentials(admin_user_id=ADMIN, access_token=TOKEN),
            },
        ],
    )
    def test_bad_credentials_raise_a_config_error(self, kwargs: dict[str, object]) -> None:
        with pytest.raises(KalshiConfigError) as info:
            KlearClient(**kwargs)  # type: ignore[arg-type]
        assert TOKEN not in str(info.value)

    def test_transport_and_http_client_are_exclusive(self) -> None:
        with httpx.Client() as http, pytest.raises(KalshiConfigError):
            KlearClient(transport=httpx.MockTransport(Recorder(ok({}))), http_client=http)


class TestSecrets:
    def test_repr_and_str_redact_the_token(self) -> None:
        with _client(Recorder(ok(BALANCE))) as klear:
            for text in (repr(klear), str(klear), repr(klear._auth), repr(klear.with_options(timeout=1.0))):
                assert TOKEN not in text
                assert ADMIN in text
            assert "***" in repr(klear)
        assert "access_token=None" in repr(KlearClient())

    def test_logs_never_contain_the_token(self, caplog: pytest.LogCaptureFixture) -> None:
        rec = Recorder(httpx.Response(503), httpx.Response(503), ok(BALANCE))
        with caplog.at_level(logging.DEBUG), _client(rec, config=FAST) as klear:
            klear.settlement.balance()
        assert len(rec.requests) == 3
        assert caplog.records, "the retries should have been logged"
        assert all(TOKEN not in r.getMessage() for r in caplog.records)
        assert TOKEN not in caplog.text

    def test_errors_never_carry_the_token(self) -> None:
        rec = Recorder(ok({"code": "unauthorized", "message": "bad token"}, status=401))
        with _client(rec) as klear, pytest.raises(KalshiAuthError) as info:
            klear.settlement.balance()
        error = info.value
        assert error.status_code == 401
        assert error.code == "unauthorized"
        for text in (str(error), repr(error)):
            assert TOKEN not in text
        assert error.response is not None
        assert "authorization" not in error.response.request.headers
        assert TOKEN.encode() not in pickle.dumps(str(error))


class TestConfiguration:
    def test_production_is_the_default(self) -> None:
        assert KlearClient().base_url == BASE

    def test_demo_flag_selects_the_demo_host(self) -> None:
        rec = Recorder(ok(BALANCE))
        with _client(rec, demo=True) as klear:
            assert klear.base_url == DEMO_BASE
            klear.settlement.balance()
        assert str(rec.last.url) == f"{DEMO_BASE}/margin/settlement_balance"

    def test_config_environment_sets_the_base_url(self) -> None:
        env = DEMO.with_overrides(klear_url="https://klear.example.test/klear-api/v1")
        rec = Recorder(ok(BALANCE))
        with _client(rec, config=KalshiConfig(environment=env, timeout=3.0, allow_custom_host=True)) as klear:
            assert klear.config.timeout == 3.0
            klear.settlement.balance()
        assert rec.last.url.host == "klear.example.test"
        assert rec.last.url.path == "/klear-api/v1/margin/settlement_balance"

    def test_config_base_url_means_the_same_server_for_klear(self) -> None:
        rec = Recorder(ok(BALANCE))
        with _client(rec, config=KalshiConfig(base_url="http://127.0.0.1:8080/trade-api/v2")) as klear:
            assert klear.base_url == "http://127.0.0.1:8080/klear-api/v1"
            klear.settlement.balance()
        assert str(rec.last.url) == "http://127.0.0.1:8080/klear-api/v1/margin/settlement_balance"

    def test_signed_requests_refuse_unknown_hosts(self) -> None:
        rec = Recorder(ok(BALANCE))
        env = DEMO.with_overrides(klear_url="https://klear.example.test/klear-api/v1")
        with pytest.raises(KalshiConfigError, match="not a Kalshi host"):
            _client(rec, config=KalshiConfig(environment=env))
        assert rec.requests == []

    def test_from_env_reads_the_klear_variables(self) -> None:
        rec = Recorder(ok(BALANCE))
        environ = {
            "KALSHI_KLEAR_ADMIN_USER_ID": ADMIN,
            "KALSHI_KLEAR_ACCESS_TOKEN": TOKEN,
            "KALSHI_KLEAR_DEMO": "true",
        }
        with KlearClient.from_env(environ=environ, transport=httpx.MockTransport(rec)) as klear:
            assert klear.is_authenticated
            assert klear.admin_user_id == ADMIN
            assert klear.base_url == DEMO_BASE
            klear.settlement.balance()
        assert rec.last.headers["Authorization"] == f"Bearer {ADMIN}:{TOKEN}"

    def test_from_env_base_url_override_and_no_credentials(self) -> None:
        environ = {"KALSHI_KLEAR_API_BASE_URL": "http://127.0.0.1:8123/klear-api/v1"}
        klear = KlearClient.from_env(environ=environ)
        assert klear.base_url == "http://127.0.0.1:8123/klear-api/v1"
        assert not klear.is_authenticated
        klear.close()

    def test_from_env_half_set_is_an_error(self) -> None:
        with pytest.raises(KalshiConfigError, match="KALSHI_KLEAR_ACCESS_TOKEN"):
            KlearClient.from_env(environ={"KALSHI_KLEAR_ADMIN_USER_ID": ADMIN})
        with pytest.raises(KalshiConfigError):
            AsyncKlearClient.from_env(environ={"KALSHI_KLEAR_DEMO": "maybe"})

    def test_with_options_shares_the_connection_and_keeps_credentials(self) -> None:
        rec = Recorder(httpx.Response(503), ok(BALANCE))
        with _client(rec, config=FAST) as klear:
            fast = klear.with_options(max_retries=0)
            assert fast._http is klear._http
            with pytest.raises(Exception, match="503"):
                fast.settlement.balance()
        assert len(rec.requests) == 1
        assert rec.last.headers["Authorization"] == f"Bearer {ADMIN}:{TOKEN}"

    def test_context_manager_closes_an_owned_pool_only(self) -> None:
        with _client(Recorder(ok(BALANCE))) as klear:
            pass
        assert klear._http.is_closed
        with httpx.Client(transport=httpx.MockTransport(Recorder(ok(BALANCE)))) as http:
            with KlearClient(admin_user_id=ADMIN, access_token=TOKEN, http_client=http) as shared:
                shared.settlement.balance()
            assert not http.is_closed

    async def test_async_context_manager_closes(self) -> None:
        async with AsyncKlearClient(transport=httpx.MockTransport(Recorder(ok(BALANCE)))) as klear:
            pass
        assert klear._http.is_closed


def test_bearer_auth_ignores_method_and_path() -> None:
    auth = BearerAuth(KlearCredentials(admin_user_id=ADMIN, access_token=TOKEN))
    assert auth.headers("GET", "/a") == auth.headers("POST", "/b") == {"Authorization": f"Bearer {ADMIN}:{TOKEN}"}
    assert TOKEN not in repr(auth)
    assert TOKEN not in str(auth)


def _placeholder_call(resource: object, method: str) -> object:
    fn = getattr(resource, method)
    sig = inspect.signature(fn)
    args = ["x" for p in sig.parameters.values() if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD]
    kwargs = {
        name: None
        for name, p in sig.parameters.items()
        if p.kind is inspect.Parameter.KEYWORD_ONLY and p.default is inspect.Parameter.empty
    }
    return fn(*args, **kwargs)


@pytest.mark.parametrize("op_id", sorted(OPERATION_METHODS))
def test_every_operation_needs_credentials_sync(op_id: str) -> None:
    rec = Recorder(ok({}))
    attribute, method = OPERATION_METHODS[op_id]
    with KlearClient(transport=httpx.MockTransport(rec)) as klear:
        resource = getattr(klear, attribute)
        with pytest.raises(AuthRequiredError, match=op_id):
            _placeholder_call(resource, method)
        name = "list_all" if method == "list" else f"{method}_all"
        if hasattr(resource, name):
            with pytest.raises(AuthRequiredError):
                next(iter(_placeholder_call(resource, name)))  # type: ignore[call-overload]
    assert rec.requests == []


@pytest.mark.parametrize("op_id", sorted(OPERATION_METHODS))
async def test_every_operation_needs_credentials_async(op_id: str) -> None:
    rec = Recorder(ok({}))
    attribute, method = OPERATION_METHODS[op_id]
    async with AsyncKlearClient(transport=httpx.MockTransport(rec)) as klear:
        with pytest.raises(AuthRequiredError, match=op_id):
            await _placeholder_call(getattr(klear, attribute), method)  # type: ignore[misc]
    assert rec.requests == []


def test_http2_without_h2_is_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    if importlib.util.find_spec("h2") is not None:
        pytest.skip("h2 is installed")
    with pytest.raises(KalshiConfigError, match="h2"):
        KlearClient(config=KalshiConfig(http2=True))


async def test_both_faces_sit_on_kalshi_rest_bases_with_a_smaller_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    from kalshi_rest._client import AsyncAPIClient, SyncAPIClient

    assert issubclass(KlearClient, SyncAPIClient)
    assert issubclass(AsyncKlearClient, AsyncAPIClient)
    made: list[object] = []
    real_sync, real_async = httpx.Client, httpx.AsyncClient

    def sync_spy(**kwargs: object) -> httpx.Client:
        made.append(kwargs["limits"])
        return real_sync(**kwargs)  # type: ignore[arg-type]

    def async_spy(**kwargs: object) -> httpx.AsyncClient:
        made.append(kwargs["limits"])
        return real_async(**kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(httpx, "Client", sync_spy)
    monkeypatch.setattr(httpx, "AsyncClient", async_spy)
    KlearClient().close()
    await AsyncKlearClient().aclose()
    assert made == [httpx.Limits(max_connections=20, max_keepalive_connections=10)] * 2
