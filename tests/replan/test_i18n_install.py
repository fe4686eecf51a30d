"""Translations never depend on a build step: a checkout without compiled catalogues (what a plain
`pip install -e .` gives) still serves Greek pages and Greek documents."""

import io
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from replan import PROJECT_ROOT

# Runs inside the copy, so that `replan` is imported from there (the copy is the first path entry).
SCRIPT = """
import io, json, sys, tempfile
from pathlib import Path
import replan
from fastapi.testclient import TestClient
from replan.app import build_runtime, create_app
from replan.cli import init_database
from replan.settings import Settings

assert Path(replan.__file__).resolve().is_relative_to(Path.cwd().resolve()), replan.__file__
settings = Settings(_env_file=None, env="test", data_dir=tempfile.mkdtemp(), secret_key="x" * 40)
runtime = build_runtime(settings)
init_database(runtime)
with TestClient(create_app(settings, runtime)) as client:
    home = client.get("/?lang=el").text
    spec = client.post("/api/v1/specs", json={"application": "road-pavement", "ambition": "core",
                                              "language": "el", "country": "GR", "title": "Δοκιμή"})
    spec_id = spec.json()["id"]
    md = client.get(f"/specs/{spec_id}/export.md").text
    docx = client.get(f"/specs/{spec_id}/export.docx").content
sys.stdout.buffer.write(json.dumps({"home": home, "md": md}).encode() + b"\\n")
sys.stdout.buffer.write(docx)
"""


def checkout_without_compiled_catalogues(target: Path) -> Path:
    """Copy the files git tracks (not the `.mo` files), as a fresh clone has them."""
    listed = subprocess.run(
        ["git", "ls-files", "-z"], cwd=PROJECT_ROOT, capture_output=True, check=True
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = PROJECT_ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    assert not list(target.rglob("*.mo"))
    return target


def test_greek_pages_and_documents_without_compiled_catalogues(tmp_path):
    clone = checkout_without_compiled_catalogues(tmp_path / "clone")
    done = subprocess.run(
        [sys.executable, "-c", SCRIPT], cwd=clone, capture_output=True, timeout=300
    )
    assert done.returncode == 0, done.stderr.decode()[-3000:]
    first, _, docx = done.stdout.partition(b"\n")
    answer = json.loads(first)
    assert '<html lang="el"' in answer["home"]
    assert "Αναζήτηση" in answer["home"]  # the interface, not only the criteria, is in Greek
    headings = [line for line in answer["md"].splitlines() if line.startswith("## ")]
    assert headings and all(any("\u0370" <= ch <= "\u03ff" for ch in h) for h in headings)
    with zipfile.ZipFile(io.BytesIO(docx)) as document:
        body = document.read("word/document.xml").decode()
    assert "Τεχνικές προδιαγραφές" in body or "τεχνικές προδιαγραφές" in body.lower()


def test_a_language_without_catalogue_is_reported_loudly(tmp_path, monkeypatch, caplog):
    from replan import i18n

    monkeypatch.setattr(i18n, "TRANSLATIONS_DIR", tmp_path)
    i18n.translations.cache_clear()
    try:
        with caplog.at_level("ERROR", logger="replan.i18n"):
            missing = i18n.check_catalogues()
    finally:
        i18n.translations.cache_clear()
    assert missing == [lang for lang in i18n.LANGUAGES if lang != "en"]
    assert all(any(f"'{lang}'" in r.getMessage() for r in caplog.records) for lang in missing)
