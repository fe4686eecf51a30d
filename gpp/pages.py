"""What each GPP page prints, computed once per request: the wizard's steps, a spec, a bidder."""

from collections.abc import Callable
from typing import TYPE_CHECKING

from babel import Locale

from gpp import countries, exporters, service, sources, wizard
from gpp.eforms import labels as eforms_labels
from gpp.exporters import labels as doc_labels
from gpp.exporters.model import review_warning
from gpp.library import TYPES, Criterion, Library
from kb.codes import RTM_TYPES, country_name, iso_countries, language_name
from replan import i18n

if TYPE_CHECKING:
    from gpp.steps import View

Gettext = Callable[..., str]


def type_labels(_: Gettext) -> dict[str, str]:
    return {
        "selection": _("Selection criteria"),
        "technical_specification": _("Technical specifications"),
        "award": _("Award criteria"),
        "contract_clause": _("Contract performance clauses"),
    }


def phase_labels(_: Gettext) -> dict[str, str]:
    return {
        "tender": _("Tender"),
        "award": _("Award"),
        "delivery": _("Delivery"),
        "execution": _("Execution"),
    }


def status_labels(_: Gettext) -> dict[str, str]:
    """The same words as the printed checklist (one msgid per status)."""
    return {status: doc_labels.status_label(_, status) for status in doc_labels.STATUSES}


def field_id(key: str) -> str:
    """Return the HTML id of a form field from its name (`param.x.y` -> `f-param-x-y`)."""
    return "f-" + key.replace(".", "-")


def draft_url(draft_id: str | None, step: str) -> str:
    return f"/gpp/drafts/{draft_id}/{step}" if draft_id else "/gpp"


def _values(criterion: Criterion, data: dict) -> dict[str, float | int]:
    given = (data.get("parameters") or {}).get(criterion.id, {})
    return {name: given.get(name, p.default) for name, p in criterion.parameters.items()}


def _shown(value: float | int) -> str:
    return str(service.plain(value))


def subject_context(view: "View") -> dict:
    _, locale, library, taxonomy = view._, view.locale, view.library, view.taxonomy
    names = Locale.parse(locale).territories
    return {
        "applications": [
            (code, taxonomy.label("applications", code, locale)) for code in library.applications()
        ],
        "countries": sorted(
            ((c, names.get(c, c)) for c in iso_countries()), key=lambda item: item[1].casefold()
        ),
        "languages": [(code, i18n.LANGUAGE_NAMES[code]) for code in i18n.LANGUAGES],
        "procurement_types": list(procurement_labels(_).items()),
    }


def ambition_context(view: "View") -> dict:
    return {
        "counts": {
            level: len(view.library.criteria_for(view.data["application"], level, on=view.on))
            for level in ("core", "comprehensive")
        }
    }


def award_context(view: "View") -> dict:
    library, data = view.library, view.data
    items = []
    for c in wizard.award_items(library, data, view.on):
        key = f"points.{c.id}"
        items.append(
            {
                "c": library.localised(c, view.language),
                "key": key,
                "value": view.raw.get(key, str(wizard.points_of(c, data))),
            }
        )
    # One total, of the values on the page (as typed when they come back with errors).
    total = wizard.award_total([item["value"] for item in items])
    return {
        "award": items,
        "total_over": total > service.MAX_POINTS,
        "total_text": wizard.award_message(total, view._),
    }


def evidence_context(view: "View") -> dict:
    evidence, locale = view.evidence or {}, view.locale
    named = [*evidence.get("countries", []), evidence.get("country")]
    return {
        "evidence": view.evidence,
        "country_names": {c: country_name(c, locale) for c in named if c},
        "countries_text": ", ".join(
            sorted(country_name(c, locale) for c in evidence.get("countries", []))
        ),
        "role_labels": _role_labels(view.taxonomy, locale),
        "material_labels": _material_labels(view.taxonomy, locale),
    }


def review_context(view: "View") -> dict:
    data, locale = view.data, view.locale
    return {
        **evidence_context(view),
        "preview": _preview(view.library, data, view.language, view.on),
        "country_label": country_name(data["country"], locale) if data.get("country") else "",
        "language_label": language_name(view.language, locale),
        "procurement_label": procurement_labels(view._).get(data.get("procurement_type"), ""),
    }


def procurement_labels(_: Gettext) -> dict[str, str]:
    return {"works": _("Works"), "supply": _("Supply"), "service": _("Service")}


def error_labels(library: Library, errors: dict, language: str) -> dict:
    """Name the field of each error in the summary: the criterion and its parameter."""
    labels = {}
    for key in errors:
        kind, _sep, rest = key.partition(".")
        criterion_id, _sep, name = rest.partition(".")
        criterion = library.criteria.get(criterion_id)
        if kind in ("param", "points") and criterion is not None:
            c = library.localised(criterion, language)
            label = c.parameters[name].label if name in c.parameters else ""
            labels[key] = f"{c.title}, {label}" if label else c.title
    return labels


def criteria_context(view: "View") -> dict:
    library, data, raw, ticked, errors, language, on = (
        view.library,
        view.data,
        view.raw,
        view.ticked,
        view.errors,
        view.language,
        view.on,
    )
    offered = wizard.available(library, data, on)
    chosen = {c.id for c in wizard.selected(library, data, on)}
    if ticked is not None:  # a form sent back with errors keeps what was ticked
        chosen = set(ticked) & {c.id for c in offered}
    default = {c.id for c in wizard.preselected(offered, data.get("ambition"), data.get("country"))}
    profile = countries.profile_for(data.get("country"))
    groups = []
    for kind in TYPES:
        items = []
        for criterion in (c for c in offered if c.type == kind):
            c = library.localised(criterion, language)
            values = _values(criterion, data)
            params = []
            for name, p in c.parameters.items():
                key = wizard.param_name(c.id, name)
                params.append(
                    {
                        "key": key,
                        "id": field_id(key),
                        "label": p.label,
                        "unit": p.unit,
                        "min": _shown(p.min),
                        "max": _shown(p.max),
                        "value": raw.get(key, _shown(values[name])),
                    }
                )
            items.append(
                {
                    "c": c,
                    "checked": c.id in chosen,
                    "mandatory": profile.is_mandatory(criterion),
                    "params": params,
                    "text": service.fill(c.text, values, language),
                    "open": any(p["key"] in errors for p in params),
                }
            )
        if items:
            picked = sum(item["checked"] for item in items)
            groups.append({"type": kind, "items": items, "picked": picked})
    return {
        "groups": groups,
        # Only a choice of the procurer's own is warned against, never the pre-selection.
        "all_selected": bool(offered) and len(chosen) == len(offered) and chosen != default,
        "offered_count": len(offered),
        "chosen_count": len(chosen),
        "mandatory_rule": (profile.mandatory.rule or {}).get(language)
        or (profile.mandatory.rule or {}).get("en"),
    }


def _preview(library: Library, data: dict, language: str, on) -> list[dict]:
    chosen = wizard.selected(library, data, on)
    sections = []
    for kind in TYPES:
        items = []
        for criterion in (c for c in chosen if c.type == kind):
            c = library.localised(criterion, language)
            items.append(
                {
                    "c": c,
                    "text": service.fill(c.text, _values(c, data), language),
                    "points": wizard.points_of(c, data) if c.type == "award" else None,
                }
            )
        if items:
            sections.append({"type": kind, "criteria": items})
    return sections


def _material_labels(taxonomy, locale: str) -> dict[str, str]:
    return {code: taxonomy.label("rtm_types", code, locale) for code in RTM_TYPES}


def _role_labels(taxonomy, locale: str) -> dict[str, str]:
    return {
        code: taxonomy.label("organisation_roles", code, locale) for code in service.EVIDENCE_ROLES
    }


def eforms_rows(codes: dict, lang: str) -> list[dict]:
    """The spec's eForms codes as the notice names them: each term and code with its label."""
    rows = []
    for key, term, name in eforms_labels.SPEC_FIELDS:
        values = codes.get(key) or []
        values = [values] if isinstance(values, str) else values
        if values:
            rows.append(
                {
                    "term": term,
                    "name": eforms_labels.term_label(term, lang),
                    "codes": [(c, eforms_labels.code_label(name, c, lang)) for c in values],
                }
            )
    return rows


def spec_context(spec: dict, *, locale: str, taxonomy) -> dict:
    """Return what the spec page prints besides the spec itself: labels in the spec's language."""
    st = i18n.translator(spec["language"])
    lang = spec["language"]
    criteria = [c for s in spec["sections"] for c in s["criteria"]]
    return {
        "spec": spec,
        "st": st,
        "review_warnings": {c["id"]: review_warning(st, c, spec["language"]) for c in criteria},
        "printed_references": {
            c["id"]: [r for r in c.get("references") or [] if sources.printable(r)]
            for c in criteria
        },
        "spec_type_labels": type_labels(st),
        "spec_phase_labels": phase_labels(st),
        "country_label": country_name(spec["country"], spec["language"])
        if spec.get("country")
        else "",
        "procurement_label": eforms_labels.contract_nature(spec["procurement_type"], lang),
        "classification": eforms_labels.classification(spec.get("cpv"), lang),
        "eforms_rows": eforms_rows(spec.get("eforms") or {}, lang),
        "evidence_countries": dict(
            sorted(
                (
                    (c, country_name(c, spec["language"]))
                    for c in spec["market_evidence"]["countries"]
                ),
                key=lambda item: item[1],
            )
        ),
        "exports": [
            *((fmt.upper(), f"/specs/{spec['id']}/export.{fmt}") for fmt in exporters.FORMATS),
            ("eForms XML", f"/specs/{spec['id']}/export.{exporters.NOTICE}"),
        ],
        "tender_exports": [  # the documents for tenderers: without the notes for the buyer
            (fmt.upper(), f"/specs/{spec['id']}/export.{fmt}?notes=false")
            for fmt in ("docx", "odt", "pdf")
        ],
        "ui_language_label": language_name(spec["language"], locale),
        "role_labels": _role_labels(taxonomy, spec["language"]),
        "material_labels": _material_labels(taxonomy, spec["language"]),
    }
