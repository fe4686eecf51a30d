from replan.cli import app

app()
