"""A bug inside the simulator is answered like Kalshi's own failures (a 500, a BusinessMessageReject), never as a
silently dropped connection, and it is recorded in `internal_errors` so the test that hit it fails."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import socket
import threading
import time
import warnings
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from kalshi_testing_fix_helpers import API, messages, order, wait_for

from kalshi_fix import FixFrame
from kalshi_fix.messages import BusinessMessageReject, BusinessRejectReason, ExecutionReport
from kalshi_testing import KalshiExchange, KalshiExchangeSimulator

pytest_plugins = ["pytester"]


@pytest.fixture
def broken() -> Iterator[KalshiExchange]:
    """A simulator whose engine raises a plain bug (not an ExchangeError) on every new order."""
    sim = KalshiExchangeSimulator(heartbeat=10.0).start()
    try:
        user = sim.create_user("trader", balance="1000.00")

        def create_order(*_: Any, **__: Any) -> Any:
            raise RuntimeError("a bug in the simulator")

        sim.call(lambda ex: setattr(ex, "create_order", create_order))
        yield KalshiExchange(sim, user)
    finally:
        sim.stop()


def post_order(ex: KalshiExchange, ticker: str) -> httpx.Response:
    """A signed one-contract bid on `ticker`, straight over HTTP."""
    path = API + "/portfolio/events/orders"
    body = {"ticker": ticker, "side": "bid", "price": "0.23", "count": "1", "time_in_force": "good_till_canceled"}
    return httpx.post(ex.simulator.base_url + path, headers=ex.user.auth.headers("POST", path), json=body)


def test_a_rest_bug_is_a_500_and_is_recorded(broken: KalshiExchange) -> None:
    r = post_order(broken, "KXFED-26DEC-T3.50")
    assert r.status_code == 500
    assert r.json()["code"] == "internal_server_error"
    assert len(broken.simulator.internal_errors) == 1
    assert "unhandled error serving POST" in broken.simulator.internal_errors[0]


async def test_a_fix_bug_is_a_business_reject_and_the_session_stays(broken: KalshiExchange) -> None:
    received: list[FixFrame] = []
    async with broken.fix_client().order_entry(retransmit=True, on_message=received.append) as session:
        await session.send(order("bug-1"))
        await wait_for(lambda: bool(messages(received, BusinessMessageReject)))
        reject = messages(received, BusinessMessageReject)[0]
        assert reject.business_reject_reason == BusinessRejectReason.OTHER
        assert messages(received, ExecutionReport) == []
        assert session.connection.connects == 1
    assert any("unhandled error handling FIX D" in e for e in broken.simulator.internal_errors)


def test_a_client_error_is_not_an_internal_error(kalshi_exchange: KalshiExchange) -> None:
    r = post_order(kalshi_exchange, "NO-SUCH-MARKET")
    assert 400 <= r.status_code < 500
    assert kalshi_exchange.simulator.internal_errors == []


def test_only_the_simulators_own_failures_are_recorded() -> None:
    import gc
    import logging
    import threading

    from kalshi_testing.simulator._simulator import _InternalErrors

    errors = _InternalErrors(threading.get_ident())

    def record(name: str, msg: str, exc: BaseException | None = None, thread: int | None = None) -> None:
        rec = logging.LogRecord(name, logging.ERROR, __file__, 1, msg, None, (type(exc), exc, None) if exc else None)
        if thread is not None:
            rec.thread = thread
        errors.emit(rec)

    # what the garbage collector logs for a task of a loop already closed (an earlier simulator's), for real
    logging.getLogger("asyncio").addHandler(errors)
    try:
        loop = asyncio.new_event_loop()
        task = loop.create_task(asyncio.sleep(3600))
        loop.run_until_complete(asyncio.sleep(0))
        loop.close()
        del task, loop
        gc.collect()
    finally:
        logging.getLogger("asyncio").removeHandler(errors)
    record("kalshi.testing", "simulator: unhandled error serving GET /x", ConnectionResetError("gone"))
    record("kalshi.testing", "simulator: unhandled error serving GET /x", KeyError("bug"), thread=-1)
    assert errors.messages == []
    record("asyncio", "Fatal error: protocol.data_received() call failed.", KeyError("bug"))
    assert errors.messages == ["asyncio: Fatal error: protocol.data_received() call failed. (KeyError: 'bug')"]


def test_the_pytest_fixture_fails_a_test_that_hit_a_simulator_bug(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(
        """
        import httpx

        def test_hits_a_bug(kalshi_exchange):
            sim = kalshi_exchange.simulator
            sim.call(lambda ex: setattr(ex, "create_order", lambda *a, **k: 1 / 0))
            path = "/trade-api/v2/portfolio/events/orders"
            body = {"ticker": "KXFED-26DEC-T3.50", "side": "bid", "price": "0.23", "count": "1"}
            r = httpx.post(sim.base_url + path, headers=kalshi_exchange.user.auth.headers("POST", path), json=body)
            assert r.status_code == 500
        """
    )
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, errors=1)
    result.stdout.fnmatch_lines(["*the simulator failed inside its own code*", "*ZeroDivisionError*"])


def test_stop_finishes_what_still_runs_on_the_servers_loop() -> None:
    """A handler still running when the simulator stops (past aiohttp's shutdown grace) is cancelled and its
    connection closed on the simulator's loop, not left to the garbage collector: on aiohttp's lowest supported
    version that logged "Task was destroyed but it is pending!" in a later test, and on Python 3.13.0 collecting
    the transport after its server closed raised inside asyncio."""
    from kalshi_testing.simulator._simulator import _finish_tasks

    loop = asyncio.new_event_loop()
    closed: list[bool] = []

    async def handler() -> None:
        try:
            await asyncio.Event().wait()
        finally:
            closed.append(True)  # where a request handler closes its transport

    task = loop.create_task(handler())
    loop.run_until_complete(asyncio.sleep(0))
    _finish_tasks(loop)
    loop.close()
    assert task.cancelled() and closed == [True]


def test_stopping_while_clients_connect_leaves_no_connection_for_the_garbage_collector() -> None:
    """A connection accepted just as stop() closes the servers used to be half-built and left unclosed: the
    garbage collector then warned, and on Python 3.13.0 raised inside asyncio in whatever test was running."""
    leaked: list[str] = []
    for attempt in range(20):
        sim = KalshiExchangeSimulator().start()
        ports = [sim.port, *sim.fix.ports.values()]

        def connect(ports: list[int] = ports) -> None:
            for port in ports * 3:
                with contextlib.suppress(OSError):
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()

        clients = threading.Thread(target=connect)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always", ResourceWarning)
            clients.start()
            time.sleep(0.002 * (attempt % 5))
            sim.stop()
            clients.join()
            gc.collect()
        leaked += [str(w.message) for w in caught if "unclosed transport" in str(w.message)]
    assert leaked == []
