"""JSON export: the spec as the API gives it, plus two machine-readable blocks.

`eforms` keeps the spec's own codes (bt_805, bt_774, bt_06) and adds what a notice needs, keyed by
the eForms business terms the reference names: the lot's BT-06/BT-805/BT-774 codes, the award
criteria as BG-707 entries (BT-539 type, BT-734 name, BT-540 description, BT-541 number), the
selection criteria (BT-809 code of the official list, BT-750 description, BT-821 source) and
the contract performance conditions (OPT-060 `performance` with the BT-70 text). The eForms
weight code of BT-5421 is not in our reference, so the points go under the plain key
`weight_points`.

`ocds` follows the OCDS extensions: sustainability (`tender.hasSustainability`,
`tender.sustainability[]`), requirements (`tender.criteria[]`) and the award criteria breakdown
(`awardCriteria` on the lot, because core OCDS already uses `tender.awardCriteria` for a code).
Keys keep a fixed order so that the same spec always gives the same bytes."""

import json
from typing import Any

from gpp.exporters.labels import GPP_SOURCES, SECTION_ORDER, Translate, one_line, txt
from gpp.exporters.model import award_total, ordered_sections

# BT-774 code -> OCDS sustainabilityGoal (the codelist's own code for water-mar, not the
# `environmental.waterResources` that one converter uses).
GOALS = {
    "biodiv-eco": "environmental.biodiversityProtectionRestoration",
    "circ-econ": "environmental.circularEconomy",
    "clim-adapt": "environmental.climateChangeAdaptation",
    "clim-mitig": "environmental.climateChangeMitigation",
    "pollu-prev": "environmental.pollutionPrevention",
    "water-mar": "environmental.waterResourcesProtection",
    "other": "environmental",
}
GPP_STRATEGIES = {
    "eu": "euGPPCriteria",
    "national": "nationalGPPCriteria",
    "other": "otherGPPCriteria",
}
SECTION_STRATEGIES = {
    "selection": "selectionCriteria",
    "technical_specification": "technicalSpecifications",
    "award": "awardCriteria",
    "contract_clause": "contractPerformanceConditions",
}
CATEGORIES = {"works": "works", "supply": "goods", "service": "services"}


def _list(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


def _criteria(spec: dict) -> list[tuple[str, dict]]:
    return [(s.get("type", ""), c) for s in ordered_sections(spec) for c in s["criteria"]]


def _selection_code(crit: dict) -> str | None:
    """Return the BT-809 code the criterion carries (specs issued before it was recorded: the
    environmental-management criteria only, by name; no code is better than a wrong one)."""
    code = (crit.get("eforms") or {}).get("bt_809")
    if code:
        return str(code)
    words = f"{crit.get('id', '')} {crit.get('title', '')}".lower()
    if "environmental-management" in words or "environmental management" in words:
        return "slc-abil-mgmt-env"
    return None


def eforms_block(spec: dict) -> dict:
    """Return the eForms-oriented view of a spec."""
    own = spec.get("eforms") or {}
    criteria = _criteria(spec)
    award = [
        {
            "criterion_id": c.get("id"),
            "BT-539": "quality",
            "BT-734": one_line(c.get("title")),
            "BT-540": txt(c.get("text")),
            "BT-541": c.get("award_points"),
            "weight_points": c.get("award_points"),
        }
        for kind, c in criteria
        if kind == "award"
    ]
    return {
        "bt_805": _list(own.get("bt_805")),
        "bt_774": _list(own.get("bt_774")),
        "bt_06": own.get("bt_06", "env-imp"),
        "lot": {
            "BT-06-Lot": _list(own.get("bt_06", "env-imp")),
            "BT-805-Lot": _list(own.get("bt_805")),
            "BT-774-Lot": _list(own.get("bt_774")),
        },
        "award_criteria": award,
        "award_points_total": award_total(spec) if award else None,
        "selection_criteria": [
            {
                "criterion_id": c.get("id"),
                **({"BT-809": code} if (code := _selection_code(c)) else {}),
                "BT-750": txt(c.get("text")),
                "BT-821": "epo-procurement-document",
            }
            for kind, c in criteria
            if kind == "selection"
        ],
        "contract_performance_conditions": [
            {
                "criterion_id": c.get("id"),
                "OPT-060-Lot": "performance",
                "BT-70-Lot": f"{one_line(c.get('title'))}\n\n{txt(c.get('text'))}".strip(),
            }
            for kind, c in criteria
            if kind == "contract_clause"
        ],
    }


def _sustainability(spec: dict, _: Translate) -> list[dict]:
    own = spec.get("eforms") or {}
    criteria = _criteria(spec)
    entries = []
    for code in _list(own.get("bt_774")):
        concerned = [
            (k, c) for k, c in criteria if code in _list((c.get("eforms") or {}).get("bt_774"))
        ] or criteria  # without per-criterion codes, every criterion counts
        sources = {s for _k, c in concerned for s in _list((c.get("eforms") or {}).get("bt_805"))}
        sources = sources or set(_list(own.get("bt_805")))
        kinds = {k for k, _c in concerned}
        entries.append(
            {
                "goal": GOALS.get(code, "environmental"),
                "strategies": [GPP_STRATEGIES[s] for s in GPP_SOURCES if s in sources]
                + [SECTION_STRATEGIES[k] for k in SECTION_ORDER if k in kinds],
                "description": _(
                    "Criteria: %(titles)s",
                    titles="; ".join(one_line(c.get("title")) for _k, c in concerned),
                ),
            }
        )
    return entries


def _requirement_for(crit_id: str, name: str, value: Any, n: int) -> dict | None:
    if isinstance(value, dict):
        value = value.get("value", value.get("default"))
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    kind = (
        "minValue" if name.startswith("min_") else "maxValue" if name.startswith("max_") else None
    )
    if kind is None:
        return None
    return {
        "id": f"{crit_id}-r{n}",
        "title": name,
        "dataType": "integer" if isinstance(value, int) else "number",
        kind: value,
    }


def _ocds_criterion(crit: dict, _: Translate) -> dict:
    cid = txt(crit.get("id"))
    requirements = [
        {
            "id": f"{cid}-r1",
            "title": _("The tender meets this requirement"),
            "dataType": "boolean",
            "expectedValue": True,
        }
    ]
    as_text = []
    for name, value in (crit.get("parameters") or {}).items():
        requirement = _requirement_for(cid, str(name), value, len(requirements) + 1)
        if requirement:
            requirements.append(requirement)
        else:
            shown = value.get("value", value.get("default")) if isinstance(value, dict) else value
            known = (crit.get("parameter_labels") or {}).get(name) or {}
            unit = f" {known['unit']}" if known.get("unit") else ""
            as_text.append(f"{known.get('label') or name}: {shown}{unit}")
    group: dict[str, Any] = {"id": f"{cid}-g1"}
    if as_text:
        group["description"] = _(
            "Values set by the contracting authority: %(values)s", values="; ".join(as_text)
        )
    group["requirements"] = requirements
    return {
        "id": cid,
        "title": one_line(crit.get("title")),
        "description": txt(crit.get("text")),
        "requirementGroups": [group],
    }


def ocds_block(spec: dict, _: Translate) -> dict:
    """Return the OCDS view of a spec (sustainability, requirements, award criteria)."""
    criteria = _criteria(spec)
    award = [c for kind, c in criteria if kind == "award"]
    tender: dict[str, Any] = {
        "id": txt(spec.get("id")),
        "title": one_line(spec.get("title")),
        "mainProcurementCategory": CATEGORIES.get(spec.get("procurement_type") or ""),
        "hasSustainability": bool(criteria),
        "sustainability": _sustainability(spec, _),
        "criteria": [
            _ocds_criterion(c, _)
            for kind, c in criteria
            if kind in ("selection", "technical_specification")
        ],
    }
    if tender["mainProcurementCategory"] is None:
        del tender["mainProcurementCategory"]
    if award:
        tender["lots"] = [
            {
                "id": "1",
                "awardCriteria": {
                    "criteria": [
                        {
                            "type": "quality",
                            "name": one_line(c.get("title")),
                            "description": txt(c.get("text")),
                            **(
                                {
                                    "numbers": [
                                        {"number": c["award_points"], "weight": "pointsExact"}
                                    ]
                                }
                                if c.get("award_points") is not None
                                else {}
                            ),
                        }
                        for c in award
                    ],
                    "weightingDescription": _(
                        "Points for the environmental award criteria; the contracting authority "
                        "adds the price and any other quality criteria."
                    ),
                },
            }
        ]
    return {"tender": tender}


def write_spec(spec: dict, _: Translate) -> bytes:
    """Return the JSON bytes of a spec with its eForms and OCDS blocks."""
    document: dict[str, Any] = {}
    for key, value in spec.items():  # the spec's own order, its eforms block enriched in place
        if key != "ocds":
            document[key] = eforms_block(spec) if key == "eforms" else value
    document.setdefault("eforms", eforms_block(spec))
    document["ocds"] = ocds_block(spec, _)
    return json.dumps(document, ensure_ascii=False, indent=2, default=str).encode("utf-8")
