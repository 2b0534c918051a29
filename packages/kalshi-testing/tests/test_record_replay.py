from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from kalshi_testing import (
    FixtureError,
    KalshiExchangeSimulator,
    RecordingTransport,
    ReplayMissError,
    ReplayTransport,
    fingerprint,
    redact_fields,
)

API = "/trade-api/v2"


def signed_client(sim: KalshiExchangeSimulator, transport: httpx.BaseTransport, user) -> httpx.Client:  # type: ignore[no-untyped-def]
    def sign(request: httpx.Request) -> httpx.Request:
        request.headers.update(user.auth.headers(request.method, request.url.path))
        return request

    class Signer(httpx.Auth):
        def auth_flow(self, request: httpx.Request):  # type: ignore[no-untyped-def]
            yield sign(request)

    return httpx.Client(base_url=sim.base_url, transport=transport, auth=Signer())


def test_record_then_replay_offline(tmp_path: Path) -> None:
    with KalshiExchangeSimulator() as sim:
        user = sim.create_user("rec")
        with signed_client(sim, RecordingTransport(tmp_path), user) as client:
            markets = client.get(API + "/markets", params={"limit": 3, "status": "open"}).json()
            created = client.post(
                API + "/portfolio/events/orders",
                json={
                    "ticker": "KXFED-26DEC-T3.50",
                    "side": "bid",
                    "price": "0.05",
                    "count": "1",
                    "time_in_force": "good_till_canceled",
                    "self_trade_prevention_type": "maker",
                },
            )
            assert created.status_code == 201
            bal1 = client.get(API + "/portfolio/balance").json()
            client.delete(API + "/portfolio/events/orders")
            bal2 = client.get(API + "/portfolio/balance").json()
        secret_pem = user.private_key_pem.decode()
    files = sorted(tmp_path.glob("*.json"))
    assert len(files) == 5
    for f in files:
        text = f.read_text()
        assert "kalshi-access" not in text.lower()
        assert user.key_id not in text
        data = json.loads(text)
        assert not any(h.lower().startswith("kalshi-access") for h in data["request"]["headers"])
        assert secret_pem.splitlines()[1] not in text
        assert "signature" not in text.lower()
    # The simulator is gone: replay answers from disk, signed with any (or no) key.
    replay = ReplayTransport(tmp_path)
    with httpx.Client(base_url="http://127.0.0.1:9", transport=replay) as client:
        assert (
            client.get(API + "/markets", params={"status": "open", "limit": 3}).json() == markets
        )  # query order ignored
        again = client.post(
            API + "/portfolio/events/orders",
            json={
                "self_trade_prevention_type": "maker",
                "ticker": "KXFED-26DEC-T3.50",
                "side": "bid",
                "price": "0.05",
                "count": "1",
                "time_in_force": "good_till_canceled",
            },
        )  # key order ignored
        assert again.status_code == 201
        assert again.json() == created.json()
        assert client.get(API + "/portfolio/balance").json() == bal1  # repeated requests replay in order
        assert client.delete(API + "/portfolio/events/orders").status_code == 204
        assert client.get(API + "/portfolio/balance").json() == bal2
        assert client.get(API + "/portfolio/balance").json() == bal2  # past the end, the last repeats
        with pytest.raises(ReplayMissError) as miss:
            client.get(API + "/markets", params={"limit": 4, "status": "open"})
    assert miss.value.fingerprint == "GET /trade-api/v2/markets?limit=4&status=open"
    assert miss.value.closest[0] == "GET /trade-api/v2/markets?limit=3&status=open"
    assert "closest recorded" in str(miss.value)


async def test_async_record_and_replay_with_redaction(tmp_path: Path) -> None:
    with KalshiExchangeSimulator() as sim:
        user = sim.create_user("async-rec")
        headers = user.auth.headers("GET", API + "/portfolio/orders")
        transport = RecordingTransport(tmp_path, redact=redact_fields("user_id", "client_order_id"))
        async with httpx.AsyncClient(base_url=sim.base_url, transport=transport) as client:
            path = API + "/portfolio/events/orders"
            r = await client.post(
                path,
                headers=user.auth.headers("POST", path),
                json={
                    "ticker": "KXFED-26DEC-T3.50",
                    "side": "bid",
                    "price": "0.05",
                    "count": "1",
                    "client_order_id": "pii",
                    "time_in_force": "good_till_canceled",
                    "self_trade_prevention_type": "maker",
                },
            )
            assert r.json()["client_order_id"] == "pii"  # the live caller sees the real value
            orders = await client.get(API + "/portfolio/orders", headers=headers)
            assert orders.json()["orders"][0]["user_id"] == "async-rec"
    stored = _all_text(tmp_path)
    assert "async-rec" not in stored
    assert '"pii"' not in stored
    async with httpx.AsyncClient(base_url="http://127.0.0.1:9", transport=ReplayTransport(tmp_path)) as client:
        replayed = await client.get(API + "/portfolio/orders")
        assert replayed.json()["orders"][0]["user_id"] == "REDACTED"


def _all_text(directory: Path) -> str:
    return "".join(f.read_text() for f in directory.glob("*.json"))


def test_fingerprint_ignores_auth_headers_and_canonicalises_body() -> None:
    a = httpx.Request(
        "POST",
        "http://x/trade-api/v2/p?b=2&a=1",
        json={"x": 1, "y": 2},
        headers={"KALSHI-ACCESS-SIGNATURE": "s1", "KALSHI-ACCESS-TIMESTAMP": "1"},
    )
    b = httpx.Request(
        "POST",
        "http://y/trade-api/v2/p?a=1&b=2",
        content=b'{"y": 2, "x": 1}',
        headers={"KALSHI-ACCESS-SIGNATURE": "s2", "KALSHI-ACCESS-TIMESTAMP": "2"},
    )
    assert fingerprint(a) == fingerprint(b)
    assert fingerprint(a).startswith("POST /trade-api/v2/p?a=1&b=2 body:")
    c = httpx.Request("POST", "http://x/trade-api/v2/p?a=1&b=2", json={"x": 2, "y": 2})
    assert fingerprint(c) != fingerprint(a)


def test_bad_fixture_directories_raise_fixture_error(tmp_path: Path) -> None:
    with pytest.raises(FixtureError):
        ReplayTransport(tmp_path / "missing")
    (tmp_path / "broken.json").write_text("{not json")
    with pytest.raises(FixtureError, match=r"broken\.json"):
        ReplayTransport(tmp_path)
    (tmp_path / "broken.json").write_text('{"version": 99}')
    with pytest.raises(FixtureError, match="not a version-1"):
        ReplayTransport(tmp_path)
    (tmp_path / "broken.json").unlink()
    with httpx.Client(transport=ReplayTransport(tmp_path)) as client, pytest.raises(ReplayMissError) as miss:
        client.get("http://x/trade-api/v2/markets")
    assert miss.value.closest == []
    assert "no fixtures recorded" in str(miss.value)


def test_recording_a_gzip_response_hands_back_decoded_content(tmp_path: Path) -> None:
    import gzip

    body = json.dumps({"markets": [], "cursor": ""}).encode()

    def gzipped(request: httpx.Request) -> httpx.Response:
        return httpx.Response(
            200, headers={"Content-Encoding": "gzip", "Content-Type": "application/json"}, content=gzip.compress(body)
        )

    transport = RecordingTransport(tmp_path, transport=httpx.MockTransport(gzipped))
    with httpx.Client(transport=transport) as client:
        assert client.get("http://x/trade-api/v2/markets").json() == {"markets": [], "cursor": ""}
    with httpx.Client(transport=ReplayTransport(tmp_path)) as client:
        assert client.get("http://x/trade-api/v2/markets").json() == {"markets": [], "cursor": ""}


def test_binary_bodies_replay_byte_for_byte(tmp_path: Path) -> None:
    blob = bytes(range(256)) * 4 + b"\xff\xfe\x00"

    def upstream(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, headers={"content-type": "application/octet-stream"}, content=blob)

    recorder = RecordingTransport(tmp_path, transport=httpx.MockTransport(upstream))
    with httpx.Client(base_url="http://127.0.0.1:9", transport=recorder) as client:
        assert client.get("/export.bin").content == blob
    with httpx.Client(base_url="http://127.0.0.1:9", transport=ReplayTransport(tmp_path)) as client:
        assert client.get("/export.bin").content == blob


def test_a_second_recording_adds_to_the_fixtures(tmp_path: Path) -> None:
    answers = iter([{"n": 1}, {"n": 2}, {"n": 3}])

    def upstream(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=next(answers))

    for _ in range(2):
        recorder = RecordingTransport(tmp_path, transport=httpx.MockTransport(upstream))
        with httpx.Client(base_url="http://127.0.0.1:9", transport=recorder) as client:
            client.get("/markets")
    recorder = RecordingTransport(tmp_path, transport=httpx.MockTransport(upstream))
    with httpx.Client(base_url="http://127.0.0.1:9", transport=recorder) as client:
        client.get("/markets")
    assert len(list(tmp_path.glob("*.json"))) == 3
    with httpx.Client(base_url="http://127.0.0.1:9", transport=ReplayTransport(tmp_path)) as client:
        assert [client.get("/markets").json()["n"] for _ in range(3)] == [1, 2, 3]
