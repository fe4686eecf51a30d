"""Accounts and the criteria library on the command line: users, API tokens, criteria review."""

import sys
from typing import Annotated

import typer

from replan.cli.base import _runtime, console, criteria_app, out, token_app, user_app


@user_app.command("create")
def user_create(
    email: str,
    role: Annotated[str, typer.Option(help="submitter|moderator|procurer|admin")],
    org: Annotated[str | None, typer.Option("--org", help="organisation name")] = None,
    password_stdin: Annotated[bool, typer.Option("--password-stdin")] = False,
) -> None:
    """Create a user (the password comes from a prompt or standard input)."""
    from kb.importing import organisation_named
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
