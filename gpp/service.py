"""Tender specifications: checked against the library, issued as snapshots that later library
changes do not alter, copied into new versions, with market evidence from the knowledge base.
(The check of bidders' evidence is in `gpp.bidders`.)"""

import re
import secrets
from collections.abc import Callable
from datetime import UTC, date, datetime

from babel.numbers import format_decimal
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from gpp import countries
from gpp.library import PLACEHOLDER, TYPES, Criterion, Library
from gpp.models import Bidder, Spec
from gpp.schemas import SpecCreate, SpecList
from kb import service as kb_service
from kb.codes import APPLICATIONS, iso_countries
from replan.clock import iso
from replan.i18n import LANGUAGES

EVIDENCE_ROLES = ("supplier", "recycler")  # organisations that supply the materials
EVIDENCE_LIMIT = 50  # cases a spec lists (REPLAN_SPEC_EVIDENCE_CASES); it counts them all
MAX_POINTS = 100


class SpecInvalid(ValueError):
    """The request cannot make a spec; `errors` name each problem (loc, msg, type)."""

    def __init__(self, errors: list[dict]) -> None:
        super().__init__("; ".join(e["msg"] for e in errors))
        self.errors = errors


class SpecNotFound(LookupError):
    """No spec with that id, or not one the asker may act on."""


def new_id() -> str:
    return secrets.token_urlsafe(16)


def _error(loc: tuple, msg: str, kind: str) -> dict:
    return {"loc": ("body", *loc), "msg": msg, "type": kind}


def choose_criteria(
    *, library: Library, request: SpecCreate, on: date
) -> tuple[list[Criterion], dict[str, dict[str, float]], dict[str, int]]:
    """Check a spec request against the library; return the criteria, values and award points."""
    errors: list[dict] = []
    if request.application not in APPLICATIONS:
        errors.append(
            _error(
                ("application",),
                f"unknown application '{request.application}': "
                f"use one of {', '.join(APPLICATIONS)}",
                "unknown_application",
            )
        )
    if request.ambition not in ("core", "comprehensive"):
        errors.append(
            _error(
                ("ambition",),
                f"unknown ambition '{request.ambition}': use core or comprehensive",
                "unknown_ambition",
            )
        )
    if request.language not in LANGUAGES:
        errors.append(
            _error(
                ("language",),
                f"unknown language '{request.language}': use one of {', '.join(LANGUAGES)}",
                "unknown_language",
            )
        )
    if request.country is not None and request.country.upper() not in iso_countries():
        errors.append(
            _error(
                ("country",),
                f"'{request.country}' is not an ISO 3166-1 alpha-2 country code (such as IT, ES)",
                "unknown_country",
            )
        )
    if errors:
        raise SpecInvalid(errors)
    available = library.criteria_for(request.application, request.ambition, on=on)
    if not available:
        raise SpecInvalid(
            [
                _error(
                    ("application",),
                    "the criteria library has no criteria for "
                    f"application '{request.application}' yet",
                    "no_criteria",
                )
            ]
        )
    chosen = available if request.criteria is None else []
    for i, criterion_id in enumerate(dict.fromkeys(request.criteria or [])):
        criterion = library.criteria.get(criterion_id)
        problem = _unfit(criterion, criterion_id, request, on)
        if problem:
            errors.append(_error(("criteria", i), problem[0], problem[1]))
        else:
            chosen.append(criterion)
    if not chosen and not errors:
        errors.append(_error(("criteria",), "choose at least one criterion", "too_short"))
    chosen.sort(key=lambda c: TYPES.index(c.type))
    values = _values(library, request, chosen, errors)
    award = _award(request, chosen, errors)
    if not errors:  # the country's rules, once the selection itself holds
        profile = countries.profile_for(request.country)
        problems = countries.check(profile, available=available, chosen=chosen, values=values)
        errors.extend(_error(tuple(p.field.split(".")), p.text(), "country_rule") for p in problems)
    if errors:
        raise SpecInvalid(errors)
    return chosen, values, award


def _unfit(
    criterion: Criterion | None, criterion_id: str, request: SpecCreate, on: date
) -> tuple[str, str] | None:
    if criterion is None:
        return f"unknown criterion '{criterion_id}'", "unknown_criterion"
    if request.application not in criterion.applications:
        return (
            f"criterion '{criterion_id}' is for {', '.join(criterion.applications)}, not "
            f"{request.application}",
            "wrong_application",
        )
    if request.ambition == "core" and criterion.ambition == "comprehensive":
        return (
            f"criterion '{criterion_id}' belongs to the comprehensive level, not core",
            "wrong_ambition",
        )
    if not criterion.valid_on(on):
        return (
            f"criterion '{criterion_id}' is not valid on {on.isoformat()} (valid from "
            f"{criterion.valid_from} to {criterion.valid_to or 'now'})",
            "not_valid",
        )
    return None


def _values(
    library: Library, request: SpecCreate, chosen: list[Criterion], errors: list[dict]
) -> dict[str, dict[str, float]]:
    ids = {c.id for c in chosen}
    for criterion_id, given in request.parameters.items():
        criterion = library.criteria.get(criterion_id)
        if criterion is None or criterion_id not in ids:
            why = "unknown criterion" if criterion is None else "a criterion not in the selection"
            errors.append(
                _error(
                    ("parameters", criterion_id), f"'{criterion_id}' is {why}", "unknown_criterion"
                )
            )
            continue
        for name, value in given.items():
            spec = criterion.parameters.get(name)
            if spec is None:
                known = ", ".join(criterion.parameters) or "none"
                errors.append(
                    _error(
                        ("parameters", criterion_id, name),
                        f"criterion '{criterion_id}' has no parameter '{name}' (it has: {known})",
                        "unknown_parameter",
                    )
                )
            elif not spec.min <= value <= spec.max:
                errors.append(
                    _error(
                        ("parameters", criterion_id, name),
                        f"{plain(value)} is "
                        f"outside [{plain(spec.min)}, {plain(spec.max)}] {spec.unit}".rstrip(),
                        "out_of_range",
                    )
                )
    return {
        c.id: {
            name: request.parameters.get(c.id, {}).get(name, p.default)
            for name, p in c.parameters.items()
        }
        for c in chosen
    }


def _award(request: SpecCreate, chosen: list[Criterion], errors: list[dict]) -> dict[str, int]:
    award = {c.id: c.award_points or 0 for c in chosen if c.type == "award"}
    for criterion_id, points in request.award_points.items():
        if criterion_id not in award:
            errors.append(
                _error(
                    ("award_points", criterion_id),
                    f"'{criterion_id}' is not an award criterion of the selection",
                    "unknown_criterion",
                )
            )
        elif not 1 <= points <= MAX_POINTS:
            errors.append(
                _error(
                    ("award_points", criterion_id),
                    f"{points} is outside [1, {MAX_POINTS}] points",
                    "out_of_range",
                )
            )
        else:
            award[criterion_id] = points
    if sum(award.values()) > MAX_POINTS:
        errors.append(
            _error(
                ("award_points",),
                f"the award points sum to {sum(award.values())}, more than {MAX_POINTS}",
                "out_of_range",
            )
        )
    return award


def plain(value: float | int) -> float | int:
    """Return a whole number as an int (10.0 -> 10) so that texts and JSON read naturally."""
    return int(value) if float(value).is_integer() else value


def fill(text: str, values: dict[str, float | int], language: str) -> str:
    """Put the parameter values into a criterion's text, written as the language writes numbers."""

    def number(match: re.Match) -> str:
        return format_decimal(plain(values[match.group(1)]), format="0.####", locale=language)

    return PLACEHOLDER.sub(number, text)


def spec_criterion(
    criterion: Criterion,
    values: dict,
    points: int | None,
    language: str,
    country: str | None = None,
) -> dict:
    """Return the snapshot of one criterion as issued in a spec for a buyer in that country."""
    profile = countries.profile_for(country)
    return {
        "id": criterion.id,
        "version": criterion.version,
        "type": criterion.type,
        "ambition": criterion.ambition,
        "title": criterion.title,
        "text": fill(criterion.text, values, language),
        "parameters": {name: plain(v) for name, v in values.items()},
        "parameter_labels": {
            name: {"label": p.label, "unit": p.unit} for name, p in criterion.parameters.items()
        },
        "verification": [v.model_dump() for v in criterion.verification],
        "rationale": criterion.rationale,
        "references": [r.model_dump() for r in criterion.printed_references()],
        "valid_from": criterion.valid_from.isoformat(),
        "valid_to": criterion.valid_to.isoformat() if criterion.valid_to else None,
        "award_points": points,
        "reviewed_on": criterion.reviewed_on.isoformat(),
        "next_review": criterion.next_review.isoformat(),
        "eforms": spec_eforms(criterion, country),
        "mandatory": profile.is_mandatory(criterion),
    }


def spec_eforms(criterion: Criterion, country: str | None) -> dict:
    """Return a criterion's eForms codes in a spec for a buyer in that country."""
    codes = criterion.eforms
    found = {
        "bt_805": countries.profile_for(country).bt_805_of(criterion),
        "bt_774": list(codes.bt_774),
    }
    if codes.bt_809:
        found["bt_809"] = codes.bt_809
    return found


def market_evidence(
    session: Session, *, application: str, country: str | None = None, limit: int = EVIDENCE_LIMIT
) -> dict:
    """Return a bounded summary of the published cases of an application: how many, in which
    countries, how many in the buyer's country and elsewhere, the `limit` best of them (the
    buyer's country's first) and the organisations that supplied those."""
    country = country.upper() if country else None
    summary = kb_service.published_summary(
        session, application=application, limit=limit, country=country
    )
    cases = summary.cases
    organisations: dict[tuple[str, str], dict] = {}
    for case in cases:
        for link in case.organisation_links:
            if link.role in EVIDENCE_ROLES:
                org = link.organisation
                organisations.setdefault(
                    (org.slug, link.role), {"name": org.name, "slug": org.slug, "role": link.role}
                )
    return {
        "cases": summary.count,
        "country": country,
        "in_country": summary.in_country,
        "elsewhere": summary.count - summary.in_country,
        "countries": summary.countries,
        "case_ids": [c.id for c in cases],
        "case_list": [
            {
                "id": c.id,
                "title": c.title,
                "country": c.country,
                "year": c.year,
                "language": c.language,
                "url": f"/cases/{c.id}",
            }
            for c in cases
        ],
        "organisations": sorted(
            organisations.values(), key=lambda o: (o["name"].casefold(), o["role"])
        ),
    }


def build_spec(
    session: Session,
    *,
    library: Library,
    request: SpecCreate,
    taxonomy=None,
    owner_id: int | None = None,
    previous: Spec | None = None,
    on: date | None = None,
    evidence_limit: int = EVIDENCE_LIMIT,
) -> Spec:
    """Check a request, then issue the spec as a snapshot of the library's texts."""
    on = on or date.today()
    chosen, values, award = choose_criteria(library=library, request=request, on=on)
    language = request.language
    localised = [library.localised(c, language) for c in chosen]
    sections = [
        {
            "type": t,
            "criteria": [
                spec_criterion(c, values[c.id], award.get(c.id), language, request.country)
                for c in localised
                if c.type == t
            ],
        }
        for t in TYPES
        if any(c.type == t for c in chosen)
    ]  # in tender order, empty ones left out
    checklist = [
        {"n": 0, "criterion_id": c["id"], "criterion_title": c["title"], **v}
        for s in sections
        for c in s["criteria"]
        for v in c["verification"]
    ]
    for n, item in enumerate(checklist):
        item["n"] = n
    label = taxonomy.label("applications", request.application, language) if taxonomy else None
    profile = countries.profile_for(request.country)
    content = {
        "application_label": label or request.application,
        "eforms": {
            "bt_805": sorted({profile.bt_805_of(c) for c in chosen}),
            "bt_774": sorted({code for c in chosen for code in c.eforms.bt_774}),
            "bt_06": "env-imp",
        },
        "award_total": sum(award.values()),
        "sections": sections,
        "checklist": checklist,
        "market_evidence": market_evidence(
            session,
            application=request.application,
            country=request.country,
            limit=evidence_limit,
        ),
        "legal_basis": profile.legal_basis(language),
    }
    inputs = request.model_dump(mode="json")
    inputs.update(criteria=[c.id for c in chosen], parameters=values, award_points=award)
    spec = Spec(
        id=new_id(),
        version=previous.version + 1 if previous else 1,
        previous_id=previous.id if previous else None,
        owner_id=owner_id,
        application=request.application,
        ambition=request.ambition,
        language=language,
        country=request.country.upper() if request.country else None,
        title=request.title or label or request.application,
        authority=request.authority or None,
        procurement_type=request.procurement_type,
        library_version=library.version,
        inputs=inputs,
        content=content,
        created_at=datetime.now(UTC),
    )
    session.add(spec)
    session.flush()
    return spec


def spec_json(spec: Spec, *, viewer_id: int | None = None) -> dict:
    """Return the spec as the API answers it (the contract's shape plus its metadata).

    The id of the earlier version is its capability URL: only the spec's owner sees it, not
    everyone the later version's address was given to."""
    mine = spec.owner_id is not None and spec.owner_id == viewer_id
    return {
        "id": spec.id,
        "version": spec.version,
        "previous_id": spec.previous_id if mine else None,
        "application": spec.application,
        "ambition": spec.ambition,
        "language": spec.language,
        "title": spec.title,
        "authority": spec.authority,
        "country": spec.country,
        "procurement_type": spec.procurement_type,
        "library_version": spec.library_version,
        "created_at": iso(spec.created_at),
        **cover(spec.inputs),
        **spec.content,
    }


def cover(inputs: dict) -> dict:
    """Return a spec's cover fields, kept in its inputs (none for a spec issued before them)."""
    return {
        "buyer_name": inputs.get("buyer_name"),
        "procedure_reference": inputs.get("procedure_reference"),
        "cpv": list(inputs.get("cpv") or []),
        "lots": list(inputs.get("lots") or []),
    }


def get_spec(session: Session, spec_id: str) -> Spec:
    """Return an issued spec, or raise SpecNotFound."""
    spec = session.get(Spec, spec_id) if len(spec_id) <= 64 else None
    if spec is None:
        raise SpecNotFound(spec_id)
    return spec


def copy_spec(
    session: Session,
    *,
    library: Library,
    spec: Spec,
    owner_id: int | None,
    taxonomy=None,
    on: date | None = None,
) -> Spec:
    """Issue the spec's choices again as its next version, with the library's current texts.

    Criteria that the library no longer offers are left out, as are their values."""
    day = on or date.today()
    inputs = dict(spec.inputs)
    offered = {c.id for c in library.criteria_for(spec.application, spec.ambition, on=day)}
    kept = [cid for cid in inputs.get("criteria") or [] if cid in offered]
    inputs["criteria"] = kept or None
    inputs["parameters"] = {
        cid: {name: v for name, v in values.items() if name in library.get(cid).parameters}
        for cid, values in (inputs.get("parameters") or {}).items()
        if cid in kept
    }
    inputs["award_points"] = {
        cid: p for cid, p in (inputs.get("award_points") or {}).items() if cid in kept
    }
    request = SpecCreate.model_validate(inputs)
    return build_spec(
        session,
        library=library,
        request=request,
        taxonomy=taxonomy,
        owner_id=owner_id,
        previous=spec,
        on=day,
    )


def list_specs(session: Session, *, owner_id: int) -> list[tuple[Spec, int]]:
    """Return a procurer's specs, newest first, with their number of bidders."""
    bidders = select(Bidder.spec_id, func.count().label("n")).group_by(Bidder.spec_id).subquery()
    query = (
        select(Spec, func.coalesce(bidders.c.n, 0))
        .outerjoin(bidders, bidders.c.spec_id == Spec.id)
        .where(Spec.owner_id == owner_id)
        .order_by(Spec.created_at.desc(), Spec.id)
    )
    return [(spec, count) for spec, count in session.execute(query).all()]


def spec_list(session: Session, *, owner_id: int, url: Callable[[str], str]) -> SpecList:
    """Return a procurer's specs as the list page and the API show them (url: id -> link)."""
    return SpecList.model_validate(
        {
            "specs": [
                {
                    "id": s.id,
                    "version": s.version,
                    "title": s.title,
                    "application": s.application,
                    "ambition": s.ambition,
                    "language": s.language,
                    "created_at": iso(s.created_at),
                    "bidders": n,
                    "url": url(s.id),
                }
                for s, n in list_specs(session, owner_id=owner_id)
            ]
        }
    )
