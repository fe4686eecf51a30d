"""The catalogue's data on the command line: import, export, reindex, backup, restore."""

import sys
from pathlib import Path
from typing import Annotated

import typer

from kb import importing as kb_importing
from kb import indexing as kb_indexing
from kb.status import CaseStatus
from kb.taxonomy import Taxonomy
from replan.cli.base import _progress, _reindex, _runtime, _settings, app, console, out
from search.service import GuardedBackend


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="file to import")],
    format: Annotated[str | None, typer.Option("--format", help="jsonl|json|csv|xlsx")] = None,
    status: Annotated[str, typer.Option(help="published|submitted")] = "published",
) -> None:
    """Validate every record, then upsert them by id (in batches of REPLAN_IMPORT_BATCH)."""
    from kb import io as kb_io

    if format not in (None, "jsonl", "json", "csv", "xlsx"):
        console.print("--format must be jsonl, json, csv or xlsx")
        raise typer.Exit(2)
    if status not in (CaseStatus.PUBLISHED, CaseStatus.SUBMITTED):
        console.print("--status must be published or submitted")
        raise typer.Exit(2)
    try:
        parsed = kb_io.read_file(path, format)  # type: ignore[arg-type]
    except kb_io.ImportFileError as exc:
        console.print(f"[red]cannot import {path.name}:[/red] {exc}")
        console.print("nothing was imported")
        raise typer.Exit(1) from exc
    if parsed.problems:
        for line in parsed.problems:
            out.print(line, markup=False, highlight=False)
        console.print(f"[red]{len(parsed.problems)} problem(s): nothing was imported[/red]")
        raise typer.Exit(1)
    runtime = _runtime()
    try:
        from replan.migrations import upgrade

        upgrade(runtime.settings.db_url)
        batch = runtime.settings.import_batch
        total = len(parsed.records)
        if total > batch:
            console.print(
                f"every record is valid; committing in batches of {batch} records "
                "so that the running site can write in between"
            )
        with _progress() as progress:
            task = progress.add_task("importing", total=total)
            summary = kb_importing.upsert_records(
                db=runtime.db,
                backend=runtime.get(GuardedBackend),
                taxonomy=runtime.get(Taxonomy),
                records=parsed.records,
                status=status,
                progress=lambda n: progress.advance(task, n),
                batch=batch,
            )
    except kb_importing.ImportInterrupted as exc:
        console.print(f"[red]the import stopped after record {exc.committed}:[/red] {exc}")
        console.print(
            f"records 1-{exc.committed} of {len(parsed.records)} were committed "
            f"({exc.summary.line()}); records {exc.committed + 1}-{len(parsed.records)} were "
            "not: run the same import again to finish it (records are upserted by id)"
        )
        raise typer.Exit(1) from exc
    finally:
        runtime.close()
    out.print(summary.line(), markup=False, highlight=False)


@app.command()
def export(
    path: Annotated[Path, typer.Argument(help="file to write ('-' for standard output)")],
    format: Annotated[str | None, typer.Option("--format", help="jsonl|csv")] = None,
) -> None:
    """Write every published record, losslessly."""
    from kb import io as kb_io
    from kb import service as kb_service

    fmt = format or ("csv" if path.suffix.lower() == ".csv" else "jsonl")
    if fmt not in ("jsonl", "csv"):
        console.print("--format must be jsonl or csv")
        raise typer.Exit(2)
    runtime = _runtime()
    writer = kb_io.write_csv if fmt == "csv" else kb_io.write_jsonl
    try:
        with runtime.db.session() as session:
            records = kb_service.iter_published(session)
            if str(path) == "-":
                count = writer(records, sys.stdout)
            else:
                tmp = path.with_name(path.name + ".part")
                with tmp.open("w", encoding="utf-8", newline="") as fh:
                    count = writer(records, fh)
                tmp.replace(path)
    finally:
        runtime.close()
    console.print(f"exported {count} records")


@app.command()
def reindex() -> None:
    """Rebuild the search index from the database and swap it in."""

    runtime = _runtime()
    try:
        with console.status("rebuilding the search index"):
            count = _reindex(runtime)
        search = runtime.get(GuardedBackend)
        if search.state == "recovered":
            console.print(f"[yellow]the search index was unreadable:[/yellow] {search.reason}")
    finally:
        runtime.close()
    console.print(f"indexed {count} published cases")


@app.command()
def backup(
    path: Annotated[Path, typer.Argument(help="archive to write (.tar.gz)")],
    include_secret: Annotated[
        bool, typer.Option("--include-secret", help="also store the secret key")
    ] = False,
) -> None:
    """Write one archive of the database, the uploads and a manifest (safe while serving)."""
    from replan import backup as backups

    try:
        summary = backups.create_backup(
            settings=_settings(), path=path, include_secret=include_secret
        )
    except backups.BackupError as exc:
        console.print(f"backup failed: {exc}", markup=False, highlight=False, style="red")
        raise typer.Exit(1) from exc
    secret = "with" if summary.secret else "without"
    console.print(
        f"wrote {summary.path}: {summary.engine} database and {summary.files - 1} other files "
        f"({summary.size} bytes), {secret} the secret key",
        markup=False,
        highlight=False,
    )


@app.command()
def restore(
    path: Annotated[Path, typer.Argument(help="archive written by `replan backup`")],
) -> None:
    """Restore an archive into an empty data dir and database, migrate, rebuild the index."""
    from replan import backup as backups

    settings = _settings()
    try:
        summary = backups.restore_backup(settings=settings, path=path)
    except backups.BackupError as exc:
        console.print(f"restore refused: {exc}", markup=False, highlight=False, style="red")
        raise typer.Exit(1) from exc
    runtime = _runtime()
    try:
        count = kb_indexing.reindex(
            db=runtime.db, backend=runtime.get(GuardedBackend), taxonomy=runtime.get(Taxonomy)
        )
    finally:
        runtime.close()
    console.print(
        f"restored {summary.files} files into {settings.data_path}, schema at "
        f"{', '.join(summary.revisions)}; indexed {count} published cases",
        markup=False,
        highlight=False,
    )
    if not summary.secret and not settings.secret_key:
        console.print(
            "the archive held no secret key: a new one will be made, so everyone signs in again",
            style="yellow",
        )
