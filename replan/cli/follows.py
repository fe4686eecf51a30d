"""Follows on the command line: send the digests that are due (the server's daily pass does the
same, `replan.follows.jobs`)."""

from typing import Annotated

import typer

from replan.cli.base import _runtime, app, console, out

follows_app = typer.Typer(help="E-mail digests of followed searches and criteria.")
app.add_typer(follows_app, name="follows", no_args_is_help=True)


@follows_app.command("send")
def send(
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="list the digests that would go, send none")
    ] = False,
) -> None:
    """Send the digests that are due and have something new (each new item once)."""
    from replan.follows.service import send_digests

    runtime = _runtime()
    try:
        with runtime.unit_of_work() as uow:
            found = send_digests(
                uow=uow, settings=runtime.settings, kinds=runtime.follow_kinds, dry_run=dry_run
            )
    finally:
        runtime.close()
    for s in found:
        line = f"{s.kind}\t{s.items}\t{s.to}\t{s.label}"
        out.print(line, markup=False, highlight=False, soft_wrap=True)
    console.print(f"{'would send' if dry_run else 'sent'} {len(found)} digests")
