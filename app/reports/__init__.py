"""Seeing the whole network: demand against capacity, waiting, therapists' load, people served,
and how people are after their stay (issue 15). Every count is suppressed (`suppress`)."""
from flask import Blueprint

bp = Blueprint("reports", __name__, url_prefix="/reports")


@bp.record_once
def _register_cli(state) -> None:
    from app.reports.cli import report

    state.app.cli.add_command(report)


from app.reports import views  # noqa: E402,F401
