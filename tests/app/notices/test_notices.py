"""Notices: in the app for each person, an unread count in the header, marked read by a POST; an opt-in
neutral e-mail through a real local SMTP server (aiosmtpd); failures keep the notice and are retried."""
from __future__ import annotations

import socket

from sqlalchemy import func, select

from app.extensions import db
from app.models import Notice, NoticeSetting
from app.notices import delivery
from app.notices.service import notify


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # nobody listens there once the socket is closed


def opt_in(client, login, user):
    login(user)
    response = client.post("/notices/settings", data={"email": "y"})
    assert response.status_code == 302
    assert db.session.get(NoticeSetting, user.id).email is True


def test_notif_unread_count_in_the_header_and_marked_read_by_post(client, login, make_user):
    user = make_user("defender")
    notify([user], "offered", link="/offers/")
    notify([user], "changed")
    db.session.commit()
    login(user)
    home = client.get("/home", follow_redirects=True)
    assert 'id="notices-link"' in home.text and "Avisos" in home.text
    assert '<span class="badge badge--count" aria-hidden="true">2</span><span class="visually-hidden"> (2 sin leer)</span>' in home.text
    page = client.get("/notices/")
    assert "Se te ofrece una estancia" in page.text and "2 avisos sin leer" in page.text
    assert db.session.scalar(select(func.count(Notice.id)).where(Notice.read_at.is_(None))) == 2  # a GET reads only
    first = db.session.scalar(select(Notice).where(Notice.kind == "offered"))
    response = client.post(f"/notices/{first.id}/read")
    assert response.status_code == 302 and response.location.endswith("/offers/")
    assert '>1</span>' in client.get("/notices/").text
    assert client.post("/notices/read-all").status_code == 302
    assert 'badge--count' not in client.get("/notices/").text


def test_notif_of_another_person_cannot_be_read_or_marked(client, login, make_user):
    her, other = make_user("defender"), make_user("defender")
    notice = notify([her], "offered")[0]
    db.session.commit()
    login(other)
    assert "Se te ofrece" not in client.get("/notices/").text
    assert client.post(f"/notices/{notice.id}/read").status_code == 404
    db.session.refresh(notice)
    assert notice.read_at is None


def test_notif_mark_read_needs_csrf(client, login, make_user):
    user = make_user("defender")
    notice = notify([user], "offered")[0]
    db.session.commit()
    login(user)
    assert client.post(f"/notices/{notice.id}/read", csrf=False).status_code == 400
    db.session.refresh(notice)
    assert notice.read_at is None


def test_notif_email_is_neutral_and_arrives_at_the_local_smtp_server(app, client, login, make_user, smtp_server, mailbox):
    host, port, _ = smtp_server
    app.config.update(MAIL_SERVER=host, MAIL_PORT=port, RESPIRO_BASE_URL="https://respiro.example")
    user = make_user("defender", email="ceiba@example.org")
    opt_in(client, login, user)
    notify([user], "offered", link="/offers/1")
    db.session.commit()
    sent, failed = delivery.deliver()
    assert (sent, failed) == (1, 0)
    [message] = mailbox.wait_for(1)
    assert message["To"] == "ceiba@example.org"
    assert message["Subject"] == "Tienes un aviso nuevo en Respiro"
    body = message.get_content()
    assert "https://respiro.example/notices/" in body
    alias = user.defender.alias
    for secret in (alias, "Casa", "2027", "Oaxaca", "/offers/1"):
        assert secret not in body and secret not in message["Subject"]
    notice = db.session.scalar(select(Notice))
    assert notice.email_state == "sent" and notice.email_attempts == 1


def test_notif_email_is_sent_after_the_action_commits_through_the_job_runner(app, client, login, make_user, world_offer,
                                                                            smtp_server, mailbox):
    host, port, _ = smtp_server
    app.config.update(MAIL_SERVER=host, MAIL_PORT=port)
    coordinator = world_offer["coordinator"]
    opt_in(client, login, coordinator)
    client.post("/logout")
    her, offer = world_offer["user"], world_offer["offer"]
    login(her)
    response = client.post(f"/offers/{offer.id}/accept", data={"version": offer.version})
    assert response.status_code == 302
    [message] = mailbox.wait_for(1)  # the coordinator opted in; she did not
    assert message["To"] == coordinator.email and message["Subject"] == "Tienes un aviso nuevo en Respiro"


def test_notif_email_due_when_her_data_was_deleted_is_dropped_not_failed(app, client, login, make_user,
                                                                         smtp_server, mailbox):
    host, port, _ = smtp_server
    app.config.update(MAIL_SERVER=host, MAIL_PORT=port)
    user = make_user("defender", email="ceiba@example.org")
    opt_in(client, login, user)
    [notice] = notify([user], "offered")
    db.session.commit()
    assert client.post("/interviews/my-data/delete", data={"confirm": "y"}).status_code == 302  # her address goes
    assert delivery.deliver() == (0, 0)
    db.session.expire_all()
    assert db.session.get(Notice, notice.id).email_state == ""  # nothing to send, ever: not retried, not failed
    assert mailbox.wait_for(1, timeout=0.5) == []


def test_notif_without_opt_in_no_email(app, make_user, smtp_server, mailbox):
    host, port, _ = smtp_server
    app.config.update(MAIL_SERVER=host, MAIL_PORT=port)
    user = make_user("defender")
    [notice] = notify([user], "offered")
    db.session.commit()
    assert notice.email_state == ""
    assert delivery.deliver() == (0, 0)
    assert mailbox.wait_for(1, timeout=0.5) == []


def test_notif_with_no_mail_server_stays_in_app_only(app, client, login, make_user, mailbox):
    app.config.update(MAIL_SERVER="")
    user = make_user("defender")
    opt_in(client, login, user)
    assert "Respiro no envía correos por ahora" in client.get("/notices/settings").text
    [notice] = notify([user], "offered")
    db.session.commit()
    assert notice.email_state == "" and delivery.deliver() == (0, 0)
    assert mailbox.wait_for(1, timeout=0.5) == []


def test_notif_send_failure_keeps_the_notice_is_shown_to_an_admin_and_is_retried(app, client, login, make_user,
                                                                               smtp_server, mailbox):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=closed_port(), MAIL_TIMEOUT=2)
    user = make_user("defender")
    opt_in(client, login, user)
    [notice] = notify([user], "cancelled")
    db.session.commit()
    assert delivery.deliver() == (0, 1)
    db.session.refresh(notice)
    assert notice.email_state == "failed" and notice.email_attempts == 1 and notice.email_error
    assert notice.read_at is None and db.session.get(Notice, notice.id) is not None  # the notice is kept
    assert "Se canceló una estancia" in client.get("/notices/").text
    client.post("/logout")
    admin = make_user("admin")
    login(admin)
    page = client.get("/notices/failed")
    assert page.status_code == 200 and user.defender.alias in page.text and user.email not in page.text
    # the mail server is back: a retry delivers it
    host, port, _ = smtp_server
    app.config.update(MAIL_SERVER=host, MAIL_PORT=port)
    assert delivery.deliver() == (0, 0)  # not before its next try
    assert client.post("/notices/failed/retry").status_code == 302
    assert len(mailbox.wait_for(1)) == 1
    db.session.refresh(notice)
    assert notice.email_state == "sent" and notice.email_attempts == 2
    assert "Se entregaron todos los correos" in client.get("/notices/failed").text


def test_notif_failed_deliveries_page_is_for_admins_only(client, login, make_user):
    login(make_user("coordinator"))
    assert client.get("/notices/failed").status_code == 404
    assert client.post("/notices/failed/retry").status_code == 404


def test_notif_settings_are_hers_and_off_by_default(client, login, make_user):
    user = make_user("team")
    login(user)
    page = client.get("/notices/settings")
    assert page.status_code == 200 and 'checked' not in page.text.split('name="email"')[1][:40]
    assert client.post("/notices/settings", data={"email": "y"}).status_code == 302
    assert client.post("/notices/settings", data={}).status_code == 302
    assert db.session.get(NoticeSetting, user.id).email is False


def test_notif_pages_need_a_login(client):
    assert client.get("/notices/").status_code == 302
    assert client.post("/notices/read-all").status_code in (302, 400)
