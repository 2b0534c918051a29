"""Behaviour half of the contract tests, shared by kalshi_rest, kalshi_perps and kalshi_klear.

`rest_contract.check_operation` compares a package's signatures with its spec; this module drives
every operation of the spec through `httpx.MockTransport` on both faces (sync and async client),
checks the wire request and the parsed result, and checks that the two faces never drift apart.
It is product-agnostic: a `ContractHarness` names the spec, the package, the two client factories,
the example builder, the API path prefix, the expected host and the request-auth check.
"""

from __future__ import annotations

import importlib
import inspect
import json
import typing
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qsl

import httpx
import rest_contract
from _openapi import OpenAPISpec, OperationSpec, ParameterSpec, Schema

__all__ = ["ContractHarness", "expect_bearer", "expect_signed"]

ClientFactory = Callable[[httpx.MockTransport], Any]


def expect_signed(request: httpx.Request) -> None:
    """Request carries the KALSHI-ACCESS-* signature (rest and perps)."""
    assert "KALSHI-ACCESS-SIGNATURE" in request.headers


def expect_bearer(token: str) -> Callable[[httpx.Request], None]:
    """Request carries exactly `Authorization: Bearer <token>` and no KALSHI-ACCESS-* header (Klear)."""

    def check(request: httpx.Request) -> None:
        assert request.headers["Authorization"] == f"Bearer {token}"
        assert not any(h.lower().startswith("kalshi-access") for h in request.headers)

    return check


def _strip_nones(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _strip_nones(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_strip_nones(v) for v in value]
    return value


def _normalise_return(annotation: Any) -> str:
    return str(annotation).replace("AsyncIterator[", "Iterator[").replace("AsyncPage[", "Page[")


def _public(cls: type) -> dict[str, Any]:
    return {n: f for n, f in vars(cls).items() if inspect.isfunction(f) and not n.startswith("_")}


@dataclass(frozen=True)
class ContractHarness:
    """One product's spec, package and clients, ready to be driven operation by operation.

    Attributes:
        spec: The product's OpenAPI spec.
        package: Import name of the package (`kalshi_rest`); resources live in `<package>.resources._generated`.
        clients: (sync, async) factories building a client on a given mock transport.
        example: Builds an example payload for a schema, `example(schema)`.
        prefix: API path prefix the client puts before every spec path (`/trade-api/v2`).
        check_auth: Asserts the request carries the product's authentication.
        host: The host every request must go to (the client's default environment).
    """

    spec: OpenAPISpec
    package: str
    clients: tuple[ClientFactory, ClientFactory]
    example: Callable[[Schema], Any]
    prefix: str
    check_auth: Callable[[httpx.Request], None]
    host: str

    @property
    def _generated(self) -> Any:
        return importlib.import_module(f"{self.package}.resources._generated")

    @property
    def op_ids(self) -> list[str]:
        """Every operation id of the spec, sorted (pytest parameters)."""
        return sorted(op.operation_id for op in self.spec.operations())

    @property
    def resource_attributes(self) -> list[str]:
        """Every resource family attribute of the clients, sorted (pytest parameters)."""
        return sorted(self._generated.RESOURCE_CLASSES)

    def _op(self, op_id: str) -> OperationSpec:
        return next(op for op in self.spec.operations() if op.operation_id == op_id)

    def _sample(self, param: ParameterSpec) -> Any:
        schema = self.spec.resolve(param.schema)
        if schema.get("type") == "array":
            return ["a1", "b2"] if self.spec.resolve(schema.get("items", {})).get("type") == "string" else [1, 2]
        if "enum" in schema:
            return schema["enum"][0]
        if schema.get("format") == "date":
            return date(2026, 1, 2)
        if schema.get("format") == "date-time":
            return datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
        samples = {"integer": 7, "boolean": True, "number": Decimal("1.5")}
        return samples.get(schema.get("type", ""), f"v-{param.name}")

    def _call_args(self, op: OperationSpec) -> tuple[list[Any], dict[str, Any], dict[str, Any] | None]:
        args = [f"p-{p.name}" for p in op.path_params]
        kwargs = {rest_contract._wire_name(p.name): self._sample(p) for p in op.query_params if p.required}
        body: dict[str, Any] | None = None
        if op.request_schema is not None and self.spec.resolve(op.request_schema).get("properties"):
            body = self.example(op.request_schema)
            model = getattr(
                importlib.import_module(f"{self.package}.models"), self.spec.ref_name(op.request_schema) or ""
            )
            for extra in getattr(model, "__exactly_one__", ())[1:]:
                body.pop(extra, None)  # the example fills every field; the model takes only one of these
            kwargs["request"] = model.model_validate_json(json.dumps(body))
        return args, kwargs, body

    def _expected_query(self, op: OperationSpec) -> list[tuple[str, str]]:
        pairs: list[tuple[str, str]] = []
        for p in op.query_params:
            if not p.required:
                continue
            value = self._sample(p)
            if isinstance(value, list):
                texts = [str(v) for v in value]
                pairs += [(p.name, t) for t in texts] if p.explode else [(p.name, ",".join(texts))]
            elif isinstance(value, bool):
                pairs.append((p.name, "true" if value else "false"))
            elif isinstance(value, date | datetime):
                pairs.append((p.name, value.isoformat()))
            else:
                pairs.append((p.name, str(value)))
        return sorted(pairs)

    def _transport(self, op: OperationSpec, seen: list[httpx.Request]) -> httpx.MockTransport:
        def handle(request: httpx.Request) -> httpx.Response:
            seen.append(request)
            if op.response_schema is None:
                return httpx.Response(op.success_status)
            return httpx.Response(op.success_status, json=self.example(op.response_schema))

        return httpx.MockTransport(handle)

    def _check_request(self, op: OperationSpec, request: httpx.Request, body: dict[str, Any] | None) -> None:
        assert request.method == op.method
        assert request.url.host == self.host
        expected_path = self.prefix + op.path
        for p in op.path_params:
            expected_path = expected_path.replace("{" + p.name + "}", f"p-{p.name}")
        assert request.url.path == expected_path
        assert sorted(parse_qsl(request.url.query.decode(), keep_blank_values=True)) == self._expected_query(op)
        self.check_auth(request)
        if body is not None:
            assert json.loads(request.content) == _strip_nones(body)
        elif op.method in ("POST", "PUT"):
            assert json.loads(request.content) == {}

    def _check_result(self, op: OperationSpec, result: Any, *, is_async: bool) -> None:
        from kalshi_rest import AsyncPage, Page

        attribute, _ = self._generated.OPERATION_METHODS[op.operation_id]
        operation = importlib.import_module(f"{self.package}.resources._generated.{attribute}").OPERATIONS[
            op.operation_id
        ]
        if op.response_schema is None:
            assert result is None
        elif operation.page_items:
            assert isinstance(result, AsyncPage if is_async else Page)
            assert len(list(result)) >= 1
            # A page carries the example's cursor exactly when the response declares one.
            declared = set(self.spec.resolve(op.response_schema).get("properties", {}))
            assert (result.cursor is not None) is bool(declared & {"cursor", "next_cursor"})
        else:
            assert type(result).__name__ == self.spec.ref_name(op.response_schema)

    def round_trip_sync(self, op_id: str) -> None:
        """Call `op_id` once on the sync client and check the request sent and the result returned."""
        op, seen = self._op(op_id), list[httpx.Request]()
        attribute, method = self._generated.OPERATION_METHODS[op_id]
        args, kwargs, body = self._call_args(op)
        with self.clients[0](self._transport(op, seen)) as client:
            result = getattr(getattr(client, attribute), method)(*args, **kwargs)
        assert len(seen) == 1
        self._check_request(op, seen[0], body)
        self._check_result(op, result, is_async=False)

    async def round_trip_async(self, op_id: str) -> None:
        """Call `op_id` once on the async client and check the request sent and the result returned."""
        op, seen = self._op(op_id), list[httpx.Request]()
        attribute, method = self._generated.OPERATION_METHODS[op_id]
        args, kwargs, body = self._call_args(op)
        async with self.clients[1](self._transport(op, seen)) as client:
            result = await getattr(getattr(client, attribute), method)(*args, **kwargs)
        assert len(seen) == 1
        self._check_request(op, seen[0], body)
        self._check_result(op, result, is_async=True)

    def check_signatures(self, attribute: str) -> None:
        """The sync and async classes of one resource family offer the same methods, signatures and docs."""
        module = importlib.import_module(f"{self.package}.resources._generated.{attribute}")
        sync_name, async_name = self._generated.RESOURCE_CLASSES[attribute]
        sync_cls, async_cls = getattr(module, sync_name), getattr(module, async_name)
        sync_methods, async_methods = _public(sync_cls), _public(async_cls)
        assert sorted(sync_methods) == sorted(async_methods)
        assert sync_methods
        for name, sync_fn in sync_methods.items():
            async_fn = async_methods[name]
            sync_sig, async_sig = inspect.signature(sync_fn), inspect.signature(async_fn)
            assert list(sync_sig.parameters.values()) == list(async_sig.parameters.values()), name
            assert _normalise_return(sync_sig.return_annotation) == _normalise_return(async_sig.return_annotation), name
            assert inspect.getdoc(sync_fn) == inspect.getdoc(async_fn), name
            iterates = str(async_sig.return_annotation).startswith("AsyncIterator")
            assert inspect.iscoroutinefunction(async_fn) is not iterates, name
            assert not inspect.iscoroutinefunction(sync_fn), name
        for cls, methods in ((sync_cls, sync_methods), (async_cls, async_methods)):
            raw_cls = typing.get_type_hints(cls.with_raw_response.func)["return"]
            wrapped = set(vars(raw_cls(cls(object()))))
            iterators = {n for n, f in methods.items() if "Iterator[" in str(inspect.signature(f).return_annotation)}
            assert wrapped == set(methods) - iterators - {"with_raw_response"}
