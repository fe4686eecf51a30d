"""Copy the official eForms labels the project prints from the eForms SDK translations.

    python scripts/eforms_labels.py [SDK_DIR]

SDK_DIR is an unpacked eForms SDK (default: ../shared/reference/eforms-sdk-1.15.1 beside the
project). For each language of the interface it writes `gpp/eforms/translations/<lang>.json`
(the names of the business terms and the codes of the lists below) and
`gpp/eforms/translations/cpv/<lang>.json` (every CPV code, 8 digits, with its label), and copies
the SDK's licence beside them. The labels are copied unchanged; run the script again, with a
newer SDK, to refresh them, and add a term or a list below when a document starts printing it."""

import json
import re
import shutil
import sys
from pathlib import Path
from xml.etree import ElementTree

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / "gpp" / "eforms" / "translations"
DEFAULT_SDK = ROOT.parent / "shared" / "reference" / "eforms-sdk-1.15.1"
LANGUAGES = ("en", "it", "pl", "es", "fr", "el", "sl")

# The business terms a document, a page or an export names.
BUSINESS_TERMS = (
    "BT-06",  # strategic procurement
    "BT-23",  # main nature of the contract
    "BT-262",  # main classification (CPV)
    "BT-263",  # additional classification (CPV)
    "BT-70",  # conditions relating to the performance of the contract
    "BT-539",  # award criterion type
    "BT-540",  # award criterion description
    "BT-541",  # award criterion number
    "BT-734",  # award criterion name
    "BT-750",  # description of a selection criterion
    "BT-774",  # approach to reducing environmental impacts
    "BT-805",  # green procurement criteria
    "BT-809",  # selection criterion
    "BT-821",  # source of selection criteria
)
# The code lists whose codes a document, a page or an export prints.
CODE_LISTS = (
    "award-criterion-type",
    "contract-nature",
    "environmental-impact",
    "gpp-criteria",
    "selection-criterion",
    "strategic-procurement",
)
_KEY = re.compile(r"^(business-term|code)\|name\|(.+)$")


def entries(path: Path) -> dict[str, str]:
    """Return the `name` entries of one SDK translation file (Java properties XML)."""
    found = {}
    for entry in ElementTree.parse(path).getroot().iter("entry"):
        match = _KEY.match(entry.get("key", ""))
        if match:
            found[match.group(2)] = entry.text or ""
    return found


def labels(sdk: Path, lang: str) -> tuple[dict, dict[str, str]]:
    """Return (terms and codes, CPV labels) of one language."""
    folder = sdk / "translations"
    terms = entries(folder / f"business-term_{lang}.xml")
    codes = entries(folder / f"code_{lang}.xml")
    missing = [t for t in BUSINESS_TERMS if t not in terms]
    if missing:
        raise SystemExit(f"{lang}: the SDK names no {', '.join(missing)}")
    document = {
        "business-term": {t: terms[t] for t in BUSINESS_TERMS},
        "code": {
            name: {
                key.partition(".")[2]: label
                for key, label in sorted(codes.items())
                if key.partition(".")[0] == name
            }
            for name in CODE_LISTS
        },
    }
    empty = [name for name, values in document["code"].items() if not values]
    if empty:
        raise SystemExit(f"{lang}: the SDK has no code of {', '.join(empty)}")
    cpv = {key[4:]: label for key, label in sorted(codes.items()) if key.startswith("cpv.")}
    return document, cpv


def write(path: Path, data: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True)
    path.write_text(text + "\n", encoding="utf-8")


def main(sdk: Path) -> None:
    version = sdk.name.removeprefix("eforms-sdk-")
    for lang in LANGUAGES:
        document, cpv = labels(sdk, lang)
        write(TARGET / f"{lang}.json", {"sdk": version, **document})
        write(TARGET / "cpv" / f"{lang}.json", cpv)
    shutil.copyfile(sdk / "LICENSE", TARGET / "LICENSE")
    print(f"eForms SDK {version}: {len(LANGUAGES)} languages written to {TARGET.relative_to(ROOT)}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_SDK)
