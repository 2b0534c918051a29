"""Property tests of the session layer: whatever frames are lost, RT delivers each message once, in order."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from kalshi_fix._codec import parse_frame
from kalshi_fix._session import ApplicationMessage, CloseConnection, SessionConfig, SessionEvent, SessionProtocol
from kalshi_fix._store import MemoryStore

KEY = "0b7c2c7e-1d2f-4c34-9a55-7e6f5a4b3c2d"
T0 = 1_763_000_000.0


def run(messages: int, lost_up: set[int], lost_down: set[int]) -> tuple[list[str], list[str]]:
    """Client sends `messages` orders, server answers each; frames with the given seqs are lost once.

    When either side gives up on the connection (a dead peer), both reconnect, as the driver would.
    """
    client = SessionProtocol(SessionConfig(KEY, "KalshiRT", heartbeat_interval=10, retransmits=True), MemoryStore())
    server = SessionProtocol(SessionConfig("KalshiRT", KEY, retransmits=True, initiator=False), MemoryStore())
    up_lost, down_lost = set(lost_up), set(lost_down)
    at_server: list[str] = []
    at_client: list[str] = []
    now = T0
    closed = [False]

    def deliver(events: list[SessionEvent], sink: list[str], answer: bool) -> None:
        for event in events:
            if isinstance(event, CloseConnection):
                closed[0] = True
            if isinstance(event, ApplicationMessage):
                cl = event.frame.get(11) or ""
                sink.append(cl)
                if answer:
                    server.send("8", f"11={cl}\x01".encode(), now)

    def pump() -> None:
        for _ in range(200):
            up, down = client.data_to_send(), server.data_to_send()
            if not up and not down:
                return
            for frame in up:
                seq = parse_frame(frame).msg_seq_num
                if seq in up_lost:
                    up_lost.discard(seq)
                    continue
                deliver(server.receive(frame, now), at_server, answer=True)
            for frame in down:
                seq = parse_frame(frame).msg_seq_num
                if seq in down_lost:
                    down_lost.discard(seq)
                    continue
                deliver(client.receive(frame, now), at_client, answer=False)
        raise AssertionError("no quiescence")

    def reconnect() -> None:
        for _ in range(10):
            closed[0] = False
            client.connection_lost(now)
            server.connection_lost(now)
            server.accept(now)
            client.connect(now)
            pump()
            if client.is_active and server.is_active and not closed[0]:
                return
        raise AssertionError("cannot log on again")

    reconnect()
    for n in range(messages):
        if not client.is_active:
            reconnect()
        client.send("D", f"11=o{n}\x01".encode(), now)
        pump()
        if closed[0]:
            reconnect()
    # timers on both sides reveal gaps at the tail; a few intervals settle everything
    for _ in range(12):
        now += 5
        deliver(client.handle_timeout(now), at_client, answer=False)
        deliver(server.handle_timeout(now), at_server, answer=True)
        pump()
        if closed[0] or not client.is_active:
            reconnect()
    return at_server, at_client


@settings(max_examples=150, deadline=None)
@given(
    messages=st.integers(min_value=1, max_value=12),
    lost_up=st.sets(st.integers(min_value=2, max_value=20), max_size=5),
    lost_down=st.sets(st.integers(min_value=2, max_value=20), max_size=5),
)
def test_rt_recovers_any_loss_pattern_exactly_once_in_order(
    messages: int, lost_up: set[int], lost_down: set[int]
) -> None:
    at_server, at_client = run(messages, lost_up, lost_down)
    expected = [f"o{n}" for n in range(messages)]
    assert at_server == expected
    assert at_client == expected
