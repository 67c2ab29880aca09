"""Sending the e-mail of a notice, off the request, through the job runner; failures retried.

A notice marked `pending` is claimed (pending/failed -> sending, one UPDATE, so two workers never
send it twice), sent with Flask-Mailman to the SMTP server of the environment, and marked `sent`;
a failure marks it `failed` with the error's type, counts the attempt and sets the next try
(1, 5, 30 minutes, then hourly, at most MAIL_MAX_ATTEMPTS). The notice itself is never touched:
she reads it in the app whatever happens to the e-mail. Failed deliveries are listed for admins.
"""
from __future__ import annotations

import datetime as dt
import threading

from flask import Flask, current_app, has_request_context, request
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import or_, select, update

from app.extensions import db
from app.models import Notice, User, utcnow

BACKOFF_MINUTES = (1, 5, 30, 60)
SUBJECT = "You have a new notice in Respiro"


def max_attempts(app: Flask | None = None) -> int:
    return int((app or current_app).config.get("MAIL_MAX_ATTEMPTS", 6))


def base_url(app: Flask | None = None) -> str:
    """Where the link in the e-mail points: RESPIRO_BASE_URL, else this request's host, else SERVER_NAME."""
    app = app or current_app
    if app.config.get("RESPIRO_BASE_URL"):
        return app.config["RESPIRO_BASE_URL"].rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    server = app.config.get("SERVER_NAME")
    return f"{app.config.get('PREFERRED_URL_SCHEME', 'http')}://{server}" if server else ""


def message_for(user: User, link: str) -> tuple[str, str]:
    """Subject and body: neutral, in her language; no name, house, date or place."""
    with force_locale(user.locale or current_app.config.get("BABEL_DEFAULT_LOCALE", "es")):
        subject = _("You have a new notice in Respiro")
        body = "\n\n".join([subject + ".", _("Read it here:") + " " + link if link else
                            _("Log in to Respiro to read it."), ""])
    return subject, body


def _connection():
    config = current_app.config
    return current_app.extensions["mailman"].get_connection(
        backend="smtp", host=config["MAIL_SERVER"], port=int(config.get("MAIL_PORT") or 25),
        username=config.get("MAIL_USERNAME"), password=config.get("MAIL_PASSWORD"),
        use_tls=bool(config.get("MAIL_USE_TLS")), use_ssl=bool(config.get("MAIL_USE_SSL")),
        timeout=float(config.get("MAIL_TIMEOUT") or 10))


def _claim(notice_id: int, now: dt.datetime) -> bool:
    """pending/failed -> sending in one UPDATE, committed: two workers never send the same e-mail."""
    table = Notice.__table__
    claimed = db.session.execute(update(table).where(
        table.c.id == notice_id, table.c.email_state.in_(("pending", "failed")),
        or_(table.c.email_next_try.is_(None), table.c.email_next_try <= now)).values(email_state="sending")).rowcount
    db.session.commit()
    return bool(claimed)


def _mark(notice_id: int, **values) -> None:
    table = Notice.__table__
    db.session.execute(update(table).where(table.c.id == notice_id, table.c.email_state == "sending").values(**values))
    db.session.commit()


def due(now: dt.datetime | None = None) -> list[int]:
    now = now or utcnow()
    query = select(Notice.id).where(
        or_(Notice.email_state == "pending",
            (Notice.email_state == "failed") & (Notice.email_attempts < max_attempts())),
        or_(Notice.email_next_try.is_(None), Notice.email_next_try <= now)).order_by(Notice.id)
    return list(db.session.scalars(query))


def deliver(link_base: str | None = None) -> tuple[int, int]:
    """Send every e-mail that is due now. Returns (sent, failed). Commits its own small transactions."""
    db.session.commit()
    if not current_app.config.get("MAIL_SERVER"):
        return 0, 0
    from flask_mailman import EmailMessage

    link = (link_base if link_base is not None else base_url()) + "/notices/"
    sent = failed = 0
    ids = due()
    db.session.commit()  # each claim and mark below is its own short transaction
    for notice_id in ids:
        now = utcnow()
        if not _claim(notice_id, now):
            continue
        notice = db.session.get(Notice, notice_id)
        db.session.refresh(notice)
        user = db.session.get(User, notice.user_id)
        attempts = (notice.email_attempts or 0) + 1
        subject, body = message_for(user, link)
        to = user.email
        db.session.commit()  # no transaction held while talking to the mail server
        if not to:  # her data was deleted, and her address with it: nothing to send, ever
            _mark(notice_id, email_state="", email_next_try=None)
            continue
        try:
            EmailMessage(subject, body, current_app.config.get("MAIL_DEFAULT_SENDER"), [to],
                         connection=_connection()).send()
        except Exception as exc:  # noqa: BLE001 - any failure is recorded, never raised into the action
            wait = BACKOFF_MINUTES[min(attempts, len(BACKOFF_MINUTES)) - 1]
            _mark(notice_id, email_state="failed", email_attempts=attempts, email_error=type(exc).__name__,
                  email_next_try=now + dt.timedelta(minutes=wait))
            failed += 1
        else:
            _mark(notice_id, email_state="sent", email_attempts=attempts, email_error="", email_sent_at=utcnow(),
                  email_next_try=None)
            sent += 1
    return sent, failed


# ------------------------------------------------------------------ the job runner

def submit(app: Flask, link_base: str) -> None:
    """Hand the due e-mails to the configured job back end (the planner's: inline, thread or RQ)."""
    from app.planning import jobs

    backend = jobs.backend_name(app)
    if backend == "inline":
        _run(app, link_base)
    elif backend == "thread":
        threading.Thread(target=_run, args=(app, link_base), name="notices-mail", daemon=True).start()
    else:
        try:
            from rq import Queue

            Queue(jobs.queue_name(app), connection=jobs.redis_connection(app)).enqueue_call(
                "app.notices.delivery.rq_deliver", args=(link_base,), result_ttl=3600, failure_ttl=7 * 86400)
        except Exception as exc:  # noqa: BLE001 - Redis down: the e-mails wait for `flask notices deliver`
            app.logger.error("notices queue unreachable (%s)", type(exc).__name__)


def _run(app: Flask, link_base: str) -> None:
    with app.app_context():
        try:
            _sent, failed = deliver(link_base)
        except Exception as exc:  # noqa: BLE001
            app.logger.error("notice delivery failed (%s)", type(exc).__name__)
            return
        finally:
            db.session.remove()
    if failed and jobs_retry(app):
        timer = threading.Timer(60 * BACKOFF_MINUTES[0] + 1, _run, args=(app, link_base))
        timer.daemon = True
        timer.start()


def jobs_retry(app: Flask) -> bool:
    """Thread back end: retry failures on a timer (RQ and cron use `flask notices deliver`)."""
    from app.planning import jobs

    return jobs.backend_name(app) == "thread"


def rq_deliver(link_base: str) -> str:
    from flask import has_app_context

    if has_app_context():
        deliver(link_base)
    else:
        from app import create_app

        with create_app().app_context():
            deliver(link_base)
    return "ok"


def after_request(response):
    """Once the view has committed, send what it marked for e-mail (a rolled-back notice is not there)."""
    from flask import g

    if getattr(g, "notices_to_send", False):
        g.notices_to_send = False
        try:
            submit(current_app._get_current_object(), base_url())
        except Exception as exc:  # noqa: BLE001 - never fail her action for an e-mail
            current_app.logger.error("notice delivery not started (%s)", type(exc).__name__)
    return response
