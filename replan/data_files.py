"""Reading the YAML data files in `seeds/` (with libyaml's fast loader when it is there)."""

from pathlib import Path
from typing import Any

import yaml

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_yaml(path: Path) -> Any:
    """Parse a YAML data file safely (no Python objects), as SafeLoader does."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - safe loader


DataFileError = yaml.YAMLError
