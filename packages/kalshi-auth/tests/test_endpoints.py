"""The one URL resolver: every product's URLs from one config, environments never mixed, hosts checked."""

from __future__ import annotations

import pytest

from kalshi_auth import (
    ALLOW_CUSTOM_HOST_ENV,
    DEMO,
    PRODUCTION,
    FixSessionType,
    KalshiConfig,
    KalshiConfigError,
    check_signed_host,
    credentials_from_env,
    host_environment,
    resolve_endpoints,
)


@pytest.mark.parametrize(
    ("config", "product", "rest", "ws"),
    [
        (KalshiConfig(), "prediction", PRODUCTION.rest_url, PRODUCTION.ws_url),
        (KalshiConfig(), "perps", PRODUCTION.perps_rest_url, PRODUCTION.perps_ws_url),
        (KalshiConfig(), "klear", PRODUCTION.klear_url, None),
        (KalshiConfig.demo(), "prediction", DEMO.rest_url, DEMO.ws_url),
        (KalshiConfig.demo(), "perps", DEMO.perps_rest_url, DEMO.perps_ws_url),
        (KalshiConfig.demo(), "klear", DEMO.klear_url, None),
    ],
)
def test_environment_urls(config: KalshiConfig, product: str, rest: str, ws: str | None) -> None:
    ends = resolve_endpoints(config, product)  # type: ignore[arg-type]
    assert (ends.rest_url, ends.ws_url) == (rest.rstrip("/"), ws)
    assert config.endpoints(product) == ends  # type: ignore[arg-type]


def test_docs_hosts() -> None:
    # docs.kalshi.com/getting_started/api_environments: the recommended hosts
    assert PRODUCTION.rest_url == "https://external-api.kalshi.com/trade-api/v2"
    assert PRODUCTION.ws_url == "wss://external-api-ws.kalshi.com/trade-api/ws/v2"
    assert DEMO.rest_url == "https://external-api.demo.kalshi.co/trade-api/v2"
    assert DEMO.ws_url == "wss://external-api-ws.demo.kalshi.co/trade-api/ws/v2"
    for host in ("api.elections.kalshi.com", "margin-mm.fix.elections.kalshi.com"):
        assert host_environment(host) == "production"
    for host in ("demo-api.kalshi.co", "margin-fix.demo.kalshi.co"):
        assert host_environment(host) == "demo"
    assert host_environment("127.0.0.1") == host_environment("localhost") == "loopback"
    assert host_environment("kalshi.com.evil.example") is None


@pytest.mark.parametrize(
    "base", ["http://127.0.0.1:8080/trade-api/v2/", "http://127.0.0.1:8080", "http://127.0.0.1:8080/klear-api/v1"]
)
def test_base_url_names_a_server_for_every_client(base: str) -> None:
    config = KalshiConfig(base_url=base, ws_url="ws://127.0.0.1:8080/trade-api/ws/v2")
    assert config.endpoints("prediction").rest_url == "http://127.0.0.1:8080/trade-api/v2"
    assert config.endpoints("perps").rest_url == "http://127.0.0.1:8080/trade-api/v2"
    assert config.endpoints("klear").rest_url == "http://127.0.0.1:8080/klear-api/v1"
    assert config.endpoints("prediction").ws_url == "ws://127.0.0.1:8080/trade-api/ws/v2"
    assert config.endpoints("perps").ws_url == "ws://127.0.0.1:8080/trade-api/ws/v2/margin"
    assert config.rest_url == "http://127.0.0.1:8080/trade-api/v2"


def test_proxy_path_is_kept() -> None:
    config = KalshiConfig(base_url="https://external-api.kalshi.com/proxy/trade-api/v2")
    assert config.endpoints("klear").rest_url == "https://external-api.kalshi.com/proxy/klear-api/v1"


@pytest.mark.parametrize(
    "kwargs",
    [
        {"environment": DEMO, "base_url": "https://external-api.kalshi.com/trade-api/v2"},
        {"environment": DEMO, "base_url": "https://api.elections.kalshi.com/trade-api/v2"},
        {"environment": PRODUCTION, "base_url": "https://demo-api.kalshi.co/trade-api/v2"},
        {"environment": PRODUCTION, "ws_url": "wss://demo-api.kalshi.co/trade-api/ws/v2"},
        {
            "base_url": "https://external-api.kalshi.com/trade-api/v2",
            "ws_url": "wss://demo-api.kalshi.co/trade-api/ws/v2",
        },
    ],
)
def test_production_and_demo_never_mix(kwargs: dict[str, object]) -> None:
    with pytest.raises(KalshiConfigError, match="production and demo"):
        KalshiConfig(**kwargs)  # type: ignore[arg-type]


def test_environment_itself_cannot_mix() -> None:
    with pytest.raises(KalshiConfigError, match="production and demo"):
        DEMO.with_overrides(ws_url=PRODUCTION.ws_url)
    with pytest.raises(KalshiConfigError, match="production and demo"):
        PRODUCTION.with_overrides(margin_fix_host="margin-fix.demo.kalshi.co")


def test_loopback_pairs_with_either() -> None:
    for env in (PRODUCTION, DEMO):
        config = KalshiConfig(environment=env, base_url="http://127.0.0.1:1/trade-api/v2")
        assert config.endpoints().rest_url.startswith("http://127.0.0.1:1/")
        assert config.endpoints().ws_url == env.ws_url


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"base_url": "https://x.example/api"}, "path prefix"),
        ({"base_url": "https://x.example/trade-api/v2?a=1"}, "query"),
        ({"base_url": "https://user:pw@x.example/trade-api/v2"}, "user info"),
        ({"base_url": "ftp://x.example/trade-api/v2"}, "https://"),
        ({"ws_url": "ws://x.example/trade-api/ws/v2"}, "plaintext"),
    ],
)
def test_bad_server_urls(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(KalshiConfigError, match=message):
        KalshiConfig(**kwargs)  # type: ignore[arg-type]


def test_fix_endpoints_per_product() -> None:
    ends = KalshiConfig.demo().endpoints("perps")
    assert ends.fix_endpoint(FixSessionType.MARKET_DATA).host == "margin-marketdata.fix.demo.kalshi.co"
    assert KalshiConfig.demo().endpoints().fix_endpoint(FixSessionType.ORDER_ENTRY).host == "fix.demo.kalshi.co"
    with pytest.raises(KalshiConfigError, match="Klear has no FIX"):
        KalshiConfig().endpoints("klear").fix_endpoint(FixSessionType.ORDER_ENTRY)
    with pytest.raises(KalshiConfigError, match="unknown product"):
        KalshiConfig().endpoints("spot")  # type: ignore[arg-type]


def test_signed_host_policy() -> None:
    check_signed_host("https://external-api.kalshi.com/trade-api/v2", environ={})
    check_signed_host("http://127.0.0.1:9/trade-api/v2", environ={})
    with pytest.raises(KalshiConfigError, match=r"external-api\.kalshi\.com") as info:
        check_signed_host("https://proxy.example/trade-api/v2", environ={})
    assert "allow_custom_host" in str(info.value)
    check_signed_host("https://proxy.example/trade-api/v2", allow_custom_host=True, environ={})
    check_signed_host("https://proxy.example/trade-api/v2", environ={ALLOW_CUSTOM_HOST_ENV: "1"})
    for value in ("true", "yes", "01", " 1", "0"):
        with pytest.raises(KalshiConfigError):
            check_signed_host("https://proxy.example/trade-api/v2", environ={ALLOW_CUSTOM_HOST_ENV: value})


@pytest.mark.parametrize(
    "headers",
    [
        {"kalshi-access-key": "x"},
        {"KALSHI-ACCESS-Anything": "x"},
        {"Kalshi-Access-Timestamp": "1"},
        {"AUTHORIZATION": "x"},
        {"X-App": "a", "x-app": "b"},
        {"X-App": "a\r\nX-Evil: 1"},
    ],
)
def test_extra_headers_refused(headers: dict[str, str]) -> None:
    with pytest.raises(KalshiConfigError, match="extra_headers"):
        KalshiConfig(extra_headers=headers)


def test_extra_headers_are_read_only_after_construction() -> None:
    source = {"X-App": "bot"}
    config = KalshiConfig(extra_headers=source)
    source["X-App"] = "changed"
    assert config.extra_headers["X-App"] == "bot"
    with pytest.raises(TypeError):
        config.extra_headers["X-App"] = "changed"  # type: ignore[index]
    import copy
    import pickle

    assert pickle.loads(pickle.dumps(config)).extra_headers == {"X-App": "bot"}
    assert copy.deepcopy(config) == config


def test_env_credentials_config() -> None:
    creds = credentials_from_env(environ={"KALSHI_API_BASE_URL": "https://demo-api.kalshi.co/trade-api/v2"})
    assert creds.config().environment is DEMO
    with pytest.raises(KalshiConfigError, match="production and demo"):
        credentials_from_env(
            environ={"KALSHI_DEMO": "1", "KALSHI_API_BASE_URL": "https://external-api.kalshi.com/trade-api/v2"}
        ).config()
    local = credentials_from_env(environ={"KALSHI_API_BASE_URL": "http://127.0.0.1:5/trade-api/v2"})
    assert local.config(KalshiConfig(timeout=3.0)).endpoints().rest_url == "http://127.0.0.1:5/trade-api/v2"
    assert local.config(KalshiConfig(timeout=3.0)).timeout == 3.0
