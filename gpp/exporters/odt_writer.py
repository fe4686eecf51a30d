"""OpenDocument text (ODT) export with odfpy: heading styles with outline levels (LibreOffice's
Navigator lists them), real tables with a repeated header row, bullet lists and links."""

import io

from babel.core import LOCALE_ALIASES
from odf import dc, teletype
from odf.opendocument import OpenDocumentText
from odf.style import (
    DefaultStyle,
    Footer,
    ListLevelProperties,
    MasterPage,
    PageLayout,
    PageLayoutProperties,
    ParagraphProperties,
    Style,
    TableCellProperties,
    TableColumnProperties,
    TableProperties,
    TextProperties,
)
from odf.table import Table as OdfTable
from odf.table import TableCell, TableColumn, TableHeaderRows, TableRow
from odf.text import A as Anchor
from odf.text import (
    H,
    IndexBody,
    IndexEntryLinkEnd,
    IndexEntryLinkStart,
    IndexEntryPageNumber,
    IndexEntryTabStop,
    IndexEntryText,
    IndexTitle,
    IndexTitleTemplate,
    List,
    ListItem,
    ListLevelStyleBullet,
    ListStyle,
    P,
    PageNumber,
    Span,
    TableOfContent,
    TableOfContentEntryTemplate,
    TableOfContentSource,
)

from gpp.exporters.model import Cell, Facts, Link, SpecView, Table, outline

TEXT_WIDTH_CM = 17.0
HEADING_SIZES = {1: "16pt", 2: "13pt", 3: "11pt"}


class _Styles:
    """The styles of one document, created once and looked up by the writer."""

    def __init__(self, doc: OpenDocumentText, lang: str) -> None:
        language, _, country = (LOCALE_ALIASES.get(lang.lower()) or lang).partition("_")
        default = DefaultStyle(family="paragraph")
        props = {"language": language, "fontsize": "10.5pt"}
        if country:
            props["country"] = country
        default.addElement(TextProperties(**props))
        default.addElement(ParagraphProperties(marginbottom="0.18cm"))
        doc.styles.addElement(default)
        self.headings = {}
        for level, size in HEADING_SIZES.items():
            style = Style(
                name=f"Heading_20_{level}",
                displayname=f"Heading {level}",
                family="paragraph",
                defaultoutlinelevel=str(level),
                nextstylename="Standard",
            )
            style.addElement(TextProperties(fontsize=size, fontweight="bold"))
            style.addElement(
                ParagraphProperties(margintop="0.4cm", marginbottom="0.2cm", keepwithnext="always")
            )
            doc.styles.addElement(style)
            self.headings[level] = style
        self.title = Style(name="Title", family="paragraph")
        self.title.addElement(TextProperties(fontsize="20pt", fontweight="bold"))
        self.title.addElement(ParagraphProperties(marginbottom="0.3cm"))
        doc.styles.addElement(self.title)
        self.meta = Style(
            name="Criterion_20_meta", displayname="Criterion meta", family="paragraph"
        )
        self.meta.addElement(TextProperties(fontstyle="italic", color="#444444"))
        doc.styles.addElement(self.meta)
        self.bold = Style(name="Strong", family="text")
        self.bold.addElement(TextProperties(fontweight="bold"))
        doc.styles.addElement(self.bold)
        self.bullets = ListStyle(name="Bullets")
        level = ListLevelStyleBullet(level=1, bulletchar="•")
        level.addElement(ListLevelProperties(spacebefore="0.3cm", minlabelwidth="0.5cm"))
        self.bullets.addElement(level)
        doc.styles.addElement(self.bullets)

        self.table = Style(name="Grid", family="table")
        self.table.addElement(TableProperties(width=f"{TEXT_WIDTH_CM}cm", align="margins"))
        doc.automaticstyles.addElement(self.table)
        self.cell = Style(name="GridCell", family="table-cell")
        self.cell.addElement(TableCellProperties(border="0.5pt solid #000000", padding="0.08cm"))
        doc.automaticstyles.addElement(self.cell)
        self._doc = doc
        self._columns: dict[int, Style] = {}

        layout = PageLayout(name="A4")
        layout.addElement(
            PageLayoutProperties(
                pagewidth="21cm", pageheight="29.7cm", margin="2cm", printorientation="portrait"
            )
        )
        doc.automaticstyles.addElement(layout)
        master = MasterPage(name="Standard", pagelayoutname=layout)
        footer = Footer()
        number = P()
        number.addElement(PageNumber(selectpage="current", text="1"))
        footer.addElement(number)
        master.addElement(footer)
        doc.masterstyles.addElement(master)

    def column(self, percent: int) -> Style:
        if percent not in self._columns:
            style = Style(name=f"Col{percent}", family="table-column")
            style.addElement(
                TableColumnProperties(columnwidth=f"{TEXT_WIDTH_CM * percent / 100:.2f}cm")
            )
            self._doc.automaticstyles.addElement(style)
            self._columns[percent] = style
        return self._columns[percent]


def _paragraph(text: str, style=None) -> P:
    paragraph = P(stylename=style) if style is not None else P()
    teletype.addTextToElement(paragraph, text)
    return paragraph


def _cell_paragraph(value: Cell, styles: _Styles, bold: bool = False) -> P:
    if isinstance(value, Link):
        paragraph = P()
        paragraph.addElement(_link(value))
        return paragraph
    if bold:
        paragraph = P()
        span = Span(stylename=styles.bold)
        teletype.addTextToElement(span, value)
        paragraph.addElement(span)
        return paragraph
    return _paragraph(value)


def _link(link: Link):
    if not link.external:
        span = Span()
        teletype.addTextToElement(span, link.text)
        return span
    anchor = Anchor(href=link.url, type="simple")
    teletype.addTextToElement(anchor, link.text)
    return anchor


class _Writer:
    def __init__(self, view: SpecView) -> None:
        self.doc = OpenDocumentText()
        self.styles = _Styles(self.doc, view.lang)
        self.body = self.doc.text
        self.tables = 0

    def heading(self, text: str, level: int) -> None:
        heading = H(outlinelevel=level, stylename=self.styles.headings[level])
        teletype.addTextToElement(heading, text)
        self.body.addElement(heading)

    def contents(self, view: SpecView) -> None:
        """Write a table of contents whose entries are written already (LibreOffice's "Update
        index" adds the page numbers); its template lists the first two outline levels."""
        title = view.labels["contents"]
        toc = TableOfContent(name=title, protected="true")
        source = TableOfContentSource(outlinelevel="2")
        source.addElement(IndexTitleTemplate(text=title))
        for level in (1, 2):
            template = TableOfContentEntryTemplate(outlinelevel=str(level), stylename="Standard")
            for part in (
                IndexEntryLinkStart(),
                IndexEntryText(),
                IndexEntryTabStop(type="right", leaderchar="."),
                IndexEntryPageNumber(),
                IndexEntryLinkEnd(),
            ):
                template.addElement(part)
            source.addElement(template)
        toc.addElement(source)
        body = IndexBody()
        heading = IndexTitle(name=f"{title}_Head")
        heading.addElement(_cell_paragraph(title, self.styles, bold=True))
        body.addElement(heading)
        for level, text, _anchor in outline(view):
            body.addElement(_paragraph(("    " * (level - 1)) + text))
        toc.addElement(body)
        self.body.addElement(toc)

    def para(self, text: str, style=None) -> None:
        self.body.addElement(_paragraph(text, style))

    def bold_para(self, text: str) -> None:
        self.body.addElement(_cell_paragraph(text, self.styles, bold=True))

    def bullets(self, items: list) -> None:
        listing = List(stylename=self.styles.bullets)
        for item in items:
            entry = ListItem()
            if isinstance(item, Link):
                paragraph = P()
                paragraph.addElement(_link(item))
            else:
                label, value = item
                paragraph = _cell_paragraph(f"{label}: ", self.styles, bold=True)
                teletype.addTextToElement(
                    paragraph, value if isinstance(value, str) else value.text
                )
            entry.addElement(paragraph)
            listing.addElement(entry)
        self.body.addElement(listing)

    def table(self, table: Table) -> None:
        self.tables += 1
        grid = OdfTable(name=f"Table{self.tables}", stylename=self.styles.table)
        for width in table.widths:
            grid.addElement(TableColumn(stylename=self.styles.column(width)))
        header = TableHeaderRows()
        header.addElement(self._row(table.header, bold=True))
        grid.addElement(header)
        for row in table.rows:
            grid.addElement(self._row(row))
        self.body.addElement(grid)
        self.para("")

    def facts(self, facts: Facts) -> None:
        self.tables += 1
        grid = OdfTable(name=f"Table{self.tables}", stylename=self.styles.table)
        for width in (35, 65):
            grid.addElement(TableColumn(stylename=self.styles.column(width)))
        for label, value in facts:
            row = TableRow()
            for content, bold in ((label, True), (value, False)):
                cell = TableCell(stylename=self.styles.cell, valuetype="string")
                cell.addElement(_cell_paragraph(content, self.styles, bold=bold))
                row.addElement(cell)
            grid.addElement(row)
        self.body.addElement(grid)
        self.para("")

    def _row(self, values: list[Cell], bold: bool = False) -> TableRow:
        row = TableRow()
        for value in values:
            cell = TableCell(stylename=self.styles.cell, valuetype="string")
            cell.addElement(_cell_paragraph(value, self.styles, bold=bold))
            row.addElement(cell)
        return row


def write_spec(view: SpecView) -> bytes:
    """Return the ODT bytes of a spec document."""
    w = _Writer(view)
    meta = w.doc.meta
    meta.addElement(dc.Title(text=view.title))
    meta.addElement(dc.Subject(text=view.subject))
    meta.addElement(
        dc.Language(text=(LOCALE_ALIASES.get(view.lang) or view.lang).replace("_", "-"))
    )

    w.para(view.title, w.styles.title)
    if view.subject:
        w.para(view.subject)
    w.contents(view)
    w.heading(view.subject_heading, 1)
    w.para(view.intro)
    w.facts(view.facts)
    if view.eforms:
        w.heading(view.eforms_heading, 2)
        w.facts(view.eforms)
    for section in view.sections:
        w.heading(section.heading, 1)
        if section.intro:
            w.para(section.intro)
        for crit in section.criteria:
            w.heading(crit.heading, 2)
            w.para(crit.meta, w.styles.meta)
            if crit.warning:
                w.para(crit.warning)
            for text in crit.paragraphs:
                w.para(text)
            if crit.parameters:
                w.heading(view.labels["parameters"], 3)
                w.bullets(crit.parameters)
            if crit.award_points:
                w.bold_para(crit.award_points)
            if crit.verification.rows:
                w.heading(view.labels["verification"], 3)
                w.table(crit.verification)
        if section.total:
            w.bold_para(section.total)
    for annex in view.annexes:
        w.heading(annex.heading, 1)
        if annex.intro:
            w.para(annex.intro)
        if annex.facts:
            w.facts(annex.facts)
        for heading, table in annex.tables:
            if heading:
                w.heading(heading, 2)
            w.table(table)
        if annex.empty:
            w.para(annex.empty)
    w.heading(view.notes_heading, 1)
    for note in view.notes:
        w.para(note)
    out = io.BytesIO()
    w.doc.write(out)
    return out.getvalue()
