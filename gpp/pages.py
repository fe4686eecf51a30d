"""What each GPP page prints, computed once per request: the wizard's steps, a spec, a bidder."""

from collections.abc import Callable
from datetime import date

from babel import Locale

from gpp import service, sources, wizard
from gpp.eforms import labels as eforms_labels
from gpp.exporters import labels as doc_labels
from gpp.exporters.model import review_warning
from gpp.library import TYPES, Criterion, Library
from gpp.wizard import STEPS
from kb.codes import country_name, iso_countries, language_name
from replan import i18n

Gettext = Callable[..., str]


def make_gettext(locale: str) -> Gettext:
    """Return a gettext of a locale that fills %(name)s variables, as templates call it."""
    trans = i18n.translations(locale)

    def gettext(message: str, **variables) -> str:
        text = trans.gettext(message)
        return text % variables if variables else text

    return gettext


def step_labels(_: Gettext) -> dict[str, str]:
    return {
        "subject": _("What you buy"),
        "ambition": _("Ambition"),
        "criteria": _("Criteria"),
        "award": _("Award weighting"),
        "evidence": _("Market evidence"),
        "review": _("Review and generate"),
    }


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


def wizard_context(
    *,
    library: Library,
    taxonomy,
    locale: str,
    _: Gettext,
    draft_id: str | None,
    data: dict,
    step: str,
    errors: dict[str, str] | None = None,
    raw: dict[str, str] | None = None,
    evidence: dict | None = None,
    ticked: list[str] | None = None,
    on: date | None = None,
) -> dict:
    """Return what the wizard template prints for one step."""
    errors = errors or {}
    raw = raw or {}
    reached = data.get("reached", 0)
    labels = step_labels(_)
    steps = [
        {
            "name": name,
            "number": i + 1,
            "label": labels[name],
            "current": name == step,
            "url": draft_url(draft_id, name) if draft_id and i <= reached else None,
        }
        for i, name in enumerate(STEPS)
    ]
    index = STEPS.index(step)
    language = data.get("language") or "en"
    ctx = {
        "draft_id": draft_id,
        "step": step,
        "steps": steps,
        "data": data,
        "errors": errors,
        "raw": raw,
        "step_label": labels[step],
        "step_number": index + 1,
        "step_count": len(STEPS),
        "action": "/gpp/drafts" if draft_id is None else draft_url(draft_id, step),
        "back_url": draft_url(draft_id, STEPS[index - 1]) if index and draft_id else None,
        "spec_language": language,
        "application_label": taxonomy.label("applications", data["application"], locale)
        if data.get("application")
        else "",
        "type_labels": type_labels(_),
        "phase_labels": phase_labels(_),
        "fid": field_id,
        "error_labels": _error_labels(library, errors, language),
    }
    if step == "subject":
        names = Locale.parse(locale).territories
        ctx["applications"] = [
            (code, taxonomy.label("applications", code, locale)) for code in library.applications()
        ]
        ctx["countries"] = sorted(
            ((c, names.get(c, c)) for c in iso_countries()), key=lambda item: item[1].casefold()
        )
        ctx["languages"] = [(code, i18n.LANGUAGE_NAMES[code]) for code in i18n.LANGUAGES]
        ctx["procurement_types"] = [
            ("works", _("Works")),
            ("supply", _("Supply")),
            ("service", _("Service")),
        ]
    elif step == "ambition":
        ctx["counts"] = {
            level: len(library.criteria_for(data["application"], level, on=on))
            for level in ("core", "comprehensive")
        }
    elif step == "criteria":
        ctx.update(_criteria_step(library, data, raw, ticked, errors, language, on))
    elif step == "award":
        items = []
        for c in wizard.award_items(library, data, on):
            key = f"points.{c.id}"
            items.append(
                {
                    "c": library.localised(c, language),
                    "key": key,
                    "value": raw.get(key, str(wizard.points_of(c, data))),
                }
            )
        # One total, of the values on the page (as typed when they come back with errors).
        total = wizard.award_total([item["value"] for item in items])
        ctx.update(
            award=items,
            total_over=total > service.MAX_POINTS,
            total_text=wizard.award_message(total, _),
        )
    elif step in ("evidence", "review"):
        ctx["evidence"] = evidence
        named = [*(evidence or {}).get("countries", []), (evidence or {}).get("country")]
        ctx["country_names"] = {c: country_name(c, locale) for c in named if c}
        ctx["countries_text"] = ", ".join(
            sorted(country_name(c, locale) for c in (evidence or {}).get("countries", []))
        )
        ctx["role_labels"] = _role_labels(taxonomy, locale)
    if step == "review":
        ctx["preview"] = _preview(library, data, language, on)
        ctx["country_label"] = country_name(data["country"], locale) if data.get("country") else ""
        ctx["language_label"] = language_name(language, locale)
        ctx["procurement_label"] = {
            "works": _("Works"),
            "supply": _("Supply"),
            "service": _("Service"),
        }.get(data.get("procurement_type"), "")
    return ctx


def _error_labels(library: Library, errors: dict, language: str) -> dict:
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


def _criteria_step(
    library: Library,
    data: dict,
    raw: dict,
    ticked: list[str] | None,
    errors: dict,
    language: str,
    on,
) -> dict:
    offered = wizard.available(library, data, on)
    chosen = {c.id for c in wizard.selected(library, data, on)}
    if ticked is not None:  # a form sent back with errors keeps what was ticked
        chosen = set(ticked) & {c.id for c in offered}
    default = {c.id for c in wizard.preselected(offered, data.get("ambition"))}
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
    st = make_gettext(spec["language"])
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
            (fmt, f"/specs/{spec['id']}/export.{fmt}")
            for fmt in ("docx", "odt", "pdf", "md", "json")
        ],
        "ui_language_label": language_name(spec["language"], locale),
        "role_labels": _role_labels(taxonomy, spec["language"]),
    }
