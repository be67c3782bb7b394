"""`python -m feeder` runs the command line."""

from feeder.cli import app

app()
