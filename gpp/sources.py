"""Which sources a tender document may cite: official publishers only.

A specification is legal text: it cites the official journal (EUR-Lex, Gazzetta Ufficiale,
Légifrance, BOE, the Polish, Greek, Slovenian and Latvian official publications), the ministry's
page or a standards body's catalogue. Any other reference in the library (a transcription, a
trade summary) is marked `maintainers_only` and never printed."""

from urllib.parse import urlsplit

# Host names (and their sub-domains) of official publishers.
OFFICIAL_HOSTS = (
    "europa.eu",  # EUR-Lex, ELI (data.europa.eu), the Commission, ECHA, TED
    "gazzettaufficiale.it",  # Gazzetta Ufficiale della Repubblica Italiana
    "normattiva.it",
    "mase.gov.it",  # Italian ministry of the environment: the CAM pages
    "legifrance.gouv.fr",
    "boe.es",
    "isap.sejm.gov.pl",  # Polish legal acts (Dziennik Ustaw)
    "dziennikustaw.gov.pl",
    "et.gr",  # Greek National Printing Office (ΦΕΚ)
    "uradni-list.si",  # Uradni list Republike Slovenije
    "pisrs.si",
    "likumi.lv",  # Latvijas Vēstnesis, official publisher of Latvian law
    "legislation.gov.uk",
    "gov.uk",
    "rijkswaterstaat.nl",
    # standards bodies' catalogues
    "cencenelec.eu",
    "iso.org",
    "bsigroup.com",
    "din.de",
    "uni.com",
    "une.org",
    "aenor.com",
    "afnor.org",
    "pkn.pl",
    "elot.gr",
    "sist.si",
    "standards.ie",
    "evs.ee",
)
# Official repositories on a shared host: host and path prefix.
OFFICIAL_PREFIXES = (("github.com", "/OP-TED/"),)


def is_official(url: str | None) -> bool:
    """True when a URL belongs to an official publisher (a reference without URL is a citation)."""
    if not url:
        return True
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if any(host == h or host.endswith("." + h) for h in OFFICIAL_HOSTS):
        return True
    return any(host == h and parts.path.startswith(p) for h, p in OFFICIAL_PREFIXES)


def printable(reference: dict) -> bool:
    """True when a reference of a spec snapshot may be printed in a tender document."""
    return not reference.get("maintainers_only") and is_official(reference.get("url"))
