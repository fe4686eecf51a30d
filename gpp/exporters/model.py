"""The printable document of a spec, computed once (a bidder's evaluation: `evaluation.py`).

Every writer (DOCX, ODT, HTML for the PDF, Markdown, XLSX) prints these objects and decides
nothing: what a document says, in which order and in which words is settled here, so the formats
cannot drift apart."""

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from gpp.eforms import labels as eforms_labels
from gpp.exporters import labels as L
from gpp.exporters.labels import Translate, fmt_date, fmt_number, one_line, paragraphs, txt
from gpp.sources import printable
from kb import codes as kb_codes


@dataclass(frozen=True)
class Link:
    text: str
    url: str

    @property
    def external(self) -> bool:
        """True for a URL a document can link to (relative paths mean nothing in a file)."""
        return self.url.startswith(("http://", "https://", "mailto:"))


Cell = str | Link
Facts = list[tuple[str, Cell]]


@dataclass
class Table:
    header: list[str]
    rows: list[list[Cell]]
    widths: tuple[int, ...]  # relative column widths, in per cent of the text width


@dataclass
class CriterionView:
    id: str
    heading: str
    meta: str
    paragraphs: list[str]
    parameters: Facts
    award_points: str
    verification: Table
    references: list[Link]
    warning: str = ""  # the criterion is past its review date


@dataclass
class SectionView:
    kind: str
    heading: str
    intro: str
    criteria: list[CriterionView]
    total: str = ""


@dataclass
class Annex:
    heading: str
    intro: str
    facts: Facts = field(default_factory=list)
    tables: list[tuple[str, Table]] = field(default_factory=list)  # (sub-heading, table)
    empty: str = ""


@dataclass
class SpecView:
    lang: str
    title: str
    subject: str  # one line for document properties
    authority: str
    subject_heading: str
    intro: str
    facts: Facts
    eforms_heading: str
    eforms: Facts
    sections: list[SectionView]
    annexes: list[Annex]
    notes_heading: str
    notes: list[str]
    labels: dict[str, str]


def outline(view: SpecView) -> list[tuple[int, str, str]]:
    """Return the table of contents of a document: (level, heading, anchor) of each heading."""
    found = [(1, view.subject_heading, "subject")]
    for i, section in enumerate(view.sections, start=1):
        found.append((1, section.heading, f"section-{i}"))
        found += [(2, crit.heading, crit.id) for crit in section.criteria]
    found += [(1, a.heading, f"annex-{i}") for i, a in enumerate(view.annexes, start=1)]
    return [*found, (1, view.notes_heading, "notes")]


def _parameters(params: Any, lang: str, names: dict | None = None) -> Facts:
    facts: Facts = []
    for name, value in (params or {}).items():
        # A document never prints a raw key: the library's label, else the key made readable.
        known = (names or {}).get(name) or {}
        label = txt(known.get("label")) or txt(name).replace("_", " ").capitalize()
        unit = txt(known.get("unit"))
        if isinstance(value, dict):  # tolerate {value, unit, label} as well as bare values
            label = txt(value.get("label") or name)
            unit = txt(value.get("unit") or "")
            value = value.get("value", value.get("default"))
        shown = (
            ", ".join(fmt_number(v, lang) for v in value)
            if isinstance(value, list)
            else (fmt_number(value, lang))
        )
        facts.append((label, f"{shown} {unit}".strip()))
    return facts


def _verification(_: Translate, items: list[dict]) -> Table:
    return Table(
        header=[_("Evidence"), _("Phase"), _("How to check"), _("Who checks")],
        rows=[
            [
                txt(v.get("evidence")),
                L.phase_label(_, v.get("phase", "")),
                txt(v.get("how_to_check")),
                txt(v.get("who")),
            ]
            for v in items or []
        ],
        widths=(29, 17, 33, 21),  # Phase and Who checks fit their longest words in every language
    )


def _criterion(_: Translate, crit: dict, number: str, lang: str) -> CriterionView:
    meta = _(
        "Criterion %(id)s, version %(version)s, valid from %(valid_from)s",
        id=txt(crit.get("id")),
        version=txt(crit.get("version", "")),
        valid_from=fmt_date(crit.get("valid_from"), lang) or "-",
    )
    if crit.get("valid_to"):
        meta += "; " + _("valid until %(valid_to)s", valid_to=fmt_date(crit["valid_to"], lang))
    codes = crit.get("eforms") or {}
    parts = [
        f"{term} {eforms_labels.codes_text(name, _as_list(codes.get(key)), lang)}"
        for key, term, name in eforms_labels.SPEC_FIELDS
        if codes.get(key)
    ]
    if parts:
        meta += ". " + _("eForms: %(codes)s", codes="; ".join(parts))
    points = crit.get("award_points")
    return CriterionView(
        id=txt(crit.get("id")),
        heading=f"{number} {one_line(crit.get('title') or crit.get('id'))}",
        meta=meta,
        paragraphs=paragraphs(crit.get("text")),
        parameters=_parameters(crit.get("parameters"), lang, crit.get("parameter_labels")),
        award_points=_("Maximum score: %(points)s points", points=fmt_number(points, lang))
        if points is not None
        else "",
        verification=_verification(_, crit.get("verification") or []),
        references=[
            Link(one_line(r.get("title") or r.get("url")), txt(r.get("url")))
            for r in crit.get("references") or []
            if printable(r)
        ],
        warning=review_warning(_, crit, lang),
    )


def review_warning(_: Translate, crit: dict, lang: str, today: date | None = None) -> str:
    """Return the warning for a criterion past its review date, or an empty string."""
    due = crit.get("next_review")
    if not due or str(due) >= (today or date.today()).isoformat():
        return ""
    return _(
        "Review overdue: this criterion was due for review on %(date)s. Check it against its "
        "sources before you publish it.",
        date=fmt_date(due, lang),
    )


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [txt(v) for v in value] if isinstance(value, list | tuple) else [txt(value)]


def ordered_sections(spec: dict) -> list[dict]:
    """Return the spec's sections in the order of a tender (unknown types last)."""
    rank = {kind: i for i, kind in enumerate(L.SECTION_ORDER)}
    sections = [s for s in spec.get("sections") or [] if s.get("criteria")]
    return sorted(sections, key=lambda s: rank.get(s.get("type"), len(rank)))


def award_total(spec: dict) -> float | int:
    """Sum the award points of the spec's award criteria."""
    points = [
        c.get("award_points")
        for s in spec.get("sections") or []
        if s.get("type") == "award"
        for c in s.get("criteria") or []
    ]
    return sum(p for p in points if isinstance(p, int | float) and not isinstance(p, bool))


def spec_view(spec: dict, _: Translate, *, buyer_notes: bool = True) -> SpecView:
    """Build the printable document of a spec in its language (`buyer_notes`: with the annex of
    notes for the buyer: the criteria's rationale and references)."""
    lang = txt(spec.get("language") or "en")
    title = one_line(spec.get("title")) or _("Tender specification")
    eforms = spec.get("eforms") or {}
    country = txt(spec.get("country"))
    from gpp.exporters import legal, market, notes  # they print into this module's objects

    facts: Facts = [
        *legal.cover_facts(spec, _),
        (_("Subject matter"), txt(spec.get("application_label") or spec.get("application"))),
        *eforms_labels.classification(spec.get("cpv"), lang),
        (_("Type of contract"), eforms_labels.contract_nature(spec.get("procurement_type"), lang)),
        (_("Ambition level"), L.ambition_label(_, spec.get("ambition") or "")),
        (_("Country"), kb_codes.country_name(country, lang) if country else ""),
        (_("Language"), kb_codes.language_name(lang, lang)),
        (_("Date"), fmt_date(spec.get("created_at"), lang)),
        (_("Criteria library version"), txt(spec.get("library_version"))),
        (_("Specification id"), txt(spec.get("id"))),
    ]
    sections = []
    for i, section in enumerate(ordered_sections(spec), start=1):
        kind = section.get("type", "")
        view = SectionView(
            kind=kind,
            heading=f"{i}. {L.section_heading(_, kind)}",
            intro=L.section_intro(_, kind),
            criteria=[
                _criterion(_, c, f"{i}.{j}", lang)
                for j, c in enumerate(section["criteria"], start=1)
            ],
        )
        if kind == "award":
            view.total = _(
                "Total points for the environmental award criteria: %(total)s",
                total=fmt_number(award_total(spec), lang),
            )
        sections.append(view)
    legal.mark_mandatory(sections, spec, _)
    annexes = [_checklist_annex(spec, _), market.market_annex(spec, _, lang)]
    annexes += filter(None, [legal.legal_annex(spec, _, len(annexes) + 1)])
    annexes += filter(None, [legal.national_report(spec, sections, _, len(annexes) + 1)])
    if buyer_notes:
        annexes.append(notes.notes_annex(spec, sections, _, len(annexes) + 1))
    version = txt(spec.get("library_version")) or "-"
    return SpecView(
        lang=lang,
        title=title,
        subject=one_line(spec.get("application_label") or spec.get("application")),
        authority=one_line(spec.get("authority")),
        subject_heading=_("Subject matter"),
        intro=_(
            "This document sets out the environmental criteria of the procurement described "
            "below: selection criteria, technical specifications, award criteria and contract "
            "performance clauses, each with the evidence a tenderer gives and how the "
            "contracting authority checks it."
        ),
        facts=[(k, v) for k, v in facts if v],
        eforms_heading=_("eForms codes"),
        eforms=[
            (
                f"{term} {eforms_labels.term_label(term, lang)}",
                eforms_labels.codes_text(name, codes, lang),
            )
            for key, term, name in eforms_labels.SPEC_FIELDS
            if (codes := _as_list(eforms.get(key)))
        ],
        sections=sections,
        annexes=annexes,
        notes_heading=_("Notes"),
        notes=[
            _(
                "Generated with the RE-PLAN City Life tender-spec wizard from criteria library "
                "version %(version)s.",
                version=version,
            ),
            _(
                "The contracting authority adapts this text to national law and to its own "
                "procurement documents before publishing it; the text is not legal advice."
            ),
            _(
                "Each criterion shows its version and the date from which it applies; check that "
                "they are still current on the day of publication."
            ),
        ],
        labels={
            "verification": _("Verification"),
            "references": _("References"),
            "parameters": _("Parameters"),
            "contents": _("Contents"),
        },
    )


def _checklist_annex(spec: dict, _: Translate) -> Annex:
    titles = {
        c.get("id"): c.get("title")
        for s in spec.get("sections") or []
        for c in s.get("criteria") or []
    }
    rows: list[list[Cell]] = [
        [
            str(i),
            one_line(
                item.get("criterion_title")
                or titles.get(item.get("criterion_id"))
                or item.get("criterion_id")
            ),
            txt(item.get("evidence")),
            L.phase_label(_, item.get("phase", "")),
            txt(item.get("how_to_check")),
            txt(item.get("who")),
        ]
        for i, item in enumerate(spec.get("checklist") or [], start=1)
    ]
    return Annex(
        heading=_("Annex 1: Verification checklist"),
        intro=_(
            "Each piece of evidence to ask for, with the phase in which it is checked. Use it "
            "to record each tenderer's proof."
        ),
        tables=[
            (
                "",
                Table(
                    header=[
                        "#",
                        _("Criterion"),
                        _("Evidence"),
                        _("Phase"),
                        _("How to check"),
                        _("Who checks"),
                    ],
                    rows=rows,
                    widths=(4, 16, 22, 16, 23, 19),
                ),
            )
        ]
        if rows
        else [],
        empty="" if rows else _("This specification has no verification item."),
    )
