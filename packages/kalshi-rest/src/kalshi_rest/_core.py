"""The sans-I/O core shared by `KalshiClient` and `AsyncKalshiClient`.

Everything except sending and sleeping happens here, once: building the request, signing each
attempt afresh, the retry loop, classifying the response, mapping errors and parsing the body.

The retry loop is a generator in the style of httpx's `auth_flow`: it yields `Send(request)` or
`Sleep(seconds)` and receives the `httpx.Response` (or the transport exception) back, returning the
final successful response. `_transport.py` drives it in a few lines per face, so the sync and
async clients cannot drift apart.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Generator, Mapping
from typing import TYPE_CHECKING, Any, Protocol, TypeVar
from urllib.parse import quote, urlencode

import httpx

from kalshi_auth import (
    AuthRequiredError,
    KalshiConfig,
    KalshiConfigError,
    KalshiConnectionError,
    check_extra_headers,
    check_signed_host,
)

from ._encode import encode_body, encode_query, merge_headers, render_path
from ._errors import (
    KalshiPoolTimeoutError,
    KalshiRequestError,
    KalshiResponseError,
    KalshiTimeoutError,
    error_for_status,
    parse_error_body,
    without_query,
)
from ._guards import check_body, check_query
from ._operation import Operation
from ._options import RequestOptions
from ._pagination import clean_cursor
from ._ratelimit import RateLimiter
from ._retry import RetryPolicy, parse_retry_after

if TYPE_CHECKING:
    from pydantic import BaseModel

__all__ = [
    "Core",
    "Flow",
    "PreparedCall",
    "RequestSigner",
    "Send",
    "Sleep",
    "encode_body",
    "encode_query",
    "render_path",
]

T = TypeVar("T")

logger = logging.getLogger("kalshi.rest")
"""The library's logger; never configured here. One DEBUG line per attempt: method, path without the
query, status, elapsed seconds, attempt number; never headers, keys, signatures or tokens."""

_VERSION = "0.1.0"


class RequestSigner(Protocol):
    """What signs a request: `KalshiAuth`, or another scheme (bearer tokens) with the same method."""

    def headers(self, method: str, path: str) -> Mapping[str, str]:
        """The auth headers for one attempt of `method` on `path` (the full path, no query)."""
        ...


class Send:
    """Send this request and resume the flow with the response (or the transport exception).

    The driver reads at most `max_body` bytes of a 2xx body (more is a `KalshiResponseError`) and
    at most `MAX_ERROR_BODY` bytes of any other.
    """

    __slots__ = ("max_body", "request")

    def __init__(self, request: httpx.Request, max_body: int = 64 * 1024 * 1024) -> None:
        self.request = request
        self.max_body = max_body

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
        wall_clock: Unix seconds, used to read HTTP-date `Retry-After` values and a 401's `Date`.
        monotonic: seconds for elapsed times and the retry budget.
    """

    __slots__ = (
        "_base_headers",
        "_base_path",
        "_base_url",
        "_timeout",
        "auth",
        "config",
        "limiter",
        "monotonic",
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
        monotonic: Callable[[], float] = time.monotonic,
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
        self.monotonic = monotonic
        self._base_url = (base_url or config.rest_url).rstrip("/")
        if auth is not None:
            check_signed_host(self._base_url, allow_custom_host=config.allow_custom_host)
        base = httpx.URL(self._base_url)
        self._base_path = base.raw_path.decode("ascii").rstrip("/")
        headers = {"Accept": "application/json", "User-Agent": f"kalshi-sdk-python/{_VERSION} kalshi-rest"}
        self._base_headers = merge_headers(headers, config.extra_headers)
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
        pairs = encode_query(check_query(op, query) if query else None, op.explode)
        body = check_body(op, body)
        target = self._base_url + rendered
        if pairs:
            target += "?" + urlencode(pairs, quote_via=quote, safe=",")
        headers = self._base_headers
        content = encode_body(op.method, body)
        policy = self.policy
        extensions: dict[str, Any] = {"timeout": self._timeout}
        raw = False
        if options is not None:
            if options.extra_headers:
                try:
                    extra = check_extra_headers(options.extra_headers, "options.extra_headers")
                except KalshiConfigError as exc:
                    raise KalshiRequestError(str(exc), parameter="extra_headers") from None
                headers = merge_headers(headers, extra)
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
        if content is not None:  # the JSON content type wins over any caller header
            headers = merge_headers(headers, {"Content-Type": "application/json"})
        return PreparedCall(
            op=op,
            url=httpx.URL(target),
            sign_path=self._base_path + rendered,
            headers=dict(headers),
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
        budget = self.config.retry_budget
        clock = self.monotonic
        started = clock()
        path = call.url.path
        attempt = 0
        while True:
            if limiter is not None:
                wait = limiter.acquire_for(op, call.body)
                if wait > 0:
                    yield Sleep(wait)
            sent_at = clock()
            outcome = yield Send(self.sign(call), self.config.max_response_bytes)
            if isinstance(outcome, httpx.Response):
                status = outcome.status_code
                logger.debug(
                    "%s %s -> %d in %.3fs (attempt %d)", op.method, path, status, clock() - sent_at, attempt + 1
                )
                if 200 <= status < 300:
                    return outcome
                retry_after = parse_retry_after(outcome.headers.get("retry-after"), self.wall_clock())
                if policy.should_retry_status(op.method, status, attempt):
                    delay = policy.delay(attempt, retry_after)
                    if budget is None or clock() - started + delay <= budget:
                        logger.info("retrying %s %s after HTTP %d in %.2fs", op.method, op.path, status, delay)
                        attempt += 1
                        yield Sleep(delay)
                        continue
                raise error_for_status(outcome, retry_after=retry_after, now=self.wall_clock())
            if isinstance(outcome, Exception):
                kind = type(outcome).__name__
                logger.debug("%s %s -> %s in %.3fs (attempt %d)", op.method, path, kind, clock() - sent_at, attempt + 1)
                if policy.should_retry_error(op.method, outcome, attempt):
                    delay = policy.delay(attempt)
                    if budget is None or clock() - started + delay <= budget:
                        logger.info("retrying %s %s after %s in %.2fs", op.method, op.path, kind, delay)
                        attempt += 1
                        yield Sleep(delay)
                        continue
                raise self.transport_error(op, outcome) from outcome
            raise TypeError(f"the flow expected a response or an exception, got {type(outcome).__name__}")

    def transport_error(self, op: Operation[Any], error: Exception) -> Exception:
        """Map a transport failure: a read/write timeout may have reached the server, a connect error did not."""
        if isinstance(error, httpx.PoolTimeout):
            return KalshiPoolTimeoutError(
                f"{op.method} {op.path} was never sent: every pooled connection stayed busy for the timeout; "
                "allow more connections (KalshiConfig(limits=httpx.Limits(max_connections=...))) or send fewer at once"
            )
        if isinstance(error, httpx.TimeoutException) and not isinstance(error, httpx.ConnectTimeout):
            return KalshiTimeoutError(
                f"no answer to {op.method} {op.path} in time ({type(error).__name__}); "
                + ("the write may have happened: reconcile before resending" if not op.idempotent else "giving up"),
            )
        if isinstance(error, httpx.HTTPError):
            try:
                url: httpx.URL | None = error.request.url
            except RuntimeError:
                url = None
            text = without_query(str(error), url)
            return KalshiConnectionError(f"{op.method} {op.path} failed: {type(error).__name__}: {text}"[:1024])
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
