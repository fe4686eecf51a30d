"""Procurers follow the criteria of their own specifications: when the library holds a newer
version of a criterion one of their specs was issued with, their next digest says what changed
(title, text with their spec's parameter values, verification), old against new, in the spec's
language, with a link to each spec concerned.

Automatic for every procurer who owns a spec (`automatic`); they turn it off on the account page
or with the digest's unsubscribe link. The follow remembers which version of each criterion it
has told (`query["told"]`), so each new version is told once."""

import difflib
import re

from sqlalchemy import select
from sqlalchemy.orm import Session

from gpp.library import Criterion, Library
from gpp.models import Spec
from gpp.service.criteria import spec_criterion
from replan import i18n
from replan.auth_models import User
from replan.follows.kinds import Change, Digest, DigestItem, FollowKind
from replan.follows.models import Follow
from replan.i18n import N_

NAME = "criteria"
SUBJECT = N_("New versions of criteria in your specifications (%(n)s)")
INTRO = N_("The criteria library has new versions of criteria your specifications use:")
LABEL = N_("New versions of the criteria in my specifications")
TITLE = N_("%(title)s: version %(old)s → %(new)s")
USED_IN = N_("Used in: %(specs)s")
FIELDS = (("title", N_("Title")), ("text", N_("Text")), ("verification", N_("Verification")))
SENTENCE = re.compile(r"(?<=[.;:!?])\s+|\n+")


def _pieces(name: str, snapshot: dict) -> list[str]:
    """Return a field of a criterion's snapshot as the pieces a diff compares (sentences)."""
    if name == "verification":
        return [
            f"{v.get('evidence', '')} ({v.get('phase', '')}): {v.get('how_to_check', '')}"
            for v in snapshot.get("verification") or []
        ]
    return [p for p in SENTENCE.split(str(snapshot.get(name) or "")) if p.strip()]


def diff_lines(old: list[str], new: list[str]) -> tuple[tuple[str, str], ...]:
    """Return a readable diff of two lists of pieces: kept " ", taken out "-", put in "+"."""
    lines: list[tuple[str, str]] = []
    for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=old, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            lines += [(" ", p) for p in old[a1:a2]]
            continue
        lines += [("-", p) for p in old[a1:a2]]
        lines += [("+", p) for p in new[b1:b2]]
    return tuple(lines)


def changes(old: dict, new: dict, locale: str) -> tuple[Change, ...]:
    """Return the fields of a criterion's spec text that differ, each as a diff."""
    _ = i18n.translator(locale)
    found = []
    for name, label in FIELDS:
        before, after = _pieces(name, old), _pieces(name, new)
        if before != after:
            found.append(Change(field=_(label), lines=diff_lines(before, after)))
    return tuple(found)


def current_snapshot(spec: Spec, criterion: Criterion, library: Library) -> dict:
    """Return the criterion's current version as the spec would issue it (its values kept)."""
    given = (spec.inputs.get("parameters") or {}).get(criterion.id) or {}
    values = {name: given.get(name, p.default) for name, p in criterion.parameters.items()}
    points = (spec.inputs.get("award_points") or {}).get(criterion.id, criterion.award_points)
    localised = library.localised(criterion, spec.language)
    return spec_criterion(localised, values, points, spec.language, spec.country)


def _outdated(session: Session, user: User, library: Library, told: dict) -> dict[str, dict]:
    """Return, per criterion, its specs issued with an older version not yet told, newest first."""
    found: dict[str, dict] = {}
    specs = session.scalars(
        select(Spec).where(Spec.owner_id == user.id).order_by(Spec.created_at.desc(), Spec.id)
    )
    for spec in specs:
        for section in spec.content.get("sections") or []:
            for old in section.get("criteria") or []:
                current = library.criteria.get(old.get("id"))
                if current is None or current.version <= int(old.get("version") or 0):
                    continue
                if int(told.get(current.id, 0)) >= current.version:
                    continue
                entry = found.setdefault(current.id, {"old": old, "specs": []})
                entry["criterion"] = current
                entry["specs"].append(spec)
    return found


def kind(*, library: Library) -> FollowKind:
    """Return the kind of follow that tells procurers about new versions of their criteria."""

    def describe(stored: dict, locale: str) -> str:
        return i18n.translator(locale)(LABEL)

    def automatic(session: Session) -> list[int]:
        return list(
            session.scalars(
                select(Spec.owner_id)
                .join(User, User.id == Spec.owner_id)
                .where(User.role.in_(("procurer", "admin")), User.is_active.is_(True))
                .distinct()
            )
        )

    def collect(session: Session, follow: Follow, user: User) -> Digest | None:
        told = dict((follow.query or {}).get("told") or {})
        found = _outdated(session, user, library, told)
        if not found:
            return None
        _ = i18n.translator(follow.locale)
        items = []
        for criterion_id, entry in found.items():
            criterion, old, specs = entry["criterion"], entry["old"], entry["specs"]
            new = current_snapshot(specs[0], criterion, library)
            title = _(TITLE, title=new["title"], old=old.get("version"), new=criterion.version)
            items.append(
                DigestItem(
                    title=title,
                    url=f"/specs/{specs[0].id}",
                    text=_(USED_IN, specs=", ".join(s.title for s in specs)),
                    changes=changes(old, new, follow.locale),
                    links=tuple((s.title, f"/specs/{s.id}") for s in specs[1:]),
                )
            )
            told[criterion_id] = criterion.version
        return Digest(items=items, query={"told": told})

    return FollowKind(
        name=NAME,
        subject=SUBJECT,
        intro=INTRO,
        describe=describe,
        url=lambda stored: "/specs",
        collect=collect,
        automatic=automatic,
        frequencies=("daily", "weekly"),
    )
