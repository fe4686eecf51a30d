"""Word (DOCX) export with python-docx: real Heading styles (the Navigation pane works), real
tables, clickable references, and the spec language on the document and its styles."""

import io
from datetime import datetime

from babel.core import LOCALE_ALIASES
from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.opc.constants import RELATIONSHIP_TYPE
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt, RGBColor

from gpp.exporters.model import Cell, Facts, Link, SpecView, Table, outline

TEXT_WIDTH_MM = 170  # A4 minus 20 mm margins
FACTS_WIDTHS = (35, 65)  # label and value, as the PDF's facts tables


def language_tag(lang: str) -> str:
    """Return the BCP 47 tag Word expects for a language code (el -> el-GR)."""
    alias = LOCALE_ALIASES.get(lang.lower())
    return alias.replace("_", "-") if alias else lang


def _set_language(doc, lang: str) -> None:
    tag = language_tag(lang)
    doc.core_properties.language = tag
    styles = doc.styles.element
    rpr = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
    if rpr is not None and rpr.find(qn("w:lang")) is None:
        rpr.append(OxmlElement("w:lang"))
    # Styles that carry their own language would otherwise keep the template's English.
    for lang_el in styles.iter(qn("w:lang")):
        lang_el.set(qn("w:val"), tag)


def _page_setup(doc) -> None:
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    for side in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(section, side, Mm(20))
    footer = section.footer.paragraphs[0]
    footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    footer._p.append(field)
    doc.styles["Normal"].font.size = Pt(10.5)


def _hyperlink(paragraph, link: Link) -> None:
    if not link.external:
        paragraph.add_run(link.text)
        return
    rel_id = paragraph.part.relate_to(link.url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    anchor = OxmlElement("w:hyperlink")
    anchor.set(qn("r:id"), rel_id)
    run = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    color = OxmlElement("w:color")
    color.set(qn("w:val"), "0B5394")
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    rpr.append(color)
    rpr.append(underline)
    run.append(rpr)
    text = OxmlElement("w:t")
    text.set(qn("xml:space"), "preserve")
    text.text = link.text
    run.append(text)
    anchor.append(run)
    paragraph._p.append(anchor)


def _fill(cell, value: Cell, bold: bool = False) -> None:
    paragraph = cell.paragraphs[0]
    if isinstance(value, Link):
        _hyperlink(paragraph, value)
    else:
        paragraph.add_run(value).bold = bold or None


def column_widths(percents: tuple[int, ...] | list[int]) -> list[Emu]:
    """Return the columns' widths for per-cent shares of the text width; they sum to it exactly
    (the last column takes what rounding left)."""
    total = Mm(TEXT_WIDTH_MM)
    scale = sum(percents)
    widths = [Emu(round(total * p / scale)) for p in percents[:-1]]
    return [*widths, Emu(total - sum(widths))]


def _fix_widths(grid, widths: list[Emu]) -> None:
    """Give the table a fixed layout at the text width and each column its width: on the grid
    (`w:gridCol`, which LibreOffice and Google Docs read) and on every cell (`w:tcW`, which Word
    reads). python-docx otherwise leaves equal grid columns whatever the cells say."""
    grid.autofit = False  # w:tblLayout fixed: no re-measuring from the content
    table_width = grid._tbl.tblPr.find(qn("w:tblW"))
    table_width.set(qn("w:type"), "dxa")
    table_width.set(qn("w:w"), str(sum(w.twips for w in widths)))
    for column, width in zip(grid.columns, widths, strict=True):
        column.width = width
    for tr in grid._tbl.tr_lst:  # the cells' XML: `row.cells` resolves spans and is slow
        for tc, width in zip(tr.tc_lst, widths, strict=True):
            tc.width = width


def _table(doc, table: Table) -> None:
    grid = doc.add_table(rows=1 + len(table.rows), cols=len(table.header))
    grid.style = doc.styles["Table Grid"]
    grid.alignment = WD_TABLE_ALIGNMENT.CENTER
    widths = column_widths(table.widths)
    _fix_widths(grid, widths)
    rows = grid.rows
    header = rows[0]
    trpr = header._tr.get_or_add_trPr()
    repeat = OxmlElement("w:tblHeader")  # repeat the header row on every page
    trpr.append(repeat)
    for values, row, is_header in zip(
        [table.header, *table.rows], rows, [True] + [False] * len(table.rows), strict=True
    ):
        for cell, value in zip(row.cells, values, strict=True):
            _fill(cell, value, bold=is_header)
    doc.add_paragraph()


def _field_char(run, kind: str) -> None:
    char = OxmlElement("w:fldChar")
    char.set(qn("w:fldCharType"), kind)
    run._r.append(char)


def _contents(doc, view: SpecView) -> None:
    """Write a table of contents: a TOC field whose entries are written already, so that it reads
    right before Word or LibreOffice update it (the document asks them to, for the page numbers)."""
    doc.add_paragraph().add_run(view.labels["contents"]).bold = True
    entries = outline(view)
    for n, (level, heading, _anchor) in enumerate(entries):
        paragraph = doc.add_paragraph()
        paragraph.paragraph_format.left_indent = Mm(6 * (level - 1))
        if n == 0:
            _field_char(paragraph.add_run(), "begin")
            instruction = OxmlElement("w:instrText")
            instruction.set(qn("xml:space"), "preserve")
            instruction.text = ' TOC \\o "1-2" \\h \\z \\u '
            paragraph.add_run()._r.append(instruction)
            _field_char(paragraph.add_run(), "separate")
        paragraph.add_run(heading)
        if n == len(entries) - 1:
            _field_char(paragraph.add_run(), "end")
    update = OxmlElement("w:updateFields")
    update.set(qn("w:val"), "true")
    doc.settings.element.append(update)


def _facts(doc, facts: Facts) -> None:
    grid = doc.add_table(rows=len(facts), cols=2)
    grid.style = doc.styles["Table Grid"]
    _fix_widths(grid, column_widths(FACTS_WIDTHS))
    for row, (label, value) in zip(grid.rows, facts, strict=True):
        label_cell, value_cell = row.cells
        _fill(label_cell, label, bold=True)
        _fill(value_cell, value)
    doc.add_paragraph()


def write_spec(view: SpecView, created_at: datetime | None = None) -> bytes:
    """Return the DOCX bytes of a spec document."""
    doc = Document()
    _page_setup(doc)
    _set_language(doc, view.lang)
    props = doc.core_properties
    props.title, props.subject, props.author = view.title, view.subject, view.authority
    props.keywords = "GPP, eForms"
    props.comments = view.notes[0] if view.notes else ""
    if created_at:
        props.created = props.modified = created_at

    doc.add_heading(view.title, level=0)
    if view.subject:
        doc.add_paragraph(view.subject, style="Subtitle")
    _contents(doc, view)
    doc.add_heading(view.subject_heading, level=1)
    doc.add_paragraph(view.intro)
    _facts(doc, view.facts)
    if view.eforms:
        doc.add_heading(view.eforms_heading, level=2)
        _facts(doc, view.eforms)

    for section in view.sections:
        doc.add_heading(section.heading, level=1)
        if section.intro:
            doc.add_paragraph(section.intro)
        for crit in section.criteria:
            doc.add_heading(crit.heading, level=2)
            meta = doc.add_paragraph()
            meta_run = meta.add_run(crit.meta)
            meta_run.italic = True
            meta_run.font.color.rgb = RGBColor(0x44, 0x44, 0x44)
            if crit.warning:
                doc.add_paragraph().add_run(crit.warning).bold = True
            for text in crit.paragraphs:
                doc.add_paragraph(text)
            if crit.parameters:
                doc.add_heading(view.labels["parameters"], level=3)
                for label, value in crit.parameters:
                    item = doc.add_paragraph(style="List Bullet")
                    item.add_run(f"{label}: ").bold = True
                    item.add_run(value if isinstance(value, str) else value.text)
            if crit.award_points:
                doc.add_paragraph().add_run(crit.award_points).bold = True
            if crit.verification.rows:
                doc.add_heading(view.labels["verification"], level=3)
                _table(doc, crit.verification)
        if section.total:
            doc.add_paragraph().add_run(section.total).bold = True

    for annex in view.annexes:
        doc.add_heading(annex.heading, level=1)
        if annex.intro:
            doc.add_paragraph(annex.intro)
        if annex.facts:
            _facts(doc, annex.facts)
        for heading, table in annex.tables:
            if heading:
                doc.add_heading(heading, level=2)
            _table(doc, table)
        if annex.empty:
            doc.add_paragraph(annex.empty)

    doc.add_heading(view.notes_heading, level=1)
    for note in view.notes:
        doc.add_paragraph(note)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


# The parts other documents of the domain reuse (the delivery report).
page_setup = _page_setup
set_language = _set_language
grid_table = _table
facts_table = _facts
