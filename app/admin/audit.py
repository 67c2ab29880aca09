"""The audit an admin can read (issue 14, item 5): filter, page through, export to CSV (itself audited)."""
from __future__ import annotations

import csv
import io

from flask import Response, flash, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import Length, NumberRange, Optional

from app.admin import bp
from app.extensions import db
from app.security import audit, audit_log
from app.security.access import roles_required
from app.security.text import VISIBLE_FILTERS


class AuditFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET that only reads; the export below is a POST with its token

    person = StringField(_l("Person (a defender's alias, or a staff member's email)"), filters=VISIBLE_FILTERS,
                         validators=[Optional(), Length(max=120)])
    action = SelectField(_l("Action"), choices=[], validate_choice=False)
    start = DateField(_l("From"), validators=[Optional()])
    end = DateField(_l("To"), validators=[Optional()])
    house = SelectField(_l("House"), coerce=int, choices=[], validate_choice=False)
    page = IntegerField(validators=[Optional(), NumberRange(min=1, max=100_000)])


FILTER_ARGS = ("person", "action", "start", "end", "house")


class ExportForm(FlaskForm):
    """Only the CSRF token; the filters come in the query string."""


def _filters(form: AuditFilterForm) -> audit_log.Filters:
    form.action.choices = [("", _("Any action"))] + [(a, a) for a in audit_log.actions()]
    form.house.choices = [(0, _("Any house"))] + [(h.id, h.name) for h in audit_log.houses()]
    if request.args and not form.validate():
        flash(_("Some filters were not understood and were left out."), "info")
        for name, _errors in form.errors.items():
            getattr(form, name).data = None
    if form.start.data and form.end.data and form.start.data > form.end.data:
        flash(_("The first day comes after the last one: both were left out."), "info")
        form.start.data = form.end.data = None
    known = {value for value, _label in form.action.choices}
    return audit_log.Filters(person=form.person.data or "",
                             action=form.action.data if form.action.data in known else "",
                             start=form.start.data, end=form.end.data, house_id=form.house.data or None)


@bp.route("/audit")
@roles_required("admin")
def audit_events():
    form = AuditFilterForm(request.args)
    filters = _filters(form)
    total = audit_log.count(filters)
    pages = max(1, -(-total // audit_log.PAGE_SIZE))
    number = min(form.page.data or 1, pages)
    rows = [audit_log.row(event) for event in audit_log.page(filters, number)]
    args = {k: request.args[k] for k in FILTER_ARGS if request.args.get(k)}  # only these: url_for takes the rest
    return render_template("admin/audit.html", form=form, rows=rows, total=total, page=number, pages=pages,
                           args=args, export_form=ExportForm())


@bp.route("/audit/export.csv", methods=["POST"])
@roles_required("admin")
def audit_export():
    form = AuditFilterForm(request.args)
    filters = _filters(form)
    if not ExportForm().validate_on_submit():
        return render_template("admin/audit.html", form=form, rows=[], total=0, page=1, pages=1, args={},
                               export_form=ExportForm()), 400
    events = audit_log.every(filters)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(["when_utc", "who", "role", "house", "action", "record", "about"])
    for event in events:
        r = audit_log.row(event)
        writer.writerow([r["at"].isoformat(timespec="seconds"), *(_cell(r[k]) for k in
                                                                  ("who", "role", "house", "action", "record", "about"))])
    audit.record(current_user, "audit.export", rows=len(events), **filters.used())
    db.session.commit()
    response = Response(out.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = "attachment; filename=audit.csv"
    return response


def _cell(value) -> str:
    """No spreadsheet formula from a cell (an alias starting with '=' stays text)."""
    text = str(value or "")
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


@bp.app_template_global("her_access_lines")
def her_access_lines(log: list[dict]) -> list[audit_log.Line]:
    """Her 'who opened my file', told by day (templates/interviews/my_data.html)."""
    return audit_log.her_lines(log)
