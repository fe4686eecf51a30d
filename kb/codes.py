"""The fixed codes of the public contract and the ISO code lists used to check records."""

from functools import cache

from babel import Locale

APPLICATIONS = (
    "road-pavement",
    "road-safety",
    "rail-vibration",
    "noise-barrier",
    "concrete",
    "building-insulation",
    "flooring",
    "playground",
    "sports-surface",
    "artificial-turf",
    "street-furniture",
    "civil-engineering",
    "other",
)
RTM_TYPES = (
    "rubber-powder",
    "rubber-granulate",
    "rubber-chips",
    "rubber-shreds",
    "whole-tyres",
    "steel-fibre",
    "textile-fibre",
    "reclaimed-rubber",
    "recovered-carbon-black",
)
# What a case's figures cover: one work, or a scheme's, region's or country's total over many
# works (some of which the catalogue may list on their own).
SCOPES = ("project", "programme")
ORG_ROLES = ("contracting-authority", "contractor", "supplier", "recycler", "research")
ORG_TYPES = ("recycler", "manufacturer", "contractor", "public-authority", "research", "other")
UI_LANGUAGES = ("en", "it", "pl", "es", "fr", "el", "sl")


@cache
def iso_languages() -> frozenset[str]:
    """Return the ISO 639-1 codes (two letters) that Babel knows."""
    return frozenset(code for code in Locale("en").languages if len(code) == 2 and code.isalpha())


@cache
def iso_countries() -> frozenset[str]:
    """Return the ISO 3166-1 alpha-2 codes that Babel knows (no regions, no placeholders)."""
    return frozenset(
        code
        for code in Locale("en").territories
        if len(code) == 2
        and code.isalpha()
        and code not in {"ZZ", "QO", "EU", "EZ", "UN", "XA", "XB", "XK"}
    )


def country_name(code: str, locale: str = "en") -> str:
    """Return the country's name in the given locale, or the code when unknown."""
    try:
        return Locale.parse(locale).territories.get(code, code)
    except (ValueError, TypeError):
        return code


def language_name(code: str, locale: str = "en") -> str:
    """Return the language's name in the given locale, or the code when unknown."""
    try:
        return Locale.parse(locale).languages.get(code, code)
    except (ValueError, TypeError):
        return code
