"""A sample spec and bidder for the export tests and `benchmarks/spec_bench.py` only.

It builds, straight from the seed files, a dict shaped like `GET /api/v1/specs/{id}`: the
criteria of one application from `seeds/criteria/<file>.yaml` with their default parameters filled
in, and market evidence from the case studies in `seeds/cases/`. It is not the wizard's spec
builder (that lives in the gpp service and validates what the procurer chose); it only gives the
exporters a realistic, deterministic document without a database."""

import json
import re
from pathlib import Path
from typing import Any

import yaml

from gpp.exporters.labels import SECTION_ORDER
from gpp.sources import printable
from replan import PROJECT_ROOT

SEEDS = PROJECT_ROOT / "seeds"
_PLACEHOLDER = re.compile(r"\{(\w+)\}")


def _fill(text: str, values: dict[str, Any]) -> str:
    return _PLACEHOLDER.sub(
        lambda m: str(values.get(m.group(1), m.group(0))), " ".join(text.split())
    )


def _criterion(raw: dict) -> dict:
    values = {name: p.get("default") for name, p in (raw.get("parameters") or {}).items()}
    eforms = raw.get("eforms") or {}
    return {
        "id": raw["id"],
        "version": raw.get("version"),
        "valid_from": raw.get("valid_from"),
        "valid_to": raw.get("valid_to"),
        "title": raw["title"],
        "text": _fill(raw["text"], values),
        "parameters": values,
        "parameter_labels": {
            name: {"label": p.get("label", name), "unit": p.get("unit", "")}
            for name, p in (raw.get("parameters") or {}).items()
        },
        "rationale": " ".join(str(raw.get("rationale", "")).split()),
        "verification": [dict(v) for v in raw.get("verification") or []],
        "references": [dict(r) for r in raw.get("references") or [] if printable(r)],
        "award_points": raw.get("award_points") if raw["type"] == "award" else None,
        "reviewed_on": raw.get("reviewed_on"),
        "next_review": raw.get("next_review"),
        "eforms": {
            # the sample is an Italian spec: a national rule of Italy is `national` here
            "bt_805": "national"
            if eforms.get("national_rule_of") == "IT"
            else eforms.get("bt_805"),
            "bt_774": list(eforms.get("bt_774") or []),
            **({"bt_809": eforms["bt_809"]} if eforms.get("bt_809") else {}),
        },
    }


def _market_evidence(application: str, seeds: Path) -> dict:
    cases = []
    for path in sorted((seeds / "cases").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                record = json.loads(line)
                if record.get("application") == application:
                    cases.append(record)
    organisations: dict[tuple[str, str], dict] = {}
    for case in cases:
        for org in case.get("organisations") or []:
            if org.get("role") in ("supplier", "recycler", "contractor"):
                organisations.setdefault((org["name"], org["role"]), dict(org))
    return {
        "cases": len(cases),
        "countries": sorted({c["country"] for c in cases}),
        "case_ids": [c["id"] for c in cases],
        "case_list": [
            {
                "id": c["id"],
                "title": c["title"],
                "country": c["country"],
                "year": c.get("year"),
                "url": f"/cases/{c['id']}",
            }
            for c in cases
        ],
        "organisations": list(organisations.values()),
    }


def sample_spec(
    *,
    product_group: str = "roads",
    application: str = "road-pavement",
    ambition: str = "comprehensive",
    seeds: Path = SEEDS,
) -> dict:
    """Build a spec dict of one application from the seed criteria and cases."""
    library = yaml.safe_load((seeds / "criteria" / f"{product_group}.yaml").read_text("utf-8"))
    levels = {"core"} if ambition == "core" else {"core", "comprehensive"}
    chosen = [
        c
        for c in library["criteria"]
        if application in c["applications"] and c["ambition"] in levels
    ]
    sections = [
        {"type": kind, "criteria": [_criterion(c) for c in chosen if c["type"] == kind]}
        for kind in SECTION_ORDER
    ]
    sections = [s for s in sections if s["criteria"]]
    checklist = [
        {
            "criterion_id": c["id"],
            "criterion_title": c["title"],
            **{k: v.get(k) for k in ("evidence", "phase", "how_to_check", "who")},
        }
        for s in sections
        for c in s["criteria"]
        for v in c["verification"]
    ]
    criteria = [c for s in sections for c in s["criteria"]]
    bt_805 = [
        code
        for code in ("eu", "national", "other")
        if any(c["eforms"]["bt_805"] == code for c in criteria)
    ]
    bt_774 = list(dict.fromkeys(code for c in criteria for code in c["eforms"]["bt_774"]))
    return {
        "id": f"sample-{application}-{ambition}",
        "title": "Resurfacing of urban roads with rubber-modified asphalt (sample)",
        "authority": "Sample municipality",
        "application": application,
        "application_label": application.replace("-", " ").capitalize(),
        "procurement_type": "works",
        "ambition": ambition,
        "language": "en",
        "country": "IT",
        "library_version": str(library.get("library_version", "")),
        "created_at": "2026-01-15T10:00:00+00:00",
        "eforms": {"bt_805": bt_805, "bt_774": bt_774, "bt_06": "env-imp"},
        "sections": sections,
        "checklist": checklist,
        "market_evidence": _market_evidence(application, seeds),
    }


def sample_bidder(spec: dict) -> dict:
    """Build a bidder whose checks cycle through every status, with a verdict to match."""
    statuses = ("compliant", "compliant", "pending", "non_compliant", "missing")
    checks = [
        {
            "n": n,
            **{
                k: item.get(k)
                for k in ("criterion_id", "criterion_title", "evidence", "phase", "how_to_check")
            },
            "status": statuses[n % len(statuses)],
            "note": "" if n % 2 else f"Checked item {n + 1}.",
        }
        for n, item in enumerate(spec["checklist"])
    ]
    summary = {
        s: sum(c["status"] == s for c in checks)
        for s in ("pending", "compliant", "non_compliant", "missing")
    }
    verdict = (
        "non_compliant"
        if summary["non_compliant"] or summary["missing"]
        else "pending"
        if summary["pending"]
        else "compliant"
    )
    return {
        "id": 1,
        "name": "Sample bidder A",
        "checks": checks,
        "summary": summary,
        "verdict": verdict,
    }
