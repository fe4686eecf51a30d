"""PDF export: the print templates rendered with Jinja2, then laid out by WeasyPrint on A4.

WeasyPrint is imported only here and only when a PDF is asked for, so the application starts and
every other format works on a machine without Pango. The parsed print stylesheet and the font
configuration are kept for the life of the process: building them is most of a small PDF's cost."""

from functools import cache
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from gpp.exporters import PDF_HELP, ExportUnavailable
from gpp.exporters.evaluation import EvaluationView
from gpp.exporters.model import SpecView, outline
from replan import PROJECT_ROOT

TEMPLATES = PROJECT_ROOT / "templates"
PRINT_CSS = PROJECT_ROOT / "static" / "css" / "print.css"
PDF_VARIANT = "pdf/ua-1"  # tagged PDF for screen readers, when this WeasyPrint knows it


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
