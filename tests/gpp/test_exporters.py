"""The exports of a tender spec and of a bidder's evaluation, each opened back and read.

The spec is built from the seed files by `gpp.exporters.sample` (no database, no other gpp
module), so these tests only depend on the exporters and the seeds."""

import copy
import io
import json
import re
import sys
import zipfile

import pytest
from docx import Document
from markdown_it import MarkdownIt
from odf.namespaces import TEXTNS
from odf.opendocument import load as load_odt
from odf.text import H as OdfHeading
from openpyxl import load_workbook
from pypdf import PdfReader

from gpp.exporters import (
    FORMATS,
    MEDIA_TYPES,
    ExportUnavailable,
    export_evaluation,
    export_spec,
    file_name,
)
from gpp.exporters.sample import sample_bidder, sample_spec

HOSTILE = '<script>alert("x")</script> | pipe {braces} 😀 & &amp;'
HOSTILE_LINES = "first line | with pipe\nsecond line <b>bold</b> {x}\n# not a heading"


def identity(message: str) -> str:
    return message


@pytest.fixture(scope="module")
def spec() -> dict:
    return sample_spec()


@pytest.fixture(scope="module")
def bidder(spec: dict) -> dict:
    return sample_bidder(spec)


@pytest.fixture(scope="module")
def exports(spec: dict) -> dict[str, tuple[bytes, str, str]]:
    return {fmt: export_spec(spec, fmt, identity) for fmt in FORMATS}


def criteria(spec: dict) -> list[dict]:
    return [c for s in spec["sections"] for c in s["criteria"]]


def flat(text: str) -> str:
    """Collapse white space; a line broken after a hyphen (rubber-|modified) joins again."""
    return re.sub(r"-\s+", "-", " ".join(text.split()))


def pdf_text(content: bytes) -> str:
    return flat(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))


def docx_of(content: bytes):
    return Document(io.BytesIO(content))


def odt_headings(content: bytes) -> list[tuple[int, str]]:
    doc = load_odt(io.BytesIO(content))
    return [
        (int(h.getAttrNS(TEXTNS, "outline-level")), str(h))
        for h in doc.text.getElementsByType(OdfHeading)
    ]


def hostile_spec(spec: dict) -> dict:
    bad = copy.deepcopy(spec)
    bad["title"] = HOSTILE
    bad["authority"] = "Gmina <i>Test</i> | 😀"
    first = bad["sections"][0]["criteria"][0]
    first["title"] = "Criterion " + HOSTILE
    first["text"] = HOSTILE_LINES
    first["verification"][0]["evidence"] = "cell | with pipe\nand a newline <script>"
    bad["checklist"][0]["criterion_title"] = first["title"]
    bad["checklist"][0]["evidence"] = "cell | with pipe\nand a newline <script>"
    return bad


# --------------------------------------------------------------------------- the sample itself


def test_sample_is_a_full_comprehensive_road_spec(spec):
    kinds = [s["type"] for s in spec["sections"]]
    assert kinds == ["selection", "technical_specification", "award", "contract_clause"]
    assert len(criteria(spec)) >= 12
    assert all("{" not in c["text"] for c in criteria(spec)), "placeholders left unfilled"
    assert spec["market_evidence"]["cases"] == len(spec["market_evidence"]["case_list"]) > 0


def test_media_types_and_ascii_file_names(exports):
    for fmt, (content, media_type, name) in exports.items():
        assert content
        assert media_type == MEDIA_TYPES[fmt]
        assert name.endswith(f".{fmt}") and name.isascii() and "/" not in name
    greek = file_name({"title": "Οδός Ανακύκλωσης", "id": "x"}, "docx")
    assert greek.startswith("odos-anakukl") and greek.isascii()
    assert file_name({"title": "", "id": "Ab3-xY"}, "pdf") == "ab3-xy.pdf"
    assert file_name({}, "md") == "specification.md"


def test_unknown_format_is_refused(spec, bidder):
    with pytest.raises(ValueError):
        export_spec(spec, "rtf", identity)
    with pytest.raises(ValueError):
        export_evaluation(spec, bidder, "docx", identity)


# ------------------------------------------------------------------------------------- DOCX


def test_docx_has_every_criterion_under_real_headings(spec, exports):
    doc = docx_of(exports["docx"][0])
    headings = [
        (p.style.name, p.text)
        for p in doc.paragraphs
        if p.style.name.startswith(("Heading", "Title"))
    ]
    assert headings[0] == ("Title", spec["title"])
    level1 = [text for style, text in headings if style == "Heading 1"]
    assert level1[:5] == [
        "Subject matter",
        "1. Selection criteria",
        "2. Technical specifications",
        "3. Award criteria",
        "4. Contract performance clauses",
    ]
    assert "Annex 1: Verification checklist" in level1 and "Annex 2: Market evidence" in level1
    level2 = [text for style, text in headings if style == "Heading 2"]
    for crit in criteria(spec):
        assert any(text.endswith(" " + crit["title"]) for text in level2), crit["title"]
    body = "\n".join(p.text for p in doc.paragraphs)
    rubber = next(c for c in criteria(spec) if c["id"] == "road-ts-rubber-content")
    assert (
        f"Criterion road-ts-rubber-content, version {rubber['version']}, valid from January 1, 2026"
        in body
    )
    assert "Maximum score: 15 points" in body
    assert "Total points for the environmental award criteria: 40" in body
    assert "criteria library version 2026.1" in body
    assert "adapts this text to national law" in body


def test_docx_tables_hold_verification_and_checklist(spec, exports):
    doc = docx_of(exports["docx"][0])
    headers = [[c.text for c in t.rows[0].cells] for t in doc.tables]
    verification = [h for h in headers if h == ["Evidence", "Phase", "How to check", "Who checks"]]
    assert len(verification) == len(criteria(spec))
    checklist = next(t for t in doc.tables if t.rows[0].cells[0].text == "#")
    assert len(checklist.rows) == len(spec["checklist"]) + 1
    assert checklist.rows[0]._tr.trPr is not None  # header row repeats on each page


def test_docx_language_is_the_spec_language(spec):
    greek = dict(spec, language="el")
    doc = docx_of(export_spec(greek, "docx", identity)[0])
    assert doc.core_properties.language == "el-GR"
    styles_xml = doc.styles.element.xml
    assert 'w:val="el-GR"' in styles_xml and 'w:val="en-US"' not in styles_xml


# -------------------------------------------------------------------------------------- ODT


def test_odt_has_headings_tables_and_language(spec, exports):
    content = exports["odt"][0]
    headings = odt_headings(content)
    level2 = [text for level, text in headings if level == 2]
    for crit in criteria(spec):
        assert any(text.endswith(" " + crit["title"]) for text in level2), crit["title"]
    with zipfile.ZipFile(io.BytesIO(content)) as odt:
        xml = odt.read("content.xml").decode()
        styles = odt.read("styles.xml").decode()
        meta = odt.read("meta.xml").decode()
    assert xml.count("<table:table ") >= len(criteria(spec)) + 1
    assert "<table:table-header-rows>" in xml
    assert 'style:name="Heading_20_1"' in styles and 'style:default-outline-level="1"' in styles
    assert 'fo:language="en"' in styles and "<dc:language>en-US</dc:language>" in meta


# -------------------------------------------------------------------------------------- PDF


def test_pdf_has_every_criterion_title_and_metadata(spec, exports):
    content = exports["pdf"][0]
    assert content.startswith(b"%PDF-")
    reader = PdfReader(io.BytesIO(content))
    text = pdf_text(content)
    for crit in criteria(spec):
        assert flat(crit["title"]) in text, crit["title"]
    assert "Annex 1: Verification checklist" in text
    assert reader.metadata.title == spec["title"]
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged for assistive technology
    assert len(reader.pages) > 5


class _NoPango:
    """An import hook failing like WeasyPrint does when Pango's shared library is missing."""

    def find_spec(self, name, path=None, target=None):
        if name == "weasyprint" or name.startswith("weasyprint."):
            raise OSError("cannot load library 'libpango-1.0-0': No such file")
        return None


@pytest.mark.parametrize("missing", ["package", "pango"])
def test_pdf_unavailable_says_what_to_install(monkeypatch, spec, bidder, missing):
    if missing == "package":
        monkeypatch.setitem(sys.modules, "weasyprint", None)  # import weasyprint -> ImportError
    else:
        for name in [m for m in sys.modules if m == "weasyprint" or m.startswith("weasyprint.")]:
            monkeypatch.delitem(sys.modules, name)
        monkeypatch.setattr(sys, "meta_path", [_NoPango(), *sys.meta_path])
    with pytest.raises(ExportUnavailable, match="apt-get install libpango-1.0-0"):
        export_spec(spec, "pdf", identity)
    with pytest.raises(ExportUnavailable, match="pip install weasyprint"):
        export_evaluation(spec, bidder, "pdf", identity)
    assert export_spec(spec, "docx", identity)[0]  # the other formats still work


# --------------------------------------------------------------------------------- Markdown


def test_markdown_has_headings_tables_and_paragraphs(spec, exports):
    text = exports["md"][0].decode("utf-8")
    lines = text.splitlines()
    assert lines[0] == f"# {spec['title']}"
    for crit in criteria(spec):
        assert any(line.startswith("### ") and line.endswith(crit["title"]) for line in lines)
    assert "## 3. Award criteria" in lines
    assert "| Evidence | Phase | How to check | Who checks |" in lines
    assert criteria(spec)[0]["text"] in text  # criterion text as a paragraph, unchanged


# ------------------------------------------------------------------------------------- JSON


def test_json_is_the_spec_plus_eforms_and_ocds(spec, exports):
    content = exports["json"][0]
    data = json.loads(content)
    assert content == export_spec(spec, "json", identity)[0], "output must be deterministic"
    assert [c["title"] for s in data["sections"] for c in s["criteria"]] == [
        c["title"] for c in criteria(spec)
    ]
    assert list(data)[:3] == ["id", "title", "authority"] and list(data)[-1] == "ocds"
    eforms = data["eforms"]
    assert eforms["bt_805"] == spec["eforms"]["bt_805"]
    assert eforms["lot"] == {
        "BT-06-Lot": ["env-imp"],
        "BT-805-Lot": spec["eforms"]["bt_805"],
        "BT-774-Lot": spec["eforms"]["bt_774"],
    }
    award = [c for s in spec["sections"] if s["type"] == "award" for c in s["criteria"]]
    assert [a["BT-734"] for a in eforms["award_criteria"]] == [c["title"] for c in award]
    assert all(
        a["BT-539"] == "quality" and a["BT-541"] == a["weight_points"]
        for a in eforms["award_criteria"]
    )
    assert eforms["award_points_total"] == sum(c["award_points"] for c in award) == 40
    codes = {s["criterion_id"]: s["BT-809"] for s in eforms["selection_criteria"]}
    assert codes == {
        "road-sc-environmental-management": "slc-abil-mgmt-env",
        "road-sc-rubberised-asphalt-experience": "slc-abil-ref-work",
    }
    clauses = eforms["contract_performance_conditions"]
    assert clauses and all(c["OPT-060-Lot"] == "performance" and c["BT-70-Lot"] for c in clauses)


def test_json_ocds_block_follows_the_extensions(spec, exports):
    tender = json.loads(exports["json"][0])["ocds"]["tender"]
    assert tender["hasSustainability"] is True
    assert tender["mainProcurementCategory"] == "works"
    goals = [s["goal"] for s in tender["sustainability"]]
    assert goals == [
        "environmental.pollutionPrevention",
        "environmental.circularEconomy",
        "environmental.climateChangeMitigation",
    ]
    circular = tender["sustainability"][1]["strategies"]
    assert circular[:3] == ["euGPPCriteria", "nationalGPPCriteria", "otherGPPCriteria"]
    assert set(circular[3:]) == {
        "selectionCriteria",
        "technicalSpecifications",
        "awardCriteria",
        "contractPerformanceConditions",
    }
    ids = [c["id"] for c in tender["criteria"]]
    expected = [
        c["id"]
        for s in spec["sections"]
        if s["type"] in ("selection", "technical_specification")
        for c in s["criteria"]
    ]
    assert ids == expected
    rubber = next(c for c in tender["criteria"] if c["id"] == "road-ts-rubber-content")
    requirements = rubber["requirementGroups"][0]["requirements"]
    assert requirements[0]["dataType"] == "boolean" and requirements[0]["expectedValue"] is True
    assert {
        "id": "road-ts-rubber-content-r2",
        "title": "min_rubber_share",
        "dataType": "integer",
        "minValue": 10,
    } in requirements
    noise = next(c for c in tender["criteria"] if c["id"] == "road-ts-low-noise-surface")
    assert "(set by the procurer): 90 dB(A)" in noise["requirementGroups"][0]["description"]
    award = tender["lots"][0]["awardCriteria"]["criteria"]
    assert sum(n["number"] for c in award for n in c["numbers"]) == 40
    assert {n["weight"] for c in award for n in c["numbers"]} == {"pointsExact"}


# ---------------------------------------------------------------------- hostile text, escaping


def test_hostile_text_survives_docx_odt_json(spec):
    bad = hostile_spec(spec)
    doc = docx_of(export_spec(bad, "docx", identity)[0])
    assert doc.paragraphs[0].text == HOSTILE
    texts = [p.text for p in doc.paragraphs]
    assert "Criterion " + HOSTILE in " ".join(texts)
    assert HOSTILE_LINES in texts  # the line breaks come back as line breaks
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    assert "cell | with pipe\nand a newline <script>" in cells

    odt = export_spec(bad, "odt", identity)[0]
    with zipfile.ZipFile(io.BytesIO(odt)) as archive:
        xml = archive.read("content.xml").decode()
    assert "<script>" not in xml and "&lt;script&gt;" in xml and "😀" in xml
    assert any(text.endswith("Criterion " + HOSTILE) for _, text in odt_headings(odt))

    assert json.loads(export_spec(bad, "json", identity)[0])["title"] == HOSTILE


def test_hostile_text_is_escaped_in_markdown(spec):
    text = export_spec(hostile_spec(spec), "md", identity)[0].decode("utf-8")
    assert "<script>" not in text and "😀" in text and "{braces}" in text
    html = MarkdownIt("commonmark", {"html": True}).enable("table").render(text)
    assert "<script>" not in html and "<b>" not in html
    assert "&lt;script&gt;alert" in html
    assert "<h1>&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; | pipe {braces} 😀" in html
    assert "<h1># not a heading" not in html and "# not a heading" in html
    # Every table row keeps its number of cells despite the pipes and newlines in the text.
    for table in re.findall(r"<table>.*?</table>", html, flags=re.S):
        rows = re.findall(r"<tr>(.*?)</tr>", table, flags=re.S)
        widths = {len(re.findall(r"<t[hd][ >]", row)) for row in rows}
        assert len(widths) == 1, widths
    assert "cell | with pipe<br>and a newline" in html


def test_hostile_text_prints_as_text_in_pdf(spec, bidder):
    bad = hostile_spec(spec)
    bad["sections"] = bad["sections"][:1]
    text = pdf_text(export_spec(bad, "pdf", identity)[0])
    assert '<script>alert("x")</script> | pipe {braces} 😀' in text
    assert "second line <b>bold</b> {x}" in text

    checks = copy.deepcopy(bidder)
    checks["name"] = HOSTILE
    checks["checks"][0]["note"] = '=HYPERLINK("http://x") <script> | 😀'
    text = pdf_text(export_evaluation(bad, checks, "pdf", identity)[0])
    assert '=HYPERLINK("http://x") <script> | 😀' in text


# ------------------------------------------------------------------------ Greek, Polish, i18n

GREEK = {
    "Selection criteria": "Κριτήρια επιλογής",
    "Maximum score: %(points)s points": "Μέγιστη βαθμολογία: %(points)s βαθμοί",
}
POLISH = {
    "Selection criteria": "Kryteria kwalifikacji",
    "Maximum score: %(points)s points": "Maksymalna liczba punktów: %(points)s",
}


def localised(spec: dict, lang: str, country: str, title: str, text: str) -> dict:
    out = copy.deepcopy(spec)
    out.update(language=lang, country=country, title=title, authority=title.split()[0])
    first = out["sections"][0]["criteria"][0]
    first["title"], first["text"] = title, text
    return out


@pytest.mark.parametrize(
    ("lang", "country", "title", "text", "catalogue"),
    [
        ("el", "GR", "Ανακατασκευή οδοστρώματος με ελαστικό", "Ο ανάδοχος εφαρμόζει μέτρα.", GREEK),
        ("pl", "PL", "Łódź: nawierzchnia z gumą źdźbło", "Wykonawca stosuje środki.", POLISH),
    ],
)
def test_greek_and_polish_specs_export(spec, bidder, lang, country, title, text, catalogue):
    local = localised(sample_spec(ambition="core"), lang, country, title, text)

    def gettext(message: str) -> str:
        return catalogue.get(message, message)

    results = {fmt: export_spec(local, fmt, gettext) for fmt in FORMATS}
    for _content, _media, name in results.values():
        assert name.isascii()
    doc = docx_of(results["docx"][0])
    assert doc.paragraphs[0].text == title
    assert any(p.text == f"1. {catalogue['Selection criteria']}" for p in doc.paragraphs)
    md = results["md"][0].decode("utf-8")
    assert f"## 1. {catalogue['Selection criteria']}" in md and text in md
    pdf = pdf_text(results["pdf"][0])
    assert flat(title) in pdf and catalogue["Selection criteria"] in pdf
    assert PdfReader(io.BytesIO(results["pdf"][0])).trailer["/Root"]["/Lang"] == lang
    assert json.loads(results["json"][0])["title"] == title
    for fmt in ("xlsx", "pdf"):
        assert export_evaluation(local, bidder, fmt, gettext)[0]


def test_every_label_goes_through_gettext(spec):
    text = export_spec(spec, "md", lambda message: f"«{message}»")[0].decode("utf-8")
    assert "## «Subject matter»" in text
    assert "## 1. «Selection criteria»" in text
    assert "| «Evidence» | «Phase» | «How to check» | «Who checks» |" in text
    assert "**«Total points for the environmental award criteria: 40»**" in text
    assert "- **«Contracting authority»:** Sample municipality" in text
    untranslated = [
        line for line in text.splitlines() if line.startswith(("## ", "#### ")) and "«" not in line
    ]
    assert untranslated == []


def test_a_minimal_spec_exports_in_every_format():
    minimal = {
        "id": "abc123",
        "sections": [
            {
                "type": "award",
                "criteria": [
                    {"id": "x", "title": "Only criterion", "text": "Text.", "award_points": None}
                ],
            }
        ],
    }
    for fmt in FORMATS:
        content, _media, name = export_spec(minimal, fmt, identity)
        assert content and name == f"abc123.{fmt}"
    data = json.loads(export_spec(minimal, "json", identity)[0])
    assert data["ocds"]["tender"]["hasSustainability"] is True
    assert data["eforms"]["award_criteria"][0]["BT-541"] is None


# --------------------------------------------------------------------------- bidder evaluation


def test_evaluation_xlsx(spec, bidder):
    content, media_type, name = export_evaluation(spec, bidder, "xlsx", identity)
    assert media_type == MEDIA_TYPES["xlsx"] and name.endswith("-sample-bidder-a.xlsx")
    ws = load_workbook(io.BytesIO(content)).active
    assert ws.freeze_panes == "A2"
    header = [c.value for c in ws[1]]
    assert header == ["#", "Criterion", "Evidence", "Phase", "How to check", "Status", "Note"]
    rows = list(ws.iter_rows(min_row=2, max_row=len(bidder["checks"]) + 1, values_only=True))
    assert [r[1] for r in rows] == [c["criterion_title"] for c in bidder["checks"]]
    assert rows[3][5] == "Non-compliant" and rows[0][6] == "Checked item 1."
    validation = ws.data_validations.dataValidation[0]
    assert validation.formula1 == '"Pending,Compliant,Non-compliant,Missing"'
    assert str(validation.sqref) == f"F2:F{len(bidder['checks']) + 1}"
    assert all(ws.column_dimensions[col].width >= 5 for col in "ABCDEFG")
    values = [c for row in ws.iter_rows(values_only=True) for c in row if c is not None]
    assert "Verdict" in values and "Non-compliant" in values
    summary_at = values.index("Summary")
    assert values[summary_at + 1 : summary_at + 9] == [
        "Pending",
        bidder["summary"]["pending"],
        "Compliant",
        bidder["summary"]["compliant"],
        "Non-compliant",
        bidder["summary"]["non_compliant"],
        "Missing",
        bidder["summary"]["missing"],
    ]


def test_evaluation_xlsx_keeps_formulas_as_text(spec, bidder):
    hostile = copy.deepcopy(bidder)
    hostile["checks"][0]["note"] = '=HYPERLINK("http://x","y")'
    ws = load_workbook(io.BytesIO(export_evaluation(spec, hostile, "xlsx", identity)[0])).active
    assert ws["G2"].value == '=HYPERLINK("http://x","y")' and ws["G2"].data_type == "s"


def test_evaluation_pdf(spec, bidder):
    content, media_type, name = export_evaluation(spec, bidder, "pdf", identity)
    assert media_type == "application/pdf" and name.endswith(".pdf")
    text = pdf_text(content)
    assert "Evaluation of Sample bidder A" in text
    for check in bidder["checks"]:
        assert flat(check["criterion_title"]) in text
    assert "Non-compliant" in text and "Summary" in text


# --- table of contents --------------------------------------------------------------------------


def section_headings(spec: dict) -> list[str]:
    from gpp.exporters.labels import translator
    from gpp.exporters.model import outline, spec_view

    view = spec_view(spec, translator(identity))
    return [heading for _level, heading, _anchor in outline(view)]


def test_docx_opens_with_a_table_of_contents_field(spec, exports):
    content = exports["docx"][0]
    body = zipfile.ZipFile(io.BytesIO(content)).read("word/document.xml").decode()
    settings = zipfile.ZipFile(io.BytesIO(content)).read("word/settings.xml").decode()
    assert re.search(r'<w:instrText[^>]*> TOC \\o "1-2"', body)
    assert 'w:updateFields w:val="true"' in settings
    texts = [p.text for p in docx_of(content).paragraphs]
    first_heading = next(
        i for i, p in enumerate(docx_of(content).paragraphs) if p.style.name == "Heading 1"
    )
    contents = texts[:first_heading]
    assert "Contents" in contents
    for heading in section_headings(spec):
        assert heading in contents, heading


def test_odt_opens_with_a_table_of_contents(spec, exports):
    from odf.text import TableOfContent

    doc = load_odt(io.BytesIO(exports["odt"][0]))
    (toc,) = doc.text.getElementsByType(TableOfContent)
    text = " ".join(str(toc).split())
    for heading in section_headings(spec):
        assert " ".join(heading.split()) in text, heading


def test_pdf_contents_give_each_heading_its_page(spec, exports):
    first = PdfReader(io.BytesIO(exports["pdf"][0])).pages[0].extract_text()
    assert "Contents" in first
    lines = [" ".join(line.split()) for line in first.splitlines()]
    for heading in section_headings(spec)[:5]:
        assert any(re.fullmatch(re.escape(heading) + r" \.+ \d+", line) for line in lines), heading


# --- notes for the buyer ------------------------------------------------------------------------


def test_rationale_and_references_are_in_the_buyer_notes_annex_that_can_be_left_out(spec):
    crits = criteria(spec)
    url = next(r["url"] for c in crits for r in c["references"] if r.get("url"))
    rationale = " ".join(crits[0]["rationale"].split())
    with_notes = export_spec(spec, "md", identity)[0].decode()
    head, _, annex = with_notes.partition("Notes for the buyer")
    assert annex and url in annex and rationale[:60] in " ".join(annex.split())
    assert url not in head  # the criteria themselves no longer carry the references
    for fmt in ("md", "docx", "odt"):
        content = export_spec(spec, fmt, identity, buyer_notes=False)[0]
        text = (
            content.decode()
            if fmt == "md"
            else zipfile.ZipFile(io.BytesIO(content))
            .read("word/document.xml" if fmt == "docx" else "content.xml")
            .decode()
        )
        assert "Notes for the buyer" not in text and url not in text, fmt


def test_json_describes_values_by_their_labels_not_keys(spec):
    document = json.loads(export_spec(spec, "json", identity)[0])
    texts = re.findall(r'"description": "([^"]*)"', json.dumps(document, ensure_ascii=False))
    keys = {name for c in criteria(spec) for name in c["parameters"]}
    assert texts and not [t for t in texts for k in keys if re.search(rf"\b{k}\b", t)]
