"""The eForms code lists copied from the eForms SDK 1.15.1 (`codelists/*.gc`, genericode).

A code is valid only if it is a `code` value of the official list; the library refuses any other
at start-up and the tests check every export against the same lists."""

from functools import cache
from pathlib import Path

from lxml import etree

DIRECTORY = Path(__file__).parent / "codelists"
GPP_CRITERIA = "gpp-criteria"  # BT-805
ENVIRONMENTAL_IMPACT = "environmental-impact"  # BT-774
SELECTION_CRITERION = "selection-criterion"  # BT-809
AWARD_CRITERION_TYPE = "award-criterion-type"  # BT-539


@cache
def codes(name: str) -> frozenset[str]:
    """Return the codes of one official list (KeyError for a list that is not copied here)."""
    path = DIRECTORY / f"{name}.gc"
    if not path.is_file():
        raise KeyError(name)
    tree = etree.parse(str(path))
    return frozenset(tree.xpath("//Row/Value[@ColumnRef='code']/SimpleValue/text()"))


def check(name: str, code: str) -> str:
    """Return the code, or raise ValueError naming the list when it is not one of its values."""
    if code not in codes(name):
        raise ValueError(f"'{code}' is not a code of the eForms list {name}")
    return code
