"""The layout of the printed documents: DOCX columns as wide as their content needs (and as wide
as the text together), and PDF text where no reference breaks across lines (issue 11, item 15).

Specs are built by the spec service in the buyer country's language, as a procurer's would be."""

import io
import re

import pytest
from docx import Document
from docx.oxml.ns import qn
from docx.shared import Mm
from pypdf import PdfReader

from gpp import service
from gpp.exporters import export_spec, spec_view
from gpp.exporters.docx_writer import TEXT_WIDTH_MM, column_widths
from gpp.exporters.labels import translator
from gpp.exporters.pdf_writer import PRINT_CSS, REFERENCE, render_html
from gpp.schemas import SpecCreate
from replan.i18n import gettext_for

TEXT_WIDTH_TWIPS = Mm(TEXT_WIDTH_MM).twips
# A standard or an act's number as the criteria print them: these must stay on one line.
SAMPLES = ("EN ISO/IEC 17025", "EN 13108-21", "ISO 11819-2:2017", "2014/24/", "36/2023")


@pytest.fixture(scope="module")
def specs(db_url_module, library) -> dict[str, dict]:
    """A comprehensive road spec of an Italian buyer in Italian and of a Greek one in Greek."""
    from replan.db import Database
    from replan.migrations import upgrade

    upgrade(db_url_module)
    database = Database(db_url_module)
    found = {}
    with database.session() as session:
        for country, language in (("IT", "it"), ("GR", "el")):
            spec = service.build_spec(
                session,
                library=library,
                request=SpecCreate(
                    application="road-pavement",
                    ambition="comprehensive",
                    country=country,
                    language=language,
                ),
            )
            found[language] = service.spec_json(spec)
    database.dispose()
    return found


@pytest.fixture(scope="module")
def db_url_module(tmp_path_factory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('layout') / 'layout.db'}"


def test_column_widths_are_the_shares_and_fill_the_text_width_exactly():
    widths = column_widths((29, 17, 33, 21))
    assert sum(widths) == Mm(TEXT_WIDTH_MM)
    assert [round(w / Mm(TEXT_WIDTH_MM) * 100) for w in widths] == [29, 17, 33, 21]


@pytest.mark.parametrize("language", ["it", "el"])
def test_every_docx_table_has_fixed_column_widths_that_sum_to_the_text_width(specs, language):
    spec = specs[language]
    doc = Document(io.BytesIO(export_spec(spec, "docx", gettext_for(language))[0]))
    assert len(doc.tables) > 5
    shapes = set()
    for table in doc.tables:
        tbl = table._tbl
        assert tbl.tblPr.find(qn("w:tblLayout")).get(qn("w:type")) == "fixed"
        grid = [int(col.get(qn("w:w"))) for col in tbl.tblGrid.findall(qn("w:gridCol"))]
        # LibreOffice and Google Docs lay columns out by the grid: it must be the real widths
        assert abs(sum(grid) - TEXT_WIDTH_TWIPS) <= len(grid), grid
        assert int(tbl.tblPr.find(qn("w:tblW")).get(qn("w:w"))) == sum(grid)
        for row in table.rows:  # Word reads each cell's own width: the same as its column
            cells = [int(tc.tcPr.find(qn("w:tcW")).get(qn("w:w"))) for tc in row._tr.tc_lst]
            assert cells == grid
        shapes.add(tuple(round(w / sum(grid) * 100) for w in grid))
    # the verification table, the checklist and the facts: widths by content, not equal splits
    assert {(29, 17, 33, 21), (4, 16, 22, 16, 23, 19), (35, 65)} <= shapes


@pytest.mark.parametrize("language", ["it", "el"])
def test_pdf_html_keeps_each_reference_on_one_line_in_the_spec_language(specs, language):
    view = spec_view(specs[language], translator(gettext_for(language)))
    html = render_html("gpp/print_spec.html", view)
    assert f'<html lang="{language}">' in html
    body = html.partition("<main>")[2]
    text = re.sub(r"<[^>]+>", "", body)
    found = [m.group(0) for m in REFERENCE.finditer(text)]
    assert any(s in " ".join(found) for s in SAMPLES)
    for reference in found:  # every one the text holds is wrapped in a no-break span
        assert f'<span class="ref">{reference}</span>' in body, reference
    css = PRINT_CSS.read_text("utf-8")
    assert re.search(r"\.ref\s*\{[^}]*white-space:\s*nowrap", css)
    assert re.search(r"th, td\s*\{[^}]*hyphens:\s*auto", css)  # by the dictionary of <html lang>


@pytest.mark.parametrize("language", ["it", "el"])
def test_no_reference_breaks_across_lines_in_the_pdf(specs, language):
    pytest.importorskip("weasyprint")
    content = export_spec(specs[language], "pdf", gettext_for(language))[0]
    reader = PdfReader(io.BytesIO(content))
    assert reader.trailer["/Root"]["/Lang"] == language
    lines = [ln for page in reader.pages for ln in page.extract_text().splitlines()]
    text = "\n".join(lines)
    # a line that ends in a reference's slash or in "ISO/IEC" cut before its number
    broken = [ln for ln in lines if re.search(r"(\b\d+/|\bISO/IEC|\bEN(?: ISO)?)$", ln.rstrip())]
    assert broken == []
    for sample in ("2014/24/", "ISO 11819-2:2017"):
        assert sample in text
