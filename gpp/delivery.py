"""The delivery report of a contract: promised against delivered for every green requirement,
with the evidence, the measured values and the verdicts, for the file and the monitoring return
(PDF and DOCX). It prints the contract view in the spec's language and decides nothing else."""

import io
from collections.abc import Callable

from docx import Document

from gpp.contract_schemas import MILESTONE_STATUSES, ContractOut
from gpp.exporters import MEDIA_TYPES, ExportUnavailable, file_name
from gpp.exporters import docx_writer as docx
from gpp.exporters import labels as L
from gpp.exporters.evaluation import EvaluationView
from gpp.exporters.labels import fmt_date, fmt_number, one_line, translator, txt
from gpp.exporters.model import Table

REPORT_FORMATS = ("pdf", "docx")
__all__ = ["REPORT_FORMATS", "ExportUnavailable", "delivery_report"]


def _status(_: L.Translate, status: str) -> str:
    return {
        "pending": _("Pending"),
        "met": _("Met"),
        "not_met": _("Not met"),
        "waived": _("Waived"),
    }.get(status, status)


def _limit(m, lang: str) -> str:
    if m.limit is None:
        return ""
    sign = "\u2264" if m.limit_kind == "max" else "\u2265"
    return f"{sign} {fmt_number(m.limit, lang)} {m.unit}".strip()


def report_view(spec: dict, contract: ContractOut, _: L.Translate) -> EvaluationView:
    """Build the printable report (the shape of an evaluation: facts, summary, items)."""
    lang = txt(spec.get("language") or "en")
    award = contract.award
    statuses = [_status(_, s) for s in MILESTONE_STATUSES]
    facts = [
        (_("Tender specification"), one_line(spec.get("title"))),
        (_("Contracting authority"), one_line(spec.get("authority"))),
        (_("Contractor"), one_line(award.name) if award else ""),
        (
            _("Awarded on"),
            fmt_date(award.awarded_at.date(), lang) if award and award.awarded_at else "",
        ),
        (_("Reason for the award"), txt(award.reason) if award else ""),
        (_("Milestones overdue"), fmt_number(contract.overdue, lang)),
        (
            _("Penalties (euros)"),
            fmt_number(contract.penalties, lang) if contract.penalties else "",
        ),
    ]
    return EvaluationView(
        lang=lang,
        title=_("Delivery report: %(title)s", title=one_line(spec.get("title"))),
        facts=[(k, v) for k, v in facts if v],
        summary_heading=_("Summary"),
        summary=Table(
            header=[_("Status"), _("Milestones")],
            rows=[
                [label, fmt_number(contract.summary.get(code, 0), lang)]
                for code, label in zip(MILESTONE_STATUSES, statuses, strict=True)
            ],
            widths=(70, 30),
        ),
        checks_heading=_("Promised and delivered"),
        checks=Table(
            header=[
                "#",
                _("Requirement"),
                _("Evidence"),
                _("Due"),
                _("Limit"),
                _("Measured value"),
                _("Status"),
                _("Note"),
            ],
            rows=[
                [
                    str(m.n + 1),
                    one_line(m.criterion_title),
                    txt(m.evidence),
                    fmt_date(m.due, lang) if m.due else "",
                    _limit(m, lang),
                    f"{fmt_number(m.value, lang)} {m.unit}".strip() if m.value is not None else "",
                    _status(_, m.status),
                    txt(m.note),
                ]
                for m in contract.milestones
            ],
            widths=(4, 18, 22, 9, 9, 9, 9, 20),
        ),
        statuses=statuses,
        status_prompt="",
        note=_(
            "The contracting authority's record of the checks made during delivery and "
            "execution, at the time of export."
        ),
    )


def _docx(view: EvaluationView) -> bytes:
    doc = Document()
    docx.page_setup(doc)
    docx.set_language(doc, view.lang)
    doc.core_properties.title = view.title
    doc.add_heading(view.title, level=0)
    docx.facts_table(doc, view.facts)
    doc.add_heading(view.summary_heading, level=1)
    docx.grid_table(doc, view.summary)
    doc.add_heading(view.checks_heading, level=1)
    docx.grid_table(doc, view.checks)
    doc.add_paragraph(view.note)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def delivery_report(
    spec: dict, contract: ContractOut, fmt: str, gettext: Callable[[str], str]
) -> tuple[bytes, str, str]:
    """Return the report as (content, media type, file name); ExportUnavailable without PDF."""
    view = report_view(spec, contract, translator(gettext))
    if fmt == "docx":
        content = _docx(view)
    else:
        from gpp.exporters import pdf_writer

        content = pdf_writer.write_evaluation(view)
    return content, MEDIA_TYPES[fmt], file_name(spec, fmt, "delivery-report")
