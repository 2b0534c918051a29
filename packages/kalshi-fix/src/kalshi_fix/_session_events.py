"""The session layer's vocabulary: states, events, configuration, and the frame helpers both roles use.

Pure data and pure functions; `_session.SessionProtocol` drives them.
"""

from __future__ import annotations

import enum
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ._codec import FixFrame, SessionHeader, encode_frame
from ._errors import FixError

if TYPE_CHECKING:
    from ._store import SequenceStore

__all__ = [
    "ADMIN_MSG_TYPES",
    "KALSHI_COMP_IDS",
    "ApplicationMessage",
    "BusinessReject",
    "CloseConnection",
    "FrameDropped",
    "GapDetected",
    "LoggedOn",
    "LoggedOut",
    "LogonRejected",
    "SessionConfig",
    "SessionEvent",
    "SessionReject",
    "SessionState",
    "build_frame",
    "encode_fields",
    "accepted_comp_ids",
    "format_sending_time",
    "logon_frame",
    "resend_frames",
]

ADMIN_MSG_TYPES = frozenset({"0", "1", "2", "3", "4", "5", "A"})


class SessionState(enum.Enum):
    """Where a session is in its life."""

    DISCONNECTED = "disconnected"
    AWAITING_LOGON = "awaiting_logon"
    """Acceptor: connected, waiting for the initiator's Logon."""
    LOGON_SENT = "logon_sent"
    ACTIVE = "active"
    LOGOUT_SENT = "logout_sent"


# ---------------------------------------------------------------------------------------- events


@dataclass(frozen=True, slots=True)
class LoggedOn:
    """The Logon exchange completed; application messages may flow."""

    heartbeat_interval: int
    reset: bool
    """True when this logon reset the sequence numbers to 1 (ResetSeqNumFlag=Y)."""
    logon: FixFrame = field(repr=False)


@dataclass(frozen=True, slots=True)
class ApplicationMessage:
    """An in-order application message; `decode_app_message(event.frame)` gives the typed message."""

    msg_type: str
    seq: int
    frame: FixFrame = field(repr=False, compare=False)
    """The verified frame; it knows the session's price units (`use_dollars`)."""
    poss_dup: bool = False
    """True when the counterparty resent it (PossDupFlag=Y): it may have been seen before."""

    @property
    def raw(self) -> bytes:
        """The frame's bytes, exactly as received."""
        return self.frame.raw


@dataclass(frozen=True, slots=True)
class SessionReject:
    """The counterparty rejected one of our messages at session level (35=3)."""

    ref_seq_num: int | None
    reason: int | None
    """SessionRejectReason (373)."""
    text: str | None
    ref_tag_id: int | None = None
    ref_msg_type: str | None = None


@dataclass(frozen=True, slots=True)
class BusinessReject:
    """The counterparty rejected an application message (35=j), e.g. reason 8, rate limit exceeded."""

    ref_seq_num: int | None
    ref_msg_type: str | None
    reason: int | None
    """BusinessRejectReason (380)."""
    text: str | None
    ref_id: str | None = None
    """BusinessRejectRefID (379)."""


@dataclass(frozen=True, slots=True)
class GapDetected:
    """Inbound MsgSeqNum jumped: `begin..end` are missing (recovered by ResendRequest on RT/PT)."""

    begin: int
    end: int
    recoverable: bool


@dataclass(frozen=True, slots=True)
class FrameDropped:
    """Bytes that failed BodyLength/CheckSum or could not be parsed were dropped (FIX ignores them)."""

    reason: str


@dataclass(frozen=True, slots=True)
class LogonRejected:
    """The counterparty answered our Logon with a Logout."""

    text: str | None


@dataclass(frozen=True, slots=True)
class LoggedOut:
    """The session ended with a Logout exchange."""

    text: str | None
    initiated_by_us: bool


@dataclass(frozen=True, slots=True)
class CloseConnection:
    """The driver must close the socket now; `reconnect` says whether trying again makes sense."""

    reason: str
    reconnect: bool
    error: FixError | None = None
    """The typed error that ended the session for good (e.g. `FixCompIdError`), when there is one."""


SessionEvent = (
    LoggedOn
    | ApplicationMessage
    | SessionReject
    | BusinessReject
    | GapDetected
    | FrameDropped
    | LogonRejected
    | LoggedOut
    | CloseConnection
)


# ---------------------------------------------------------------------------------------- config


@dataclass(frozen=True, slots=True)
class SessionConfig:
    """How one FIX session behaves.

    Args:
        sender_comp_id: tag 49; the API key ID on Kalshi.
        target_comp_id: tag 56; the session name (`KalshiNR`, `KalshiRT`, ...). An acceptor may leave it
            empty to serve any initiator (it takes the Logon's SenderCompID; `verify_logon` decides).
        heartbeat_interval: HeartBtInt (108) in seconds; prediction needs > 3, margin >= 3.
        retransmits: the session keeps sequence numbers across logons, resends stored messages and
            recovers inbound gaps with ResendRequest (KalshiRT, KalshiPT). When False, every logon
            resets to 1 (ResetSeqNumFlag=Y) and an inbound gap closes the connection.
        reset_on_logon: force ResetSeqNumFlag=Y; None means "when not `retransmits`, or when the
            store is fresh".
        initiator: send the Logon (client) rather than wait for it (acceptor).
        sign: signs the logon payload (`KalshiAuth.sign`); the signature goes in RawData (96).
        logon_fields: extra Logon body fields, e.g. `((21005, "Y"),)` for UseDollars.
        use_dollars: prices on this session are dollars (UseDollars=Y, margin), not integer cents;
            stored on every received `FixFrame` so `decode_app_message(frame)` converts right.
        verify_logon: acceptor only: returns a rejection text for a bad Logon, or None to accept.
        test_request_delay: extra silence tolerated beyond HeartBtInt before a TestRequest, as a
            fraction of HeartBtInt.
        logon_timeout: seconds to wait for the Logon answer.
        logout_timeout: seconds to wait for the Logout answer before closing anyway.
        max_buffered: messages held behind an unrecovered gap before giving up and reconnecting.
        counterparty_comp_ids: SenderCompID (49) values accepted on received messages. None: Kalshi's
            documented identities (`KALSHI_COMP_IDS`: `Kalshi`, `KalshiMD`) plus `target_comp_id` for an
            initiator; `target_comp_id` for an acceptor.
        local_comp_ids: TargetCompID (56) values accepted on received messages. None: `sender_comp_id`.
            An acceptor that answers as `Kalshi` while initiators address it by session name sets
            `sender_comp_id="Kalshi"` and `local_comp_ids=frozenset({"KalshiNR"})`.
        commit_on_handled: an inbound application message counts as received in the store (what a
            restarted process resumes from) only once the driver calls `SessionProtocol.commit(seq)`
            after the application handled it: at-least-once delivery across a crash, the unhandled
            messages asked for again with a ResendRequest. False records it on receipt (at most once).
    """

    sender_comp_id: str
    target_comp_id: str
    heartbeat_interval: int = 30
    retransmits: bool = False
    reset_on_logon: bool | None = None
    initiator: bool = True
    sign: Callable[[bytes], str] | None = field(default=None, repr=False)
    logon_fields: tuple[tuple[int, str], ...] = ()
    use_dollars: bool = False
    verify_logon: Callable[[FixFrame], str | None] | None = field(default=None, repr=False)
    test_request_delay: float = 0.2
    logon_timeout: float = 10.0
    logout_timeout: float = 2.0
    max_buffered: int = 100_000
    counterparty_comp_ids: frozenset[str] | None = None
    local_comp_ids: frozenset[str] | None = None
    commit_on_handled: bool = False


KALSHI_COMP_IDS: frozenset[str] = frozenset({"Kalshi", "KalshiMD"})
"""SenderCompID (49) values Kalshi documents on the messages it sends: `Kalshi`
(docs.kalshi.com/fix/common-components) and `KalshiMD` (docs.kalshi.com/fix/market-data examples)."""


def build_frame(  # noqa: PLR0917
    msg_type: str,
    sender: str,
    target: str,
    seq: int,
    sending_time: str,
    body: bytes,
    *,
    poss_dup: bool = False,
    orig_sending_time: str | None = None,
) -> bytes:
    """Build one frame: header in the recommended order, `body`, then BodyLength and CheckSum."""
    header = SessionHeader(
        sender_comp_id=sender,
        target_comp_id=target,
        msg_seq_num=seq,
        sending_time=sending_time,
        poss_dup_flag=poss_dup,
        orig_sending_time=orig_sending_time,
    )
    return encode_frame(msg_type, header, body)


def encode_fields(fields: Iterable[tuple[int, object]]) -> bytes:
    """Encode (tag, value) pairs as `tag=value<SOH>...` (None values are left out)."""
    return "".join(f"{tag}={value}\x01" for tag, value in fields if value is not None).encode()


_time_cache: list[Any] = [-1, ""]


def format_sending_time(now: float) -> str:
    """Format epoch seconds as SendingTime (52): `YYYYMMDD-HH:MM:SS.sss` UTC."""
    sec, ms = divmod(int(now * 1000), 1000)
    if _time_cache[0] != sec:
        _time_cache[0] = sec
        _time_cache[1] = time.strftime("%Y%m%d-%H:%M:%S", time.gmtime(sec))
    return f"{_time_cache[1]}.{ms:03d}"


def resend_frames(config: SessionConfig, store: SequenceStore, begin: int, end: int, sending_time: str) -> list[bytes]:
    """Answer a ResendRequest for `begin..end` (0: through the latest): stored application messages again with
    PossDupFlag=Y and OrigSendingTime, and a SequenceReset-GapFill over everything not stored (admin messages)."""
    last = store.next_sender_seq - 1
    if end == 0 or end > last:
        end = last
    out: list[bytes] = []
    if begin > end:
        return out
    gap_start: int | None = None
    for msg in store.messages(begin, end):
        if gap_start is None and msg.seq > begin:
            gap_start = begin
        if gap_start is not None and gap_start < msg.seq:
            out.append(_gap_fill(config, gap_start, msg.seq, sending_time))
        out.append(
            build_frame(
                msg.msg_type,
                config.sender_comp_id,
                config.target_comp_id,
                msg.seq,
                sending_time,
                msg.body,
                poss_dup=True,
                orig_sending_time=msg.sending_time,
            )
        )
        gap_start = msg.seq + 1
    if gap_start is None:
        gap_start = begin
    if gap_start <= end:
        out.append(_gap_fill(config, gap_start, end + 1, sending_time))
    return out


def _gap_fill(config: SessionConfig, seq: int, new_seq: int, sending_time: str) -> bytes:
    body = b"123=Y\x0136=%d\x01" % new_seq
    return build_frame(
        "4",
        config.sender_comp_id,
        config.target_comp_id,
        seq,
        sending_time,
        body,
        poss_dup=True,
        orig_sending_time=sending_time,
    )


def accepted_comp_ids(config: SessionConfig) -> tuple[frozenset[str], frozenset[str]]:
    """The SenderCompID (49) and TargetCompID (56) values accepted on received messages (see `SessionConfig`)."""
    peer = config.counterparty_comp_ids
    if peer is None:
        target = frozenset({config.target_comp_id})
        peer = KALSHI_COMP_IDS | target if config.initiator else target
    own = config.local_comp_ids if config.local_comp_ids is not None else frozenset({config.sender_comp_id})
    return peer, own


def logon_frame(  # noqa: PLR0917
    config: SessionConfig, seq: int, sending_time: str, heartbeat: int, reset: bool, extra: tuple[tuple[int, str], ...]
) -> bytes:
    """Our Logon (35=A): 98, 108, 141, 1137, options, then the signature (95/96) over the five documented values,
    in the order of docs.kalshi.com/fix/listener-sessions' example (98|108|1137|20126|21011|96).

    The signed text is SendingTime, "A", MsgSeqNum, SenderCompID and TargetCompID joined by SOH
    (docs.kalshi.com/fix/session-management, "Signature Generation"); 52 is formatted once and used in both.
    """
    fields: list[tuple[int, object]] = [(98, 0), (108, heartbeat)]
    if reset:
        fields.append((141, "Y"))
    fields.append((1137, 9))
    fields.extend(extra)
    if config.sign is not None:
        payload = "\x01".join((sending_time, "A", str(seq), config.sender_comp_id, config.target_comp_id))
        signature = config.sign(payload.encode())
        fields += [(95, len(signature.encode())), (96, signature)]
    return build_frame("A", config.sender_comp_id, config.target_comp_id, seq, sending_time, encode_fields(fields))
