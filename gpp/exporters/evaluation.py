"""The printable evaluation of one bidder against a spec's checklist, computed once for the
XLSX and PDF writers."""

from dataclasses import dataclass

from gpp.exporters import labels as L
from gpp.exporters.labels import Translate, fmt_number, one_line, txt
from gpp.exporters.model import Facts, Table


@dataclass
class EvaluationView:
    lang: str
    title: str
    facts: Facts
    summary_heading: str
    summary: Table
    checks_heading: str
    checks: Table
    statuses: list[str]  # translated status labels, in the contract's order
    status_prompt: str
    note: str
    status_column: int = 5  # index of the status in a row of `checks`


def evaluation_view(spec: dict, bidder: dict, _: Translate) -> EvaluationView:
    """Build the printable evaluation of one bidder against a spec's checklist."""
    lang = txt(spec.get("language") or "en")
    name = one_line(bidder.get("name")) or txt(bidder.get("id"))
    summary = bidder.get("summary") or {}
    statuses = [L.status_label(_, s) for s in L.STATUSES]
    return EvaluationView(
        lang=lang,
        title=_("Evaluation of %(bidder)s", bidder=name),
        facts=[
            (k, v)
            for k, v in [
                (_("Tender specification"), one_line(spec.get("title")) or txt(spec.get("id"))),
                (_("Contracting authority"), one_line(spec.get("authority"))),
                (_("Bidder"), name),
                (_("Verdict"), L.verdict_label(_, bidder.get("verdict") or "pending")),
            ]
            if v
        ],
        summary_heading=_("Summary"),
        summary=Table(
            header=[_("Status"), _("Items")],
            rows=[
                [label, fmt_number(summary.get(code, 0), lang)]
                for code, label in zip(L.STATUSES, statuses, strict=True)
            ],
            widths=(70, 30),
        ),
        checks_heading=_("Evidence checked"),
        checks=Table(
            header=[
                "#",
                _("Criterion"),
                _("Evidence"),
                _("Phase"),
                _("How to check"),
                _("Status"),
                _("Note"),
            ],
            rows=[
                [
                    str(i),
                    one_line(c.get("criterion_title") or c.get("criterion_id")),
                    txt(c.get("evidence")),
                    L.phase_label(_, c.get("phase", "")),
                    txt(c.get("how_to_check")),
                    L.status_label(_, c.get("status") or "pending"),
                    txt(c.get("note")),
                ]
                for i, c in enumerate(bidder.get("checks") or [], start=1)
            ],
            widths=(4, 17, 20, 9, 22, 10, 18),
        ),
        statuses=statuses,
        status_prompt=_("Choose one of the statuses in the list."),
        note=_(
            "A record of the contracting authority's check of the evidence at the time of "
            "export; the evaluation committee remains responsible for the decision."
        ),
    )
