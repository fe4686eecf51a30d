"""The knowledge base: case studies of recycled tyre materials, the organisations behind them, the
taxonomy of applications and materials, import and export of the catalogue, and the submission and
moderation workflow that decides what the public sees, and the followed case searches (a kind of
`replan.follows`). It hands published cases to `search` as plain documents and reads them back
through it."""
