"""The one status -> error mapping, and the error tree."""

from __future__ import annotations

import json

import httpx
import pytest

from kalshi_auth import AuthRequiredError, KalshiConnectionError, KalshiError
from kalshi_rest import (
    KalshiAPIError,
    KalshiAuthError,
    KalshiConflictError,
    KalshiNotFoundError,
    KalshiPaginationError,
    KalshiRateLimitError,
    KalshiRequestError,
    KalshiResponseError,
    KalshiServerError,
    KalshiTimeoutError,
    KalshiValidationError,
)
from kalshi_rest._errors import error_for_status, parse_error_body


def response(status: int, body: object = None, headers: dict[str, str] | None = None) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode() if body is not None else b""
    return httpx.Response(status, content=content, headers=headers, request=httpx.Request("GET", "https://x/y"))


@pytest.mark.parametrize(
    ("status", "cls"),
    [
        (400, KalshiValidationError),
        (422, KalshiValidationError),
        (401, KalshiAuthError),
        (403, KalshiAuthError),
        (404, KalshiNotFoundError),
        (409, KalshiConflictError),
        (429, KalshiRateLimitError),
        (408, KalshiTimeoutError),
        (504, KalshiTimeoutError),
        (500, KalshiServerError),
        (502, KalshiServerError),
        (503, KalshiServerError),
        (418, KalshiAPIError),
    ],
)
def test_status_maps_to_class(status: int, cls: type[KalshiAPIError]) -> None:
    err = error_for_status(response(status, {"code": "c", "message": "m"}))
    assert type(err) is cls
    assert err.status_code == status
    assert err.code == "c"
    assert err.message == "m"


def test_error_fields_request_id_details_and_retry_after() -> None:
    err = error_for_status(
        response(400, {"code": "invalid_parameters", "message": "bad", "details": "limit"}, {"X-Request-Id": "r-9"})
    )
    assert isinstance(err, KalshiValidationError)
    assert err.details == "limit"
    assert err.request_id == "r-9"
    assert "invalid_parameters" in str(err)
    assert "r-9" in str(err)
    limited = error_for_status(response(429, {"code": "rate_limited", "message": "slow"}), retry_after=1.5)
    assert isinstance(limited, KalshiRateLimitError)
    assert limited.retry_after == 1.5


def test_non_json_error_body_is_kept_raw() -> None:
    err = error_for_status(response(502, b"<html>Bad Gateway</html>"))
    assert isinstance(err, KalshiServerError)
    assert err.body == b"<html>Bad Gateway</html>"
    assert err.code is None
    assert "Bad Gateway" in err.message


def test_nested_error_object_is_read() -> None:
    err = error_for_status(response(403, {"error": {"code": "forbidden", "message": "fcm only"}}))
    assert (err.code, err.message) == ("forbidden", "fcm only")
    assert parse_error_body(b"[1,2]") is None
    assert parse_error_body(b'{"markets": []}') is None


def test_tree_is_rooted_in_kalshi_error() -> None:
    for cls in (
        KalshiAPIError,
        KalshiAuthError,
        KalshiConflictError,
        KalshiNotFoundError,
        KalshiPaginationError,
        KalshiRateLimitError,
        KalshiRequestError,
        KalshiResponseError,
        KalshiServerError,
        KalshiTimeoutError,
        KalshiValidationError,
        AuthRequiredError,
        KalshiConnectionError,
    ):
        assert issubclass(cls, KalshiError)
    assert issubclass(KalshiRequestError, ValueError)
