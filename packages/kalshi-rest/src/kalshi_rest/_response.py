"""Raw access: `APIResponse` (status, headers, the httpx response, and the parsed value on demand).

```python
raw = client.markets.with_raw_response.get("TICKER")
raw.status_code, raw.headers.get("ratelimit-remaining")
market = raw.parse()
```
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar, cast

from ._options import RequestOptions

if TYPE_CHECKING:
    import httpx

__all__ = ["APIResponse", "async_to_raw_response_wrapper", "to_raw_response_wrapper"]

T = TypeVar("T")
P = ParamSpec("P")

_UNPARSED: Any = object()


class APIResponse(Generic[T]):
    """A successful response before (or besides) parsing.

    Attributes:
        http_response: the `httpx.Response`, body already read.
    """

    __slots__ = ("_parsed", "_parser", "http_response")

    def __init__(self, http_response: httpx.Response, parser: Callable[[httpx.Response], T]) -> None:
        self.http_response = http_response
        self._parser = parser
        self._parsed: T = _UNPARSED

    @property
    def status_code(self) -> int:
        """The HTTP status (200, 201 or 204)."""
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        """The response headers (rate-limit headers included, when the server sends them)."""
        return self.http_response.headers

    @property
    def content(self) -> bytes:
        """The raw body."""
        return self.http_response.content

    def parse(self) -> T:
        """Parse the body into the operation's model (cached; raises the typed error on a bad body)."""
        if self._parsed is _UNPARSED:
            self._parsed = self._parser(self.http_response)
        return self._parsed

    def __repr__(self) -> str:
        req = self.http_response.request
        return f"<APIResponse [{self.status_code}] {req.method} {req.url.path}>"


def _raw_options(kwargs: dict[str, Any]) -> None:
    options = kwargs.get("options")
    kwargs["options"] = dataclasses.replace(options, raw=True) if options is not None else RequestOptions(raw=True)


def to_raw_response_wrapper(method: Callable[P, T]) -> Callable[P, APIResponse[T]]:
    """Wrap a sync resource method so it returns an `APIResponse[T]` instead of `T`."""

    @functools.wraps(method)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> APIResponse[T]:
        _raw_options(kwargs)
        return cast("APIResponse[T]", method(*args, **kwargs))

    return wrapped


def async_to_raw_response_wrapper(method: Callable[P, Awaitable[T]]) -> Callable[P, Awaitable[APIResponse[T]]]:
    """Wrap an async resource method so it returns an `APIResponse[T]` instead of `T`."""

    @functools.wraps(method)
    async def wrapped(*args: P.args, **kwargs: P.kwargs) -> APIResponse[T]:
        _raw_options(kwargs)
        return cast("APIResponse[T]", await method(*args, **kwargs))

    return wrapped
