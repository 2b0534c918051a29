from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from kalshi_testing import KalshiExchangeSimulator, ScenarioError, default_scenario, load_scenario

SCENARIO_YAML = """
series:
  - {ticker: KXRAIN, title: Rain in Seattle, category: Climate and Weather}
events:
  - {event_ticker: KXRAIN-26NOV25, series_ticker: KXRAIN, title: Rain on Nov 25}
markets:
  - {ticker: KXRAIN-26NOV25-Y, event_ticker: KXRAIN-26NOV25, title: "Will it rain?"}
  - {ticker: KXRAIN-26NOV25-Z, event_ticker: KXRAIN-26NOV25, title: Old, status: finalized}
accounts:
  - {user_id: mm, balance: "500.00"}
orders:
  - {user_id: mm, ticker: KXRAIN-26NOV25-Y, side: bid, price: "0.61", count: "25"}
"""


def test_yaml_scenario_drives_the_simulator(tmp_path: Path) -> None:
    path = tmp_path / "rain.yaml"
    path.write_text(SCENARIO_YAML)
    with KalshiExchangeSimulator(path) as sim:
        markets = httpx.get(sim.rest_url + "/markets").json()["markets"]
        assert [m["ticker"] for m in markets] == ["KXRAIN-26NOV25-Y", "KXRAIN-26NOV25-Z"]
        assert markets[0]["yes_bid_dollars"] == "0.6100"
        assert markets[0]["yes_bid_size_fp"] == "25.00"
        assert markets[1]["status"] == "finalized"
        settled = httpx.get(sim.rest_url + "/markets", params={"status": "settled"}).json()["markets"]
        assert [m["ticker"] for m in settled] == ["KXRAIN-26NOV25-Z"]


def test_json_scenario_and_dict_scenario_match(tmp_path: Path) -> None:
    import yaml

    data = yaml.safe_load(SCENARIO_YAML)
    path = tmp_path / "rain.json"
    path.write_text(json.dumps(data))
    assert load_scenario(path).markets == load_scenario(data).markets


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"events": [{"event_ticker": "E", "series_ticker": "NOPE", "title": "t"}]}, "unknown series_ticker"),
        ({"markets": [{"ticker": "M"}]}, "missing ['event_ticker']"),
        (
            {
                "orders": [
                    {"user_id": "ghost", "ticker": "KXRAIN-26NOV25-Y", "side": "bid", "price": "0.5", "count": "1"}
                ]
            },
            "unknown user_id",
        ),
        (
            {"orders": [{"user_id": "mm", "ticker": "KXRAIN-26NOV25-Y", "side": "buy", "price": "0.5", "count": "1"}]},
            "side must be",
        ),
        (
            {
                "orders": [
                    {"user_id": "mm", "ticker": "KXRAIN-26NOV25-Y", "side": "bid", "price": "0.12345", "count": "1"}
                ]
            },
            "more than 4 decimals",
        ),
        ({"surprise": []}, "unknown scenario keys"),
        ({"markets": "nope"}, "must be a list"),
    ],
)
def test_bad_scenarios_name_the_problem(patch: dict[str, object], message: str) -> None:
    import yaml

    data = yaml.safe_load(SCENARIO_YAML) | patch
    with pytest.raises(ScenarioError, match=message.replace("[", r"\[").replace("]", r"\]")):
        load_scenario(data)


def test_unreadable_or_invalid_files(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match="cannot read"):
        load_scenario(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("series: [unclosed")
    with pytest.raises(ScenarioError, match="not valid YAML"):
        load_scenario(bad)


def test_default_scenario_is_deterministic() -> None:
    assert default_scenario(3).orders == default_scenario(3).orders
    assert default_scenario(3).orders != default_scenario(4).orders
