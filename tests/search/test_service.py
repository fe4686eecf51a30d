"""Choosing the engine from the settings, and the domain's place in the dependency graph."""

import ast
from pathlib import Path

from replan.settings import Settings
from search.embedded import EmbeddedBackend
from search.meili import MeiliBackend
from search.service import make_backend


def test_embedded_engine_without_meilisearch(tmp_path):
    backend = make_backend(Settings(data_dir=tmp_path, meili_url=None, meili_key=None))
    assert isinstance(backend, EmbeddedBackend)
    assert backend.store.path == tmp_path / "search-index"
    backend.close()


def test_meilisearch_when_configured(tmp_path):
    settings = Settings(
        data_dir=tmp_path, meili_url="http://meili:7700/", meili_key="k", meili_index="cases_v2"
    )
    backend = make_backend(settings)
    assert isinstance(backend, MeiliBackend)
    assert backend.url == "http://meili:7700"
    assert backend.index == "cases_v2"
    backend.close()


def test_search_imports_no_domain():
    root = Path(__file__).resolve().parents[2] / "search"
    for path in root.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                assert name.split(".")[0] not in {"kb", "gpp"}, f"{path} imports {name}"
