"""PDF export: the print templates rendered with Jinja2, then laid out by WeasyPrint on A4.

WeasyPrint is imported only here and only when a PDF is asked for, so the application starts and
every other format works on a machine without Pango. The parsed print stylesheet and the font
configuration are kept for the life of the process: building them is most of a small PDF's cost."""

import re
from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from gpp.exporters import PDF_HELP, ExportUnavailable
from gpp.exporters.evaluation import EvaluationView
from gpp.exporters.model import SpecView, outline
from replan import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "templates"
PRINT_CSS = PROJECT_ROOT / "static" / "css" / "print.css"
PDF_VARIANT = "pdf/ua-1"  # tagged PDF for screen readers, when this WeasyPrint knows it
# A reference that must not break across lines: a standard ("EN ISO/IEC 17025", "EN 13108-21",
# "UNI/PdR 88", "ISO 11819-2:2017") or an act's number ("2014/24/EU", "(EU) 2023/2055",
# "D.Lgs. 36/2023", "DM 78/2020", "FOM/2523/2014", "ΦΕΚ 466/Β/8-2-2021"). A line may break after
# a slash or a hyphen, and hyphenation may split a number: either prints a reference that a reader
# cannot search for. The print templates wrap each in a span the print CSS keeps on one line.
REFERENCE = re.compile(
    r"(?<![\w/])(?:"
    r"(?:(?:Fpr|pr)?EN(?: ISO(?:/IEC)?)?|ISO(?:/IEC|/TS)?|CEN/T[SR]|UNI(?: EN(?: ISO)?|/PdR)?"
    r"|ASTM|D\.\s?Lgs\.|D\.M\.|DM)\s[A-Z]?\d+(?:[-/.:+]\w+)*"
    r"|\(?(?:EU|UE|ΕΕ|EC|CE|ΕΚ|EG|EK)\)?\s(?:No\s|n\.\s|nr\s|αριθ\.\s|št\.\s)?\d+/\d+"
    r"|[A-ZΑ-Ω\d][\w.]*(?:/\w[\w.]*)+(?:-\w+)*"
    r")"
)


def keep_references(value: Any) -> Markup:
    """Escape a text and wrap each reference in it in a span the print CSS keeps on one line."""
    text = str(escape(value))
    return Markup(REFERENCE.sub(lambda m: f'<span class="ref">{m.group(0)}</span>', text))


@cache
def environment() -> Environment:
    """Return the Jinja environment of the print templates (autoescaped)."""
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        autoescape=select_autoescape(["html"], default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals["outline"] = outline
    env.filters["refs"] = keep_references
    return env


def render_html(template: str, doc: Any, css_href: str | None = None) -> str:
    """Render a print template; the web can reuse it with css_href="/static/css/print.css"."""
    return environment().get_template(template).render(doc=doc, css_href=css_href)


def _weasyprint():
    try:
        import weasyprint
    except (ImportError, OSError) as exc:  # OSError: Pango or its friends cannot be loaded
        raise ExportUnavailable(PDF_HELP) from exc
    return weasyprint


@cache
def _resources():
    weasyprint = _weasyprint()
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    css = weasyprint.CSS(filename=str(PRINT_CSS), font_config=fonts)
    variants = getattr(getattr(weasyprint, "pdf", None), "VARIANTS", {})
    return weasyprint, fonts, css, PDF_VARIANT if PDF_VARIANT in variants else None


def _pdf(html: str) -> bytes:
    weasyprint, fonts, css, variant = _resources()
    document = weasyprint.HTML(string=html, base_url=str(TEMPLATES))
    # Presentational hints: the column widths of the tables come as <col width="..%">.
    options: dict[str, Any] = {
        "stylesheets": [css],
        "font_config": fonts,
        "presentational_hints": True,
    }
    if variant:
        options["pdf_variant"] = variant
    return document.write_pdf(**options)


def write_spec(view: SpecView) -> bytes:
    """Return the PDF bytes of a spec document."""
    _weasyprint()
    return _pdf(render_html("gpp/print_spec.html", view))


def write_evaluation(view: EvaluationView) -> bytes:
    """Return the PDF bytes of a bidder's evaluation."""
    _weasyprint()
    return _pdf(render_html("gpp/print_evaluation.html", view))
