"""The eForms contract notice: valid against the SDK 1.15 schemas, every code from its list."""

from functools import cache
from pathlib import Path

import pytest
from lxml import etree

from gpp import cpv
from gpp.eforms import codelists
from gpp.exporters import eforms_xml
from gpp.exporters.sample import sample_spec

SCHEMA = Path(eforms_xml.__file__).parents[1] / "eforms" / "schemas" / "maindoc"
EXAMPLE = Path(__file__).parent / "eforms_examples" / "cn_24_maximal.xml"
LISTS = {  # listName in a notice -> the copied code list
    "gpp-criteria": "gpp-criteria",
    "environmental-impact": "environmental-impact",
    "selection-criterion": "selection-criterion",
    "award-criterion-type": "award-criterion-type",
    "contract-nature": "contract-nature",
    "country": "country_eu-country",
}
NS = {k or "cn": v for k, v in eforms_xml.NS.items()}


@cache
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMA / "UBL-ContractNotice-2.3.xsd")))


@cache
def example_codes() -> set[tuple[str, str]]:
    tree = etree.parse(str(EXAMPLE))
    return {(e.get("listName"), e.text) for e in tree.iter() if e.get("listName")}


def identity(text: str) -> str:
    return text


def notice(spec: dict) -> etree._Element:
    document = etree.fromstring(eforms_xml.write_notice(spec, identity))
    schema().assertValid(document)
    return document


def assert_codes_official(document: etree._Element) -> None:
    for element in document.iter():
        list_name = element.get("listName")
        if not list_name:
            continue
        code = element.text
        if list_name == "cpv":
            assert cpv.is_known(code), code
        elif list_name in LISTS:
            assert code in codelists.codes(LISTS[list_name]), (list_name, code)
        else:
            assert (list_name, code) in example_codes(), (list_name, code)


def test_the_official_example_validates_so_the_schema_copy_is_whole():
    schema().assertValid(etree.parse(str(EXAMPLE)))


@pytest.mark.parametrize(
    ("group", "application", "ambition"),
    [
        ("roads", "road-pavement", "comprehensive"),
        ("playgrounds", "playground", "core"),
        ("street_furniture", "street-furniture", "comprehensive"),
    ],
)
def test_a_spec_is_a_valid_subtype_16_notice_with_official_codes(group, application, ambition):
    spec = sample_spec(product_group=group, application=application, ambition=ambition)
    spec |= {
        "cpv": ["45233140-2", "45112720"],
        "buyer_name": "Comune di Prova",
        "procedure_reference": "PROC-2026-7",
        "lots": [{"title": "North"}, {"title": "South"}],
    }
    document = notice(spec)
    assert_codes_official(document)
    assert document.findtext(".//efac:NoticeSubType/cbc:SubTypeCode", namespaces=NS) == "16"
    assert document.findtext(".//efac:Company/cac:PartyName/cbc:Name", namespaces=NS) == (
        "Comune di Prova"
    )
    project = document.find("cac:ProcurementProject", NS)
    assert project.findtext("cbc:ID", namespaces=NS) == "PROC-2026-7"
    assert [e.text for e in project.iterfind(".//cbc:ItemClassificationCode", NS)] == [
        "45233140",
        "45112720",
    ]
    lots = document.findall("cac:ProcurementProjectLot", NS)
    assert [lot.findtext("cac:ProcurementProject/cbc:Name", namespaces=NS) for lot in lots] == [
        "North",
        "South",
    ]
    lot = lots[0]
    kinds = {(e.get("listName"), e.text) for e in lot.iterfind(".//cbc:ProcurementTypeCode", NS)}
    for code in spec["eforms"]["bt_805"]:
        assert ("gpp-criteria", code) in kinds
    for code in spec["eforms"]["bt_774"]:
        assert ("environmental-impact", code) in kinds
    assert ("strategic-procurement", "env-imp") in kinds
    sections = {s["type"]: s["criteria"] for s in spec["sections"]}
    selection = lot.findall(".//efac:SelectionCriteria/cbc:TendererRequirementTypeCode", NS)
    assert [e.text for e in selection] == [
        c["eforms"]["bt_809"] for c in sections.get("selection", [])
    ]
    conditions = lot.findtext(
        "cac:TenderingTerms/cac:ContractExecutionRequirement/cbc:Description", namespaces=NS
    )
    for c in sections.get("contract_clause", []):
        assert c["title"] in conditions
    weights = [
        int(e.text)
        for e in lot.iterfind(".//efac:AwardCriterionParameter/efbc:ParameterNumeric", NS)
    ]
    if sections.get("award"):
        assert sum(weights) == 100
        names = [e.text for e in lot.iterfind(".//cac:SubordinateAwardingCriterion/cbc:Name", NS)]
        assert names[: len(sections["award"])] == [c["title"] for c in sections["award"]]
    else:
        assert weights == []


def test_a_bare_spec_has_placeholders_and_one_lot():
    spec = sample_spec(product_group="playgrounds", application="playground", ambition="core")
    spec |= {"country": "SI", "language": "sl", "cpv": [], "lots": []}
    spec.pop("authority", None)
    document = notice(spec)
    assert_codes_official(document)
    assert document.findtext(".//efac:Company/cac:PartyName/cbc:Name", namespaces=NS).startswith(
        "["
    )
    assert document.find(".//efac:Company/cac:PartyName/cbc:Name", NS).get("languageID") == "SLV"
    assert document.findtext(".//cac:Country/cbc:IdentificationCode", namespaces=NS) == "SVN"
    assert len(document.findall("cac:ProcurementProjectLot", NS)) == 1


def test_every_eu_country_maps_to_a_code_of_the_official_list():
    official = codelists.codes("country_eu-country")
    assert set(eforms_xml.EU_COUNTRIES.values()) == official
