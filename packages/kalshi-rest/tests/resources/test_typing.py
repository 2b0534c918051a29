"""mypy sees `T` on the sync face and an awaitable `T` on the async one (run with `-m slow`)."""

from __future__ import annotations

from pathlib import Path

import pytest

SNIPPET = """
from kalshi_rest import AsyncKalshiClient, KalshiClient

def sync(client: KalshiClient) -> None:
    reveal_type(client.markets.list(status="open"))
    reveal_type(client.markets.list_all())
    reveal_type(client.markets.get("T"))
    reveal_type(client.markets.list()[0].yes_bid)
    reveal_type(client.markets.with_raw_response.get("T"))
    client.markets.list(status="bogus")

async def asynchronous(client: AsyncKalshiClient) -> None:
    reveal_type(await client.markets.list())
    reveal_type(client.markets.list_all())
    reveal_type(client.markets.get("T"))
"""


@pytest.mark.slow
def test_mypy_sees_both_faces(tmp_path: Path) -> None:
    api = pytest.importorskip("mypy.api")
    source = tmp_path / "snippet.py"
    source.write_text(SNIPPET)
    stdout, _, _ = api.run([str(source), "--strict", "--no-incremental", "--cache-dir", str(tmp_path / "cache")])
    revealed = [line.split("Revealed type is ", 1)[1] for line in stdout.splitlines() if "Revealed type" in line]
    assert revealed == [
        '"kalshi_rest._pagination.Page[kalshi_rest.models._generated.shared.Market]"',
        '"typing.Iterator[kalshi_rest.models._generated.shared.Market]"',
        '"kalshi_rest.models._generated.shared.GetMarketResponse"',
        '"decimal.Decimal | None"',
        '"kalshi_rest._response.APIResponse[kalshi_rest.models._generated.shared.GetMarketResponse]"',
        '"kalshi_rest._pagination.AsyncPage[kalshi_rest.models._generated.shared.Market]"',
        '"typing.AsyncIterator[kalshi_rest.models._generated.shared.Market]"',
        '"typing.Coroutine[Any, Any, kalshi_rest.models._generated.shared.GetMarketResponse]"',
    ]
    assert 'Argument "status" to "list" of "Markets" has incompatible type "Literal[\'bogus\']"' in stdout
