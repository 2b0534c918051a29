"""`ChannelInfo`: one row of a product's channel table (generated from its AsyncAPI spec)."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["ChannelInfo"]


@dataclass(frozen=True, slots=True)
class ChannelInfo:
    """What the engine needs to know about one subscribable channel.

    Attributes:
        name: the channel name sent in `subscribe`.
        title: the spec's title.
        message_types: every wire `type` the channel delivers (route by these, never by name).
        message_classes: the generated class for each of `message_types`.
        sequenced: the engine checks the channel's per-subscription `seq` (drops duplicates,
            resyncs on a gap): the order-book and order-group channels. Other channels may carry
            `seq` too, but no message of theirs is ever dropped for it.
        private: the channel needs an authenticated connection.
        params: the subscribe params the spec allows on this channel (besides `channels`); None
            when unknown (nothing is checked).
    """

    name: str
    title: str
    message_types: tuple[str, ...]
    message_classes: tuple[type, ...]
    sequenced: bool
    private: bool
    params: tuple[str, ...] | None = None
