"""A schedule that lives after publishing: checked changes, cancel, attendance, repair, refills."""
from flask import Blueprint

bp = Blueprint("schedule", __name__, url_prefix="/schedule")


@bp.app_context_processor
def _home_panel():
    """`schedule_panel()` for the coordinator's home page (flagged stays, freed places) and
    `schedule_repairs(run)` for a run's proposal (the published stays it planned again); read only."""
    def schedule_panel():
        from app.schedule import rules

        return rules.home_panel()

    def schedule_repairs(run):
        from app.schedule import rules

        return rules.repair_rows(run)

    return {"schedule_panel": schedule_panel, "schedule_repairs": schedule_repairs}


from app.schedule import views  # noqa: E402,F401
