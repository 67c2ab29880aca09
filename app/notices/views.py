"""Her notices (newest first, marked read by a POST), her e-mail choice, and failed e-mails for admins."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select, update

from app.extensions import db
from app.models import Notice, NoticeSetting, User, utcnow
from app.notices import bp, delivery, service
from app.notices.forms import ReadForm, SettingsForm
from app.security.access import roles_required

PAGE = 100


@bp.route("/")
@login_required
def index():
    rows = list(db.session.scalars(select(Notice).where(Notice.user_id == current_user.id)
                                   .order_by(Notice.id.desc()).limit(PAGE)))
    return render_template("notices/index.html", notices=rows, text=service.text, form=ReadForm(),
                           unread=sum(1 for n in rows if n.read_at is None))


def _safe_link(link: str) -> str:
    """Only a path inside Respiro (never another host)."""
    return link if link.startswith("/") and not link.startswith("//") else url_for("notices.index")


@bp.route("/<int:notice_id>/read", methods=["POST"])
@login_required
def read(notice_id: int):
    notice = db.session.get(Notice, notice_id)
    if notice is None or notice.user_id != current_user.id:
        abort(404)
    if not ReadForm().validate_on_submit():
        abort(400)
    if notice.read_at is None:
        notice.read_at = utcnow()
    link = notice.link
    db.session.commit()
    return redirect(_safe_link(link) if link else url_for("notices.index"))


@bp.route("/read-all", methods=["POST"])
@login_required
def read_all():
    if not ReadForm().validate_on_submit():
        abort(400)
    db.session.execute(update(Notice).where(Notice.user_id == current_user.id, Notice.read_at.is_(None))
                       .values(read_at=utcnow()))
    db.session.commit()
    flash(_("Every notice is marked read."), "success")
    return redirect(url_for("notices.index"))


@bp.route("/settings", methods=["GET", "POST"])
@login_required
def settings():
    setting = db.session.get(NoticeSetting, current_user.id)
    form = SettingsForm(data={"email": bool(setting and setting.email)} if not SettingsForm().is_submitted() else None)
    if form.validate_on_submit():
        if setting is None:
            setting = NoticeSetting(user_id=current_user.id)
            db.session.add(setting)
        setting.email = bool(form.email.data)
        db.session.commit()
        flash(_("Saved. You will get an e-mail for each new notice.") if form.email.data
              else _("Saved. Your notices stay in Respiro only."), "success")
        return redirect(url_for("notices.settings"))
    status = 400 if form.is_submitted() else 200
    return render_template("notices/settings.html", form=form, mail=service.mail_configured()), status


@bp.route("/failed")
@roles_required("admin")
def failed():
    rows = list(db.session.scalars(select(Notice).where(Notice.email_state == "failed")
                                   .order_by(Notice.id.desc()).limit(500)))
    users = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_({n.user_id for n in rows})))}
    return render_template("notices/failed.html", rows=rows, users=users, limit=delivery.max_attempts(),
                           form=ReadForm())


@bp.route("/failed/retry", methods=["POST"])
@roles_required("admin")
def retry():
    if not ReadForm().validate_on_submit():
        abort(400)
    db.session.execute(update(Notice).where(Notice.email_state == "failed").values(email_state="pending", email_next_try=None))
    db.session.commit()
    delivery.submit(current_app._get_current_object(), delivery.base_url())
    flash(_("The failed e-mails are being sent again."), "info")
    return redirect(url_for("notices.failed"))
