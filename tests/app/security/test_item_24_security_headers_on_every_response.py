"""Item 24: every response, error pages included, carries the CSP (no external
host), nosniff, no-referrer, and no-store on pages; HSTS in production."""
import pytest

CSP_PARTS = ("default-src 'self'", "object-src 'none'", "frame-ancestors 'none'")


def _check(response, page=True):
    csp = response.headers.get("Content-Security-Policy", "")
    assert all(part in csp for part in CSP_PARTS), csp
    assert "http" not in csp and "*" not in csp
    assert response.headers.get("X-Content-Type-Options") == "nosniff"
    assert response.headers.get("Referrer-Policy") == "no-referrer"
    if page:
        assert response.headers.get("Cache-Control") == "no-store"


def test_item_24_headers_on_pages_redirects_and_every_error_page(app, client, make_user, login):
    responses = {
        "login": client.get("/login"),
        "redirect": client.get("/home"),
        "404": client.get("/no/such/page"),
        "405": client.get("/logout"),
        "400 csrf": client.post("/login", data={}, csrf=False),
        "413": client.post("/login", data={"p": "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)}),
    }
    login(make_user("coordinator"))
    responses["home"] = client.get("/home")
    assert {k: r.status_code for k, r in responses.items()} == {
        "login": 200, "redirect": 302, "404": 404, "405": 405, "400 csrf": 400, "413": 413, "home": 200}
    for response in responses.values():
        _check(response)
    static = client.get("/static/respiro.css")
    _check(static, page=False)
    static.close()


def test_item_24_headers_on_the_500_page(make_app):
    broken = make_app()

    @broken.route("/boom")
    def boom():
        raise RuntimeError("boom")

    with broken.app_context():
        response = broken.test_client().get("/boom")
    assert response.status_code == 500
    _check(response)


def test_item_24_hsts_in_production(make_app):
    production = make_app(RESPIRO_ENV="production", SECRET_KEY="p" * 48, SESSION_COOKIE_SECURE=True)
    with production.app_context():
        response = production.test_client().get("/login", base_url="https://respiro.test")
        missing = production.test_client().get("/nope", base_url="https://respiro.test")
    for r in (response, missing):
        assert r.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        _check(r)
