"""Views of the defender journey: the interview step by step, the team's confirmation, her data.

Thin views: parse, check access (app.security.access), call one rule
(app.interviews.rules / privacy), commit once, redirect or render. A refused
change rolls back and re-renders the form with everything she typed (400).
"""
from __future__ import annotations

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask import session as login_session
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from werkzeug.datastructures import MultiDict

from app.auth import messages as account
from app.auth.accounts import create_invitation
from app.extensions import db
from app.interviews import bp, privacy, rules, wizard
from app.interviews.forms import (
    AssistedForm, ConfirmActionForm, ConfirmForm, ConsentForm, DeleteForm, IdentityForm, InviteForm, SubmitForm,
)
from app.interviews.messages import GAPS, MESSAGES, STEP_TITLES
from app.models import DIMENSIONS, DiagnosticInterview, StayRequest, local_today
from app.refusals import Refused, refuse
from app.security import access, audit
from app.security.access import roles_required
from app.security.sessions import end_session, is_recent_login, recent_login_required

ACTIONS = {"back": -1, "next": 1, "save": 0}
PENDING_CONSENT = "pending_consent"  # her choices to give more, kept in her session while she confirms her password


# ------------------------------------------------------------------ her overview

@bp.route("/")
@roles_required("defender")
def mine():
    interviews = db.session.scalars(access.interview_scope(current_user)
                                    .order_by(DiagnosticInterview.created_at.desc())).all()
    requests_ = db.session.scalars(access.request_scope(current_user).order_by(StayRequest.created_at.desc())).all()
    stays = db.session.scalars(access.stay_scope(current_user)).all()
    draft = db.session.scalar(access.editable_interview_scope(current_user)
                              .order_by(DiagnosticInterview.created_at.desc()))
    open_ = any(r.status in rules.OPEN_STATUSES and r.status != "draft" for r in requests_)
    return render_template("interviews/mine.html", interviews=interviews, requests=requests_, stays=stays,
                           draft=draft, can_start=draft is None and not open_, step_titles=STEP_TITLES,
                           form=ConfirmActionForm())


@bp.route("/start", methods=["POST"])
@roles_required("defender")
def start():
    form = ConfirmActionForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        interview = rules.start_interview(current_user.defender)
    except rules.Refused as error:
        refuse(error, MESSAGES, flash_as="info")
        return redirect(url_for("interviews.mine"))
    db.session.commit()
    return redirect(url_for("interviews.step", interview_id=interview.id, step=interview.step))


# ------------------------------------------------------------------ the steps

def _render_step(step, form, interview, stay_request, status=200, saved=None):
    if current_user.role == "team":
        audit.record(current_user, "interview.assist", target=interview, defender_id=interview.defender_id)
        db.session.commit()
    gaps = [(s, GAPS[code]) for s, code in rules.missing(interview, stay_request)] if step == "review" else []
    return render_template(wizard.STEPS[step].template,
                           step=step, steps=rules.STEPS, index=rules.step_index(step), form=form,
                           interview=interview, stay_request=stay_request, step_titles=STEP_TITLES,
                           answers=_review_answers(interview) if step == "review" else None, gaps=gaps,
                           saved=saved), status


def _review_answers(interview: DiagnosticInterview) -> dict:
    return {name: {**rules.dimension_answers(interview, name), "level": interview.dimension(name).self_level}
            for name in DIMENSIONS}


@bp.route("/<int:interview_id>/<step>", methods=["GET", "POST"])
@roles_required("defender", "team")
def step(interview_id: int, step: str):
    if step not in rules.STEPS:
        abort(404)
    interview = db.session.scalar(access.editable_interview_scope(current_user)
                                  .where(DiagnosticInterview.id == interview_id))
    if interview is None:
        return _already_sent(interview_id)
    stay_request = access.request_of_interview(interview)
    if request.method == "GET":  # looking is not saving: she resumes where she last saved
        return _render_step(step, wizard.saved_form(step, interview, stay_request, current_user), interview,
                            stay_request)
    form = wizard.posted_form(step, interview, current_user)
    if not form.validate_on_submit():
        db.session.rollback()
        return _render_step(step, form, interview, stay_request, 400)
    if str(form.version.data) != str(interview.version):
        return _stale_save(step, form, interview, stay_request)
    action = request.form.get("action", "next")
    offset = ACTIONS.get(action, 1)
    next_step = rules.neighbour(step, offset) if offset else step
    try:
        wizard.save(step, form, interview, stay_request, next_step, current_user)
    except rules.Refused as error:
        refuse(error, MESSAGES, form, summary=True)
        return _render_step(step, form, interview, stay_request, 400)
    db.session.commit()
    if action == "save":
        flash(_("Saved. You can come back and continue whenever you like, from any device."), "success")
        return redirect(url_for("interviews.mine") if current_user.role == "defender"
                        else url_for("interviews.team_queue"))
    return redirect(url_for("interviews.step", interview_id=interview.id, step=next_step))


def _already_sent(interview_id: int):
    """A step of an interview she already sent (Back after sending): say so, with a way to it; else 404."""
    sent = db.session.scalar(access.interview_scope(current_user).where(DiagnosticInterview.id == interview_id,
                                                                        DiagnosticInterview.status != "draft"))
    if sent is None:
        abort(404)
    status = 200 if request.method == "GET" else 409
    return render_template("interviews/already_sent.html", interview=sent,
                           stay_request=db.session.scalar(access.request_scope(current_user)
                                                          .where(StayRequest.interview_id == sent.id))), status


def _stale_save(step: str, form, interview: DiagnosticInterview, stay_request: StayRequest):
    """Another tab saved this step first: keep what she typed, show what is saved, let her choose.

    Nothing is written. Her form comes back filled as she left it, carrying the
    current version, so "Save" now keeps hers; reloading the step shows the saved one.
    """
    db.session.rollback()
    saved = wizard.saved_form(step, interview, stay_request, current_user)
    form.version.data = interview.version
    return _render_step(step, form, interview, stay_request, 409, saved=_shown_values(saved))


def _shown_values(form) -> list[tuple[str, str]]:
    """(label, value as she reads it) of each answer a form holds, for 'what is saved'."""
    shown = []
    for item in form:
        if item.type in ("HiddenField", "CSRFTokenField", "SubmitField"):
            continue
        data = item.data
        choices = {str(value): str(label) for value, label in getattr(item, "choices", None) or []}
        if isinstance(data, (list, tuple)):
            value = ", ".join(choices.get(str(v), str(v)) for v in data)
        elif isinstance(data, bool):
            value = _("Yes") if data else _("No")
        elif choices:
            value = choices.get(str(data), "")
        else:
            value = "" if data is None else str(data)
        shown.append((str(item.label.text), value or "—"))
    return shown


@bp.route("/<int:interview_id>/submit", methods=["POST"])
@roles_required("defender", "team")
def submit(interview_id: int):
    interview = access.get_editable_interview(current_user, interview_id)
    stay_request = access.request_of_interview(interview)
    form = SubmitForm()
    if not form.validate_on_submit():
        db.session.rollback()
        return _render_step("review", form, interview, stay_request, 400)
    access.check_version(interview, form.version.data)
    try:
        rules.submit(interview, stay_request, agreed=bool(form.agreed.data),
                     by_team=current_user.role == "team", today=local_today())
    except rules.Refused as error:
        refuse(error, MESSAGES, form, summary=True)
        return _render_step("review", form, interview, stay_request, 400)
    db.session.commit()
    if current_user.role == "team":
        flash(_("The interview was sent. It now waits for confirmation by the house team."), "success")
        return redirect(url_for("interviews.team_queue"))
    flash(_("Thank you. Your interview was sent. The house team will read it and get in touch with you."),
          "success")
    return redirect(url_for("interviews.mine"))


# ------------------------------------------------------------------ her stay and her data

@bp.route("/stays/<int:stay_id>")
@roles_required("defender")
def my_stay(stay_id: int):
    stay = access.get_stay(current_user, stay_id)
    days: dict = {}
    for session in stay.sessions:
        days.setdefault(session.day, []).append(session)
    return render_template("interviews/my_stay.html", stay=stay, days=sorted(days.items()),
                           slot_time=privacy.slot_time)


@bp.route("/my-data")
@roles_required("defender")
def my_data():
    return _render_my_data()


def _render_my_data(*, delete_form=None, posted=None, status: int = 200):
    """Her "My data" page; `delete_form` or `posted` (an interview id and its consent form) when a post was refused."""
    defender = current_user.defender
    requests_ = db.session.scalars(access.request_scope(current_user).order_by(StayRequest.created_at.desc())).all()
    return render_template("interviews/my_data.html", requests=requests_,
                           log=privacy.access_log(defender, current_user), withdrawable=rules.WITHDRAWABLE,
                           delete_form=delete_form or DeleteForm(formdata=None),
                           consents=_consent_forms(posted)), status


def _consent_prefix(interview_id: int) -> str:
    """Each interview's consent form names its fields apart, so a page with several repeats no id."""
    return f"consent{interview_id}"


def _consent_forms(posted=None) -> list[dict]:
    """Each interview she sent, newest first, with its consent form ("My permissions").

    The form shows her saved choices; or what she just posted, if it was
    refused; or, once, what she chose before confirming her password to give
    more (`_password_first`; in her session, not the address, so that no link
    can pre-fill it and no log holds it; written only when she saves again).
    """
    interviews = db.session.scalars(access.interview_scope(current_user)
                                    .where(DiagnosticInterview.status != "draft")
                                    .order_by(DiagnosticInterview.submitted_at.desc(), DiagnosticInterview.id.desc()))
    pending = login_session.pop(PENDING_CONSENT, None) or {}
    consents = []
    for interview in interviews:
        if posted is not None and posted[0] == interview.id:
            form, opened = posted[1], True
        else:
            brought = MultiDict(pending["form"]) if pending.get("interview_id") == interview.id else None
            form = ConsentForm(formdata=brought, prefix=_consent_prefix(interview.id),
                               data={**wizard.load_consent(interview), "version": interview.version})
            opened = brought is not None
        consents.append({"interview": interview, "form": form, "open": opened})
    return consents


@bp.route("/my-data/consent/<int:interview_id>", methods=["POST"])
@roles_required("defender")
def change_consent(interview_id: int):
    """She changes her consent after sending, either way (issue 14 item 6); one audit row, codes only.

    Giving less never asks for her password: withdrawing must be as easy as
    giving. Giving more asks for it when she has not logged in recently: it
    must be her own decision, not that of someone holding her open phone, and
    words once read cannot be unread.
    """
    interview = access.get_interview(current_user, interview_id)
    prefix = _consent_prefix(interview.id)
    form = ConsentForm(prefix=prefix)
    if not form.validate_on_submit():
        db.session.rollback()
        return _render_my_data(posted=(interview.id, form), status=400)
    access.check_version(interview, form.version.data)
    consent, before = wizard.consent_of(form), rules.Consent.of(interview)
    if consent == before:
        flash(_("Nothing changed: your permissions are as before."), "info")
        return redirect(url_for("interviews.my_data", _anchor=f"consent-{interview.id}"))
    try:
        rules.change_consent(interview, consent)
    except rules.Refused as error:
        refuse(error, MESSAGES, form, flash_as="error")  # on the choice's field; a draft's (no field) flashed
        return _render_my_data(posted=(interview.id, form), status=400)
    if consent.widens(before) and not is_recent_login():
        db.session.rollback()
        return _password_first(interview.id)
    audit.record(current_user, "consent.changed", target=interview, defender_id=interview.defender_id,
                 **consent.codes())
    db.session.commit()
    flash(_("Saved. Your permissions changed at once, for everyone who reads your file."), "success")
    return redirect(url_for("interviews.my_data", _anchor=f"consent-{interview.id}"))


def _password_first(interview_id: int):
    """To give more, her password first; her choices wait in her session for her to save them (nothing written)."""
    prefix = _consent_prefix(interview_id)
    flash(_("You are giving more permission. For your safety, please confirm your password; then press Save again."),
          "info")
    chosen = {name: value for name, value in request.form.items()
              if name.startswith(f"{prefix}-") and not name.endswith("csrf_token")}
    login_session[PENDING_CONSENT] = {"interview_id": interview_id, "form": chosen}
    back = url_for("interviews.my_data", _anchor=f"consent-{interview_id}")
    return redirect(url_for("auth.reauthenticate", next=back))


@bp.route("/requests/<int:request_id>/withdraw", methods=["GET", "POST"])
@roles_required("defender")
def withdraw(request_id: int):
    stay_request = access.get_request(current_user, request_id)
    form = ConfirmActionForm()
    if form.validate_on_submit():
        try:
            rules.withdraw(stay_request)
        except rules.Refused as error:
            refuse(error, MESSAGES, flash_as="error")
            return render_template("interviews/withdraw.html", stay_request=stay_request, form=form), 400
        db.session.commit()
        flash(_("Your request was withdrawn. You can ask for a new stay whenever you wish."), "success")
        return redirect(url_for("interviews.my_data"))
    status = 400 if request.method == "POST" else 200
    return render_template("interviews/withdraw.html", stay_request=stay_request, form=form), status


@bp.route("/my-data/export.json")
@roles_required("defender")
@recent_login_required
def export():
    defender = current_user.defender
    audit.record(current_user, "export.json", target=defender, defender_id=defender.id)
    body = privacy.export_json(defender, current_user)
    db.session.commit()
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": 'attachment; filename="respiro-my-data.json"'})


@bp.route("/my-data/delete", methods=["POST"])
@roles_required("defender")
@recent_login_required
def delete_my_data():
    defender = current_user.defender
    form = DeleteForm()
    if not form.validate_on_submit():
        db.session.rollback()
        return _render_my_data(delete_form=form, status=400)
    user = current_user._get_current_object()
    audit.record(user, "defender.deleted", target=defender, defender_id=defender.id)
    privacy.delete_personal_data(defender, user)
    db.session.commit()
    end_session()
    flash(_("Your personal data was deleted and your account closed. Take good care of yourself."), "success")
    return redirect(url_for("auth.login"))


# ------------------------------------------------------------------ the house team

@bp.route("/team")
@roles_required("team")
def team_queue():
    waiting = [r for r in db.session.scalars(access.request_scope(current_user)
                                             .where(StayRequest.status == "submitted")
                                             .order_by(StayRequest.submitted_at))
               if access.can_see_defender(current_user, r.defender)]
    drafts = db.session.scalars(access.editable_interview_scope(current_user)
                                .order_by(DiagnosticInterview.updated_at.desc())).all()
    # withdrawn or declined: only her alias, the status and the day it closed (the request's last change);
    # the template gets these three values, not the request
    closed = [{"alias": r.defender.alias, "status": r.status, "closed_at": r.updated_at}
              for r in db.session.scalars(access.closed_request_scope(current_user)
                                          .order_by(StayRequest.updated_at.desc()))
              if access.can_see_defender(current_user, r.defender)]
    confirmed = [r for r in db.session.scalars(access.request_scope(current_user)
                                               .where(StayRequest.status.in_(("pending", "published")))
                                               .order_by(StayRequest.updated_at.desc()))
                 if access.can_see_defender(current_user, r.defender)]
    return render_template("interviews/team_queue.html", waiting=waiting, drafts=drafts, closed=closed,
                           confirmed=confirmed, step_titles=STEP_TITLES)


@bp.route("/team/requests/<int:request_id>", methods=["GET", "POST"])
@roles_required("team")
@recent_login_required
def team_review(request_id: int):
    stay_request = access.get_request(current_user, request_id)
    interview = stay_request.interview
    if interview is None:
        abort(404)
    form = ConfirmForm() if request.method == "POST" else ConfirmForm(data=_confirm_defaults(interview, stay_request))
    status = 200
    if request.method == "POST":
        if form.validate_on_submit():
            access.check_version(stay_request, form.version.data)
            try:
                rules.confirm(interview, stay_request, levels=form.levels(), urgency=form.urgency.data,
                              reason=form.reason.data or "", by=current_user,
                              risk_notes=form.risk_notes.data or "")
            except rules.Refused as error:
                refuse(error, MESSAGES, form, summary=True)
            else:
                audit.record(current_user, "interview.confirm", target=interview, defender_id=interview.defender_id,
                             request_id=stay_request.id)
                db.session.commit()
                flash(_("Confirmed. The request is now ready for planning."), "success")
                return redirect(url_for("interviews.team_queue"))
        db.session.rollback()
        status = 400
    return _render_review(stay_request, form, IdentityForm(formdata=None), status)


def _render_review(stay_request: StayRequest, form, identity_form, status: int):
    """The team's page for her request (an audited read of her interview)."""
    interview = stay_request.interview
    audit.record(current_user, "interview.read", target=interview, defender_id=interview.defender_id,
                 request_id=stay_request.id)
    db.session.commit()
    narrative = access.may_read_narrative(current_user, interview)
    defender = stay_request.defender
    identity = {"name": defender.real_name_ct is not None, "contact": defender.contact_ct is not None}
    return render_template("interviews/team_review.html", stay_request=stay_request, interview=interview, form=form,
                           narrative=narrative, answers=_review_answers(interview) if narrative else None,
                           identity_form=identity_form, identity=identity), status


@bp.route("/team/requests/<int:request_id>/identity", methods=["POST"])
@roles_required("team")
@recent_login_required
def team_identity(request_id: int):
    """Record her real name and a contact on her file: encrypted under her own key, never shown back here."""
    stay_request = access.get_request(current_user, request_id)
    if stay_request.interview is None:
        abort(404)
    form = IdentityForm()
    if not form.validate_on_submit():
        db.session.rollback()
        confirm = ConfirmForm(formdata=None, data=_confirm_defaults(stay_request.interview, stay_request))
        return _render_review(stay_request, confirm, form, 400)
    defender = stay_request.defender
    if form.real_name.data:
        defender.real_name = form.real_name.data
    if form.contact.data:
        defender.contact = form.contact.data
    audit.record(current_user, "defender.identity_recorded", target=defender, defender_id=defender.id)
    db.session.commit()
    flash(_("Saved, encrypted. It is shown only through a recorded reveal."), "success")
    return redirect(url_for("interviews.team_review", request_id=request_id))


def _confirm_defaults(interview: DiagnosticInterview, stay_request: StayRequest) -> dict:
    data = {f"need_{name}": interview.dimension(name).self_level for name in DIMENSIONS}
    data.update(urgency=stay_request.urgency_self, version=stay_request.version)
    return data


@bp.route("/team/defenders/<int:defender_id>/export.json")
@roles_required("team")
@recent_login_required
def team_export(defender_id: int):
    """Her file as JSON, for a team member to hand to her: only what the team sees (privacy.export_data)."""
    defender = access.get_defender(current_user, defender_id)
    reader = current_user._get_current_object()
    audit.record(reader, "defender.export", target=defender, defender_id=defender.id)
    body = privacy.export_json(defender, None, reader=reader)
    db.session.commit()
    filename = privacy.export_filename(defender)
    return Response(body, mimetype="application/json",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})


@bp.route("/team/assisted", methods=["GET", "POST"])
@roles_required("team")
def assisted_new():
    form = AssistedForm()
    if form.validate_on_submit():
        try:
            interview = rules.create_assisted_defender(
                alias=form.alias.data, country=form.country.data, languages=form.languages.data or [],
                barred_countries=form.barred_countries.data or [], agreed=form.defender_agreed.data,
                filled_by=current_user, real_name=form.real_name.data or "", contact=form.contact.data or "")
        except rules.Refused as error:
            refuse(error, MESSAGES, form, summary=True)
        else:
            db.session.commit()
            flash(_("Her record was created. You can now fill in the interview together."), "success")
            return redirect(url_for("interviews.step", interview_id=interview.id, step=interview.step))
    status = 400 if request.method == "POST" else 200
    if status == 400:
        db.session.rollback()
    return render_template("interviews/assisted_new.html", form=form), status


@bp.route("/team/interviews/<int:interview_id>/invite", methods=["GET", "POST"])
@roles_required("team")
def assisted_invite(interview_id: int):
    interview = _assisted_interview(interview_id)
    form = InviteForm()
    if form.validate_on_submit():
        try:
            _invitation, token = create_invitation(email=form.email.data, role="defender", created_by=current_user,
                                                   defender_id=interview.defender_id, say_if_taken=False)
        except Refused as error:
            refuse(error, account.MESSAGES, form, field="email")
        else:
            audit.record(current_user, "defender.invite", target=interview.defender, defender_id=interview.defender_id)
            db.session.commit()
            link = url_for("auth.invitation", token=token, _external=True)
            return render_template("interviews/invitation_created.html", link=link, interview=interview)
    status = 400 if request.method == "POST" else 200
    return render_template("interviews/assisted_invite.html", form=form, interview=interview), status


def _assisted_interview(interview_id: int) -> DiagnosticInterview:
    """An interview this house filled with a defender who has no account yet (draft or sent)."""
    interview = db.session.scalar(access.editable_interview_scope(current_user)
                                  .where(DiagnosticInterview.id == interview_id))
    if interview is None:
        interview = db.session.scalar(access.interview_scope(current_user).where(DiagnosticInterview.id == interview_id))
        if interview is None or not interview.assisted or not access.can_see_defender(current_user, interview.defender) \
                or interview.filled_by is None or interview.filled_by.house_id != current_user.house_id:
            abort(404)
    if interview.defender.user is not None:
        abort(404)
    return interview
