"""The submit form: its state (every field as typed, repeatable rows), row actions, and the
record it makes, with one message per field in the reader's language."""

import re
from collections.abc import Callable, Mapping
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from kb.schemas import CaseRecord

SCALARS = (
    "id",
    "title",
    "summary",
    "description",
    "language",
    "application",
    "country",
    "city",
    "lat",
    "lon",
    "year",
    "rtm_tonnes",
    "tyres_equivalent",
    "area_m2",
    "length_km",
    "gpp",
    "scope",
)
INTEGERS = ("year", "tyres_equivalent")
FLOATS = ("lat", "lon", "rtm_tonnes", "area_m2", "length_km")
ROWS = {
    "organisations": ("name", "role"),
    "benefits": ("metric", "value", "unit"),
    "sources": ("url",),
}
MAX_ROWS = 50
_ROW_NAME = re.compile(r"^(organisations|benefits|sources)-(\d{1,2})-([a-z]+)$")
_ACTION = re.compile(r"^(add|remove)-(organisations|benefits|sources)(?:-(\d{1,2}))?$")

Gettext = Callable[[str], str]


class CaseForm(BaseModel):
    """What the form prints: the values as typed, so nothing is lost on an error."""

    values: dict[str, str] = Field(default_factory=dict)
    rtm_types: list[str] = Field(default_factory=list)
    rows: dict[str, list[dict[str, str]]] = Field(default_factory=dict)
    version: int | None = None
    revision_version: int | None = None
    focus: str | None = None  # the input to focus after a row was added

    def value(self, name: str) -> str:
        return self.values.get(name, "")


def _number_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def blank_form(*, language: str) -> CaseForm:
    form = CaseForm(values={"language": language})
    pad_rows(form)
    return form


def form_from_record(
    record: CaseRecord, *, version: int | None, revision_version: int | None = None
) -> CaseForm:
    """Return the form showing a record."""
    data = record.model_dump(mode="json")
    values = {name: _number_text(data.get(name)) for name in SCALARS if name != "gpp"}
    values["gpp"] = "" if record.gpp is None else ("yes" if record.gpp else "no")
    rows = {
        "organisations": [{"name": o["name"], "role": o["role"]} for o in data["organisations"]],
        "benefits": [
            {"metric": b["metric"], "value": _number_text(b["value"]), "unit": b["unit"] or ""}
            for b in data["benefits"]
        ],
        "sources": [{"url": url} for url in data["sources"]],
    }
    form = CaseForm(
        values=values,
        rtm_types=list(record.rtm_types),
        rows=rows,
        version=version,
        revision_version=revision_version,
    )
    pad_rows(form)
    return form


def _int_or_none(text: str | None) -> int | None:
    try:
        return int(text) if text not in (None, "") else None
    except ValueError:
        return None


def form_from_post(post: Mapping[str, Any], rtm_types: list[str]) -> CaseForm:
    """Return the form as the browser sent it."""
    values = {name: str(post.get(name, "")).strip() for name in SCALARS}
    values["description"] = str(post.get("description", "")).rstrip()
    found: dict[str, dict[int, dict[str, str]]] = {name: {} for name in ROWS}
    for key in post:
        match = _ROW_NAME.match(key)
        if match and match[3] in ROWS[match[1]]:
            found[match[1]].setdefault(int(match[2]), {})[match[3]] = str(post[key]).strip()
    rows = {
        name: [{part: by_index[i].get(part, "") for part in ROWS[name]} for i in sorted(by_index)][
            :MAX_ROWS
        ]
        for name, by_index in found.items()
    }
    return CaseForm(
        values=values,
        rtm_types=[str(t) for t in rtm_types],
        rows=rows,
        version=_int_or_none(post.get("version")),
        revision_version=_int_or_none(post.get("revision_version")),
    )


def _blank(row: dict[str, str]) -> bool:
    return not any(v.strip() for v in row.values())


def pad_rows(form: CaseForm) -> None:
    """Show at least one (empty) row of each kind."""
    for name, parts in ROWS.items():
        if not form.rows.get(name):
            form.rows[name] = [dict.fromkeys(parts, "")]


def apply_row_action(form: CaseForm, action: str) -> bool:
    """Add or remove a row when the action asks for it; return whether it did."""
    match = _ACTION.match(action or "")
    if not match:
        return False
    kind, name = match[1], match[2]
    rows = form.rows.setdefault(name, [])
    if kind == "add":
        if len(rows) < MAX_ROWS:
            rows.append(dict.fromkeys(ROWS[name], ""))
            form.focus = f"{name}-{len(rows) - 1}-{ROWS[name][0]}"
    elif match[3] is not None and int(match[3]) < len(rows):
        del rows[int(match[3])]
        form.focus = f"add-{name}"
    pad_rows(form)
    return True


def _parse_number(text: str, integer: bool) -> float | int:
    cleaned = text.replace("\u00a0", "").replace(" ", "")
    if "," in cleaned:
        # A comma is a decimal point where no point is written, else a thousands separator.
        cleaned = cleaned.replace(",", "") if "." in cleaned else cleaned.replace(",", ".")
    return int(cleaned) if integer else float(cleaned)


def form_record(
    form: CaseForm, *, case_id: str | None, gettext: Gettext
) -> tuple[CaseRecord | None, dict[str, str]]:
    """Return the record the form describes, or the errors keyed by input name."""
    _ = gettext
    errors: dict[str, str] = {}
    for name, rows in form.rows.items():
        form.rows[name] = [row for row in rows if not _blank(row)]
    data: dict[str, Any] = {}
    for name in SCALARS:
        text = form.value(name)
        if name == "gpp":
            data["gpp"] = {"yes": True, "no": False}.get(text)
        elif name in INTEGERS or name in FLOATS:
            if text:
                try:
                    data[name] = _parse_number(text, name in INTEGERS)
                except ValueError:
                    errors[name] = (
                        _("Enter a whole number, without separators.")
                        if name in INTEGERS
                        else _("Enter a number, such as 12.5.")
                    )
        elif text:
            data[name] = text
    data["id"] = case_id or data.get("id")
    data["rtm_types"] = form.rtm_types
    data["organisations"] = form.rows.get("organisations", [])
    benefits = []
    for i, row in enumerate(form.rows.get("benefits", [])):
        try:
            value: Any = _parse_number(row["value"], False) if row["value"] else None
        except ValueError:
            errors[f"benefits-{i}-value"] = _("Enter a number, such as 12.5.")
            value = 0
        benefits.append({**row, "value": value})
    data["benefits"] = benefits
    data["sources"] = [row["url"] for row in form.rows.get("sources", [])]
    record = None
    try:
        record = CaseRecord.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            errors.setdefault(_input_name(error), message_for(error, _))
    pad_rows(form)
    return (record, {}) if record is not None and not errors else (None, errors)


def _input_name(error: dict) -> str:
    loc = list(error["loc"])
    if not loc:
        return "lon" if "lon is missing" in error["msg"] else "lat"
    if loc[0] == "sources" and len(loc) > 1:
        return f"sources-{loc[1]}-url"
    if loc[0] in ("organisations", "benefits") and len(loc) > 2:
        return f"{loc[0]}-{loc[1]}-{loc[2]}"
    return str(loc[0])


def message_for(error: dict, _: Gettext) -> str:
    kind, ctx = error["type"], error.get("ctx") or {}
    if kind == "missing" or (kind == "string_too_short" and ctx.get("min_length") == 1):
        return _("Fill in this field.")
    if kind == "string_too_short":
        return _("Enter at least %(n)s characters.") % {"n": ctx.get("min_length")}
    if kind == "string_too_long":
        return _("Enter at most %(n)s characters.") % {"n": ctx.get("max_length")}
    if kind == "literal_error":
        return _("Choose one of the options.")
    if kind == "too_short":
        return _("Choose at least one.")
    if kind == "too_long":
        return _("There are too many entries.")
    if kind in ("greater_than_equal", "greater_than"):
        return _("Enter a number of at least %(n)s.") % {"n": ctx.get("ge", ctx.get("gt"))}
    if kind in ("less_than_equal", "less_than"):
        return _("Enter a number of at most %(n)s.") % {"n": ctx.get("le", ctx.get("lt"))}
    if kind.startswith("url"):
        return _("Enter a full web address starting with https:// or http://.")
    if kind == "string_pattern_mismatch":
        return _("Use only letters, digits, dots, hyphens and underscores.")
    if kind in ("finite_number", "float_parsing", "int_parsing", "float_type", "int_type"):
        return _("Enter a number, such as 12.5.")
    return str(error["msg"]).removeprefix("Value error, ")
