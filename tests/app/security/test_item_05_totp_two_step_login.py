"""Item 5: team, coordinator and admin roles can enrol TOTP, a deployment can
require it, and a replayed code fails. The secret is stored encrypted; wrong
codes are throttled like passwords."""
import re
import time

import pyotp
import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import User

from tests.conftest import PASSWORD
from .conftest import code_at


def _password(client, user):
    return client.post("/login", data={"email": user.email, "password": PASSWORD})


@pytest.mark.parametrize("role", ["team", "coordinator", "admin"])
def test_item_05_staff_enrol_with_a_typed_key_and_their_next_login_asks_for_a_code(client, make_user, login, role):
    user = make_user(role)
    login(user)
    page = client.get("/account/two-step")
    assert page.status_code == 200
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page.text).group(1).replace(" ", "")
    assert "otpauth://totp/Respiro:" in page.text
    assert "http" not in page.text.split("otpauth://")[1].split("<")[0]  # no external QR service
    done = client.post("/account/two-step", data={"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 302
    db.session.expire_all()
    stored = db.session.get(User, user.id)
    assert stored.totp_secret == secret and secret not in stored.totp_secret_ct  # encrypted at rest
    client.post("/logout")
    step_one = _password(client, user)
    assert step_one.location.endswith("/login/code")
    assert client.get("/home").status_code == 302  # password alone: not logged in yet
    step_two = client.post("/login/code", data={"code": pyotp.TOTP(secret).at(time.time() + 30)})
    assert step_two.status_code == 302 and step_two.location.endswith("/home")
    assert client.get("/home").status_code == 200


def test_item_05_a_defender_cannot_enrol(client, make_user, login):
    user = make_user("defender")
    login(user)
    assert client.get("/account/two-step").status_code == 404


def test_item_05_a_replayed_code_fails(app, make_user, enrol):
    user = make_user("coordinator")
    totp = enrol(user)
    code = code_at(totp)
    first, second = app.test_client(), app.test_client()
    _password(first, user)
    assert first.post("/login/code", data={"code": code}).status_code == 302
    _password(second, user)
    replay = second.post("/login/code", data={"code": code})
    assert replay.status_code == 400
    assert "ya se usó" in replay.text
    assert second.get("/home").status_code == 302


def test_item_05_an_older_code_than_the_last_accepted_fails(client, make_user, enrol):
    user = make_user("team")
    totp = enrol(user)
    _password(client, user)
    assert client.post("/login/code", data={"code": code_at(totp, 1)}).status_code == 302
    client.post("/logout")
    _password(client, user)
    assert client.post("/login/code", data={"code": code_at(totp, 0)}).status_code == 400


def test_item_05_the_sixth_wrong_code_is_refused(client, make_user, enrol):
    user = make_user("admin")
    totp = enrol(user)
    _password(client, user)
    for _ in range(5):
        assert client.post("/login/code", data={"code": "000000" if totp.now() != "000000" else "111111"}).status_code == 400
    refused = client.post("/login/code", data={"code": code_at(totp, 1)})
    assert refused.status_code == 429
    assert client.get("/home").status_code == 302


def test_item_05_required_totp_sends_staff_to_enrol_before_any_page(app, client, make_user):
    app.config["REQUIRE_TOTP"] = True
    user = make_user("coordinator")
    assert _password(client, user).location.endswith("/account/two-step")
    assert client.get("/home").status_code == 302
    page = client.get("/account/two-step")
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page.text).group(1).replace(" ", "")
    assert client.post("/account/two-step", data={"code": pyotp.TOTP(secret).now()}).status_code == 302
    assert client.get("/home").status_code == 200


def test_item_05_required_totp_also_stops_a_session_started_without_the_code(app, client, make_user, login):
    user = make_user("admin")
    login(user)  # logged in before the deployment required it
    app.config["REQUIRE_TOTP"] = True
    response = client.get("/home")
    assert response.status_code == 302 and response.location.endswith("/account/two-step")


def test_item_05_required_totp_does_not_touch_defenders(app, client, make_user, login):
    app.config["REQUIRE_TOTP"] = True
    user = make_user("defender")
    login(user)
    assert client.get("/home").status_code == 200


def test_item_05_an_enrolled_user_cannot_skip_the_code_through_another_login_path(client, make_user, enrol):
    user = make_user("coordinator")
    enrol(user)
    # e.g. an invitation or reset link starting a session directly, without the code step
    from app.security.sessions import new_session_id

    session_id = new_session_id(user)
    db.session.commit()
    with client.session_transaction() as session:
        session["_user_id"] = session_id
        session["login_at"] = session["seen_at"] = time.time()
    response = client.get("/home")
    assert response.status_code == 302 and response.location.endswith("/login/code")


def test_item_05_the_pending_step_expires_and_is_not_a_login(client, make_user, enrol):
    user = make_user("team")
    totp = enrol(user)
    _password(client, user)
    with client.session_transaction() as session:
        session["totp_pending"]["at"] -= 301
        session.modified = True
    response = client.post("/login/code", data={"code": code_at(totp, 1)})
    assert response.status_code == 302 and response.location.endswith("/login")
    assert client.get("/home").status_code == 302


@pytest.mark.parametrize("code", ["١٢٣٤٥٦", "１２３４５６", "12345６"])
def test_item_05_a_code_in_other_digits_is_a_wrong_code_not_a_crash(client, make_user, enrol, code):
    user = make_user("coordinator")
    enrol(user)
    _password(client, user)
    response = client.post("/login/code", data={"code": code})
    assert response.status_code == 400
    assert "no es correcto" in response.text
    assert client.get("/home").status_code == 302


def test_item_05_a_slow_first_enrolment_is_sent_back_to_log_in_with_a_word_not_a_404(app, client, make_user):
    # installing an authenticator app can take longer than the five minutes between password and code
    app.config["REQUIRE_TOTP"] = True
    user = make_user("team")
    _password(client, user)
    page = client.get("/account/two-step")
    secret = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', page.text).group(1).replace(" ", "")
    with client.session_transaction() as session:
        session["totp_pending"]["at"] -= 301
        session.modified = True
    response = client.post("/account/two-step", data={"code": pyotp.TOTP(secret).now()})
    assert response.status_code == 302 and response.location.endswith("/login")
    assert "vuelve a iniciar sesión" in client.get("/login").text
    db.session.expire_all()
    assert db.session.get(User, user.id).totp_last_step is None  # not enrolled by a stale half-login
    # logging in again shows the very same key, so the account she added to her app still works
    _password(client, user)
    assert secret in client.get("/account/two-step").text.replace(" ", "")


def test_item_05_an_enrolled_user_sees_the_status_and_switches_it_off_with_password_and_code(client, make_user,
                                                                                             enrol):
    user = make_user("coordinator")
    totp = enrol(user)
    _password(client, user)
    assert client.post("/login/code", data={"code": code_at(totp)}).status_code == 302
    page = client.get("/account/two-step")
    assert page.status_code == 200 and 'action="/account/two-step/disable"' in page.text
    assert "<title>" in page.text and page.text.count("<h1>") == 1
    wrong = client.post("/account/two-step/disable", data={"password": "wrong wrong wrong", "code": code_at(totp, 1)})
    assert wrong.status_code == 400 and 'action="/account/two-step/disable"' in wrong.text
    done = client.post("/account/two-step/disable", data={"password": PASSWORD, "code": code_at(totp, 1)})
    assert done.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).totp_secret_ct is None
