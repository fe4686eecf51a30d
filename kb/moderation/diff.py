"""Differences between two versions of a record, field by field, line by line (difflib)."""

import difflib
from typing import Literal

from pydantic import BaseModel

from kb.service import RECORD_FIELDS

CONTEXT = 2  # unchanged lines kept around a change in long texts


class DiffLine(BaseModel):
    op: Literal["same", "added", "removed", "skipped"]
    text: str


class FieldDiff(BaseModel):
    field: str
    lines: list[DiffLine]


def _number(value: object) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def field_lines(name: str, value: object) -> list[str]:
    """Return a field's value as lines of text, the unit the diff compares."""
    if value is None or value == "" or value == []:
        return []
    if name == "description":
        return str(value).splitlines() or [""]
    if name == "organisations":
        return [f"{o['name']} ({o['role']})" for o in value]  # type: ignore[union-attr]
    if name == "benefits":
        return [
            f"{b['metric']}: {_number(b['value'])} {b.get('unit') or ''}".rstrip() for b in value
        ]  # type: ignore[union-attr]
    if isinstance(value, list):
        return [str(v) for v in value]
    if isinstance(value, bool):
        return ["yes" if value else "no"]
    return [_number(value)]


def _collapse(lines: list[DiffLine]) -> list[DiffLine]:
    """Keep only the unchanged lines near a change; mark the rest as skipped."""
    changed = [i for i, line in enumerate(lines) if line.op != "same"]
    keep = {j for i in changed for j in range(i - CONTEXT, i + CONTEXT + 1)}
    out: list[DiffLine] = []
    for i, line in enumerate(lines):
        if line.op != "same" or i in keep:
            out.append(line)
        elif not out or out[-1].op != "skipped":
            out.append(DiffLine(op="skipped", text=""))
    return out


def diff_lines(old: list[str], new: list[str]) -> list[DiffLine]:
    """Return the lines of two texts marked as unchanged, removed or added."""
    lines: list[DiffLine] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            lines.extend(DiffLine(op="same", text=t) for t in old[i1:i2])
            continue
        lines.extend(DiffLine(op="removed", text=t) for t in old[i1:i2])
        lines.extend(DiffLine(op="added", text=t) for t in new[j1:j2])
    return _collapse(lines)


def diff_records(old: dict | None, new: dict) -> list[FieldDiff]:
    """Return the fields that differ between two records (every field when there is no old one)."""
    changes = []
    for name in RECORD_FIELDS:
        before = field_lines(name, (old or {}).get(name))
        after = field_lines(name, new.get(name))
        if before != after:
            changes.append(FieldDiff(field=name, lines=diff_lines(before, after)))
    return changes
