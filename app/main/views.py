"""The landing page and each role's home page."""
from __future__ import annotations

from flask import redirect, render_template, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from app.extensions import db
from app.main import bp
from app.models import DiagnosticInterview, House, PlanningRun, StayRequest, Stay, Therapist, User, local_today
from app.security import access


@bp.route("/")
def index():
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    return redirect(url_for("auth.login"))


@bp.route("/home")
@login_required
def home():
    view = {"defender": defender_home, "team": team_home, "coordinator": coordinator_home,
            "admin": admin_home}[current_user.role]
    return view()


def defender_home():
    requests = db.session.scalars(access.request_scope(current_user).order_by(StayRequest.created_at.desc())).all()
    stays = db.session.scalars(access.stay_scope(current_user)).all()
    interviews = db.session.scalars(
        access.interview_scope(current_user).order_by(DiagnosticInterview.created_at.desc())).all()
    from app.reports.followup import open_for

    follow_ups_open = open_for(current_user.defender, local_today()) if current_user.defender else []
    return render_template("main/home_defender.html", requests=requests, stays=stays, interviews=interviews,
                           follow_ups_open=follow_ups_open)


def team_home():
    house = current_user.house
    today = local_today()
    to_confirm = [r for r in db.session.scalars(
        access.request_scope(current_user).where(StayRequest.status == "submitted").order_by(StayRequest.submitted_at))
        if access.can_see_defender(current_user, r.defender)]
    upcoming = db.session.scalars(
        access.stay_scope(current_user).where(Stay.end >= today).limit(10)).all()
    therapists = db.session.scalar(
        select(func.count()).select_from(access.therapist_scope(current_user).where(Therapist.active).subquery()))
    return render_template("main/home_team.html", house=house, to_confirm=to_confirm, upcoming=upcoming,
                           therapists=therapists)


def _count_by_status() -> dict[str, int]:
    rows = db.session.execute(select(StayRequest.status, func.count()).group_by(StayRequest.status))
    return dict(rows.all())


def coordinator_home():
    today = local_today()
    houses = db.session.scalars(access.house_scope(current_user)).all()
    runs = db.session.scalars(select(PlanningRun).order_by(PlanningRun.created_at.desc()).limit(5)).all()
    urgent = db.session.scalar(select(func.count()).select_from(StayRequest)
                               .where(StayRequest.status == "pending", StayRequest.urgency == 3))
    upcoming = db.session.scalars(access.stay_scope(current_user).where(Stay.end >= today).limit(10)).all()
    return render_template("main/home_coordinator.html", houses=houses, runs=runs, counts=_count_by_status(),
                           urgent=urgent, upcoming=upcoming)


def admin_home():
    users = db.session.execute(select(User.role, func.count()).group_by(User.role)).all()
    houses = db.session.scalars(select(House).order_by(House.name)).all()
    return render_template("main/home_admin.html", users=dict(users), houses=houses, counts=_count_by_status())
