"""Reading and writing catalogue files: every format, every kind of bad input."""

import csv
import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from kb import io as kb_io
from kb.schemas import CaseRecord
from tests.builders import record


def jsonl(*records: dict) -> bytes:
    return "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records).encode()


def parse(data: bytes, fmt: str) -> kb_io.Parsed:
    return kb_io.parse_records(kb_io.read_raw(data, fmt))


def test_jsonl_valid_records_parse():
    parsed = parse(jsonl(record(), record(id=None, title="Sans identifiant")), "jsonl")
    assert parsed.problems == []
    assert len(parsed.records) == 2
    assert parsed.records[1].id is None


def test_malformed_json_line_is_reported_with_its_record_number():
    data = jsonl(record()) + b'{"title": "broken",\n' + jsonl(record())
    parsed = parse(data, "jsonl")
    assert len(parsed.problems) == 1
    assert parsed.problems[0].startswith("record 2: json: not valid JSON")


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"application": "roads"}, "record 1: application: Input should be"),
        ({"rtm_types": ["rubber-dust"]}, "record 1: rtm_types.0: Input should be"),
        ({"country": "XX"}, "record 1: country: 'XX' is not an ISO 3166-1"),
        ({"language": "zz"}, "record 1: language: 'zz' is not an ISO 639-1"),
        ({"year": 1900}, "record 1: year: must be between 1970"),
        ({"rtm_tonnes": -1}, "record 1: rtm_tonnes: Input should be greater than or equal to 0"),
        ({"lat": 95, "lon": 7}, "record 1: lat: Input should be less than or equal to 90"),
        ({"lon": None}, "record 1: record: Value error, lat and lon go together: lon is missing"),
        ({"title": "ab"}, "record 1: title: String should have at least 3 characters"),
        ({"summary": "x" * 601}, "record 1: summary: String should have at most 600 characters"),
        ({"sources": ["not a url"]}, "record 1: sources.0:"),
        ({"organisations": [{"name": "A", "role": "owner"}]}, "record 1: organisations.0.role:"),
        ({"colour": "red"}, "record 1: colour: Extra inputs are not permitted"),
        ({"scope": "national"}, "record 1: scope: Input should be 'project' or 'programme'"),
    ],
)
def test_each_invalid_field_is_named(change, expected):
    parsed = parse(jsonl(record(**change)), "jsonl")
    assert parsed.records == []
    assert any(p.startswith(expected.replace("Value error, ", "")) for p in parsed.problems), (
        parsed.problems
    )


def test_duplicate_ids_in_one_file():
    parsed = parse(jsonl(record(id="same"), record(id="same")), "jsonl")
    assert parsed.problems == ["record 2: id: 'same' is a duplicate of record 1"]


def test_empty_file_is_refused():
    with pytest.raises(kb_io.ImportFileError, match="empty"):
        parse(b"", "jsonl")
    with pytest.raises(kb_io.ImportFileError, match="empty"):
        parse(b"\n\n  \n", "jsonl")


def test_wrong_encoding_is_refused_with_the_line():
    data = jsonl(record()) + json.dumps(record(city="Bolonia")).encode().replace(
        b"Bolonia", "Bolõnia".encode("latin-1")
    )
    with pytest.raises(kb_io.ImportFileError, match="not UTF-8 text .* line 2"):
        parse(data, "jsonl")


def test_ten_megabyte_field_gets_a_clear_message():
    parsed = parse(jsonl(record(description="a" * 10_000_000)), "jsonl")
    assert parsed.problems == ["record 1: description: String should have at most 50000 characters"]


def test_csv_with_a_missing_column_is_refused():
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=["title", "summary", "language", "country"])
    writer.writeheader()
    writer.writerow({"title": "abc", "summary": "s", "language": "en", "country": "IT"})
    with pytest.raises(kb_io.ImportFileError, match="missing required column.*application"):
        parse(out.getvalue().encode(), "csv")


def test_csv_with_a_ten_megabyte_cell():
    out = io.StringIO()
    row = kb_io.record_row(CaseRecord.model_validate(record()))
    row["description"] = "b" * 10_000_000
    writer = csv.DictWriter(out, fieldnames=kb_io.COLUMNS)
    writer.writeheader()
    writer.writerow(row)
    parsed = parse(out.getvalue().encode(), "csv")
    assert parsed.problems == ["record 1: description: String should have at most 50000 characters"]


def roundtrip_records() -> list[CaseRecord]:
    return [
        CaseRecord.model_validate(record()),
        CaseRecord.model_validate(
            record(
                title="Pista; con | simboli",
                city=None,
                lat=None,
                lon=None,
                gpp=None,
                year=None,
                organisations=[{"name": "Ditta; S.p.A. | Gomma", "role": "supplier"}],
                benefits=[{"metric": "riduzione; rumore", "value": 2.5, "unit": "dB(A)"}],
                sources=["https://example.org/a;b", "https://example.org/c"],
                rtm_types=["rubber-granulate", "steel-fibre"],
                language="it",
                description='Line one\n\n- bullet, with "quotes"\n',
            )
        ),
    ]


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_then_import_is_lossless(fmt):
    records = roundtrip_records()
    out = io.StringIO()
    (kb_io.write_csv if fmt == "csv" else kb_io.write_jsonl)(records, out)
    parsed = parse(out.getvalue().encode(), fmt)
    assert parsed.problems == []
    assert parsed.records == records


def test_scope_is_optional_kept_and_exported():
    """A record without `scope` imports as before (a project); one with it keeps it through a
    JSON Lines or CSV export and back."""
    old, programme = record(), record(scope="programme")
    assert "scope" not in old
    parsed = parse(jsonl(old, programme), "jsonl")
    assert parsed.problems == []
    assert [r.scope for r in parsed.records] == ["project", "programme"]
    lines = io.StringIO()
    kb_io.write_jsonl(parsed.records, lines)
    assert [json.loads(line)["scope"] for line in lines.getvalue().splitlines()] == [
        "project",
        "programme",
    ]
    table = io.StringIO()
    kb_io.write_csv(parsed.records, table)
    rows = list(csv.DictReader(io.StringIO(table.getvalue())))
    assert list(rows[0])[-1] == "scope"  # the new column comes last
    assert [row["scope"] for row in rows] == ["project", "programme"]
    assert parse(table.getvalue().encode(), "csv").records == parsed.records
    # A CSV of the first contract (no scope column), or an empty cell: a project.
    header = [c for c in kb_io.COLUMNS if c != "scope"]
    old_csv = io.StringIO()
    writer = csv.DictWriter(old_csv, fieldnames=header, extrasaction="ignore")
    writer.writeheader()
    writer.writerow(kb_io.record_row(parsed.records[1]))
    assert [r.scope for r in parse(old_csv.getvalue().encode(), "csv").records] == ["project"]
    bad = table.getvalue().replace(",programme\r\n", ",everything\r\n")
    assert parse(bad.encode(), "csv").problems == [
        "record 2: scope: Input should be 'project' or 'programme'"
    ]


def test_json_array_and_wrapped_object():
    records = [record(), record()]
    assert len(parse(json.dumps(records).encode(), "json").records) == 2
    assert len(parse(json.dumps({"cases": records}).encode(), "json").records) == 2
    with pytest.raises(kb_io.ImportFileError, match="list of records"):
        parse(b'{"title": "x"}', "json")


def test_xlsx_import(tmp_path):
    book = Workbook()
    sheet = book.active
    columns = list(kb_io.COLUMNS)
    sheet.append(columns)
    row = kb_io.record_row(CaseRecord.model_validate(record()))
    sheet.append([row[c] if c not in ("year", "lat", "lon") else float(row[c]) for c in columns])
    path = tmp_path / "cases.xlsx"
    book.save(path)
    parsed = kb_io.read_file(path)
    assert parsed.problems == []
    assert parsed.records[0].year == 2020
    assert parsed.records[0].organisations[0].role == "contracting-authority"


def test_not_an_xlsx_file(tmp_path):
    path = tmp_path / "cases.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a workbook")
    with pytest.raises(kb_io.ImportFileError, match="XLSX"):
        kb_io.read_file(path)


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=400))
def test_no_bytes_crash_the_reader(data):
    for fmt in ("jsonl", "json", "csv"):
        try:
            parse(data, fmt)
        except kb_io.ImportFileError:
            pass


# --- CSV formula injection (issue 9, item 7) ---------------------------------------------------

FORMULAS = ("=", "+", "-", "@", "\t", "\r", "'")
risky_text = st.builds(
    lambda head, body: head + body,
    st.sampled_from([*FORMULAS, "'=", "''", "'@", "-1+", "a"]),
    # Printable text (what the records hold), with the characters that start a formula.
    st.text(
        st.characters(categories=("L", "N", "P", "S", "Zs"), include_characters="\t"), max_size=12
    ),
)


def _cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text, newline="")) for cell in row]


def test_csv_cells_that_start_a_formula_are_escaped():
    rec = CaseRecord.model_validate(
        record(
            title='=HYPERLINK("http://evil.example","click")',
            summary="+cmd|' /C calc'!A0",
            city="@SUM(1+1)",
            description="\t=1+1",
            organisations=[{"name": "-2+3 Ltd", "role": "supplier"}],
            lat=-33.5,
        )
    )
    out = io.StringIO()
    kb_io.write_csv([rec], out)
    cells = _cells(out.getvalue())
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")]
    assert [c for c in cells if c.startswith("-")] == ["-33.5"]  # a number is no formula
    assert '\'=HYPERLINK("http://evil.example","click")' in cells


@settings(max_examples=150, deadline=None)
@given(
    title=risky_text, summary=risky_text, city=risky_text, description=risky_text, org=risky_text
)
def test_escaped_csv_imports_back_exactly(title, summary, city, description, org):
    try:
        rec = CaseRecord.model_validate(
            record(
                title="T " + title if len(title.strip()) < 3 else title,
                summary=summary.strip() or "s",
                city=city,
                description=description,
                organisations=[{"name": org.strip() or "o", "role": "supplier"}],
            )
        )
    except ValueError:
        return  # not a valid record in the first place (e.g. a name of only "|")
    out = io.StringIO()
    kb_io.write_csv([rec], out)
    parsed = parse(out.getvalue().encode(), "csv")
    assert parsed.problems == []
    assert parsed.records == [rec]
