"""The directory of the organisations behind the public case studies (filtered by material,
country and certificate, each with its count of published cases) and the side-by-side comparison
of published cases. Both read what `kb.service` says is public, and nothing else."""
