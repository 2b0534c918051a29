"""Generate kalshi_klear models and resources from specs/perps_scm_openapi.yaml (the Klear API).

Usage:
    uv run python tools/codegen/gen_klear.py            # write the generated modules
    uv run python tools/codegen/gen_klear.py --check    # exit 1 and list files that would change

Reuses gen_rest's builders with a Klear `Target`, writing
`packages/kalshi-klear/src/kalshi_klear/models/_generated/` and `.../resources/_generated/`. The
generated code builds on kalshi_rest's public extension API (`kalshi_rest.extension`), like perps.

What differs from openapi.yaml, each handled here and only here (`prepare_spec`, in memory; the
vendored file is never touched and its hash is what the headers carry):
- The 28 operations are untagged, so each is given its resource name as a tag: models are then
  grouped into one module per resource (`shared.py` for those used by several).
- `ObligationEntry` and `MemberFundingPayment` are `allOf` compositions of two parts, which the
  builders do not model; they are flattened into one object schema (properties and `required`
  merged, base first).
- Money is integer centicents (`*_centicents`, 1 USD = 10,000) and stays `int`. The fields that
  are fixed-point dollar strings are listed in `DOLLAR_STRING_FIELDS`: the withdrawal `amount`,
  `session_avg_price_fp`, the maintenance-margin estimate's `*_fp` totals and the hypothetical
  position `price` (docs/protocol/units.md names the first two; the spec's prose says USD for the others).
  Without the list the `_fp` suffix would read them as contract counts.
- `NOTES` adds a line to the prose of operations whose docstring must warn the caller
  (withdrawals move real money and are never retried).
"""

from __future__ import annotations

import copy
import re
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

import gen_rest
from _openapi import OpenAPISpec
from gen_rest import ModelBuilder, ResourceBuilder, Target

ROOT = gen_rest.ROOT
SPEC_PATH = ROOT / "specs" / "perps_scm_openapi.yaml"
PKG = ROOT / "packages" / "kalshi-klear" / "src" / "kalshi_klear"
MODELS_DIR = PKG / "models" / "_generated"
RESOURCES_DIR = PKG / "resources" / "_generated"

#: operationId -> (client attribute, method name). Paths group them: reports, obligations,
#: funding, margin estimates, settlement (balance, prices, withdrawals), subtrader groups, API keys.
NAMES: dict[str, tuple[str, str]] = {
    # reports
    "GetMarginReports": ("reports", "list"),
    "GetLargeTraderPositions": ("reports", "large_trader_positions"),
    # obligations
    "GetActiveMarginObligations": ("obligations", "active"),
    "GetObligationHistory": ("obligations", "history"),
    "GetObligationSettlementDetails": ("obligations", "settlement_details"),
    "GetObligationFundingPayments": ("obligations", "funding_payments"),
    "GetObligationCorporateActionPayments": ("obligations", "corporate_action_payments"),
    "GetObligationMaintenanceMarginDetails": ("obligations", "maintenance_margin_details"),
    # funding
    "GetMemberFundingPayments": ("funding", "payments"),
    "GetFundingEstimateByAssetClass": ("funding", "estimate_by_asset_class"),
    "GetMarginFundingSchedule": ("funding", "schedule"),
    # margin estimates
    "EstimatePortfolioMaintenanceMargin": ("margin", "estimate_maintenance_margin"),
    "GetMaintenanceMarginMetadata": ("margin", "maintenance_margin_metadata"),
    # settlement
    "GetSettlementEstimateByAssetClass": ("settlement", "estimate_by_asset_class"),
    "GetSettlementPrices": ("settlement", "prices"),
    "GetSettlementBalance": ("settlement", "balance"),
    "GetSettlementBalanceHistory": ("settlement", "balance_history"),
    "GetGuarantyFundBalance": ("settlement", "guaranty_fund_balance"),
    "WithdrawSettlementBalance": ("settlement", "withdraw"),
    "GetSettlementBalanceWithdrawal": ("settlement", "withdrawal"),
    # subtrader groups
    "GetMarginSubtraderGroups": ("subtrader_groups", "list"),
    "CreateMarginSubtraderGroup": ("subtrader_groups", "create"),
    "UpdateMarginSubtraderGroup": ("subtrader_groups", "update"),
    "DeleteMarginSubtraderGroup": ("subtrader_groups", "delete"),
    # subtrader-bound API keys
    "ListMarginFcmApiKeys": ("api_keys", "list"),
    "CreateMarginFcmApiKey": ("api_keys", "create"),
    "GenerateMarginFcmApiKey": ("api_keys", "generate"),
    "DeleteMarginFcmApiKey": ("api_keys", "delete"),
}

#: Resource attribute -> (sync class name, one-line description). Order is the client's order.
RESOURCES: dict[str, tuple[str, str]] = {
    "reports": ("Reports", "Margin report files and large-trader (CFTC) positions."),
    "obligations": ("Obligations", "Settlement obligations (negative = payable to Klear) and their breakdowns."),
    "funding": ("Funding", "Member funding payments, funding estimates and the funding schedule."),
    "margin": ("Margin", "Maintenance-margin estimates for hypothetical portfolios, and their inputs."),
    "settlement": ("Settlement", "Settlement estimates, prices, the settlement balance and its withdrawals."),
    "subtrader_groups": ("SubtraderGroups", "Margin subtrader groups (netted as one portfolio)."),
    "api_keys": ("ApiKeys", "Subtrader-bound API keys (FCM clearing members only)."),
}

#: Plain-string fields that are fixed-point US dollars (see the module docstring).
DOLLAR_STRING_FIELDS: frozenset[tuple[str, str]] = frozenset(
    {
        ("WithdrawSettlementBalanceRequest", "amount"),
        ("GetSettlementBalanceWithdrawalResponse", "amount"),
        ("MarketSettlementEstimate", "session_avg_price_fp"),
        ("EstimatePortfolioMaintenanceMarginPosition", "price"),
        ("EstimatePortfolioMaintenanceMarginResponse", "maintenance_margin_fp"),
        ("EstimatePortfolioMaintenanceMarginResponse", "base_margin_fp"),
        ("EstimatePortfolioMaintenanceMarginResponse", "hvar_fp"),
        ("EstimatePortfolioMaintenanceMarginResponse", "apc_fp"),
        ("EstimatePortfolioMaintenanceMarginResponse", "funding_addon_fp"),
        ("EstimatePortfolioMaintenanceMarginResponse", "liquidation_addon_fp"),
    }
)

#: Request dollar fields whose spec prose says "Must be positive": typed `PositiveDollars`
#: (kalshi_klear._money) instead of `StrictDollars`, so a zero or negative amount fails at construction.
POSITIVE_DOLLAR_FIELDS: frozenset[tuple[str, str]] = frozenset(
    {("WithdrawSettlementBalanceRequest", "amount"), ("EstimatePortfolioMaintenanceMarginPosition", "price")}
)

#: Prose added to an operation's description, so that the method docstring says it.
NOTES: dict[str, str] = {
    "WithdrawSettlementBalance": (
        "**This moves real money**: it starts a wire transfer out of the settlement buffer. It is "
        "never retried automatically; after a timeout or a 5xx, check `settlement.balance()` "
        "(`locked_balance_centicents`) before sending it again. `amount` is US dollars as a `Decimal` "
        '(e.g. `Decimal("500.00")`), not centicents.'
    ),
    "GetObligationCorporateActionPayments": (
        "Rows here are already included in settlement PnL: do not add them to the obligation total."
    ),
}

KLEAR = Target(
    spec_path=SPEC_PATH,
    package="kalshi_klear",
    package_dir=PKG,
    names=NAMES,
    resources=RESOURCES,
    clients=("KlearClient", "AsyncKlearClient"),
    dollar_string_fields=DOLLAR_STRING_FIELDS,
)
"""The Klear clearing-member API: specs/perps_scm_openapi.yaml into kalshi_klear."""


def _flatten_all_of(spec: OpenAPISpec, schema: dict[str, Any]) -> dict[str, Any]:
    parts = schema.get("allOf")
    if not isinstance(parts, list) or len(parts) < 2:
        return schema
    merged: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
    for part in parts:
        resolved = _flatten_all_of(spec, spec.resolve(part))
        merged["properties"].update(copy.deepcopy(resolved.get("properties", {})))
        merged["required"] += [r for r in resolved.get("required", ()) if r not in merged["required"]]
        if "description" in resolved and "description" not in merged:
            merged["description"] = resolved["description"]
    if "description" in schema:
        merged["description"] = schema["description"]
    return merged


def prepare_spec(spec: OpenAPISpec) -> OpenAPISpec:
    """Apply the in-memory adjustments listed in the module docstring to `spec.doc`."""
    schemas = spec.schemas
    for name in list(schemas):
        schemas[name] = _flatten_all_of(spec, schemas[name])
    for item in spec.doc.get("paths", {}).values():
        for method, op in item.items():
            if method == "parameters" or not isinstance(op, dict) or "operationId" not in op:
                continue
            op_id = op["operationId"]
            if op.get("tags"):
                raise SystemExit(f"{op_id} is tagged now; revisit gen_klear's resource grouping")
            if op_id in NAMES:
                op["tags"] = [NAMES[op_id][0]]
            if op_id in NOTES:
                op["description"] = f"{(op.get('description') or '').strip()}\n\n{NOTES[op_id]}"
    return spec


_MODEL_DOC = re.compile(r'^"""Models (of the `(\w+)` tag|shared by several tags) in [\w.]+\.yaml\."""$', re.M)


def _model_doc(match: re.Match[str]) -> str:
    what = f"used by the `{match.group(2)}` resource" if match.group(2) else "shared by several resources"
    return f'"""Models {what} in perps_scm_openapi.yaml."""'


def _with_date_import(source: str) -> str:
    """Import `datetime.date` where a parameter is a `date` (gen_rest imports `datetime` only)."""
    if not re.search(r": date\b", source) or re.search(r"^from datetime import .*\bdate\b", source, re.M):
        return source
    if re.search(r"^from datetime import datetime$", source, re.M):
        return re.sub(r"^from datetime import datetime$", "from datetime import date, datetime", source, flags=re.M)
    return source.replace(
        "from functools import cached_property\n",
        "from datetime import date\nfrom functools import cached_property\n",
        1,
    )


class KlearModelBuilder(ModelBuilder):
    """gen_rest's model builder; schemas reached only from error responses (`Error`) go to `shared`."""

    def _assign_modules(self) -> dict[str, str]:
        modules = super()._assign_modules()
        for name in self.spec.referenced_schemas():
            modules.setdefault(name, "shared")
        return modules


def _date_type_alias(source: str) -> str:
    """Import `datetime.date` as `_date` in model modules: a field named `date` (the margin estimate's)
    would otherwise shadow the type inside the class body, and pydantic could not read `date | None`."""
    if not re.search(r"^from datetime import date$", source, re.M):
        return source
    source = re.sub(r"^from datetime import date$", "from datetime import date as _date", source, flags=re.M)
    return re.sub(r"(:\s*|\[|\| )date\b(?!:)", r"\1_date", source)


_RUNTIME_IMPORT = re.compile(r"^from kalshi_rest\.extension import (\([^)]*\)|[^\n]*)\n", re.M)


def _without_strict_dollars(match: re.Match[str]) -> str:
    names = [n.strip() for n in match.group(1).strip("()").split(",") if n.strip() and n.strip() != "StrictDollars"]
    return f"from kalshi_rest.extension import {', '.join(names)}\n" if names else ""


def _positive_dollars(source: str) -> str:
    """Retype the `POSITIVE_DOLLAR_FIELDS` of a model module from `StrictDollars` to `PositiveDollars`."""
    changed = source
    for model, field in sorted(POSITIVE_DOLLAR_FIELDS):
        pattern = re.compile(rf"(^class {model}\(RequestModel\):.*?^    {field}: )StrictDollars\b", re.M | re.S)
        changed = pattern.sub(r"\1PositiveDollars", changed, count=1)
    if changed == source:
        return source
    if "StrictDollars" not in changed.split("__all__", 1)[1]:
        changed = _RUNTIME_IMPORT.sub(_without_strict_dollars, changed, count=1)
    first_local = "\nfrom kalshi_rest."
    return changed.replace(first_local, "\nfrom kalshi_klear._money import PositiveDollars" + first_local, 1)


def generate() -> dict[Path, str]:
    """Every generated file of kalshi_klear and its content."""
    spec = prepare_spec(OpenAPISpec(KLEAR.spec_path))
    header = f"# Generated by tools/codegen from specs/{SPEC_PATH.name} (sha256 {spec.sha256}). Do not edit.\n"
    models = KlearModelBuilder(spec, KLEAR)
    resources = ResourceBuilder(spec, models, KLEAR)
    files: dict[Path, str] = {}
    for name, source in models.modules(header).items():
        fixed = _positive_dollars(_date_type_alias(_MODEL_DOC.sub(_model_doc, source)))
        files[KLEAR.models_dir / name] = gen_rest.ruff_format(fixed)
    for name, source in resources.modules(header).items():
        fixed = _with_date_import(source)
        files[KLEAR.resources_dir / name] = gen_rest.ruff_format(fixed) if fixed != source else source
    return files


def main(argv: list[str] | None = None) -> int:
    """Write the generated files, or with `--check` list those that would change and exit 1."""
    return gen_rest.main(argv, KLEAR, build=generate)


if __name__ == "__main__":
    raise SystemExit(main())
