"""`Operation`: the static description of one REST endpoint that the generated resources hand to the core."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Literal, TypeVar

__all__ = ["AuthMode", "Operation", "ParamRule"]

T = TypeVar("T")

AuthMode = Literal["none", "required", "optional"]


@dataclass(frozen=True, slots=True)
class ParamRule:
    """What the spec allows for one query parameter, checked before anything is sent.

    Args:
        kind: `"integer"`, `"number"`, `"boolean"`, `"string"` (an enum), `"array"`, or `"csv"` (a
            comma-joined list in one string, docs/protocol/units.md).
        minimum: the smallest value (or, for arrays, of each item when `items` says so).
        maximum: the largest value.
        min_items: arrays: the fewest items.
        max_items: arrays and csv: the most items.
        enum: the allowed values (request enums are closed).
        items: the rule for each array item.
    """

    kind: str
    minimum: float | None = None
    maximum: float | None = None
    min_items: int | None = None
    max_items: int | None = None
    enum: tuple[Any, ...] | None = None
    items: ParamRule | None = None


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
        params: the spec's rule for each checked query parameter (`ParamRule`).
        request: the request body model; a plain mapping passed as the body is validated by it.
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
    params: Mapping[str, ParamRule] = field(default_factory=dict)
    request: type[Any] | None = None

    @property
    def idempotent(self) -> bool:
        """True for GET, HEAD and OPTIONS: the only verbs ever retried."""
        return self.method in ("GET", "HEAD", "OPTIONS")
