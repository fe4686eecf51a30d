"""`make run`'s install produces PDFs: WeasyPrint is a default dependency, the Makefile's install
brings (or names) the system libraries it needs, and the default app answers a PDF export."""

import re
import subprocess
import tomllib

from replan import PROJECT_ROOT

PDF_LIBRARIES = ("libpango-1.0-0", "libpangoft2-1.0-0", "libharfbuzz0b")


def _project() -> dict:
    return tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text())["project"]


def test_weasyprint_is_a_default_dependency():
    names = {re.match(r"[\w.-]+", r).group().lower() for r in _project()["dependencies"]}
    assert "weasyprint" in names


def _dry_run(target: str) -> str:
    """Return the commands `make TARGET` would run (nothing is run)."""
    answer = subprocess.run(
        ["make", "-n", "-B", target, "PYTHON=python3"],
        cwd=PROJECT_ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return answer.stdout


def test_make_run_installs_or_names_the_pdf_libraries():
    commands = _dry_run("run")
    assert re.search(r"pip install .* -e \.$", commands, re.M)  # the default install, no extras
    installs = re.search(r"apt-get install -y -qq ([^>]*)>", commands)
    assert installs, commands
    for library in PDF_LIBRARIES:
        assert library in installs.group(1)
    named = re.search(r'echo "\s*sudo apt-get install ([^"]*)"', commands)
    assert named and all(library in named.group(1) for library in PDF_LIBRARIES)
    assert commands.index("apt-get install") < commands.index("replan serve")
