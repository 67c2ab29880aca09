"""Pseudonyms: a defender is shown by her alias everywhere; her real identity
only through an explicit reveal by a coordinator or admin, with a reason.

Each reveal writes an audit row `defender.reveal` (who, when, which defender,
the reason) that the defender sees in her own data page. The real name and
contact are shown once, in the answer to the POST (never at a GET address
that could be bookmarked, shared or kept in a history), with `no-store`.
"""
from __future__ import annotations

from flask import render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from app.admin import bp
from app.extensions import db
from app.security import access, audit
from app.security.text import VISIBLE_FILTERS, Visible
from app.security.sessions import recent_login_required


class RevealForm(FlaskForm):
    reason = TextAreaField(
        _l("Why do you need her real identity?"),
        filters=VISIBLE_FILTERS,  # NFC, stripped: spaces are no reason
        validators=[DataRequired(), Visible(), Length(min=10, max=500)],
        description=_l("She will see that you looked, when, and this reason. At least 10 characters."))


@bp.route("/defenders/<int:defender_id>/reveal", methods=["GET", "POST"])
@access.roles_required("coordinator", "admin")
@recent_login_required
def reveal(defender_id: int):
    defender = access.get_defender(current_user, defender_id)
    form = RevealForm()
    if form.validate_on_submit():
        audit.record(current_user, "defender.reveal", target=defender, defender_id=defender.id,
                     reason=form.reason.data)
        db.session.commit()
        return render_template("admin/reveal.html", defender=defender, form=None, revealed=True)
    return render_template("admin/reveal.html", defender=defender, form=form, revealed=False), \
        400 if form.errors else 200
