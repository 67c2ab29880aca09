"""Per-request behaviour shared by every page: sessions, headers, template helpers."""
from __future__ import annotations

from flask import Flask, abort, current_app, request
from markupsafe import Markup
from flask_babel import format_date, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

from app.extensions import login_manager
from app import i18n, labels
from app.security import sessions

# Row ids are 32-bit integers on PostgreSQL (64-bit on SQLite): a larger number in a URL names no row,
# and must be a 404, not a database overflow (a 500).
MAX_ID = 2**31 - 1


class RowIdConverter(IntegerConverter):
    """`<int:...>` in every route: a non-negative integer that fits an id column, else no match (404)."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def arg_id(name: str) -> int | None:
    """An id from the query string: None when absent or not a number, 404 when it is one no row can have."""
    value = request.args.get(name, type=int)
    if value is not None and not 0 <= value <= MAX_ID:
        abort(404)
    return value


CSP = "default-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.before_request(sessions.enforce_timeouts)
    app.before_request(drop_nul_bytes)
    app.after_request(security_headers)
    app.context_processor(template_helpers)
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale() or "es")
    app.jinja_env.globals["served_locale"] = i18n.served_locale
    app.jinja_env.globals["hidden_fields"] = hidden_fields
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(labels.template_functions())
    app.jinja_env.filters["format_date"] = lambda day, style="medium": format_date(day, style) if day else "—"
    app.jinja_env.globals["has_endpoint"] = lambda endpoint: endpoint in app.view_functions


def hidden_fields(form) -> Markup:
    """A form's hidden fields (CSRF token, version) without ids, so a page with several forms repeats no id
    (Flask-WTF's `hidden_tag()` gives every one `id="csrf_token"`, which breaks labels for screen readers)."""
    return Markup("".join(str(f(id=False)) for f in form if f.type in ("HiddenField", "CSRFTokenField")))


def drop_nul_bytes() -> None:
    """NUL is never text: drop it from every submitted name and value, query string and form alike.

    PostgreSQL refuses NUL in a text column, so one NUL typed or pasted into
    any field was a 500 there (SQLite stored it). Dropping it keeps the rest of
    what she typed.
    """
    for name in ("args", "form"):
        data = getattr(request, name)
        if any("\x00" in key or "\x00" in value for key, value in data.items(multi=True)):
            request.__dict__[name] = ImmutableMultiDict(
                [(key.replace("\x00", ""), value.replace("\x00", "")) for key, value in data.items(multi=True)])


def security_headers(response):
    """Headers on every response, error pages included (security item 24)."""
    response.headers["Content-Security-Policy"] = CSP
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Cross-Origin-Opener-Policy"] = "same-origin"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    if current_app.config["RESPIRO_ENV"] == "production":
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if not request.path.startswith("/static/"):
        response.headers["Cache-Control"] = "no-store"
    return response


def template_helpers() -> dict:
    return {
        "quick_exit_url": current_app.config["QUICK_EXIT_URL"],
        "shows_quick_exit": not current_user.is_authenticated or current_user.role in ("defender", "team"),
        "languages": current_app.config["LANGUAGES"],
    }
