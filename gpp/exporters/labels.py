"""Translated labels of the codes an export prints, and the small text helpers every writer uses.

Every label goes through the spec language's gettext (English message ids with %(name)s
placeholders); the literal `_("...")` calls keep them visible to `make messages`. The eForms
business terms and codes (and CPV codes) are not gettext messages: they print with their official
labels from the eForms SDK (`gpp.eforms.labels`)."""

import re
from collections.abc import Callable
from typing import Any

from babel.numbers import format_decimal

from replan import i18n

Translate = Callable[..., str]

SECTION_ORDER = ("selection", "technical_specification", "award", "contract_clause")
STATUSES = ("pending", "compliant", "non_compliant", "missing")
GPP_SOURCES = ("eu", "national", "other")

# XML 1.0 refuses these characters; DOCX, ODT and PDF all go through XML.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def translator(gettext: Callable[[str], str]) -> Translate:
    """Wrap a plain gettext so that it also fills %(name)s placeholders."""

    def _(message: str, **variables: Any) -> str:
        text = gettext(message)
        if not variables:
            return text
        try:
            return text % variables
        except (KeyError, ValueError, TypeError):
            # A broken translation must not break the document: fall back to English.
            return message % variables

    return _


def txt(value: Any) -> str:
    """Return a value as text that XML can carry, with Unix line ends."""
    if value is None:
        return ""
    return _NOT_XML.sub("", str(value).replace("\r\n", "\n").replace("\r", "\n"))


def one_line(value: Any) -> str:
    """Return the text on one line (headings, file names)."""
    return " ".join(txt(value).split())


def paragraphs(value: Any) -> list[str]:
    """Split a text into its paragraphs (blank lines separate them)."""
    return [p.strip() for p in re.split(r"\n\s*\n", txt(value)) if p.strip()]


def fmt_number(value: Any, lang: str) -> str:
    """Format a number the way the spec language writes it (other values as text)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return txt(value)
    try:
        return format_decimal(value, format="#,##0.###", locale=lang)
    except (ValueError, TypeError, LookupError):
        return str(value)


def fmt_date(value: Any, lang: str) -> str:
    """Format an ISO date or date-time as the pages do, in the spec language."""
    try:
        return i18n.format_day(value, lang)
    except (ValueError, TypeError, LookupError):
        return txt(value)


def section_heading(_: Translate, kind: str) -> str:
    return {
        "selection": _("Selection criteria"),
        "technical_specification": _("Technical specifications"),
        "award": _("Award criteria"),
        "contract_clause": _("Contract performance clauses"),
    }.get(kind, txt(kind))


def section_intro(_: Translate, kind: str) -> str:
    return {
        "selection": _("A tenderer must meet these criteria to take part in the procedure."),
        "technical_specification": _(
            "Every tender must meet these requirements; a tender that does not is non-compliant."
        ),
        "award": _(
            "Points for these criteria are added to those for price and for the other quality "
            "criteria that the contracting authority sets."
        ),
        "contract_clause": _(
            "These clauses become part of the contract and bind the successful tenderer while it "
            "performs the contract."
        ),
    }.get(kind, "")


def phase_label(_: Translate, phase: str) -> str:
    return {
        "tender": _("Tender"),
        "award": _("Award"),
        "delivery": _("Delivery"),
        "execution": _("Contract execution"),
    }.get(phase, txt(phase))


def status_label(_: Translate, status: str) -> str:
    return {
        "pending": _("Pending"),
        "compliant": _("Compliant"),
        "non_compliant": _("Non-compliant"),
        "missing": _("Missing"),
    }.get(status, txt(status))


def verdict_label(_: Translate, verdict: str) -> str:
    return {
        "pending": _("Pending: evidence still to be checked"),
        "compliant": _("Compliant"),
        "non_compliant": _("Non-compliant"),
    }.get(verdict, txt(verdict))


def ambition_label(_: Translate, ambition: str) -> str:
    return {"core": _("Core criteria"), "comprehensive": _("Comprehensive criteria")}.get(
        ambition, txt(ambition)
    )


def role_label(_: Translate, role: str) -> str:
    return {
        "contracting-authority": _("Contracting authority"),
        "contractor": _("Contractor"),
        "supplier": _("Supplier"),
        "recycler": _("Recycler"),
        "research": _("Research"),
    }.get(role, txt(role))
