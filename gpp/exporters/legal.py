"""What the documents print from the spec's cover and its buyer country's profile: the buyer and
the procedure on the first page (placeholders in square brackets where the buyer gave nothing), the
legal basis as an annex, and the mark of each criterion the country's law makes mandatory."""

from gpp.exporters.labels import Translate, one_line, txt
from gpp.exporters.model import Annex, Cell, Facts, Link, SectionView, Table
from kb import codes as kb_codes
from replan.i18n import N_

TOPICS = {
    "procurement_law": N_("Public procurement law"),
    "gpp_rule": N_("Green public procurement rule"),
    "national_criteria": N_("National criteria"),
    "end_of_waste": N_("End-of-waste status"),
    "award": N_("Award criteria"),
}


def cover_facts(spec: dict, _: Translate) -> Facts:
    """Return the buyer, procedure reference and lots for the first page."""
    lots = [one_line(lot.get("title")) for lot in spec.get("lots") or [] if lot.get("title")]
    return [
        (
            _("Contracting authority"),
            one_line(spec.get("buyer_name") or spec.get("authority"))
            or _("[Buyer's official name]"),
        ),
        (
            _("Procedure reference"),
            one_line(spec.get("procedure_reference")) or _("[Procedure reference]"),
        ),
        (_("Lots"), "; ".join(lots)),
    ]


def mark_mandatory(sections: list[SectionView], spec: dict, _: Translate) -> None:
    """Say, beside each criterion the buyer country's law makes mandatory, which rule does."""
    rule = (spec.get("legal_basis") or {}).get("mandatory_rule") or ""
    mandatory = {
        c.get("id") for s in spec.get("sections") or [] for c in s.get("criteria") or []
        if c.get("mandatory")
    }  # fmt: skip
    for section in sections:
        for view in section.criteria:
            if view.id in mandatory:
                view.meta += ". " + _("Mandatory under %(rule)s", rule=rule)


def legal_annex(spec: dict, _: Translate, number: int) -> Annex | None:
    """Return the annex on the buyer country's rules (None for a spec issued without one)."""
    basis = spec.get("legal_basis")
    if not basis:
        return None
    rows: list[list[Cell]] = []
    for fact in basis.get("facts") or []:
        text = txt(fact.get("text"))
        if not fact.get("confirmed", True):
            text += " " + txt(fact.get("buyer_sets"))
        source = fact.get("source") or {}
        title = one_line(source.get("title"))
        rows.append(
            [
                _(TOPICS.get(fact.get("topic"), fact.get("topic") or "")),
                text,
                Link(title, source["url"]) if source.get("url") else title,
            ]
        )
    country = txt(spec.get("country"))
    place = kb_codes.country_name(country, txt(spec.get("language") or "en")) if country else ""
    facts = [(_("Country"), place)] if place else []
    facts += [(_("To do"), txt(r)) for r in basis.get("reminders") or []]
    return Annex(
        heading=_("Annex %(n)s: Legal basis", n=number),
        intro=_(
            "The rules of the buyer's country that this specification follows, each with its "
            "source. Text in square brackets could not be confirmed: the buyer completes it "
            "before publication."
        ),
        facts=facts,
        tables=[
            ("", Table(header=[_("Topic"), _("Rule"), _("Source")], rows=rows, widths=(20, 55, 25)))
        ]
        if rows
        else [],
    )


def national_report(
    spec: dict, sections: list[SectionView], _: Translate, number: int
) -> Annex | None:
    """Return the skeleton of the report on the national criteria applied (Italy: the "Relazione
    CAM" the designer completes), one row per criterion that is the buyer country's national
    rule; None when the spec applies none."""
    national = {
        c.get("id"): c
        for s in spec.get("sections") or []
        for c in s.get("criteria") or []
        if (c.get("eforms") or {}).get("bt_805") == "national"
    }
    rows: list[list[Cell]] = [
        [
            one_line(view.heading),
            _("[How the design meets it: to be completed by the designer]"),
            "; ".join(txt(v.get("evidence")) for v in national[view.id].get("verification") or []),
        ]
        for section in sections
        for view in section.criteria
        if view.id in national
    ]
    if not rows:
        return None
    return Annex(
        heading=_("Annex %(n)s: Report on the national criteria applied (Relazione CAM)", n=number)
        if spec.get("country") == "IT"
        else _("Annex %(n)s: Report on the national criteria applied", n=number),
        intro=_(
            "One row per national criterion this specification applies: the designer states how "
            "the design meets it and which documents prove it, and the report goes with the "
            "project."
        ),
        tables=[
            (
                "",
                Table(
                    header=[_("Criterion"), _("How the design meets it"), _("Evidence")],
                    rows=rows,
                    widths=(30, 40, 30),
                ),
            )
        ],
    )
