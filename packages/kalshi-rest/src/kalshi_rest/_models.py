"""Base classes and field types shared by every generated model.

Server behaviours handled here, once each (with the generator's decode policy, `gen_rest.is_strict`):
- a field the spec calls required may be absent or null: the generated field is optional (None,
  a list `[]`) and `missing_fields` names it; only an order's or a fill's id, ticker, side, price
  and size stay required (a body without them is a typed error);
- a JSON number arrives where the spec says string (an id): it reads as its text;
- response enums are open: an unknown value is kept as a string;
- response models keep unknown fields (`extra="allow"`): the server adds fields before the spec
  does, and they stay reachable as attributes and in `model_extra`;
- request models forbid unknown fields (`extra="forbid"`) and validate on assignment, so a typo
  or a float price fails at construction, before any network call;
- JSON `null` where the spec requires an array becomes `[]` (`NullAsEmptyList`,
  docs/protocol/server-behaviours.md#values);
- timestamps are timezone-aware; a naive one is taken as UTC (`UTCDateTime`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Self, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, GetCoreSchemaHandler, model_validator
from pydantic_core import core_schema

__all__ = ["NullAsEmptyList", "RequestModel", "ResponseModel", "UTCDateTime", "wrap_bare"]

T = TypeVar("T")


class ResponseModel(BaseModel):
    """Base of models parsed from the server: tolerant of what arrives, unknown fields kept."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, protected_namespaces=(), coerce_numbers_to_str=True)

    __spec_required__: ClassVar[frozenset[str]] = frozenset()
    """Fields the spec calls required that this model reads as optional (set by the generator)."""

    @property
    def missing_fields(self) -> frozenset[str]:
        """Spec-required fields the server left out or sent as null (computed on access, not at parse).

        A required list sent as null reads as `[]` and is not listed.
        """
        required = type(self).__spec_required__
        if not required:
            return frozenset()
        sent = self.model_fields_set
        return frozenset(name for name in required if name not in sent or getattr(self, name) is None)


class RequestModel(BaseModel):
    """Base of request bodies: unknown fields, a float price, a bool count are errors at construction.

    Also checked here, for every request model: `exchange_index=-1` (auto-route) needs the market
    ticker, and the fields in `__exactly_one__` (set by the generator) take exactly one value.
    """

    model_config = ConfigDict(extra="forbid", populate_by_name=True, validate_assignment=True, protected_namespaces=())

    __exactly_one__: ClassVar[tuple[str, ...]] = ()
    """Fields of which exactly one must be given (a decrease takes `reduce_by` or `reduce_to`)."""

    @model_validator(mode="after")
    def _check_combinations(self) -> Self:
        one = type(self).__exactly_one__
        if one and sum(getattr(self, name) is not None for name in one) != 1:
            raise ValueError(f"give exactly one of {' or '.join(one)}")
        if getattr(self, "exchange_index", None) == -1 and not (
            getattr(self, "market_ticker", None) or getattr(self, "ticker", None)
        ):
            raise ValueError("exchange_index=-1 (auto-route) needs the market ticker")
        return self


def wrap_bare(data: Any, key: str) -> Any:
    """`{key: data}` when `data` is the bare object a wrapper should hold, else `data` unchanged."""
    if isinstance(data, dict) and data and key not in data:
        return {key: data}
    return data


def _null_to_empty(value: Any) -> Any:
    return [] if value is None else value


def _assume_utc(value: datetime) -> datetime:
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


if TYPE_CHECKING:
    NullAsEmptyList = Annotated[list[T], "null reads as []"]
else:
    # Validated as `list[T] | None` then mapped, not with a before-validator: a before-validator
    # makes pydantic materialise the JSON into Python objects first, which costs about a third
    # of the parse time of a market page.
    NullAsEmptyList = Annotated[list[T] | None, AfterValidator(_null_to_empty)]
"""A list that the server may send as JSON `null`; `null` reads as `[]`."""


class _AssumeUTC:
    """Aware timestamps validate natively; only a naive one reaches Python, to be given UTC.

    Not a plain after-validator: that would call into Python for each of the ~10 timestamps of
    every market on a page.
    """

    __slots__ = ()

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.union_schema(
            [
                core_schema.datetime_schema(tz_constraint="aware"),
                core_schema.no_info_after_validator_function(_assume_utc, handler(source)),
            ],
            mode="left_to_right",
            custom_error_type="datetime_type",
        )


UTCDateTime = Annotated[datetime, _AssumeUTC()]
"""An RFC 3339 timestamp as an aware `datetime` (naive input is taken as UTC)."""


# help() and IDE tooltips show each model's fields as plain types (docs/contributing-docs.md).
from ._signature import tidy_model_signatures  # noqa: E402

tidy_model_signatures(ResponseModel, RequestModel)
