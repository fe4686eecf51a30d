"""Shared ground and composition: settings, database, templates and htmx helpers, auth, follows
and their digests, the daily jobs, the app factory, the command line and the migrations. Domains
(`kb`, `gpp`, `search`) build on this package; it imports none of them except in `app.py` and
`cli.py`, which compose them."""

from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
