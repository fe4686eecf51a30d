"""The annex on the market: the published case studies of the spec's application (the buyer's
country's first), the organisations that supplied them, and the suppliers whose approved
profile offers the criteria's materials in the buyer's country (with the day of the list)."""

from gpp.exporters import labels as L
from gpp.exporters.labels import Translate, fmt_date, fmt_number, one_line, txt
from gpp.exporters.model import Annex, Link, Table
from kb import codes as kb_codes


def case_table(cases: list[dict], _: Translate, lang: str) -> Table:
    return Table(
        header=[_("Case study"), _("Country"), _("Year"), _("Link")],
        rows=[
            [
                one_line(c.get("title") or c.get("id")),
                kb_codes.country_name(txt(c.get("country")), lang) if c.get("country") else "",
                txt(c.get("year") or ""),
                Link(txt(c.get("url")), txt(c.get("url"))) if c.get("url") else "",
            ]
            for c in cases
        ],
        widths=(48, 15, 10, 27),
    )


def _certificates(supplier: dict, _: Translate, lang: str) -> str:
    """Each certificate in one line: name, issuer, validity, and a flag when expired."""
    out = []
    for c in supplier.get("certificates") or []:
        text = one_line(c.get("name"))
        if c.get("issuer"):
            text += f", {one_line(c['issuer'])}"
        if c.get("valid_to"):
            text += " (" + _("valid until %(date)s", date=fmt_date(c["valid_to"], lang)) + ")"
        if c.get("expired"):
            text += " - " + _("EXPIRED")
        elif c.get("expires_soon"):
            text += " - " + _("expires soon")
        out.append(text)
    return "; ".join(out)


def supplier_table(market: dict, _: Translate, lang: str) -> tuple[str, Table] | None:
    """The suppliers serving the buyer's country with the criteria's materials, with the day of
    the list; None for a spec made before suppliers were listed."""
    if not market.get("suppliers_as_of"):
        return None
    labels = market.get("material_labels") or {}
    day = fmt_date(market["suppliers_as_of"], lang)
    here = txt(market.get("country") or "")
    title = (
        _(
            "Suppliers serving %(country)s with this material (list of %(date)s)",
            country=kb_codes.country_name(here, lang),
            date=day,
        )
        if here
        else _("Suppliers of this material (list of %(date)s)", date=day)
    )
    rows = [
        [
            one_line(s.get("name")),
            ", ".join(labels.get(m, m) for m in s.get("rtm_offered") or []),
            _certificates(s, _, lang),
            Link(txt(s.get("url")), txt(s.get("url"))) if s.get("url") else "",
        ]
        for s in market.get("suppliers") or []
    ]
    if not rows:
        rows = [
            [
                _("No organisation profile in the catalogue offers this material here yet."),
                "",
                "",
                "",
            ]
        ]
    return title, Table(
        header=[_("Organisation"), _("Materials"), _("Certificates"), _("Link")],
        rows=rows,
        widths=(25, 20, 35, 20),
    )


def market_annex(spec: dict, _: Translate, lang: str) -> Annex:
    market = spec.get("market_evidence") or {}
    countries = [kb_codes.country_name(txt(c), lang) for c in market.get("countries") or []]
    cases = market.get("case_list") or []
    here = txt(market.get("country") or "")
    place = kb_codes.country_name(here, lang) if here else ""
    by_place: list[tuple[str, str]] = []
    if here:  # the buyer's country's cases first (they come first in case_list)
        split = int(market.get("in_country") or 0)
        by_place = [
            (_("In %(country)s", country=place), fmt_number(split, lang)),
            (_("In other countries"), fmt_number(len(cases) - split, lang)),
        ]
        groups = [
            (_("Case studies in %(country)s", country=place), cases[:split]),
            (_("Case studies in other countries"), cases[split:]),
        ]
    else:
        groups = [(_("Case studies"), cases)]
    tables: list[tuple[str, Table]] = [
        (title, case_table(chosen, _, lang)) for title, chosen in groups if chosen
    ]
    orgs = market.get("organisations") or []
    if orgs:
        tables.append(
            (
                _("Organisations"),
                Table(
                    header=[_("Organisation"), _("Role")],
                    rows=[
                        [one_line(o.get("name")), L.role_label(_, o.get("role") or "")]
                        for o in orgs
                    ],
                    widths=(65, 35),
                ),
            )
        )
    suppliers = supplier_table(market, _, lang)
    if suppliers:
        tables.append(suppliers)
    count = market.get("cases", len(cases))
    return Annex(
        heading=_("Annex 2: Market evidence"),
        intro=_(
            "Published case studies in the RE-PLAN City Life catalogue show where recycled "
            "tyre materials are already used for this application. They help in preliminary "
            "market consultation and in answering questions on availability."
        ),
        facts=[(_("Published case studies"), fmt_number(count or 0, lang)), *by_place]
        + ([(_("Countries"), ", ".join(countries))] if countries else []),
        tables=tables,
        empty=""
        if count
        else _("The catalogue has no published case study for this application yet."),
    )
