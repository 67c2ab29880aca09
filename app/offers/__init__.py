"""Offers: publishing with a confirmation, her answer before a deadline, withdrawing, the per-stay diff."""
from flask import Blueprint

bp = Blueprint("offers", __name__, url_prefix="/offers")


@bp.record_once
def _setup(state) -> None:
    from app.offers import jobs, service
    from app.offers.cli import offers

    app = state.app
    app.cli.add_command(offers)
    app.jinja_env.globals["offer_history"] = lambda req: service.history([req.id]).get(req.id, [])
    jobs.start_periodic(app)


from app.offers import views  # noqa: E402,F401
