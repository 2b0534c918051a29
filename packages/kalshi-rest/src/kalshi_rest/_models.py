"""Base classes and field types shared by every generated model.

Server behaviours handled here, once each:
- response models keep unknown fields (`extra="allow"`): the server adds fields before the spec
  does, and they stay reachable as attributes and in `model_extra`;
- request models forbid unknown fields (`extra="forbid"`) and validate on assignment, so a typo
  or a float price fails at construction, before any network call;
- JSON `null` where the spec requires an array becomes `[]` (`NullAsEmptyList`, FACTS 7.10);
- timestamps are timezone-aware; a naive one is taken as UTC (`UTCDateTime`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, GetCoreSchemaHandler
from pydantic_core import core_schema

__all__ = ["NullAsEmptyList", "RequestModel", "ResponseModel", "UTCDateTime"]

T = TypeVar("T")


class ResponseModel(BaseModel):
    """Base of models parsed from the server: unknown fields are kept, not rejected."""

    model_config = ConfigDict(extra="allow", populate_by_name=True, protected_namespaces=())


class RequestModel(BaseModel):
    """Base of request bodies: unknown fields are an error at construction."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True, validate_assignment=True, protected_namespaces=())


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
