"""`flask --app wsgi offers lapse`: free the places whose deadline passed, warn of near deadlines."""
from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

offers = AppGroup("offers", help="Stay offers: lapsed deadlines and reminders.")


@offers.command("lapse")
def lapse_command() -> None:
    """Mark lapsed every open offer past its deadline (her request goes back to the queue) and warn of
    deadlines two days away or less; then send the e-mails that are due."""
    from app.offers.jobs import run_once

    lapsed, warned = run_once(current_app._get_current_object())
    click.echo(f"lapsed {lapsed}, warned {warned}")
