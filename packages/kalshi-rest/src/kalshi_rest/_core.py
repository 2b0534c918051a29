"""The sans-I/O core shared by `KalshiClient` and `AsyncKalshiClient`.

Everything except sending and sleeping happens here, once: building the request, signing each
attempt afresh, the retry loop, classifying the response, mapping errors and parsing the body.

The retry loop is a generator in the style of httpx's `auth_flow`: it yields `Send(request)` or
`Sleep(seconds)` and receives the `httpx.Response` (or the transport exception) back, returning the
final successful response. `_transport.py` drives it in a few lines per face, so the sync and
async clients cannot drift apart.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable, Generator, Mapping
from datetime import date, datetime
from decimal import Decimal
from enum import Enum
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from urllib.parse import quote, urlencode

import httpx

from kalshi_auth import AuthRequiredError, KalshiConfig, KalshiConnectionError, check_signed_host

from ._errors import (
    KalshiRequestError,
    KalshiResponseError,
    KalshiTimeoutError,
    error_for_status,
    parse_error_body,
)
from ._operation import Operation
from ._options import RequestOptions
from ._pagination import clean_cursor
from ._ratelimit import RateLimiter
from ._retry import RetryPolicy, parse_retry_after

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = ["Core", "Flow", "PreparedCall", "RequestSigner", "Send", "Sleep"]

T = TypeVar("T")

logger = logging.getLogger("kalshi_rest")

_VERSION = "0.1.0"
_PROTECTED = frozenset({"kalshi-access-key", "kalshi-access-timestamp", "kalshi-access-signature", "authorization"})
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class RequestSigner(Protocol):
    """What signs a request: `KalshiAuth`, or another scheme (bearer tokens) with the same method."""

    def headers(self, method: str, path: str) -> Mapping[str, str]:
        """The auth headers for one attempt of `method` on `path` (the full path, no query)."""
        ...


class Send:
    """Send this request and resume the flow with the response (or the transport exception)."""

    __slots__ = ("request",)

    def __init__(self, request: httpx.Request) -> None:
        self.request = request

    def __repr__(self) -> str:
        return f"Send({self.request.method} {self.request.url.path})"


class Sleep:
    """Wait this many seconds, then resume the flow with None."""

    __slots__ = ("seconds",)

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Sleep) and other.seconds == self.seconds

    def __hash__(self) -> int:
        return hash(self.seconds)

    def __repr__(self) -> str:
        return f"Sleep({self.seconds!r})"


Action = Send | Sleep
Outcome = httpx.Response | Exception | None
Flow = Generator[Action, Outcome, httpx.Response]


class PreparedCall:
    """One call, built once; each attempt is signed from it afresh."""

    __slots__ = ("body", "content", "extensions", "headers", "op", "policy", "raw", "sign_path", "url")

    def __init__(
        self,
        *,
        op: Operation[Any],
        url: httpx.URL,
        sign_path: str,
        headers: dict[str, str],
        content: bytes | None,
        extensions: dict[str, Any],
        policy: RetryPolicy,
        body: Any,
        raw: bool,
    ) -> None:
        self.op = op
        self.url = url
        self.sign_path = sign_path
        self.headers = headers
        self.content = content
        self.extensions = extensions
        self.policy = policy
        self.body = body
        self.raw = raw


def _query_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Enum):
        return _query_value(value.value)
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, str | int | float):
        return str(value)
    raise KalshiRequestError(f"cannot send {type(value).__name__} as a query value")


def encode_query(query: Mapping[str, object] | None, explode: frozenset[str] = frozenset()) -> list[tuple[str, str]]:
    """Turn query arguments into `(name, text)` pairs.

    None values are left out; booleans become `true`/`false`; sequences are comma-joined, or
    repeated when the parameter is in `explode`; an empty `cursor` is never sent.
    """
    pairs: list[tuple[str, str]] = []
    if not query:
        return pairs
    for name, value in query.items():
        if value is None:
            continue
        if isinstance(value, list | tuple | set | frozenset):
            items = sorted(value, key=str) if isinstance(value, set | frozenset) else value
            texts = [_query_value(v) for v in items if v is not None]
            if not texts:
                continue
            if name in explode:
                pairs.extend((name, t) for t in texts)
            else:
                pairs.append((name, ",".join(texts)))
            continue
        text = _query_value(value)
        if name == "cursor" and not text:
            continue
        pairs.append((name, text))
    return pairs


def render_path(template: str, params: Mapping[str, object] | None) -> str:
    """Fill `{name}` segments of `template`, percent-encoding each value; empty values are refused."""
    if "{" not in template:
        return template
    params = params or {}
    out: list[str] = []
    rest = template
    while True:
        start = rest.find("{")
        if start < 0:
            out.append(rest)
            return "".join(out)
        end = rest.index("}", start)
        name = rest[start + 1 : end]
        if name not in params or params[name] is None:
            raise KalshiRequestError(f"missing path parameter {name!r} for {template}")
        text = _query_value(params[name])
        if not text:
            raise KalshiRequestError(f"path parameter {name!r} must not be empty")
        out.append(rest[:start])
        out.append(quote(text, safe=""))
        rest = rest[end + 1 :]


def _json_default(value: object) -> object:
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Enum):
        return value.value
    if _is_model(value):
        return value.model_dump(mode="json", by_alias=True, exclude_none=True)  # type: ignore[attr-defined]
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def encode_body(method: str, body: object) -> bytes | None:
    """Serialise a request body; a POST/PUT without one sends `{}` (the server wants a JSON body)."""
    if body is None:
        return b"{}" if method in _BODY_METHODS else None
    if _is_model(body):
        text: str = body.model_dump_json(by_alias=True, exclude_none=True)  # type: ignore[attr-defined]
        return text.encode()
    if isinstance(body, Mapping):
        return json.dumps(body, default=_json_default, separators=(",", ":")).encode()
    raise KalshiRequestError(f"a request body must be a request model or a mapping, not {type(body).__name__}")


def _check_headers(headers: Mapping[str, str], where: str) -> None:
    clash = sorted(h for h in headers if h.lower() in _PROTECTED)
    if clash:
        raise KalshiRequestError(f"{where} may not set auth headers: {', '.join(clash)}")


def _describe(error: ValueError) -> str:
    errors = getattr(error, "errors", None)
    if errors is None:
        return str(error)
    details = errors(include_url=False)
    if not details:
        return str(error)
    first = details[0]
    where = ".".join(map(str, first.get("loc", ()))) or "root"
    return f"{len(details)} error(s), first: {first.get('msg')} at {where}"


def _is_model(value: object) -> bool:
    # Duck-typed so that importing kalshi_rest does not import pydantic (import time).
    return hasattr(type(value), "model_dump_json")


def _error_in_extra(model: BaseModel) -> bool:
    extra = getattr(model, "__pydantic_extra__", None)
    if not extra:
        return False
    return "error" in extra or ("code" in extra and "message" in extra)


class Core:
    """Build, sign, retry, classify and parse, with no I/O. One per client configuration.

    Args:
        config: the client settings.
        auth: the signer (a `KalshiAuth`, or anything with `headers(method, path)`, e.g. a bearer
            token for Klear), or None for an unauthenticated client. With one, `base_url` must be a
            Kalshi host or loopback unless `config.allow_custom_host` (or `KALSHI_ALLOW_CUSTOM_HOST=1`).
        base_url: overrides `config.rest_url` (e.g. the perps REST URL); its path is signed.
        random: jitter source for backoff; inject a fixed one in tests.
        wall_clock: Unix seconds, used to read HTTP-date `Retry-After` values.
    """

    __slots__ = (
        "_base_headers",
        "_base_path",
        "_base_url",
        "_timeout",
        "auth",
        "config",
        "limiter",
        "policy",
        "wall_clock",
    )

    def __init__(
        self,
        config: KalshiConfig,
        auth: RequestSigner | None,
        *,
        base_url: str | None = None,
        random: Callable[[], float] | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.config = config
        self.auth = auth
        kw: dict[str, Any] = {} if random is None else {"random": random}
        self.policy = RetryPolicy(config.max_retries, config.retry_base_delay, config.retry_max_delay, **kw)
        limiter = config.rate_limiter
        if limiter is not None and not isinstance(limiter, RateLimiter):
            kind = type(limiter).__name__
            raise KalshiRequestError(f"config.rate_limiter must be a kalshi_rest.RateLimiter, not {kind}")
        self.limiter: RateLimiter | None = limiter
        self.wall_clock = wall_clock
        self._base_url = (base_url or config.rest_url).rstrip("/")
        if auth is not None:
            check_signed_host(self._base_url, allow_custom_host=config.allow_custom_host)
        base = httpx.URL(self._base_url)
        self._base_path = base.raw_path.decode("ascii").rstrip("/")
        headers = {"Accept": "application/json", "User-Agent": f"kalshi-sdk-python/{_VERSION} kalshi-rest"}
        headers.update(config.extra_headers)
        self._base_headers = headers
        t = float(config.timeout)
        self._timeout = {"connect": t, "read": t, "write": t, "pool": t}

    def prepare(
        self,
        op: Operation[Any],
        path: Mapping[str, object] | None = None,
        query: Mapping[str, object] | None = None,
        body: object = None,
        options: RequestOptions | None = None,
    ) -> PreparedCall:
        """Build everything about a call that does not change between attempts.

        Raises:
            AuthRequiredError: the operation needs credentials and the client has none.
            KalshiRequestError: a path parameter is missing or empty, a header is protected, or a
                value cannot be serialised.
        """
        if op.auth == "required" and self.auth is None:
            raise AuthRequiredError(
                f"{op.operation_id} ({op.method} {op.path}) needs credentials; build the client with "
                "key_id and private_key_path (or KalshiClient.from_env())"
            )
        rendered = render_path(op.path, path)
        pairs = encode_query(query, op.explode)
        target = self._base_url + rendered
        if pairs:
            target += "?" + urlencode(pairs, quote_via=quote, safe=",")
        headers = dict(self._base_headers)
        content = encode_body(op.method, body)
        if content is not None:
            headers["Content-Type"] = "application/json"
        policy = self.policy
        extensions: dict[str, Any] = {"timeout": self._timeout}
        raw = False
        if options is not None:
            if options.extra_headers:
                _check_headers(options.extra_headers, "extra_headers")
                headers.update(options.extra_headers)
            if options.timeout is not None:
                if not options.timeout > 0:
                    raise KalshiRequestError(f"timeout must be > 0, got {options.timeout!r}")
                t = float(options.timeout)
                extensions["timeout"] = {"connect": t, "read": t, "write": t, "pool": t}
            if options.max_retries is not None:
                if options.max_retries < 0:
                    raise KalshiRequestError(f"max_retries must be >= 0, got {options.max_retries!r}")
                policy = RetryPolicy(options.max_retries, policy.base_delay, policy.max_delay, policy.random)
            raw = options.raw
        return PreparedCall(
            op=op,
            url=httpx.URL(target),
            sign_path=self._base_path + rendered,
            headers=headers,
            content=content,
            extensions=extensions,
            policy=policy,
            body=body,
            raw=raw,
        )

    def sign(self, call: PreparedCall) -> httpx.Request:
        """Build one attempt of `call`, signed now (a fresh timestamp and signature every attempt)."""
        headers = call.headers
        if self.auth is not None:
            headers = {**headers, **self.auth.headers(call.op.method, call.sign_path)}
        return httpx.Request(
            call.op.method, call.url, headers=headers, content=call.content, extensions=call.extensions
        )

    def flow(self, call: PreparedCall) -> Flow:
        """The retry loop: yields `Send`/`Sleep`, returns the successful response or raises the typed error."""
        op = call.op
        policy = call.policy
        limiter = self.limiter
        attempt = 0
        while True:
            if limiter is not None:
                wait = limiter.acquire_for(op, call.body)
                if wait > 0:
                    yield Sleep(wait)
            outcome = yield Send(self.sign(call))
            if isinstance(outcome, httpx.Response):
                status = outcome.status_code
                if 200 <= status < 300:
                    return outcome
                retry_after = parse_retry_after(outcome.headers.get("retry-after"), self.wall_clock())
                if policy.should_retry_status(op.method, status, attempt):
                    delay = policy.delay(attempt, retry_after)
                    logger.info("retrying %s %s after HTTP %d in %.2fs", op.method, op.path, status, delay)
                    attempt += 1
                    yield Sleep(delay)
                    continue
                raise error_for_status(outcome, retry_after=retry_after)
            if isinstance(outcome, Exception):
                if policy.should_retry_error(op.method, outcome, attempt):
                    delay = policy.delay(attempt)
                    logger.info("retrying %s %s after %s in %.2fs", op.method, op.path, type(outcome).__name__, delay)
                    attempt += 1
                    yield Sleep(delay)
                    continue
                raise self.transport_error(op, outcome) from outcome
            raise TypeError(f"the flow expected a response or an exception, got {type(outcome).__name__}")

    def transport_error(self, op: Operation[Any], error: Exception) -> Exception:
        """Map a transport failure: a read/write timeout may have reached the server, a connect error did not."""
        unanswered = isinstance(error, httpx.ConnectTimeout | httpx.PoolTimeout)
        if isinstance(error, httpx.TimeoutException) and not unanswered:
            return KalshiTimeoutError(
                f"no answer to {op.method} {op.path} in time ({type(error).__name__}); "
                + ("the write may have happened: reconcile before resending" if not op.idempotent else "giving up"),
            )
        if isinstance(error, httpx.HTTPError):
            return KalshiConnectionError(f"{op.method} {op.path} failed: {type(error).__name__}: {error}")
        return error

    def parse(self, op: Operation[T], response: httpx.Response) -> T:
        """Parse a successful response into the operation's model.

        Raises:
            KalshiResponseError: the body is empty when a model is expected, is not JSON, does
                not have the documented shape, or is an error object despite the 2xx status.
                `.body` keeps the raw bytes.
        """
        content = response.content
        blank = not content or content.isspace()  # not `.strip()`: that copies a whole page
        model_type = op.response
        if model_type is None:
            if not blank:
                err = parse_error_body(content)
                if err is not None and ("code" in err or "error" in err):
                    raise error_for_status(response, force=KalshiResponseError)
            return None  # type: ignore[return-value]
        if blank:
            raise KalshiResponseError(
                f"{op.operation_id} answered HTTP {response.status_code} with an empty body; expected "
                f"{getattr(model_type, '__name__', model_type)}",
                status_code=response.status_code,
                body=content,
                response=response,
            )
        try:
            model: Any = model_type.model_validate_json(content)  # type: ignore[attr-defined]
        except ValueError as exc:  # pydantic's ValidationError is a ValueError
            if parse_error_body(content) is not None:
                raise error_for_status(response, force=KalshiResponseError) from exc
            raise KalshiResponseError(
                f"{op.operation_id} answered with a body that is not a valid "
                f"{getattr(model_type, '__name__', model_type)}: {_describe(exc)}",
                status_code=response.status_code,
                body=content,
                response=response,
            ) from exc
        if _error_in_extra(model):
            raise error_for_status(response, force=KalshiResponseError)
        return model  # type: ignore[no-any-return]

    def page_parts(self, op: Operation[Any], model: Any) -> tuple[list[Any], str | None]:
        """Return `(items, next_cursor)` from a parsed list response."""
        if op.page_items is None:
            raise KalshiRequestError(f"{op.operation_id} is not a paginated list")
        items = getattr(model, op.page_items, None) or []
        cursor = getattr(model, op.cursor_field, None)
        extra = getattr(model, "__pydantic_extra__", None)
        if cursor is None and extra:
            cursor = extra.get(op.cursor_field)
        return list(items), clean_cursor(cursor)
