"""The annex "Notes for the buyer": why each criterion is there and where its rules come from.

It is for the contracting authority, not for tenderers, so the documents can leave it out with
one switch (`export_spec(..., buyer_notes=False)`); the criteria themselves then carry only what a
tender publishes."""

from gpp.exporters.labels import Translate, one_line, txt
from gpp.exporters.model import Annex, Cell, SectionView, Table


def notes_annex(spec: dict, sections: list[SectionView], _: Translate, number: int) -> Annex:
    """Return the annex with each criterion's rationale and official references."""
    rationale = {
        c.get("id"): txt(c.get("rationale"))
        for s in spec.get("sections") or []
        for c in s.get("criteria") or []
    }
    rows: list[list[Cell]] = []
    for section in sections:
        for crit in section.criteria:
            references: list[Cell] = list(crit.references) or [""]
            rows.append([one_line(crit.heading), rationale.get(crit.id, ""), references[0]])
            rows += [["", "", ref] for ref in references[1:]]
    return Annex(
        heading=_("Annex %(n)s: Notes for the buyer", n=number),
        intro=_(
            "Why each criterion is part of this specification and the official sources of its "
            "rules. These notes are for the contracting authority: leave this annex out of the "
            "documents published to tenderers."
        ),
        tables=[
            (
                "",
                Table(
                    header=[_("Criterion"), _("Rationale"), _("References")],
                    rows=rows,
                    widths=(25, 45, 30),
                ),
            )
        ]
        if rows
        else [],
    )
