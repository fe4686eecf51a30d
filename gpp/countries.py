"""Country profiles: the buyer country's rules a spec must follow (`seeds/countries/*.yaml`).

A profile names the national procurement law and green-procurement rule (each fact with its source,
and a placeholder for the buyer where the project's legal review could not confirm it), which of
the library's criteria are that country's mandatory national rule (Italy: the CAM technical
specifications and contract clauses, D.Lgs. 36/2023 art. 57(2)), the BT-805 code they carry, and the
sections every spec must have (Spain: a contract clause, Ley 9/2017 art. 202.1). A buyer country
without a profile gets `default.yaml`. `check` turns the rules into the spec builder's errors."""

from collections.abc import Iterable
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from gpp import sources
from gpp.eforms import codelists
from gpp.library import Criterion
from replan import PROJECT_ROOT
from replan.data_files import DataFileError, load_yaml
from replan.errors import Invalid
from replan.i18n import N_

DIRECTORY = PROJECT_ROOT / "seeds" / "countries"
DEFAULT = "default"
ALIASES = {"EL": "GR", "UK": "GB"}  # the EU's codes for Greece and the United Kingdom
SectionType = Literal["selection", "technical_specification", "award", "contract_clause"]
MISSING = {
    "selection": N_(
        "A specification for %(country)s needs at least one selection criterion (%(rule)s)."
    ),
    "technical_specification": N_(
        "A specification for %(country)s needs at least one technical specification (%(rule)s)."
    ),
    "award": N_("A specification for %(country)s needs at least one award criterion (%(rule)s)."),
    "contract_clause": N_(
        "A specification for %(country)s needs at least one contract performance clause (%(rule)s)."
    ),
}
Topic = Literal["procurement_law", "gpp_rule", "national_criteria", "end_of_waste", "award"]


class ProfileError(ValueError):
    """A country profile cannot be used; the message names each file and field."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _has_english(value: dict[str, str]) -> dict[str, str]:
    if not value.get("en"):
        raise ValueError("needs an English text ('en'), the fallback of every language")
    return value


class Source(_Strict):
    title: str = Field(min_length=3)
    url: str | None = Field(None, pattern=r"^https?://\S+$")

    @field_validator("url")
    @classmethod
    def _official(cls, value: str | None) -> str | None:
        if value is not None and not sources.is_official(value):
            raise ValueError(f"{value} is not an official publisher (gpp.sources)")
        return value


class Fact(_Strict):
    """One legal fact printed in the legal basis; unconfirmed ones carry the buyer's placeholder."""

    topic: Topic
    text: dict[str, str]
    source: Source
    confirmed: bool = True
    buyer_sets: dict[str, str] | None = None  # what the buyer completes when not confirmed

    @field_validator("text", "buyer_sets")
    @classmethod
    def _english(cls, value: dict[str, str] | None) -> dict[str, str] | None:
        return None if value is None else _has_english(value)

    @model_validator(mode="after")
    def _placeholder(self) -> "Fact":
        if not self.confirmed and not self.buyer_sets:
            raise ValueError(
                "an unconfirmed fact needs buyer_sets: the placeholder the buyer fills"
            )
        return self

    def in_language(self, language: str) -> dict:
        """Return the fact's text, placeholder and source in a language (English when missing)."""
        return {
            "topic": self.topic,
            "text": self.text.get(language) or self.text["en"],
            "confirmed": self.confirmed,
            "buyer_sets": (self.buyer_sets.get(language) or self.buyer_sets["en"])
            if self.buyer_sets
            else None,
            "source": self.source.model_dump(),
        }


class Mandatory(_Strict):
    national_rule_types: list[SectionType] = Field(default_factory=list)
    # a mandatory criterion's confirmed min_* values stay at their default (an unconfirmed one is
    # the procurer's to enter from the decree)
    no_lower_minimums: bool = False
    rule: dict[str, str] | None = None  # the citation that makes them mandatory


class RequiredSection(_Strict):
    type: SectionType
    enforced: bool  # True: a spec without one is refused; False: the documents remind the buyer
    rule: dict[str, str]

    @field_validator("rule")
    @classmethod
    def _english(cls, value: dict[str, str]) -> dict[str, str]:
        return _has_english(value)


class Profile(_Strict):
    country: str | None = Field(None, pattern=r"^[A-Z]{2}$")  # None: the default profile
    eu_code: str | None = Field(None, pattern=r"^[A-Z]{2}$")
    names: dict[str, str]
    language: str
    bt_805: str | None = None  # BT-805 of the criteria that are this country's national rule
    mandatory: Mandatory = Mandatory()
    required_sections: list[RequiredSection] = Field(default_factory=list)
    facts: list[Fact] = Field(min_length=1)

    @field_validator("bt_805")
    @classmethod
    def _code(cls, value: str | None) -> str | None:
        return None if value is None else codelists.check(codelists.GPP_CRITERIA, value)

    def is_national_rule(self, criterion: Criterion) -> bool:
        """True when the criterion is this country's national rule (such as an Italian CAM)."""
        return self.country is not None and criterion.eforms.national_rule_of == self.country

    def is_mandatory(self, criterion: Criterion) -> bool:
        """True when a spec for this country may not leave the criterion out."""
        return (
            self.is_national_rule(criterion)
            and criterion.type in self.mandatory.national_rule_types
        )

    def bt_805_of(self, criterion: Criterion) -> str:
        """Return the criterion's BT-805 code in a spec for a buyer in this country."""
        if self.bt_805 and self.is_national_rule(criterion):
            return self.bt_805
        return criterion.eforms.bt_805

    def legal_basis(self, language: str) -> dict:
        """Return what the documents print about the country's rules, in a language."""
        rule = self.mandatory.rule or {}
        return {
            "country": self.country,
            "name": self.names.get(language) or self.names["en"],
            "facts": [f.in_language(language) for f in self.facts],
            "mandatory_rule": rule.get(language) or rule.get("en"),
            "reminders": [
                s.rule.get(language) or s.rule["en"]
                for s in self.required_sections
                if not s.enforced
            ],
        }


class Profiles:
    """Every loaded profile, by ISO 3166-1 alpha-2 code, and the default for the others."""

    def __init__(self, profiles: Iterable[Profile]) -> None:
        self.by_country = {p.country or DEFAULT: p for p in profiles}
        if DEFAULT not in self.by_country:
            raise ProfileError("countries: no default profile (default.yaml)")

    def get(self, country: str | None) -> Profile:
        """Return the profile of a buyer country (EL is Greece), the default when it has none."""
        code = (country or "").strip().upper()
        code = ALIASES.get(code, code)
        return self.by_country.get(code) or self.by_country[DEFAULT]

    def __iter__(self):
        return iter(self.by_country.values())


def load_profiles(directory: Path = DIRECTORY) -> Profiles:
    """Load and validate every profile; raise ProfileError naming each file and field."""
    problems: list[str] = []
    found: list[Profile] = []
    for path in sorted(directory.glob("*.yaml")):
        where = f"{directory.name}/{path.name}"
        try:
            profile = Profile.model_validate(load_yaml(path))
        except (OSError, DataFileError) as exc:
            problems.append(f"{where}: not readable YAML: {exc}")
            continue
        except ValidationError as exc:
            problems.extend(
                f"{where}: field {'.'.join(map(str, e['loc'])) or '(the file)'}: {e['msg']}"
                for e in exc.errors()
            )
            continue
        expected = profile.country or DEFAULT
        if path.stem != expected:
            problems.append(f"{where}: field country: '{expected}' is not the file name")
        found.append(profile)
    if problems:
        raise ProfileError("\n".join(["the country profiles have problems:", *problems]))
    return Profiles(found)


@cache
def profiles() -> Profiles:
    """Return the profiles of `seeds/countries/`, loaded once."""
    return load_profiles(DIRECTORY)


def profile_for(country: str | None) -> Profile:
    """Return the profile of a buyer country (the default profile when it has none)."""
    return profiles().get(country)


def check(
    profile: Profile,
    *,
    available: list[Criterion],
    chosen: list[Criterion],
    values: dict[str, dict[str, float]],
) -> list[Invalid]:
    """Return what breaks the buyer country's rules, each naming its field as `SpecCreate` does.

    `available` is what the library offers for the spec's application and ambition, `chosen` the
    selection, `values` its parameter values."""
    problems: list[Invalid] = []
    ids = {c.id for c in chosen}
    rule = (profile.mandatory.rule or {}).get("en") or ""
    for c in available:
        if profile.is_mandatory(c) and c.id not in ids:
            problems.append(
                Invalid(
                    N_(
                        "Criterion '%(id)s' is mandatory in a specification for %(country)s "
                        "(%(rule)s): it cannot be left out."
                    ),
                    field="criteria",
                    id=c.id,
                    country=profile.country,
                    rule=rule,
                )
            )
    if profile.mandatory.no_lower_minimums:
        for c in chosen:
            if not profile.is_mandatory(c):
                continue
            for name, p in c.parameters.items():
                value = values.get(c.id, {}).get(name, p.default)
                if name.startswith("min_") and p.confirmed and value < p.default:
                    problems.append(
                        Invalid(
                            N_(
                                "%(value)s is below %(minimum)s %(unit)s, the mandatory minimum "
                                "in a specification for %(country)s (%(rule)s)."
                            ),
                            field=f"parameters.{c.id}.{name}",
                            value=f"{value:g}",
                            minimum=f"{p.default:g}",
                            unit=p.unit,
                            country=profile.country,
                            rule=rule,
                        )
                    )
    for section in profile.required_sections:
        if section.enforced and not any(c.type == section.type for c in chosen):
            problems.append(
                Invalid(
                    MISSING[section.type],
                    field="criteria",
                    country=profile.country,
                    rule=section.rule["en"],
                )
            )
    return problems
