"""Contract follow-up on the command line: reminders of milestones due or overdue."""

from typing import Annotated

import typer

from replan.cli.base import _runtime, app, console, out


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
