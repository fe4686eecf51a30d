"""Only configured hosts are answered and no URL the app writes reflects the Host header; HSTS in
production."""

from fastapi.testclient import TestClient

from replan.app import create_app
from replan.settings import Settings
from tests.conftest import make_settings


def test_an_untrusted_host_is_refused(client):
    answer = client.get("/cases", headers={"Host": "evil.example"})
    assert answer.status_code == 400
    assert "evil.example" not in answer.text


def test_urls_come_from_the_base_url_not_the_host_header(tmp_path, runtime):
    settings = make_settings(
        tmp_path,
        database_url=runtime.settings.db_url,
        base_url="https://replan.example.org",
        allowed_hosts=["replan.example.org", "internal.example"],
    )
    client = TestClient(create_app(settings, runtime), base_url="http://internal.example")
    made = client.post("/api/v1/specs", json={"application": "road-pavement", "ambition": "core"})
    assert made.status_code == 201
    url = f"https://replan.example.org/specs/{made.json()['id']}"
    assert made.json()["url"] == url and made.headers["location"] == url
    page = client.get("/cases").text
    assert "internal.example" not in page  # language links are paths


def test_the_default_hosts_are_the_base_urls_and_the_loopback(tmp_path):
    settings = Settings(_env_file=None, data_dir=tmp_path, base_url="https://a.example:8443/x")
    assert settings.trusted_hosts == ["127.0.0.1", "a.example", "localhost"]
    listed = Settings(_env_file=None, data_dir=tmp_path, allowed_hosts="a.example, *.b.example")
    assert listed.trusted_hosts == ["a.example", "*.b.example"]


def test_hsts_in_production_only(tmp_path, runtime, client):
    assert "strict-transport-security" not in client.get("/").headers
    settings = make_settings(
        tmp_path,
        env="production",
        secret_key="s" * 48,
        database_url=runtime.settings.db_url,
        allowed_hosts=["testserver"],
    )
    secure = TestClient(create_app(settings, runtime), base_url="https://testserver")
    hsts = secure.get("/").headers["strict-transport-security"]
    assert hsts.startswith("max-age=") and int(hsts.split("=")[1].split(";")[0]) >= 31536000
