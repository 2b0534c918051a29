"""`Operation`: the static description of one REST endpoint that the generated resources hand to the core."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

__all__ = ["AuthMode", "Operation"]

T = TypeVar("T")

AuthMode = Literal["none", "required", "optional"]


@dataclass(frozen=True, slots=True)
class Operation(Generic[T]):
    """One endpoint of the spec: what to send and what comes back.

    Args:
        operation_id: the spec's operationId, e.g. `"GetMarkets"`.
        method: `"GET"`, `"POST"`, `"PUT"` or `"DELETE"`.
        path: the template relative to the base URL, e.g. `"/markets/{ticker}"`.
        response: the pydantic model of the success body; None when the endpoint has no body (204).
        success_status: the spec's success status (200, 201 or 204).
        auth: the spec's security. Requests are signed whenever credentials exist; `"required"`
            without credentials raises `AuthRequiredError` before anything is sent.
        cost: rate-limit tokens per call (per item for batch endpoints).
        page_items: for cursor-paginated lists, the response field that holds the items.
        cursor_field: the response field holding the next cursor (`"next_cursor"` on GetIncentivePrograms).
        explode: array query parameters sent repeated (`?a=1&a=2`); other arrays are comma-joined.
    """

    operation_id: str
    method: str
    path: str
    response: type[T] | None
    success_status: int = 200
    auth: AuthMode = "required"
    cost: int = 10
    page_items: str | None = None
    cursor_field: str = "cursor"
    explode: frozenset[str] = frozenset()

    @property
    def idempotent(self) -> bool:
        """True for GET, HEAD and OPTIONS: the only verbs ever retried."""
        return self.method in ("GET", "HEAD", "OPTIONS")
