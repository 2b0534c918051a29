"""Readable signatures for the generated models in `help()` and IDE tooltips.

pydantic builds a model's `__signature__` from its field annotations, metadata included, so a
`Decimal` field shows as `Annotated[Decimal, PlainSerializer(func=<function to_wire at 0x...>,
...)]` and one model's signature can run to thousands of characters. The validators are what make
the fields strict; the reader only needs the types. `tidy_model_signatures` replaces each model's
signature, on first use, by the same parameters with the metadata dropped and the types written
the way the code is (`Decimal | None`, `Literal['bid', 'ask']`). `forwards_kwargs` does the same for functions that
take `**kwargs` and pass them on.
"""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = ["forwards_kwargs", "tidy_annotation", "tidy_model_signatures", "tidy_signature"]

F = TypeVar("F", bound=Callable[..., Any])

_NONE = type(None)


def tidy_annotation(tp: Any) -> str:
    """Write an annotation as source code would: no `Annotated` metadata, no module prefixes."""
    if isinstance(tp, str):
        return tp
    if tp is None or tp is _NONE:
        return "None"
    if tp is Any:
        return "Any"
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin is typing.Annotated:
        return tidy_annotation(args[0])
    if origin is typing.Union or origin is types.UnionType:
        members = _union_members(tp)
        parts = [tidy_annotation(a) for a in members if a is not _NONE]
        if _NONE in members:
            parts.append("None")
        return " | ".join(dict.fromkeys(parts))
    if origin is typing.Literal:
        return f"Literal[{', '.join(repr(a) for a in args)}]"
    if origin is not None:
        name = getattr(origin, "__name__", None) or repr(origin).removeprefix("typing.")
        return f"{name}[{', '.join(tidy_annotation(a) for a in args)}]" if args else name
    if isinstance(tp, type):
        return tp.__name__
    return repr(tp).removeprefix("typing.")


def _union_members(tp: Any) -> list[Any]:
    """The members of a union, with nested unions and `Annotated` wrappers flattened."""
    if typing.get_origin(tp) is typing.Annotated:
        return _union_members(typing.get_args(tp)[0])
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return [m for arg in typing.get_args(tp) for m in _union_members(arg)]
    return [tp]


def tidy_signature(signature: inspect.Signature) -> inspect.Signature:
    """The same signature with every annotation written by `tidy_annotation`."""
    params = [
        p.replace(annotation=tidy_annotation(p.annotation)) if p.annotation is not p.empty else p
        for p in signature.parameters.values()
    ]
    ret = signature.return_annotation
    return signature.replace(
        parameters=params, return_annotation=ret if ret is signature.empty else tidy_annotation(ret)
    )


class _TidySignature:
    """A class attribute that computes the tidy signature on first access (models load lazily)."""

    def __init__(self, original: Any) -> None:
        self._original = original
        self._value: inspect.Signature | None = None

    def __get__(self, instance: object, owner: type) -> inspect.Signature:
        if self._value is None:
            raw = self._original.__get__(instance, owner) if hasattr(self._original, "__get__") else self._original
            self._value = tidy_signature(raw)
        return self._value


def tidy_model_signatures(*bases: type) -> None:
    """Give every subclass of `bases` (pydantic models) a tidy `__signature__`."""

    def init_subclass(cls: type[Any], /, **kwargs: Any) -> None:
        base: type[Any] = next(b for b in cls.__mro__ if b in bases)
        super(base, cls).__pydantic_init_subclass__(**kwargs)  # pydantic's own hook
        original = cls.__dict__.get("__signature__")
        if original is not None:
            type.__setattr__(cls, "__signature__", _TidySignature(original))

    for base in bases:
        type.__setattr__(base, "__pydantic_init_subclass__", classmethod(init_subclass))


def forwards_kwargs(source: Callable[..., Any], **extra: tuple[str, Any]) -> Callable[[F], F]:
    """Show in `help()` the keyword arguments a `**kwargs` function passes on to `source`.

    `from_env(**kwargs)` forwards to `__init__`; without this its signature says only `**kwargs`.
    `extra` adds parameters of the function's own, as `name=(annotation, default)`.
    """

    def decorate(func: F) -> F:
        own = inspect.signature(func)
        first = next(iter(own.parameters.values()))  # cls or self
        keyword = inspect.Parameter.KEYWORD_ONLY
        forwarded = [
            p.replace(kind=keyword)
            for p in list(inspect.signature(source).parameters.values())[1:]
            if p.kind not in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD)
        ]
        added = [inspect.Parameter(n, keyword, default=d, annotation=a) for n, (a, d) in extra.items()]
        setattr(func, "__signature__", own.replace(parameters=[first, *forwarded, *added]))  # noqa: B010
        return func

    return decorate
