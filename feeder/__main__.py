"""`python -m feeder` runs the command line."""

from .cli import app

app()
