"""Settings validate themselves; every setting is documented; the compose file is valid."""

import ast
import re
from pathlib import Path

import pytest
import yaml
from compose_spec import ComposeSpecification
from pydantic import ValidationError

from replan import PROJECT_ROOT
from replan.settings import Settings


def test_production_without_a_secret_refuses_to_start(tmp_path):
    with pytest.raises(ValidationError, match="REPLAN_SECRET_KEY must be set"):
        Settings(_env_file=None, env="production", data_dir=tmp_path)
    with pytest.raises(ValidationError, match="REPLAN_SECRET_KEY must be set"):
        Settings(_env_file=None, env="production", data_dir=tmp_path, secret_key="changeme")


def test_production_with_a_real_secret_starts(tmp_path):
    settings = Settings(_env_file=None, env="production", data_dir=tmp_path, secret_key="k" * 40)
    assert settings.secret == "k" * 40


def test_meili_key_without_url_is_rejected(tmp_path):
    with pytest.raises(ValidationError, match="REPLAN_MEILI_URL"):
        Settings(_env_file=None, data_dir=tmp_path, meili_key="abc")


def test_development_secret_is_random_and_kept_in_the_data_dir(tmp_path):
    first = Settings(_env_file=None, data_dir=tmp_path).secret
    again = Settings(_env_file=None, data_dir=tmp_path).secret
    other = Settings(_env_file=None, data_dir=tmp_path / "other").secret
    assert first == again and first != other and len(first) >= 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_default_database_is_sqlite_under_the_data_dir(tmp_path, monkeypatch):
    monkeypatch.delenv("REPLAN_DATABASE_URL", raising=False)
    settings = Settings(_env_file=None, data_dir=tmp_path)
    assert settings.db_url == f"sqlite:///{tmp_path / 'replan.db'}"


def test_environment_variables_are_read(tmp_path, monkeypatch):
    monkeypatch.setenv("REPLAN_PORT", "9001")
    monkeypatch.setenv("REPLAN_MEILI_URL", "http://127.0.0.1:7700")
    settings = Settings(_env_file=None, data_dir=tmp_path)
    assert settings.port == 9001 and settings.meili_url == "http://127.0.0.1:7700"


def test_env_example_lists_every_setting():
    text = (PROJECT_ROOT / ".env.example").read_text()
    listed = set(re.findall(r"^#?\s*(REPLAN_[A-Z_]+)=", text, flags=re.M))
    expected = {f"REPLAN_{name.upper()}" for name in Settings.model_fields}
    assert listed == expected


def test_readme_documents_every_setting_and_the_quick_start():
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
    missing = [
        f"REPLAN_{n.upper()}" for n in Settings.model_fields if f"REPLAN_{n.upper()}" not in readme
    ]
    assert missing == []


def test_compose_file_is_valid_and_has_the_scale_out_services():
    data = yaml.safe_load((PROJECT_ROOT / "docker-compose.yml").read_text())
    spec = ComposeSpecification.model_validate(data)
    assert set(spec.services) == {"app", "db", "meilisearch"}
    app = data["services"]["app"]
    assert app["depends_on"]["db"]["condition"] == "service_healthy"
    assert app["depends_on"]["meilisearch"]["condition"] == "service_healthy"
    for name in ("db", "meilisearch"):
        assert "healthcheck" in data["services"][name]
    assert "/readyz" in " ".join(app["healthcheck"]["test"])  # ready, not only alive
    assert set(data["volumes"]) >= {"db-data", "meili-data", "app-data"}
    assert app["environment"]["REPLAN_DATABASE_URL"].startswith("postgresql+psycopg://")


ORDER = {"replan": 0, "search": 1, "kb": 2, "gpp": 3}
COMPOSITION = {
    Path("replan/app.py"),
    Path("replan/app_errors.py"),  # the error mapping of the composition root
    *(path.relative_to(PROJECT_ROOT) for path in (PROJECT_ROOT / "replan/cli").glob("*.py")),
}


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & set(ORDER)


def test_dependencies_point_one_way():
    """gpp -> kb -> search -> replan; only the composition root imports every domain."""
    wrong = []
    for package, rank in ORDER.items():
        for path in (PROJECT_ROOT / package).rglob("*.py"):
            rel = path.relative_to(PROJECT_ROOT)
            if rel in COMPOSITION or "migrations" in rel.parts:
                continue
            for imported in _imports(path):
                if ORDER[imported] > rank:
                    wrong.append(f"{rel} imports {imported}")
    assert wrong == []


def test_base_url_follows_host_and_port_unless_set(tmp_path, monkeypatch):
    monkeypatch.delenv("REPLAN_BASE_URL", raising=False)
    monkeypatch.setenv("REPLAN_PORT", "8765")
    assert Settings(_env_file=None, data_dir=tmp_path).base_url == "http://127.0.0.1:8765"
    assert Settings(_env_file=None, host="::", port=81).base_url == "http://[::1]:81"
    monkeypatch.setenv("REPLAN_BASE_URL", "https://replan.example.org/")
    assert Settings(_env_file=None, data_dir=tmp_path).base_url == "https://replan.example.org"


@pytest.mark.parametrize(
    ("tiles", "origin"),
    [
        ("https://tile.openstreetmap.org/{z}/{x}/{y}.png", "https://tile.openstreetmap.org"),
        ("https://{s}.tiles.example.org/{z}/{x}/{y}.png", "https://*.tiles.example.org"),
        ("/tiles/{z}/{x}/{y}.png", None),
        ("", None),
    ],
)
def test_map_tiles_name_the_origin_the_csp_allows(tiles, origin):
    assert Settings(_env_file=None, map_tiles=tiles).map_tiles_origin == origin


@pytest.mark.parametrize(
    "tiles", ["javascript:alert(1)//{z}{x}{y}", "https://tiles.example.org/a.png", "tiles/{z}"]
)
def test_a_tile_url_that_is_not_one_is_refused(tiles):
    with pytest.raises(ValidationError, match="REPLAN_MAP_TILES"):
        Settings(_env_file=None, map_tiles=tiles)


def test_every_module_stays_under_four_hundred_lines():
    """STYLE.md: at 400 lines a module is split into a sub-package with the same file names."""
    long = [
        f"{path.relative_to(PROJECT_ROOT)}: {n}"
        for package in ORDER
        for path in (PROJECT_ROOT / package).rglob("*.py")
        if "migrations" not in path.parts and (n := len(path.read_text("utf-8").splitlines())) > 400
    ]
    assert long == []


def test_the_time_comes_from_replan_clock():
    """One `utcnow`, one `iso`: the domains read the time through `replan.clock`."""
    found = [
        str(path.relative_to(PROJECT_ROOT))
        for package in ORDER
        for path in (PROJECT_ROOT / package).rglob("*.py")
        if path != PROJECT_ROOT / "replan/clock.py" and "datetime.now(" in path.read_text("utf-8")
    ]
    assert found == []
