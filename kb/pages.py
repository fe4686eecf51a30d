"""Page models of the knowledge base: what each page prints, with every link made here."""

from urllib.parse import urlencode

from pydantic import BaseModel

from kb.codes import country_name
from kb.schemas import CaseQuery, CaseSearchResult
from kb.taxonomy import Taxonomy

LIST_PARAMS = {"application": "application", "rtm_types": "rtm", "country": "country"}
MAX_FACET_VALUES = 30


class FacetValue(BaseModel):
    value: str
    label: str
    count: int
    selected: bool
    url: str


class Facet(BaseModel):
    name: str
    param: str
    values: list[FacetValue]


class Chip(BaseModel):
    label: str
    remove_url: str


class PageLink(BaseModel):
    number: int
    url: str
    current: bool


class CasesPage(BaseModel):
    query: CaseQuery
    result: CaseSearchResult
    facets: list[Facet]
    chips: list[Chip]
    pages: list[PageLink]
    prev_url: str | None
    next_url: str | None
    clear_url: str
    suggestion_url: str | None
    export_csv_url: str
    export_jsonl_url: str
    map_url: str  # every result's location as JSON (kb.web.cases_map), for the map
    stats_url: str  # the figures of every result (kb.stats)
    feed_url: str = ""  # the newest matches as Atom (kb.web_feeds.cases_feed)
    labels: dict[str, dict[str, str]]
    last_page_url: str | None = None  # set when the page asked for is past the last one
    by_quantity: bool = False  # sorted by tonnes: quantities shown, undeclared ones last
    # The search's filters and words as the hidden fields of its follow form (kb.follows).
    follow_fields: list[tuple[str, str]] = []
    sign_in_url: str = "/login"  # back to this search once signed in, to follow it


def query_params(query: CaseQuery, **changes) -> list[tuple[str, str]]:
    """Return the query string pairs of a search, leaving defaults out."""
    data = query.model_dump()
    data.update(changes)
    pairs: list[tuple[str, str]] = []
    if data["q"]:
        pairs.append(("q", data["q"]))
    for field in ("application", "rtm", "country"):
        pairs.extend((field, v) for v in data[field])
    for field in ("year_min", "year_max"):
        if data[field] is not None:
            pairs.append((field, str(data[field])))
    if data["gpp"] is not None:
        pairs.append(("gpp", "true" if data["gpp"] else "false"))
    if data["sort"] != "relevance":
        pairs.append(("sort", data["sort"]))
    if data["page"] != 1:
        pairs.append(("page", str(data["page"])))
    if data["per_page"] != 20:
        pairs.append(("per_page", str(data["per_page"])))
    return pairs


def url_for(path: str, query: CaseQuery, **changes) -> str:
    pairs = query_params(query, **changes)
    return f"{path}?{urlencode(pairs)}" if pairs else path


def _toggle(values: list[str], value: str) -> list[str]:
    return [v for v in values if v != value] if value in values else [*values, value]


def facet_label(taxonomy: Taxonomy, facet: str, value: str, locale: str) -> str:
    if facet == "application":
        return taxonomy.label("applications", value, locale)
    if facet == "rtm_types":
        return taxonomy.label("rtm_types", value, locale)
    if facet == "country":
        return country_name(value, locale)
    return value


def build_cases_page(
    *,
    query: CaseQuery,
    result: CaseSearchResult,
    taxonomy: Taxonomy,
    locale: str,
    path: str = "/cases",
) -> CasesPage:
    """Turn a search result into the page: facet toggles, chips, pagination, the map's URL."""
    facets = []
    for name, param in LIST_PARAMS.items():
        selected = getattr(query, param)
        counts = dict(result.facets.get(name, {}))
        for value in selected:
            counts.setdefault(value, 0)
        ordered = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:MAX_FACET_VALUES]
        values = [
            FacetValue(
                value=value,
                label=facet_label(taxonomy, name, value, locale),
                count=count,
                selected=value in selected,
                url=url_for(path, query, **{param: _toggle(selected, value), "page": 1}),
            )
            for value, count in ordered
        ]
        facets.append(Facet(name=name, param=param, values=values))
    years = sorted(result.facets.get("year", {}).items(), key=lambda kv: kv[0], reverse=True)
    facets.append(
        Facet(
            name="year",
            param="year",
            values=[
                FacetValue(
                    value=y,
                    label=y,
                    count=c,
                    selected=query.year_min == query.year_max == int(y),
                    url=url_for(path, query, year_min=None, year_max=None, page=1)
                    if query.year_min == query.year_max == int(y)
                    else url_for(path, query, year_min=int(y), year_max=int(y), page=1),
                )
                for y, c in years[:MAX_FACET_VALUES]
                if y.lstrip("-").isdigit()
            ],
        )
    )

    chips = []
    if query.q:
        chips.append(Chip(label=f"“{query.q}”", remove_url=url_for(path, query, q="", page=1)))
    for name, param in LIST_PARAMS.items():
        for value in getattr(query, param):
            chips.append(
                Chip(
                    label=facet_label(taxonomy, name, value, locale),
                    remove_url=url_for(
                        path, query, **{param: _toggle(getattr(query, param), value), "page": 1}
                    ),
                )
            )
    if query.year_min is not None or query.year_max is not None:
        span = f"{query.year_min or '…'}–{query.year_max or '…'}"
        if query.year_min == query.year_max:
            span = str(query.year_min)
        chips.append(
            Chip(label=span, remove_url=url_for(path, query, year_min=None, year_max=None, page=1))
        )
    if query.gpp is not None:
        chips.append(
            Chip(
                label="GPP" if query.gpp else "no GPP",
                remove_url=url_for(path, query, gpp=None, page=1),
            )
        )

    last = max(1, -(-result.total // query.per_page))
    window = range(max(1, query.page - 3), min(last, query.page + 3) + 1)
    numbers = sorted({1, last, *window})
    pages = [
        PageLink(number=n, url=url_for(path, query, page=n), current=n == query.page)
        for n in numbers
    ]
    return CasesPage(
        query=query,
        result=result,
        facets=facets,
        chips=chips,
        pages=pages if last > 1 else [],
        prev_url=url_for(path, query, page=query.page - 1) if query.page > 1 else None,
        next_url=url_for(path, query, page=query.page + 1) if query.page < last else None,
        clear_url=path,
        suggestion_url=url_for(path, query, q=result.suggestion, page=1)
        if result.suggestion
        else None,
        export_csv_url=url_for(f"{path}/export.csv", query, page=1),
        export_jsonl_url=url_for(f"{path}/export.jsonl", query, page=1),
        map_url=url_for(f"{path}/map.json", query, page=1, per_page=20),
        stats_url=url_for("/stats", query, page=1, per_page=20, sort="relevance"),
        feed_url=url_for(f"{path}/feed.atom", query, page=1, per_page=20, sort="relevance"),
        last_page_url=url_for(path, query, page=last)
        if result.total and query.page > last
        else None,
        by_quantity=query.sort == "tonnes_desc",
        follow_fields=query_params(query, sort="relevance", page=1, per_page=20),
        sign_in_url="/login?" + urlencode({"next": url_for(path, query)}),
        labels={
            "applications": {c: t.label(locale) for c, t in taxonomy.applications.items()},
            "rtm_types": {c: t.label(locale) for c, t in taxonomy.rtm_types.items()},
        },
    )
