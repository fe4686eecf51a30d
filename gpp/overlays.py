"""Translation overlays of the criteria library: `i18n/<lang>/<group>.yaml` next to the criteria.

An overlay file maps criterion ids to translated `title`, `text`, `rationale`, parameter
`label`s and `verification` items (`evidence`, `how_to_check`, `who`, in the criterion's order).
Anything left out stays English. A translated text must keep exactly the criterion's
`{placeholders}`: the values are filled in the same way in every language."""

from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from gpp.library import Criterion, check_placeholders
from replan.data_files import DataFileError, load_yaml
from replan.i18n import LANGUAGES

if TYPE_CHECKING:
    from gpp.library import Library


class _Overlay(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class ParameterOverlay(_Overlay):
    label: str = Field(min_length=1)


class VerificationOverlay(_Overlay):
    evidence: str | None = Field(None, min_length=1)
    how_to_check: str | None = Field(None, min_length=1)
    who: str | None = Field(None, min_length=1)


class CriterionOverlay(_Overlay):
    title: str | None = Field(None, min_length=3)
    text: str | None = Field(None, min_length=10)
    rationale: str | None = Field(None, min_length=10)
    parameters: dict[str, ParameterOverlay] = Field(default_factory=dict)
    verification: list[VerificationOverlay] = Field(default_factory=list)


def check_overlay(overlay: CriterionOverlay, criterion: Criterion) -> list[str]:
    """Return what does not fit the criterion: field and message pairs joined as 'field: msg'."""
    problems = []
    if overlay.text is not None:
        try:
            check_placeholders(overlay.text, set(criterion.parameters))
        except ValueError as exc:
            problems.append(f"text: {exc} (keep the English placeholders)")
    for name in overlay.parameters:
        if name not in criterion.parameters:
            problems.append(f"parameters.{name}: the criterion has no such parameter")
    if overlay.verification and len(overlay.verification) != len(criterion.verification):
        problems.append(
            f"verification: {len(overlay.verification)} item(s) given, the criterion "
            f"has {len(criterion.verification)}"
        )
    return problems


def apply_overlay(criterion: Criterion, overlay: CriterionOverlay) -> Criterion:
    """Return the criterion with the overlay's translations in place of the English texts."""
    update: dict = {
        k: v for k in ("title", "text", "rationale") if (v := getattr(overlay, k)) is not None
    }
    if overlay.parameters:
        update["parameters"] = {
            name: p.model_copy(update={"label": overlay.parameters[name].label})
            if name in overlay.parameters
            else p
            for name, p in criterion.parameters.items()
        }
    if overlay.verification:
        update["verification"] = [
            item.model_copy(update=t.model_dump(exclude_none=True))
            for item, t in zip(criterion.verification, overlay.verification, strict=True)
        ]
    return criterion.model_copy(update=update)


def _load_overlay_file(
    path: Path, where: str, group: str, library: "Library"
) -> tuple[dict[str, CriterionOverlay], list[str]]:
    try:
        raw = load_yaml(path) or {}
    except (OSError, DataFileError) as exc:
        return {}, [f"{where}: not readable YAML: {exc}"]
    if isinstance(raw, dict) and isinstance(raw.get("criteria"), dict):
        raw = raw["criteria"]  # a file may carry a header (language, library_version) around them
    if not isinstance(raw, dict):
        return {}, [f"{where}: field (the file): expected a mapping of criterion ids"]
    found: dict[str, CriterionOverlay] = {}
    problems: list[str] = []
    for criterion_id, data in raw.items():
        criterion = library.criteria.get(str(criterion_id))
        if criterion is None or criterion.group != group:
            why = "unknown criterion" if criterion is None else f"it belongs to {criterion.group}"
            problems.append(f"{where}: criterion {criterion_id}: field id: {why}")
            continue
        try:
            overlay = CriterionOverlay.model_validate(data or {})
        except ValidationError as exc:
            problems.extend(
                f"{where}: criterion {criterion_id}: field "
                f"{'.'.join(str(p) for p in e['loc']) or '(the criterion)'}: {e['msg']}"
                for e in exc.errors()
            )
            continue
        problems.extend(
            f"{where}: criterion {criterion_id}: field {p}"
            for p in check_overlay(overlay, criterion)
        )
        found[criterion.id] = overlay
    return found, problems


def load_overlays(
    directory: Path, library: "Library"
) -> tuple[dict[str, dict[str, CriterionOverlay]], list[str]]:
    """Load every language's overlays; return them by language and criterion id, and problems."""
    overlays: dict[str, dict[str, CriterionOverlay]] = {}
    problems: list[str] = []
    if not directory.is_dir():
        return overlays, problems
    for lang_dir in sorted(p for p in directory.iterdir() if p.is_dir()):
        lang = lang_dir.name
        if lang not in LANGUAGES:
            problems.append(
                f"{directory.name}/{lang}: not one of the languages {', '.join(LANGUAGES)}"
            )
            continue
        for path in sorted(lang_dir.glob("*.yaml")):
            where = f"{directory.parent.name}/{directory.name}/{lang}/{path.name}"
            if path.stem not in library.groups:
                problems.append(f"{where}: no product group '{path.stem}' in the library")
                continue
            found, bad = _load_overlay_file(path, where, path.stem, library)
            overlays.setdefault(lang, {}).update(found)
            problems.extend(bad)
    return overlays, problems
