"""Backup and restore: a seeded instance (cases, photos and PDFs, specs, bidders, checks) goes
through `replan backup` and `replan restore` into a new data dir and database and comes back
identical, table by table and file by file; damaged and newer archives are refused."""

import io
import json
import stat
import tarfile
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import MetaData, create_engine, select
from typer.testing import CliRunner

from replan import auth
from replan.app import build_runtime, create_app
from replan.auth_models import User
from replan.backup import BackupError, _pg_tool
from replan.cli import app as cli_app
from replan.migrations import upgrade
from tests.builders import add_file, record
from tests.conftest import make_settings
from tests.kb.test_moderation_files import pdf, png

SECRET = "k" * 40


def token(runtime, email: str, role: str) -> tuple[User, dict]:
    with runtime.db.session() as session:
        user = auth.create_user(session, email=email, password="p" * 12, role=role)
        bearer = auth.create_token(session, user=user)
        session.expunge(user)
    return user, {"Authorization": f"Bearer {bearer}"}


def seed_instance(settings) -> None:
    """Fill an instance through its real services: cases, attachments, a spec with bidders."""
    runtime = build_runtime(settings)
    upgrade(settings.db_url)
    try:
        with TestClient(create_app(settings, runtime)) as client:
            author, as_author = token(runtime, "author@example.org", "submitter")
            _, as_moderator = token(runtime, "mod@example.org", "moderator")
            _, as_procurer = token(runtime, "buyer@example.org", "procurer")
            ids = []
            for title in ("Rubber asphalt in Torino", "Noise barrier of shreds"):
                answer = client.post("/api/v1/cases", json=record(title=title), headers=as_author)
                assert answer.status_code == 201, answer.text
                ids.append(answer.json()["id"])
            add_file(
                runtime,
                user=author,
                case_id=ids[0],
                filename="site.png",
                data=png(),
                caption="Site",
            )
            add_file(
                runtime, user=author, case_id=ids[0], filename="report.pdf", data=pdf(), caption=""
            )
            add_file(
                runtime, user=author, case_id=ids[1], filename="lab.pdf", data=pdf(), caption=""
            )
            review = {"decision": "publish", "comment": "Sources checked"}
            answer = client.post(
                f"/api/v1/cases/{ids[0]}/review", json=review, headers=as_moderator
            )
            assert answer.json()["status"] == "published", answer.text
            spec = client.post(
                "/api/v1/specs",
                json={"application": "road-pavement", "ambition": "core", "title": "Via Roma"},
                headers=as_procurer,
            ).json()["id"]
            bidder = client.post(
                f"/api/v1/specs/{spec}/bidders", json={"name": "Asfalti Srl"}, headers=as_procurer
            ).json()["id"]
            answer = client.patch(
                f"/api/v1/specs/{spec}/bidders/{bidder}/checks/0",
                json={"status": "missing", "note": "No declaration of performance"},
                headers=as_procurer,
            )
            assert answer.status_code == 200, answer.text
    finally:
        runtime.close()


def rows(db_url: str) -> dict[str, list[tuple]]:
    """Every row of every table (Alembic's included), in primary-key order."""
    engine = create_engine(db_url)
    try:
        meta = MetaData()
        meta.reflect(engine)
        with engine.connect() as conn:
            return {
                name: [
                    tuple(r)
                    for r in conn.execute(
                        select(table).order_by(
                            *(list(table.primary_key.columns) or list(table.columns))
                        )
                    )
                ]
                for name, table in meta.tables.items()
            }
    finally:
        engine.dispose()


def files(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture
def replan(monkeypatch):
    """Run the `replan` command with the given data dir and database."""
    monkeypatch.setenv("REPLAN_SECRET_KEY", SECRET)
    monkeypatch.delenv("REPLAN_MEILI_URL", raising=False)
    runner = CliRunner()

    def run(*args: str, data_dir: Path, db_url: str):
        monkeypatch.setenv("REPLAN_DATA_DIR", str(data_dir))
        monkeypatch.setenv("REPLAN_DATABASE_URL", db_url)
        return runner.invoke(cli_app, list(args), catch_exceptions=False)

    return run


@pytest.fixture(params=["sqlite", "postgresql"])
def two_databases(request, tmp_path: Path) -> tuple[str, str]:
    if request.param == "sqlite":
        return (
            f"sqlite:///{tmp_path / 'a' / 'replan.db'}",
            f"sqlite:///{tmp_path / 'b' / 'replan.db'}",
        )
    return request.getfixturevalue("pg_url"), request.getfixturevalue("pg_url_2")


def test_a_seeded_instance_comes_back_identical(replan, tmp_path, two_databases):
    source_url, target_url = two_databases
    source = make_settings(tmp_path / "a", database_url=source_url, secret_key=SECRET)
    seed_instance(source)
    uploaded = files(source.upload_dir)
    assert sum(name.endswith(".pdf") for name in uploaded) == 2 and len(uploaded) == 3

    archive = tmp_path / "backups" / "replan.tar.gz"
    result = replan("backup", str(archive), data_dir=tmp_path / "a", db_url=source_url)
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # it holds personal data
    with tarfile.open(archive) as tar:
        manifest = json.loads(tar.extractfile("manifest.json").read())
        assert "secret_key" not in tar.getnames()
    engine = "sqlite" if source_url.startswith("sqlite") else "postgresql"
    assert manifest["format"] == 1 and manifest["engine"] == engine
    assert manifest["alembic_revisions"] and manifest["created_at"] and manifest["app_version"]
    assert all(len(f["sha256"]) == 64 and f["size"] > 0 for f in manifest["files"].values())

    result = replan("restore", str(archive), data_dir=tmp_path / "b", db_url=target_url)
    assert result.exit_code == 0, result.output
    assert "indexed 1 published cases" in result.output

    before = rows(source_url)
    for table in ("kb_case", "kb_attachment", "kb_case_event", "gpp_spec", "gpp_bidder"):
        assert before[table], table
    assert any("No declaration of performance" in str(row) for row in before["gpp_check"])
    assert rows(target_url) == before
    assert files(tmp_path / "b" / "uploads") == uploaded
    restored = make_settings(tmp_path / "b", database_url=target_url, secret_key=SECRET)
    runtime = build_runtime(restored)
    try:
        with TestClient(create_app(restored, runtime)) as client:
            hits = client.get("/api/v1/cases", params={"q": "Torino asphalt"}).json()
            assert [h["title"] for h in hits["hits"]] == ["Rubber asphalt in Torino"]
            page = client.get(f"/cases/{hits['hits'][0]['id']}")
            link = next(part for part in page.text.split('"') if part.endswith("/site.png"))
            assert client.get(link).content == next(
                data for name, data in uploaded.items() if name.endswith(".png")
            )
    finally:
        runtime.close()


@pytest.fixture
def archive(replan, tmp_path) -> Path:
    source = make_settings(tmp_path / "a", secret_key=SECRET)
    seed_instance(source)
    path = tmp_path / "replan.tar.gz"
    result = replan("backup", str(path), "--include-secret", data_dir=tmp_path / "a", db_url="")
    assert result.exit_code == 0, result.output
    return path


def rewrite(archive: Path, out: Path, change) -> Path:
    """Copy an archive, letting `change(name, data)` return each member's new bytes."""
    with tarfile.open(archive) as src, tarfile.open(out, "w:gz") as dst:
        for member in src:
            data = change(member.name, src.extractfile(member).read())
            member.size = len(data)
            dst.addfile(member, io.BytesIO(data))
    return out


def manifest_with(**changes):
    def change(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        return json.dumps({**json.loads(data), **changes}).encode()

    return change


def corrupt_upload(name: str, data: bytes) -> bytes:
    return data[:-1] + bytes([data[-1] ^ 1]) if name.startswith("uploads/") else data


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda a, out: rewrite(a, out, corrupt_upload), "does not match its checksum"),
        (
            lambda a, out: out.write_bytes(a.read_bytes()[: a.stat().st_size // 2]) and out,
            "damaged",
        ),
        (lambda a, out: rewrite(a, out, manifest_with(format=2)), "newer than this version"),
        (
            lambda a, out: rewrite(a, out, manifest_with(alembic_revisions=["9999_future"])),
            "9999_future, which this version of RE-PLAN does not know",
        ),
        (lambda a, out: out.write_bytes(b"not an archive") and out, "damaged or not a backup"),
    ],
    ids=["checksum", "truncated", "newer-format", "newer-schema", "garbage"],
)
def test_damaged_and_newer_archives_are_refused(replan, archive, tmp_path, damage, message):
    bad = damage(archive, tmp_path / "bad.tar.gz")
    target = tmp_path / "b"
    result = replan("restore", str(bad), data_dir=target, db_url="")
    assert result.exit_code == 1
    assert "restore refused" in result.output and message in " ".join(result.output.split())
    assert not target.exists() or not [p for p in target.rglob("*") if p.is_file()]


def test_restore_refuses_a_data_dir_in_use_and_brings_the_secret_when_asked(
    replan, archive, tmp_path
):
    with tarfile.open(archive) as tar:
        assert tar.extractfile("secret_key").read().decode() == SECRET
    result = replan("restore", str(archive), data_dir=tmp_path / "a", db_url="")
    assert result.exit_code == 1 and "is not empty" in result.output
    result = replan("restore", str(archive), data_dir=tmp_path / "b", db_url="")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "b" / "secret_key").read_text() == SECRET
    assert stat.S_IMODE((tmp_path / "b" / "secret_key").stat().st_mode) == 0o600


def test_restore_refuses_a_database_that_is_not_empty(replan, archive, tmp_path):
    other = f"sqlite:///{tmp_path / 'elsewhere.db'}"
    upgrade(other)
    result = replan("restore", str(archive), data_dir=tmp_path / "b", db_url=other)
    assert result.exit_code == 1 and "is not empty" in result.output


def test_pg_dump_missing_or_older_than_the_server_is_named(pg_url, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(BackupError, match=r"pg_dump is not installed: .*postgresql-client-\d+"):
        _pg_tool("pg_dump", pg_url)
    old = tmp_path / "pg_dump"
    old.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    old.chmod(0o755)
    with pytest.raises(BackupError, match=r"pg_dump is version 9 but the server is PostgreSQL"):
        _pg_tool("pg_dump", pg_url)


def test_a_backup_taken_while_the_app_writes_is_consistent(tmp_path):
    import sqlite3
    import threading

    from replan.backup import create_backup

    settings = make_settings(tmp_path / "a", secret_key=SECRET)
    runtime = build_runtime(settings)
    upgrade(settings.db_url)
    stop, started = threading.Event(), threading.Event()

    def write() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            with runtime.db.session() as session:
                auth.create_user(
                    session, email=f"u{n}@example.org", password="p" * 12, role="procurer"
                )
            if n == 3:
                started.set()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        assert started.wait(60)
        summary = create_backup(settings=settings, path=tmp_path / "live.tar.gz")
    finally:
        stop.set()
        writer.join()
        runtime.close()
    with tarfile.open(summary.path) as tar:
        tar.extract("database/replan.sqlite", tmp_path / "out")
    copy = sqlite3.connect(tmp_path / "out" / "database" / "replan.sqlite")
    assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    copied = copy.execute("SELECT count(*) FROM auth_user").fetchone()[0]
    emails = {row[0] for row in copy.execute("SELECT email FROM auth_user")}
    assert copied >= 3
    assert emails == {f"u{n}@example.org" for n in range(1, copied + 1)}  # a prefix: a snapshot
