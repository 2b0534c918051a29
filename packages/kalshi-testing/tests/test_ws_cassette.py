from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from websockets.asyncio.client import connect as ws_connect

from kalshi_testing import (
    FixtureError,
    KalshiExchangeSimulator,
    WebSocketRecorder,
    WebSocketReplayServer,
    load_cassette,
)

FED = "KXFED-26DEC-T3.50"


async def test_record_a_session_through_the_proxy_and_replay_it(tmp_path: Path) -> None:
    cassette = tmp_path / "session.json"
    async with KalshiExchangeSimulator() as sim:
        user = await asyncio.to_thread(sim.create_user, "ws-rec")
        async with WebSocketRecorder(sim.ws_url, cassette, auth=user.auth) as rec:
            async with ws_connect(rec.url) as ws:  # the client itself sends no credentials
                await ws.send(
                    json.dumps(
                        {"id": 7, "cmd": "subscribe", "params": {"channels": ["orderbook_delta"], "market_ticker": FED}}
                    )
                )
                live = [json.loads(await asyncio.wait_for(ws.recv(), 5)) for _ in range(2)]
            await asyncio.wait_for(rec.done.wait(), 5)
    frames = load_cassette(cassette)
    assert [f["dir"] for f in frames] == ["out", "in", "in"]
    assert all(f["t"] >= 0 for f in frames)
    assert frames[1]["t"] <= frames[2]["t"]
    assert "KALSHI" not in cassette.read_text().upper()
    async with WebSocketReplayServer(cassette, speed=10) as server, ws_connect(server.url) as ws:
        await ws.send(
            json.dumps({"id": 1, "cmd": "subscribe", "params": {"channels": ["orderbook_delta"], "market_ticker": FED}})
        )
        replayed = [json.loads(await asyncio.wait_for(ws.recv(), 5)) for _ in range(2)]
    assert replayed[0]["type"] == "subscribed"
    assert replayed[0]["id"] == 1
    assert replayed[1] == live[1]
    assert json.loads(server.received[0])["id"] == 1


async def test_replay_keeps_relative_timing(tmp_path: Path) -> None:
    cassette = tmp_path / "timed.json"
    cassette.write_text(
        json.dumps(
            {
                "version": 1,
                "frames": [
                    {"t": 0.0, "dir": "in", "text": '{"type":"a"}'},
                    {"t": 0.3, "dir": "in", "text": '{"type":"b"}'},
                ],
            }
        )
    )
    async with WebSocketReplayServer(cassette) as server, ws_connect(server.url) as ws:
        loop = asyncio.get_running_loop()
        await ws.recv()
        t0 = loop.time()
        await ws.recv()
        assert 0.2 <= loop.time() - t0 < 1.5


def test_bad_cassettes(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"version": 1, "frames": [{"dir": "sideways", "text": "x"}]}')
    with pytest.raises(FixtureError, match="frame 0"):
        load_cassette(bad)
    with pytest.raises(FixtureError):
        load_cassette(tmp_path / "missing.json")
    with pytest.raises(ValueError):
        WebSocketReplayServer(bad, speed=0)
