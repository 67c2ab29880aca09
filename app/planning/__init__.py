"""Coordinators: the queue, planning runs, the proposal, publishing, exports."""
from flask import Blueprint

bp = Blueprint("planning", __name__, url_prefix="/planning")


@bp.record_once
def _register_cli(state) -> None:
    from app.planning.cli import plan, worker

    state.app.cli.add_command(plan)
    state.app.cli.add_command(worker)


from app.planning import views  # noqa: E402,F401
from app.planning import urgent  # noqa: E402,F401
