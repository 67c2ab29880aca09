"""`flask --app wsgi notices deliver`: send the e-mails that are due (cron, or after a mail server outage)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

notices = AppGroup("notices", help="Notices: deliver the e-mails that are due.")


@notices.command("deliver")
def deliver_command() -> None:
    """Send every pending e-mail, and retry failed ones whose next try has come."""
    from app.notices import delivery

    sent, failed = delivery.deliver()
    click.echo(f"sent {sent}, failed {failed}")
