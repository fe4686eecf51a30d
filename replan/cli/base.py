"""The `replan` command itself, its shared helpers, and starting the app: serve, init."""

import os
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

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
    from kb.indexing import CASE_INDEX
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
