"""The spec as an eForms contract notice (subtype 16, eForms SDK 1.15): what a buyer's eSender
completes and sends to TED.

Each lot carries the green fields: BT-805 (green procurement criteria), BT-774 (environmental
impact), BT-06 (strategic procurement: `env-imp`), BT-809 selection criteria, BT-539/540/541/734
award criteria with their weights, BT-70 performance conditions; the buyer's name, procedure
reference (BT-22) and CPV codes (BT-262/263) come from the spec's cover. What the spec does not
know (the buyer's address, the time limits, the price criterion) is left out or marked as a
placeholder in square brackets. The notice validates against the SDK's schemas
(`gpp/eforms/schemas/`) and every code is a value of its official list (tests/gpp)."""

import uuid
from collections.abc import Callable
from datetime import datetime

from lxml import etree

from replan.i18n import N_

NS = {
    None: "urn:oasis:names:specification:ubl:schema:xsd:ContractNotice-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "ext": "urn:oasis:names:specification:ubl:schema:xsd:CommonExtensionComponents-2",
    "efac": "http://data.europa.eu/p27/eforms-ubl-extension-aggregate-components/1",
    "efbc": "http://data.europa.eu/p27/eforms-ubl-extension-basic-components/1",
    "efext": "http://data.europa.eu/p27/eforms-ubl-extensions/1",
}
SUBTYPE = "16"  # contract notice, Directive 2014/24/EU, open to competition
REGULATORY_DOMAIN = "32014L0024"
BUYER = "ORG-0001"
# The OP's language authority codes of the app's languages (BT-702, languageID).
LANGUAGE_CODES = {
    "en": "ENG",
    "it": "ITA",
    "es": "SPA",
    "fr": "FRA",
    "pl": "POL",
    "el": "ELL",
    "sl": "SLV",
}
# ISO 3166-1 alpha-2 -> the alpha-3 codes of the eForms `eu-country` list (a test checks each).
EU_COUNTRIES = {
    "AT": "AUT", "BE": "BEL", "BG": "BGR", "CY": "CYP", "CZ": "CZE", "DE": "DEU", "DK": "DNK",
    "EE": "EST", "ES": "ESP", "FI": "FIN", "FR": "FRA", "GR": "GRC", "EL": "GRC", "HR": "HRV",
    "HU": "HUN", "IE": "IRL", "IT": "ITA", "LT": "LTU", "LU": "LUX", "LV": "LVA", "MT": "MLT",
    "NL": "NLD", "PL": "POL", "PT": "PRT", "RO": "ROU", "SK": "SVK", "SI": "SVN", "SE": "SWE",
}  # fmt: skip
CONTRACT_NATURE = {"works": "works", "supply": "supplies", "service": "services"}  # BT-23
UUID_SPACE = uuid.UUID("6f0d3a52-5a38-4c36-9a35-7e5b0a1c9b21")  # stable ids from the spec's id

BUYER_NAME = N_("[Buyer's official name]")
LOT_PLACEHOLDER = N_("[Lot title]")
PRICE = N_("Price")
PRICE_TEXT = N_("[The price, or the cost, and any other award criteria that the buyer sets]")
CONDITIONS = N_("Contract performance clauses")


def _qn(tag: str) -> str:
    prefix, _, name = tag.rpartition(":")
    return f"{{{NS[prefix or None]}}}{name}"


def _el(parent: etree._Element, tag: str, text: str | None = None, **attrs: str):
    element = etree.SubElement(parent, _qn(tag), {k: v for k, v in attrs.items() if v})
    if text is not None:
        element.text = text
    return element


def _extension(parent: etree._Element) -> etree._Element:
    """Return a new `efext:EformsExtension` inside the parent's UBL extension wrapper."""
    wrapper = _el(_el(_el(parent, "ext:UBLExtensions"), "ext:UBLExtension"), "ext:ExtensionContent")
    return _el(wrapper, "efext:EformsExtension")


def _criteria(spec: dict, kind: str) -> list[dict]:
    return [c for s in spec.get("sections", []) if s["type"] == kind for c in s["criteria"]]


def _cpv(spec: dict) -> list[str]:
    return [str(code).split("-")[0] for code in spec.get("cpv") or []]


def _lots(spec: dict) -> list[dict]:
    return list(spec.get("lots") or []) or [{"title": spec.get("title") or ""}]


def write_notice(spec: dict, _: Callable[[str], str]) -> bytes:
    """Return the spec as an eForms contract notice (UTF-8 XML)."""
    lang = LANGUAGE_CODES.get(spec.get("language") or "en", "ENG")
    country = EU_COUNTRIES.get((spec.get("country") or "").upper())
    root = etree.Element(_qn("ContractNotice"), nsmap=NS)
    extension = _extension(root)
    _el(_el(extension, "efac:NoticeSubType"), "cbc:SubTypeCode", SUBTYPE, listName="notice-subtype")
    company = _el(_el(_el(extension, "efac:Organizations"), "efac:Organization"), "efac:Company")
    _el(_el(company, "cac:PartyIdentification"), "cbc:ID", BUYER, schemeName="organization")
    name = spec.get("buyer_name") or spec.get("authority") or _(BUYER_NAME)
    _el(_el(company, "cac:PartyName"), "cbc:Name", name, languageID=lang)
    if country:
        address = _el(company, "cac:PostalAddress")
        _el(_el(address, "cac:Country"), "cbc:IdentificationCode", country, listName="country")

    created = datetime.fromisoformat(str(spec["created_at"]))
    _el(root, "cbc:UBLVersionID", "2.3")
    _el(root, "cbc:CustomizationID", "eforms-sdk-1.15")
    _el(root, "cbc:ID", str(uuid.uuid5(UUID_SPACE, f"notice:{spec['id']}")), schemeName="notice-id")
    _el(root, "cbc:ContractFolderID", str(uuid.uuid5(UUID_SPACE, f"procedure:{spec['id']}")))
    _el(root, "cbc:IssueDate", created.strftime("%Y-%m-%d") + "Z")
    _el(root, "cbc:IssueTime", created.strftime("%H:%M:%S") + "Z")
    _el(root, "cbc:VersionID", "01")
    _el(root, "cbc:RegulatoryDomain", REGULATORY_DOMAIN)
    _el(root, "cbc:NoticeTypeCode", "cn-standard", listName="competition")
    _el(root, "cbc:NoticeLanguageCode", lang)
    party = _el(_el(root, "cac:ContractingParty"), "cac:Party")
    _el(_el(party, "cac:PartyIdentification"), "cbc:ID", BUYER, schemeName="organization")

    nature = CONTRACT_NATURE.get(spec.get("procurement_type") or "works", "works")
    _project(root, spec, spec.get("title") or "", nature, lang, procedure=True)
    for n, lot in enumerate(_lots(spec), start=1):
        element = _el(root, "cac:ProcurementProjectLot")
        _el(element, "cbc:ID", f"LOT-{n:04d}", schemeName="Lot")
        _tendering_terms(element, spec, lang, _)
        _project(element, spec, lot.get("title") or _(LOT_PLACEHOLDER), nature, lang)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _project(parent, spec: dict, title: str, nature: str, lang: str, procedure=False) -> None:
    """Write a `cac:ProcurementProject`: the procedure's (BT-22, BT-21) or a lot's, green fields."""
    project = _el(parent, "cac:ProcurementProject")
    if procedure and spec.get("procedure_reference"):
        _el(project, "cbc:ID", spec["procedure_reference"], schemeName="InternalID")
    _el(project, "cbc:Name", title, languageID=lang)
    _el(project, "cbc:ProcurementTypeCode", nature, listName="contract-nature")
    if not procedure:
        eforms = spec.get("eforms") or {}
        additional = [("strategic-procurement", "env-imp")]
        additional += [("gpp-criteria", code) for code in eforms.get("bt_805") or []]
        additional += [("environmental-impact", code) for code in eforms.get("bt_774") or []]
        for list_name, code in additional:
            kind = _el(project, "cac:ProcurementAdditionalType")
            _el(kind, "cbc:ProcurementTypeCode", code, listName=list_name)
    codes = _cpv(spec)
    for i, code in enumerate(codes):
        tag = (
            "cac:MainCommodityClassification" if i == 0 else "cac:AdditionalCommodityClassification"
        )
        _el(_el(project, tag), "cbc:ItemClassificationCode", code, listName="cpv")


def _tendering_terms(lot, spec: dict, lang: str, _: Callable[[str], str]) -> None:
    """Write a lot's selection criteria, performance conditions and award criteria."""
    terms = _el(lot, "cac:TenderingTerms")
    selection = _criteria(spec, "selection")
    if selection:
        extension = _extension(terms)
        for c in selection:
            element = _el(extension, "efac:SelectionCriteria")
            code = c["eforms"]["bt_809"]
            _el(element, "cbc:TendererRequirementTypeCode", code, listName="selection-criterion")
            _el(element, "cbc:Description", f"{c['title']}: {c['text']}", languageID=lang)
    clauses = _criteria(spec, "contract_clause")
    if clauses:
        requirement = _el(terms, "cac:ContractExecutionRequirement")
        _el(requirement, "cbc:ExecutionRequirementCode", "performance", listName="conditions")
        text = "\n\n".join(f"{c['title']}: {c['text']}" for c in clauses)
        _el(requirement, "cbc:Description", text, languageID=lang)
    award = _criteria(spec, "award")
    if award:
        criterion = _el(_el(terms, "cac:AwardingTerms"), "cac:AwardingCriterion")
        rest = 100 - sum(c.get("award_points") or 0 for c in award)
        items = [
            (
                c["award_points"] or 0,
                "cost" if c.get("cost_basis") else "quality",
                c["title"],
                c["text"],
            )
            for c in award
        ]
        if rest > 0 and not any(c.get("cost_basis") for c in award):
            items.append((rest, "price", _(PRICE), _(PRICE_TEXT)))
        for weight, kind, name, text in items:
            sub = _el(criterion, "cac:SubordinateAwardingCriterion")
            parameter = _el(_extension(sub), "efac:AwardCriterionParameter")
            _el(parameter, "efbc:ParameterCode", "per-exa", listName="number-weight")
            _el(parameter, "efbc:ParameterNumeric", str(weight))
            _el(sub, "cbc:AwardingCriterionTypeCode", kind, listName="award-criterion-type")
            _el(sub, "cbc:Name", name, languageID=lang)
            _el(sub, "cbc:Description", text, languageID=lang)
