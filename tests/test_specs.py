"""The vendored specs are Kalshi's, unmodified: their hashes match specs/README.md."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

SPECS = Path(__file__).resolve().parents[1] / "specs"
EXPECTED_FILES = {
    "openapi.yaml",
    "asyncapi.yaml",
    "perps_openapi.yaml",
    "perps_asyncapi.yaml",
    "perps_scm_openapi.yaml",
    "kalshi-fix-dictionary.xml",
}


def _recorded_hashes() -> dict[str, str]:
    text = (SPECS / "README.md").read_text()
    return {name: digest for digest, name in re.findall(r"^([0-9a-f]{64})  (\S+)$", text, re.M)}


def test_every_spec_is_vendored_and_named_in_the_readme() -> None:
    present = {p.name for p in SPECS.iterdir() if p.name != "README.md"}
    assert present == EXPECTED_FILES
    assert set(_recorded_hashes()) == EXPECTED_FILES
    readme = (SPECS / "README.md").read_text()
    assert "Kalshi" in readme
    assert "docs.kalshi.com" in readme


def test_specs_are_unmodified() -> None:
    for name, digest in _recorded_hashes().items():
        assert hashlib.sha256((SPECS / name).read_bytes()).hexdigest() == digest, name
