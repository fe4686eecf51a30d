"""Rendered exports are kept per spec version (issue 9, item 5): a second download does not
render again, a changed spec does."""

import pytest
from fastapi.testclient import TestClient

from gpp import exporters
from gpp.models import Spec
from replan.app import build_runtime, create_app
from replan.migrations import upgrade
from tests.conftest import make_settings

SPEC = {"application": "road-pavement", "ambition": "core", "language": "en", "title": "Cached"}


@pytest.fixture
def renders(monkeypatch) -> list[str]:
    calls: list[str] = []
    real = exporters.export_spec

    def counting(spec, fmt, gettext, **options):
        calls.append(fmt)
        return real(spec, fmt, gettext, **options)

    monkeypatch.setattr(exporters, "export_spec", counting)
    return calls


def test_a_spec_is_rendered_once_per_version_and_format(client, runtime, renders):
    spec_id = client.post("/api/v1/specs", json=SPEC).json()["id"]
    first = client.get(f"/specs/{spec_id}/export.md")
    second = client.get(f"/specs/{spec_id}/export.md")
    assert first.status_code == second.status_code == 200
    assert first.content == second.content and "Cached" in first.text
    assert first.headers["content-disposition"] == second.headers["content-disposition"]
    assert renders == ["md"]
    client.get(f"/specs/{spec_id}/export.docx")
    assert renders == ["md", "docx"]

    with runtime.db.session() as session:  # the spec changes: its exports are rendered again
        spec = session.get(Spec, spec_id)
        spec.title = "Changed title"
    third = client.get(f"/specs/{spec_id}/export.md")
    assert "Changed title" in third.text and renders == ["md", "docx", "md"]
    kept = list((runtime.settings.data_path / "cache" / "exports").rglob("*.md"))
    assert len(kept) == 1  # the old version's file is gone


def test_the_cache_can_be_switched_off(tmp_path, renders):
    settings = make_settings(tmp_path, export_cache=False)
    upgrade(settings.db_url)
    runtime = build_runtime(settings)
    client = TestClient(create_app(settings, runtime))
    spec_id = client.post("/api/v1/specs", json=SPEC).json()["id"]
    for _ in range(2):
        assert client.get(f"/specs/{spec_id}/export.md").status_code == 200
    assert renders == ["md", "md"]
    runtime.close()
