"""The `replan` command: serve, init, import, export, reindex, backup, restore, users, tokens,
criteria, reminders."""

import os
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from kb.taxonomy import Taxonomy
from search.service import GuardedBackend

app = typer.Typer(
    help="RE-PLAN City Life: case studies of recycled tyre materials and GPP specs.",
    no_args_is_help=True,
    add_completion=False,
)
user_app = typer.Typer(help="Manage user accounts.", no_args_is_help=True)
token_app = typer.Typer(help="Manage API tokens.", no_args_is_help=True)
criteria_app = typer.Typer(help="Maintain the criteria library.", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(criteria_app, name="criteria")
console = Console(stderr=True)
out = Console()


def _settings(**overrides):
    from replan.settings import Settings

    try:
        return Settings(**{k: v for k, v in overrides.items() if v is not None})
    except ValueError as exc:
        console.print(f"Settings are not valid: {exc}", markup=False, highlight=False, style="red")
        raise typer.Exit(2) from exc


def _runtime(**overrides):
    from replan.app import build_runtime

    settings = _settings(**overrides)
    try:
        return build_runtime(settings)
    except ValueError as exc:  # a broken seed file (criteria library, taxonomy) names itself
        console.print(f"Cannot start: {exc}", markup=False, highlight=False, style="red")
        raise typer.Exit(2) from exc


def _progress() -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )


def init_database(runtime, *, seed: bool = True, repair: bool = True) -> None:
    """Create or upgrade the schema, load the seeds into an empty database, build the index."""
    from kb import service as kb_service
    from kb.seed import load_seed_cases
    from replan.migrations import upgrade

    upgrade(runtime.settings.db_url)
    with runtime.db.session() as session:
        empty = kb_service.count_cases(session) == 0
    if seed and empty:
        summary = load_seed_cases(runtime)
        console.print(f"seeded the catalogue: {summary.line()}")
    prepare_index(runtime, repair=repair)
    _say_when_no_accounts(runtime)


NO_ACCOUNTS = """There is no user account yet. Create one (the password is asked for):
  replan user create you@example.org --role admin
  replan user create buyer@example.org --role procurer --org "City of Example"
or from a script:
  printf '%s\\n' "$PASSWORD" | replan user create you@example.org --role admin --password-stdin"""


def _say_when_no_accounts(runtime) -> None:
    """Tell whoever starts the app on an empty user table how to make the first account."""
    from sqlalchemy import func, select

    from replan.auth_models import User

    with runtime.db.session() as session:
        if not session.scalar(select(func.count()).select_from(User)):
            console.print(
                NO_ACCOUNTS, markup=False, highlight=False, style="yellow", soft_wrap=True
            )


def prepare_index(runtime, *, repair: bool) -> None:
    """Rebuild a damaged index (now, or leave it to the server's worker); fill an empty one."""
    from search.backend import SearchError

    search = runtime.get(GuardedBackend)
    try:
        empty = search.count() == 0
    except SearchError as exc:
        if not search.damaged:
            console.print(f"[yellow]search engine unavailable, indexing later:[/yellow] {exc}")
            return
        empty = False
    if search.damaged:
        console.print(f"[yellow]the search index is unreadable:[/yellow] {search.reason}")
        if not repair:
            console.print("the server rebuilds it from the database in the background")
            return
    if search.damaged or empty:
        count = _reindex(runtime)
        if search.state == "recovered":
            console.print(
                f"search index rebuilt from the database ({count} cases): {search.reason}"
            )


def _reindex(runtime) -> int:
    """Rebuild the index while holding the drain lock (a running server skips its passes)."""
    from kb.service import CASE_INDEX
    from search.sync import DrainLock

    with DrainLock(runtime.db, CASE_INDEX.name).hold(timeout=600) as mine:
        if not mine:
            console.print("[red]another process kept the search index busy for 10 minutes[/red]")
            raise typer.Exit(1)
        return runtime.get(GuardedBackend).reindex()


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="address to listen on")] = None,
    port: Annotated[int | None, typer.Option(help="port to listen on")] = None,
    workers: Annotated[int, typer.Option(min=1, help="number of server processes")] = 1,
) -> None:
    """Serve the web app (one process drains the search outbox at a time)."""
    import uvicorn

    from replan.app import create_app
    from replan.metrics import use_multiprocess_dir
    from replan.telemetry import configure_logging

    runtime = _runtime(host=host, port=port)  # e-mail links follow --host and --port too
    init_database(runtime, repair=False)
    settings = runtime.settings
    configure_logging(settings)  # uvicorn's lines too: JSON unless on a terminal
    options = {
        "host": settings.host,
        "port": settings.port,
        "proxy_headers": True,
        "log_config": None,
        "access_log": False,  # ours has the route template, not the path with its query string
    }
    if workers == 1:
        uvicorn.run(create_app(settings, runtime), **options)
        return
    runtime.close()
    use_multiprocess_dir(settings)  # the workers' metrics, added up at each scrape
    # Each process builds its own app from the same environment, --host and --port included.
    os.environ.update(REPLAN_HOST=settings.host, REPLAN_PORT=str(settings.port))
    uvicorn.run("replan.app:serve_app", factory=True, workers=workers, **options)


@app.command()
def init(
    no_seed: Annotated[bool, typer.Option("--no-seed", help="do not load the seeds")] = False,
) -> None:
    """Create or migrate the schema; load the seeds when the database is empty."""
    runtime = _runtime()
    try:
        init_database(runtime, seed=not no_seed)
    finally:
        runtime.close()
    console.print("database ready")


@app.command("import")
def import_(
    path: Annotated[Path, typer.Argument(help="file to import")],
    format: Annotated[str | None, typer.Option("--format", help="jsonl|json|csv|xlsx")] = None,
    status: Annotated[str, typer.Option(help="published|submitted")] = "published",
) -> None:
    """Validate every record, then upsert them by id (in batches of REPLAN_IMPORT_BATCH)."""
    from kb import io as kb_io
    from kb import service as kb_service

    if format not in (None, "jsonl", "json", "csv", "xlsx"):
        console.print("--format must be jsonl, json, csv or xlsx")
        raise typer.Exit(2)
    if status not in ("published", "submitted"):
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
            summary = kb_service.upsert_records(
                db=runtime.db,
                backend=runtime.get(GuardedBackend),
                taxonomy=runtime.get(Taxonomy),
                records=parsed.records,
                status=status,
                progress=lambda n: progress.advance(task, n),
                batch=batch,
            )
    except kb_service.ImportInterrupted as exc:
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
    from kb import service as kb_service
    from replan import backup as backups

    settings = _settings()
    try:
        summary = backups.restore_backup(settings=settings, path=path)
    except backups.BackupError as exc:
        console.print(f"restore refused: {exc}", markup=False, highlight=False, style="red")
        raise typer.Exit(1) from exc
    runtime = _runtime()
    try:
        count = kb_service.reindex(
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


@app.command()
def reminders(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="list the reminders that would go, send none")
    ] = False,
) -> None:
    """E-mail procurers about contract milestones due within 14 days or overdue (each once)."""
    from gpp.reminders import send_reminders

    runtime = _runtime()
    try:
        with runtime.unit_of_work() as uow:
            found = send_reminders(uow=uow, settings=runtime.settings, dry_run=dry_run)
    finally:
        runtime.close()
    for r in found:
        line = f"{r.kind}\t{r.due.isoformat()}\t{r.to}\t{r.title} #{r.n}: {r.evidence}"
        out.print(line, markup=False, highlight=False, soft_wrap=True)
    console.print(f"{'would send' if dry_run else 'sent'} {len(found)} reminders")


@user_app.command("create")
def user_create(
    email: str,
    role: Annotated[str, typer.Option(help="submitter|moderator|procurer|admin")],
    org: Annotated[str | None, typer.Option("--org", help="organisation name")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin")] = False,
) -> None:
    """Create a user (the password comes from a prompt or standard input)."""
    from kb.service import organisation_named
    from replan import auth

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    runtime = _runtime()
    try:
        from replan.migrations import upgrade

        upgrade(runtime.settings.db_url)
        with runtime.db.session() as session:
            org_id = organisation_named(session, org).id if org else None
            user = auth.create_user(
                session, email=email, password=password, role=role, organisation_id=org_id
            )
            console.print(f"created {user.email} ({user.role})")
    except auth.AuthError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    finally:
        runtime.close()


@token_app.command("create")
def token_create(
    email: str, name: Annotated[str, typer.Option(help="a name to recognise it")] = "cli"
) -> None:
    """Print a new API token for the user."""
    from sqlalchemy import select

    from replan import auth
    from replan.auth_models import User

    runtime = _runtime()
    try:
        with runtime.db.session() as session:
            user = session.scalar(select(User).where(User.email == auth.normalise_email(email)))
            if user is None:
                console.print(f"[red]no user with the e-mail {email}[/red]")
                raise typer.Exit(1)
            token = auth.create_token(session, user=user, name=name)
    except auth.AuthError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from exc
    finally:
        runtime.close()
    out.print(token, markup=False, highlight=False)


@criteria_app.command("check")
def criteria_check(
    on: Annotated[
        str | None, typer.Option(help="check as of this day (YYYY-MM-DD) instead of today")
    ] = None,
) -> None:
    """List the criteria past their review date; exit 1 when there is any (2: library broken)."""
    from datetime import date

    from gpp.library import LibraryError, load_library
    from replan.settings import Settings

    try:
        day = date.fromisoformat(on) if on else date.today()
    except ValueError as exc:
        console.print(f"--on: '{on}' is not a date (YYYY-MM-DD)", markup=False)
        raise typer.Exit(2) from exc
    try:
        library = load_library(Settings().seeds_dir / "criteria")
    except (LibraryError, ValueError) as exc:
        console.print(f"Cannot load the criteria library: {exc}", markup=False, style="red")
        raise typer.Exit(2) from exc
    overdue = library.overdue(day)
    for c in overdue:  # one tab-separated line per criterion, for scripts
        typer.echo(
            f"{c.id}\tdue {c.next_review.isoformat()}\treviewed {c.reviewed_on.isoformat()}"
            f"\t{c.title}"
        )
    console.print(
        f"{len(overdue)} of {len(library.criteria)} criteria past their review date on "
        f"{day.isoformat()}",
        markup=False,
        highlight=False,
    )
    if overdue:
        raise typer.Exit(1)


if __name__ == "__main__":
    app()
