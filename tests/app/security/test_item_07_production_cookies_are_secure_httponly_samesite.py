"""Item 7: production cookies are Secure, HttpOnly and SameSite=Lax or Strict,
and there is no 365-day remember cookie."""
from app.extensions import db

from tests.conftest import PASSWORD


def test_item_07_the_production_session_cookie_is_secure_httponly_and_samesite(app, make_app, make_user):
    email = make_user("coordinator").email
    db.session.rollback()  # end our (BEGIN IMMEDIATE) transaction before the other app writes
    production = make_app(RESPIRO_ENV="production", SECRET_KEY="p" * 48, SESSION_COOKIE_SECURE=True, DEBUG=False)
    with production.app_context():
        response = production.test_client().post("/login", data={"email": email, "password": PASSWORD},
                                                 base_url="https://respiro.test",
                                                 headers={"Referer": "https://respiro.test/login"})
    assert response.status_code == 302
    cookies = response.headers.getlist("Set-Cookie")
    session_cookie = next(c for c in cookies if c.startswith("respiro_session="))
    flags = [part.strip().lower() for part in session_cookie.split(";")]
    assert "secure" in flags and "httponly" in flags
    assert "samesite=lax" in flags or "samesite=strict" in flags
    assert not any(c.startswith("remember_token") for c in cookies)


def test_item_07_development_cookies_are_httponly_and_samesite_too(client, make_user):
    user = make_user("team")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    session_cookie = next(c for c in response.headers.getlist("Set-Cookie") if c.startswith("respiro_session="))
    assert "HttpOnly" in session_cookie and "SameSite=Lax" in session_cookie
