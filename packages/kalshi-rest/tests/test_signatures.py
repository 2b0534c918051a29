"""help() and IDE tooltips show model fields as plain types, not pydantic's validator metadata."""

from __future__ import annotations

import inspect
import pydoc
from decimal import Decimal
from typing import Annotated, Literal, Optional, Union

import pytest
from pydantic import PlainSerializer

import kalshi_rest.models as models
from kalshi_rest._signature import tidy_annotation

SER = PlainSerializer(str)


@pytest.mark.parametrize(
    ("annotation", "shown"),
    [
        (Annotated[Decimal, SER], "Decimal"),
        (Optional[Annotated[Decimal, SER]], "Decimal | None"),  # noqa: UP045 - the form pydantic builds
        (Union[Annotated[list[str] | None, SER], None], "list[str] | None"),  # noqa: UP007
        (Union[Literal["bid", "ask"], str], "Literal['bid', 'ask'] | str"),  # noqa: UP007
        (dict[str, Annotated[int, SER]], "dict[str, int]"),
        ("already text", "already text"),
    ],
)
def test_tidy_annotation_drops_metadata_and_module_prefixes(annotation: object, shown: str) -> None:
    assert tidy_annotation(annotation) == shown


@pytest.mark.parametrize("name", models.__all__)
def test_every_model_signature_is_plain(name: str) -> None:
    model = getattr(models, name)
    if not isinstance(model, type) or not hasattr(model, "model_fields"):
        pytest.skip("not a model")
    signature = inspect.signature(model)
    text = str(signature)
    assert "Annotated" not in text
    assert " at 0x" not in text  # no validator or serializer objects
    named = [p for p in signature.parameters.values() if p.kind is not inspect.Parameter.VAR_KEYWORD]
    assert len(named) == len(model.model_fields)  # every field is still there


def test_help_of_a_model_reads_like_the_code() -> None:
    text = pydoc.render_doc(models.CreateOrderV2Request, renderer=pydoc.plaintext)
    assert "count: 'Decimal'" in text
    assert "price: 'Decimal'" in text
    assert "side: \"Literal['bid', 'ask']\"" in text
    assert "PlainSerializer" not in text


def test_tidy_signatures_keep_the_models_strict() -> None:
    with pytest.raises(TypeError):
        models.CreateOrderV2Request(
            ticker="KXFED-26DEC-T3.50", side="bid", count=Decimal(1), price=0.5,  # type: ignore[arg-type]
            time_in_force="good_till_canceled", self_trade_prevention_type="maker",
        )  # fmt: skip


@pytest.mark.parametrize("client", ["KalshiClient", "AsyncKalshiClient"])
def test_from_env_shows_the_arguments_it_forwards(client: str) -> None:
    import kalshi_rest

    cls = getattr(kalshi_rest, client)
    shown = inspect.signature(cls.from_env).parameters
    forwarded = [name for name in inspect.signature(cls).parameters]
    assert list(shown) == [*forwarded, "environ"]
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in shown.values())


def test_from_env_still_takes_them(monkeypatch: pytest.MonkeyPatch) -> None:
    import httpx

    from kalshi_rest import KalshiClient

    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(200, json={"exchange_active": True, "trading_active": True})

    client = KalshiClient.from_env(transport=httpx.MockTransport(handler), environ={"KALSHI_DEMO": "1"})
    with client:
        client.exchange.status()
    assert seen and "demo" in seen[0]
