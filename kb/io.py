"""Reading and writing catalogue files: JSON Lines, JSON, CSV and XLSX in; JSON Lines and CSV out.

Every record is validated before anything is written; problems come back as
`record N: field: message`, N counting records from 1 in the order of the file."""

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from kb.schemas import CaseRecord

Format = Literal["jsonl", "json", "csv", "xlsx"]
COLUMNS = tuple(CaseRecord.model_fields)
LIST_COLUMNS = ("rtm_types", "sources")
OBJECT_COLUMNS = {"organisations": ("name", "role"), "benefits": ("metric", "value", "unit")}
# A spreadsheet runs a cell that starts with one of these as a formula (CSV injection): OWASP's
# advice is to write such a cell after a single quote. A cell that starts with a quote followed
# by one of these (or by a quote) gets one more, so that reading drops exactly one: lossless.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MAX_FILE_BYTES = 512 * 1024 * 1024
MAX_PROBLEMS = 1000


class ImportFileError(ValueError):
    """The file as a whole cannot be read (empty, wrong encoding, unknown format...)."""


@dataclass
class Parsed:
    records: list[CaseRecord] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def guess_format(path: Path) -> Format:
    """Return the file format from the file name's extension."""
    ext = path.suffix.lower().lstrip(".")
    if ext in ("jsonl", "ndjson"):
        return "jsonl"
    if ext in ("json", "csv", "xlsx"):
        return ext  # type: ignore[return-value]
    raise ImportFileError(
        f"cannot tell the format of '{path.name}': use --format jsonl|json|csv|xlsx"
    )


def _text(data: bytes) -> str:
    if not data.strip():
        raise ImportFileError("the file is empty: there is no record to import")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ImportFileError(
            f"the file is not UTF-8 text (byte 0x{data[exc.start]:02x} on line {line}); "
            "save it as UTF-8 and try again"
        ) from exc


def read_raw(data: bytes, fmt: Format) -> Iterator[tuple[int, Any, str | None]]:
    """Yield (record number, raw record, parse error) from the file's bytes."""
    if fmt == "xlsx":
        yield from _xlsx_rows(data)
        return
    text = _text(data)
    if fmt == "jsonl":
        n = 0
        for line in text.splitlines():
            if not line.strip():
                continue
            n += 1
            try:
                yield n, json.loads(line), None
            except json.JSONDecodeError as exc:
                yield n, None, f"json: not valid JSON ({exc.msg} at column {exc.colno})"
    elif fmt == "json":
        try:
            doc = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ImportFileError(f"not valid JSON: {exc.msg} at line {exc.lineno}") from exc
        if isinstance(doc, dict) and isinstance(doc.get("cases"), list):
            doc = doc["cases"]
        if not isinstance(doc, list):
            raise ImportFileError('a JSON file must hold a list of records (or {"cases": [...]})')
        for n, item in enumerate(doc, 1):
            yield n, item, None
    else:
        yield from _csv_rows(text)


def _csv_rows(text: str) -> Iterator[tuple[int, Any, str | None]]:
    csv.field_size_limit(MAX_FILE_BYTES)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in reader.fieldnames or []]
    except csv.Error as exc:
        raise ImportFileError(f"not readable as CSV: {exc}") from exc
    _check_header(header)
    reader.fieldnames = header
    n = 0
    try:
        for n, row in enumerate(reader, 1):
            if None in row:
                yield n, None, "row: has more cells than the header has columns"
                continue
            yield n, _from_cells({k: unescape_formula(v) for k, v in row.items()}), None
    except csv.Error as exc:
        yield n + 1, None, f"csv: {exc} (line {reader.line_num})"


def _xlsx_rows(data: bytes) -> Iterator[tuple[int, Any, str | None]]:
    from openpyxl import load_workbook
    from openpyxl.utils.exceptions import InvalidFileException

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        raise ImportFileError(f"not a readable XLSX workbook ({exc})") from exc
    sheet = book.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header = [str(h).strip() if h is not None else "" for h in next(rows, [])]
    _check_header(header)
    n = 0
    for values in rows:
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        n += 1
        cells = {h: ("" if v is None else v) for h, v in zip(header, values, strict=False) if h}
        yield n, _from_cells(cells), None
    if n == 0:
        raise ImportFileError("the workbook has a header but no record")


def _check_header(header: list[str]) -> None:
    if not any(header):
        raise ImportFileError("the file is empty: there is no header row and no record")
    unknown = [h for h in header if h and h not in COLUMNS]
    missing = [
        c
        for c in ("title", "summary", "language", "application", "rtm_types", "country")
        if c not in header
    ]
    problems = []
    if missing:
        problems.append(f"missing required column(s): {', '.join(missing)}")
    if unknown:
        problems.append(f"unknown column(s): {', '.join(unknown)} (expected: {', '.join(COLUMNS)})")
    if problems:
        raise ImportFileError("; ".join(problems))


def _from_cells(row: dict[str, Any]) -> dict[str, Any]:
    """Turn one CSV/XLSX row into a raw record: empty cells are absent, lists split on ';'."""
    record: dict[str, Any] = {}
    for key, value in row.items():
        text = value.strip() if isinstance(value, str) and key != "description" else value
        if text is None or (isinstance(text, str) and not text.strip()):
            continue
        if key in LIST_COLUMNS:
            record[key] = _split_list(str(text))
        elif key in OBJECT_COLUMNS:
            record[key] = _split_objects(str(text), OBJECT_COLUMNS[key])
        elif key == "gpp" and isinstance(text, str):
            record[key] = {
                "true": True,
                "yes": True,
                "1": True,
                "false": False,
                "no": False,
                "0": False,
            }.get(text.lower(), text)
        else:
            record[key] = text
    return record


def _split_list(text: str) -> Any:
    if text.startswith("["):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text
    return [part.strip() for part in text.split(";") if part.strip()]


def _split_objects(text: str, keys: tuple[str, ...]) -> Any:
    if text.startswith("["):
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            return text
    items = []
    for part in text.split(";"):
        if part.strip():
            cells = [c.strip() for c in part.split("|")]
            items.append(dict(zip(keys, cells, strict=False)))
    return items


def _problem_lines(n: int, exc: ValidationError) -> Iterator[str]:
    for error in exc.errors(include_url=False):
        loc = ".".join(str(p) for p in error["loc"]) or "record"
        message = error["msg"].removeprefix("Value error, ")
        yield f"record {n}: {loc}: {message}"


def parse_records(raw: Iterable[tuple[int, Any, str | None]]) -> Parsed:
    """Validate every raw record; collect each problem, find duplicate ids."""
    parsed = Parsed()
    first_seen: dict[str, int] = {}
    for n, item, error in raw:
        if error:
            parsed.problems.append(f"record {n}: {error}")
            continue
        if not isinstance(item, dict):
            parsed.problems.append(
                f"record {n}: record: must be an object with the record's fields"
            )
            continue
        try:
            record = CaseRecord.model_validate(item)
        except ValidationError as exc:
            parsed.problems.extend(_problem_lines(n, exc))
            continue
        if record.id is not None:
            if record.id in first_seen:
                parsed.problems.append(
                    f"record {n}: id: '{record.id}' is a duplicate of "
                    f"record {first_seen[record.id]}"
                )
                continue
            first_seen[record.id] = n
        parsed.records.append(record)
        if len(parsed.problems) >= MAX_PROBLEMS:
            break
    if not parsed.records and not parsed.problems:
        raise ImportFileError("the file is empty: there is no record to import")
    return parsed


def read_file(path: Path, fmt: Format | None = None) -> Parsed:
    """Read and validate a catalogue file; raise ImportFileError when it cannot be read at all."""
    fmt = fmt or guess_format(path)
    if not path.is_file():
        raise ImportFileError(f"no such file: {path}")
    if path.stat().st_size > MAX_FILE_BYTES:
        raise ImportFileError(f"the file is larger than {MAX_FILE_BYTES // 2**20} MB")
    return parse_records(read_raw(path.read_bytes(), fmt))


def record_json(record: CaseRecord) -> dict:
    """Return a record as exported: every field that has a value, in contract order."""
    data = record.export_dict()
    return {k: v for k, v in data.items() if v is not None}


def write_jsonl(records: Iterable[CaseRecord], out: io.TextIOBase) -> int:
    count = 0
    for record in records:
        out.write(json.dumps(record_json(record), ensure_ascii=False) + "\n")
        count += 1
    return count


def _join(items: list, keys: tuple[str, ...] | None = None) -> str:
    if not items:
        return ""
    if keys is None:
        parts = [str(i) for i in items]
    else:
        parts = ["|".join(_cell(item.get(k)) for k in keys) for item in items]
    unsafe = any(";" in p or (keys is None and p.startswith("[")) for p in parts)
    if keys is not None:
        unsafe = unsafe or any(
            "|" in _cell(item.get(k)) or ";" in _cell(item.get(k)) for item in items for k in keys
        )
    return json.dumps(items, ensure_ascii=False) if unsafe else ";".join(parts)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value)) if abs(value) < 1e15 else repr(value)
    return str(value)


def escape_formula(cell: str) -> str:
    """Return a CSV cell that no spreadsheet runs as a formula (`unescape_formula` undoes it).

    A plain number (a negative latitude) is no formula and stays as it is."""
    if (cell.startswith(FORMULA_START) and not _NUMBER.fullmatch(cell)) or (
        cell[:1] == "'" and cell[1:].startswith(_QUOTED)
    ):
        return "'" + cell
    return cell


def unescape_formula(cell: Any) -> Any:
    """Undo `escape_formula`: drop the quote it put before a formula character or a quote."""
    if isinstance(cell, str) and cell[:1] == "'" and cell[1:].startswith(_QUOTED):
        return cell[1:]
    return cell


_QUOTED = (*FORMULA_START, "'")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?")


def record_row(record: CaseRecord) -> dict[str, str]:
    """Return a record as one CSV row with the contract's column names, formulas escaped."""
    return {key: escape_formula(cell) for key, cell in _plain_row(record).items()}


def _plain_row(record: CaseRecord) -> dict[str, str]:
    data = record.export_dict()
    row = {}
    for key in COLUMNS:
        value = data.get(key)
        if key in LIST_COLUMNS:
            row[key] = _join(value or [])
        elif key in OBJECT_COLUMNS:
            row[key] = _join(value or [], OBJECT_COLUMNS[key])
        elif isinstance(value, bool):
            row[key] = "true" if value else "false"
        else:
            row[key] = _cell(value)
    return row


def write_csv(records: Iterable[CaseRecord], out: io.TextIOBase) -> int:
    # CRLF (RFC 4180): the writer then quotes a cell holding a CR as well as one holding a LF.
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    count = 0
    for record in records:
        writer.writerow(record_row(record))
        count += 1
    return count
