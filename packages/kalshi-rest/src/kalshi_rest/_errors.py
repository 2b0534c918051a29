"""Errors raised by the REST client; every status code is mapped to a class in one place, `error_for_status`.

```
KalshiError                          (kalshi_auth)
├── AuthRequiredError                private call without credentials; raised before sending (kalshi_auth)
├── KalshiConnectionError            connect / TLS / dropped socket; nothing was answered (kalshi_auth)
│   └── KalshiPoolTimeoutError       every pooled connection stayed busy; the request was never sent
├── KalshiRequestError (ValueError)  the call's arguments cannot form a request; nothing was sent
├── KalshiPaginationError            the server repeated a cursor; list_all stopped instead of looping
└── KalshiAPIError                   the server answered (or timed out)
    │                                .status_code .retry_after .code .message .request_id .body
    ├── KalshiAuthError              401, 403
    ├── KalshiNotFoundError          404
    ├── KalshiValidationError        400, 422 -- .details
    ├── KalshiConflictError          409
    ├── KalshiRateLimitError         429
    ├── KalshiTimeoutError           408, 504, or no answer in time: a write MAY have happened
    ├── KalshiServerError            other 5xx
    └── KalshiResponseError          a body that is not JSON, not the expected shape, or a 2xx error object
```
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from kalshi_auth import AuthRequiredError, KalshiConnectionError, KalshiError

if TYPE_CHECKING:
    import httpx

__all__ = [
    "AuthRequiredError",
    "KalshiAPIError",
    "KalshiAuthError",
    "KalshiConflictError",
    "KalshiConnectionError",
    "KalshiError",
    "KalshiNotFoundError",
    "KalshiPaginationError",
    "KalshiPoolTimeoutError",
    "KalshiRateLimitError",
    "KalshiRequestError",
    "KalshiResponseError",
    "KalshiServerError",
    "KalshiTimeoutError",
    "KalshiValidationError",
    "error_for_status",
    "parse_error_body",
    "request_id_of",
]

_REQUEST_ID_HEADERS = ("x-request-id", "request-id", "x-amzn-requestid", "x-amz-request-id")


_SECRET_HEADERS = ("kalshi-access-signature", "authorization")

MAX_MESSAGE = 1024
"""Error messages are cut to this many characters (a server can echo a whole body back)."""

MAX_ERROR_BODY = 16 * 1024
"""At most this many bytes of an error response's body are read."""


def _cut(text: str, limit: int = MAX_MESSAGE) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def without_query(text: str, url: httpx.URL | None) -> str:
    """`text` with the URL's query string taken out (queries can hold ids a log should not keep)."""
    if url is None or not url.query:
        return text
    query = url.query.decode("ascii", "replace")
    return text.replace("?" + query, "").replace(query, "…")


def _scrubbed(response: httpx.Response) -> httpx.Response:
    """Detach the signature from the request an error keeps (errors get logged and pickled around)."""
    try:
        request = response.request
    except RuntimeError:  # a response built without a request
        return response
    if any(h in request.headers for h in _SECRET_HEADERS):
        import httpx  # deferred: `import kalshi_rest` does not load httpx

        headers = [(k, v) for k, v in request.headers.items() if k.lower() not in _SECRET_HEADERS]
        response.request = httpx.Request(request.method, request.url, headers=headers)
    return response


class KalshiRequestError(KalshiError, ValueError):
    """The call's arguments cannot form a valid request (an empty path parameter, a protected header).

    Raised before anything is sent. `.parameter` names the offending parameter when there is one.
    """

    def __init__(self, message: str, *, parameter: str | None = None) -> None:
        super().__init__(message)
        self.parameter = parameter


class KalshiPoolTimeoutError(KalshiConnectionError):
    """Every connection of the pool stayed busy for the whole timeout: the request was never sent.

    Raise `KalshiConfig(limits=httpx.Limits(max_connections=...))` or send fewer calls at once.
    """


class KalshiPaginationError(KalshiError):
    """The server handed back a cursor it had already given; iterating on would loop forever."""


class KalshiAPIError(KalshiError):
    """The server answered with an error (or did not answer in time).

    Attributes:
        status_code: the HTTP status, or None when no response arrived (a client-side timeout).
        retry_after: seconds from the response's `Retry-After` header, whatever the status; or None.
        code: the server's error code (e.g. `"market_not_found"`), when the body carried one.
        message: the server's message, or a description of what went wrong.
        request_id: the server's request ID header, when present.
        body: the raw response body, kept as received (empty when there was none).
        response: the `httpx.Response`, when there was one.
        method: the request's method, when known.
        path: the request's path (never the query), when known; `str(error)` names both.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int | None = None,
        code: str | None = None,
        request_id: str | None = None,
        body: bytes = b"",
        response: httpx.Response | None = None,
        retry_after: float | None = None,
        method: str | None = None,
        path: str | None = None,
    ) -> None:
        message = _cut(message)
        self.method = method
        self.path = path
        super().__init__(message)
        self.message = message
        self.status_code = status_code
        self.retry_after = retry_after
        self.code = code
        self.request_id = request_id
        self.body = body
        self.response = _scrubbed(response) if response is not None else None

    def __str__(self) -> str:
        parts = [f"HTTP {self.status_code}" if self.status_code is not None else "no response"]
        if self.code:
            parts.append(self.code)
        where = f"{self.method} {self.path}: " if self.method and self.path else ""
        text = f"{' '.join(parts)}: {where}{self.message}"
        if self.request_id:
            text += f" (request id {self.request_id})"
        return text


class KalshiAuthError(KalshiAPIError):
    """401 or 403: the key, the signature or the account's permissions were refused."""


class KalshiNotFoundError(KalshiAPIError):
    """404: no such resource (on a cancel: possibly already cancelled or filled; reconcile)."""


class KalshiValidationError(KalshiAPIError):
    """400 or 422: the request was refused as invalid.

    Attributes:
        details: the server's `details` string, when present.
    """

    def __init__(self, message: str, *, details: str | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.details = details


class KalshiConflictError(KalshiAPIError):
    """409: a conflict such as a reused `client_transfer_id`; nothing was created."""


class KalshiRateLimitError(KalshiAPIError):
    """429: a rate-limit token bucket ran dry (`.retry_after`: the seconds the server asked for)."""


class KalshiTimeoutError(KalshiAPIError):
    """408, 504, or no answer within the timeout. A write MAY have happened: reconcile before resending."""


class KalshiServerError(KalshiAPIError):
    """A 5xx other than 504."""


class KalshiResponseError(KalshiAPIError):
    """The body could not be used: not JSON, not the documented shape, or a 2xx carrying an error object.

    `.body` keeps the raw bytes so nothing is lost.
    """


def parse_error_body(body: bytes) -> dict[str, Any] | None:
    """Return the body as a dict when it is a JSON error object (`code`, `error` or `message` keys)."""
    if not body or body.lstrip()[:1] != b"{":
        return None
    try:
        data = json.loads(body)
    except ValueError:
        return None
    if not isinstance(data, dict):
        return None
    if isinstance(data.get("error"), dict):  # {"error": {"code": ..., "message": ...}}
        inner: dict[str, Any] = data["error"]
        return inner
    if any(k in data for k in ("code", "error", "message")):
        return data
    return None


def _text(value: object) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value)


def request_id_of(response: httpx.Response) -> str | None:
    """Return the request ID header of `response`, if it carries one."""
    headers = response.headers
    for name in _REQUEST_ID_HEADERS:
        value: str | None = headers.get(name)
        if value:
            return value
    return None


_CLOCK_WORDS = ("timestamp", "clock", "expired", "skew")
_CLOCK_SKEW = 10.0
"""Seconds between the server's `Date` and the local clock past which a 401 hints at the clock."""


def _signed_at(response: httpx.Response) -> float | None:
    """The Unix time in the request's `KALSHI-ACCESS-TIMESTAMP` (milliseconds), if it was signed."""
    try:
        value = response.request.headers.get("kalshi-access-timestamp")
    except RuntimeError:  # a response built without a request
        return None
    return int(value) / 1000 if value and value.isdigit() else None


def clock_hint(response: httpx.Response, code: str | None, message: str, now: float | None) -> str:
    """For a 401: a sentence saying the local clock may be off, when the server's answer suggests it."""
    if response.status_code != 401:
        return ""
    signed = _signed_at(response)
    if signed is not None:
        now = signed  # the time the signature claims is what the server judged, whatever the wall clock says
    date = response.headers.get("date")
    if date and now is not None:
        import email.utils  # deferred: rare, and costly to import

        try:
            server = email.utils.parsedate_to_datetime(date).timestamp()
        except (TypeError, ValueError, IndexError):
            server = None
        if server is not None and abs(now - server) > _CLOCK_SKEW:
            return (
                f" The local clock may be off: the signed timestamp is {now - server:+.0f} s from the server's "
                "Date header; sync the clock (NTP)."
            )
    text = f"{code or ''} {message}".lower()
    if any(word in text for word in _CLOCK_WORDS):
        return " The request timestamp was refused: the local clock may be off; sync it (NTP)."
    return ""


def error_for_status(
    response: httpx.Response,
    *,
    retry_after: float | None = None,
    force: type[KalshiAPIError] | None = None,
    now: float | None = None,
) -> KalshiAPIError:
    """Build the typed error for a response: the one place where statuses map to classes.

    The message names the method and path (never the query) and is cut to 1 KiB.

    Args:
        response: a response whose body has been read.
        retry_after: the parsed `Retry-After`, kept on every status error.
        force: use this class whatever the status (e.g. `KalshiResponseError` for a 2xx error object).
        now: the local Unix time, to compare with the server's `Date` on a 401 (clock-skew hint).
    """
    status = response.status_code
    body = response.content
    err = parse_error_body(body) or {}
    code = _text(err.get("code")) or (_text(err.get("error")) if not isinstance(err.get("error"), dict) else None)
    message = _text(err.get("message")) or _text(err.get("error")) or ""
    if not message:
        snippet = body[:200].decode("utf-8", "replace").strip()
        message = f"{response.reason_phrase or 'error'}" + (f": {snippet}" if snippet else "")
    try:
        request: httpx.Request | None = response.request
    except RuntimeError:  # a response built without a request
        request = None
    if request is not None:
        message = without_query(message, request.url)
    message += clock_hint(response, code, message, now)
    kw: dict[str, Any] = {
        "status_code": status,
        "code": code,
        "request_id": request_id_of(response) or _text(err.get("request_id")),
        "body": body,
        "response": response,
        "retry_after": retry_after,
        "method": request.method if request is not None else None,
        "path": request.url.path if request is not None else None,
    }
    cls: type[KalshiAPIError]
    if force is not None:
        cls = force
    elif status in (400, 422):
        return KalshiValidationError(message, details=_text(err.get("details")), **kw)
    elif status in (401, 403):
        cls = KalshiAuthError
    elif status == 404:
        cls = KalshiNotFoundError
    elif status == 409:
        cls = KalshiConflictError
    elif status == 429:
        cls = KalshiRateLimitError
    elif status in (408, 504):
        cls = KalshiTimeoutError
    elif status >= 500:
        cls = KalshiServerError
    else:
        cls = KalshiAPIError
    return cls(message, **kw)
