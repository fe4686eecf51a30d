"""The `replan` command as a data steward uses it: init, import, export, reindex, users, tokens."""

import json

import pytest
from typer.testing import CliRunner

from replan.cli import app
from tests.builders import record, search


@pytest.fixture
def cli(tmp_path, monkeypatch):
    monkeypatch.setenv("REPLAN_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("REPLAN_SECRET_KEY", "s" * 40)
    monkeypatch.delenv("REPLAN_DATABASE_URL", raising=False)
    monkeypatch.delenv("REPLAN_MEILI_URL", raising=False)
    runner = CliRunner()

    def run(*args: str, input: str | None = None):
        return runner.invoke(app, list(args), input=input, catch_exceptions=False)

    assert run("init", "--no-seed").exit_code == 0
    return run


def write(path, *records):
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_import_export_round_trip_and_unchanged(cli, tmp_path):
    src = write(tmp_path / "in.jsonl", record(id="one"), record(id="two", title="Другой"))
    result = cli("import", str(src))
    assert result.exit_code == 0, result.output
    assert result.output.strip().splitlines()[-1] == "imported 2, updated 0, unchanged 0"
    assert cli("import", str(src)).output.strip().splitlines()[-1] == (
        "imported 0, updated 0, unchanged 2"
    )

    out = tmp_path / "out.jsonl"
    assert cli("export", str(out)).exit_code == 0
    exported = [json.loads(line) for line in out.read_text().splitlines()]
    assert {r["id"] for r in exported} == {"one", "two"}
    again = cli("import", str(out))
    assert again.output.strip().splitlines()[-1] == "imported 0, updated 0, unchanged 2"

    csv_out = tmp_path / "out.csv"
    assert cli("export", str(csv_out), "--format", "csv").exit_code == 0
    assert cli("import", str(csv_out)).output.strip().splitlines()[-1] == (
        "imported 0, updated 0, unchanged 2"
    )


def test_invalid_file_imports_nothing_and_reports_every_problem(cli, tmp_path):
    src = write(
        tmp_path / "bad.jsonl",
        record(id="ok-1"),
        record(id="bad", country="XX", year=3000),
        record(id="ok-1"),
    )
    result = cli("import", str(src))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert any(line.startswith("record 2: country:") for line in lines)
    assert any(line.startswith("record 2: year:") for line in lines)
    assert any(line.startswith("record 3: id:") for line in lines)
    out = tmp_path / "out.jsonl"
    cli("export", str(out))
    assert out.read_text() == ""


def test_empty_and_unreadable_files(cli, tmp_path):
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    result = cli("import", str(empty))
    assert result.exit_code == 1 and "empty" in result.output
    latin = tmp_path / "latin.csv"
    latin.write_bytes("title,summary\ncafé,x\n".encode("latin-1"))
    assert "UTF-8" in cli("import", str(latin)).output


def test_imported_records_are_found_by_search_right_after(cli, tmp_path):
    from replan.app import build_runtime
    from replan.settings import Settings

    cli(
        "import",
        str(
            write(
                tmp_path / "a.jsonl",
                record(id="zz", title="Tappeto antivibrante", application="rail-vibration"),
            )
        ),
    )
    runtime = build_runtime(Settings(_env_file=None))
    try:
        from kb.schemas import CaseQuery

        hits = search(runtime, CaseQuery(q="antivibrante")).hits
        assert [h.id for h in hits] == ["zz"]
    finally:
        runtime.close()
    assert cli("reindex").exit_code == 0


def test_user_and_token_creation(cli):
    made = cli(
        "user",
        "create",
        "Mod@Example.org",
        "--role",
        "moderator",
        "--password-stdin",
        input="a long enough password\n",
    )
    assert made.exit_code == 0, made.output
    token = cli("token", "create", "mod@example.org")
    assert token.exit_code == 0 and token.output.strip().startswith("rpl_")
    bad = cli(
        "user",
        "create",
        "x@example.org",
        "--role",
        "emperor",
        "--password-stdin",
        input="a long enough password\n",
    )
    assert bad.exit_code == 1 and "unknown role" in bad.output


# --- imports commit in batches (issue 9, item 8) -----------------------------------------------


def test_import_commits_in_batches_and_says_so(cli, tmp_path, monkeypatch):
    from sqlalchemy import event
    from sqlalchemy.orm import Session

    monkeypatch.setenv("REPLAN_IMPORT_BATCH", "2")
    commits = []
    listener = lambda session: commits.append(1)  # noqa: E731
    event.listen(Session, "after_commit", listener)
    try:
        result = cli("import", str(write(tmp_path / "five.jsonl", *[record() for _ in range(5)])))
    finally:
        event.remove(Session, "after_commit", listener)
    assert result.exit_code == 0
    assert "batches of 2 records" in " ".join(result.output.split())
    assert result.output.strip().splitlines()[-1] == "imported 5, updated 0, unchanged 0"
    assert len(commits) >= 3  # 2 + 2 + 1 records, each batch its own transaction


def test_an_import_that_fails_midway_says_which_records_are_in(cli, tmp_path, monkeypatch):
    from kb import importing as kb_importing

    monkeypatch.setenv("REPLAN_IMPORT_BATCH", "2")
    records = [record() for _ in range(5)]
    real = kb_importing.apply_record

    def failing(session, case, rec, orgs):
        if rec.id == records[3]["id"]:
            raise OSError("disk full")
        return real(session, case, rec, orgs)

    monkeypatch.setattr(kb_importing, "apply_record", failing)
    result = cli("import", str(write(tmp_path / "five.jsonl", *records)))
    said = " ".join(result.output.split())
    assert result.exit_code == 1
    assert "records 1-2 of 5 were committed (imported 2, updated 0, unchanged 0)" in said
    assert "records 3-5 were not" in said
    monkeypatch.setattr(kb_importing, "apply_record", real)
    exported = tmp_path / "out.jsonl"
    cli("export", str(exported))
    ids = [json.loads(line)["id"] for line in exported.read_text().splitlines()]
    assert sorted(ids) == sorted(r["id"] for r in records[:2])


def test_an_invalid_file_still_imports_nothing_in_batches(cli, tmp_path, monkeypatch):
    monkeypatch.setenv("REPLAN_IMPORT_BATCH", "1")
    bad = write(tmp_path / "bad.jsonl", record(), record(), record(country="XX"))
    result = cli("import", str(bad))
    assert result.exit_code == 1 and "nothing was imported" in result.output
    exported = tmp_path / "out.jsonl"
    cli("export", str(exported))
    assert exported.read_text() == ""


def test_csv_export_escapes_formulas(cli, tmp_path):
    """Issue 9, item 7: `replan export --format csv` writes no cell a spreadsheet would run."""
    src = write(tmp_path / "f.jsonl", record(title='=HYPERLINK("http://x")', city="@cmd"))
    assert cli("import", str(src)).exit_code == 0
    out = tmp_path / "out.csv"
    cli("export", str(out), "--format", "csv")
    text = out.read_text(encoding="utf-8")
    assert "'=HYPERLINK" in text and ",'@cmd," in text
    again = cli("import", str(out))
    assert again.output.strip().splitlines()[-1] == "imported 0, updated 0, unchanged 1"


def test_criteria_check_lists_overdue_criteria_and_fails(cli):
    on_time = cli("criteria", "check", "--on", "2026-12-07")
    assert on_time.exit_code == 0
    assert "0 of" in on_time.output
    late = cli("criteria", "check", "--on", "2040-01-01")
    assert late.exit_code == 1
    assert "play-ts-impact-attenuation\tdue 2027-06-01" in late.output
    assert cli("criteria", "check", "--on", "someday").exit_code == 2


def test_init_on_an_empty_user_table_says_how_to_make_an_account(cli):
    said = cli("init", "--no-seed").output
    assert "There is no user account yet" in said
    assert "--role procurer" in said and "--password-stdin" in said
    created = cli(
        "user",
        "create",
        "first@example.org",
        "--role",
        "admin",
        "--password-stdin",
        input="a long enough password\n",
    )
    assert created.exit_code == 0, created.output
    assert "There is no user account yet" not in cli("init", "--no-seed").output
