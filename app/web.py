"""Per-request behaviour shared by every page: sessions, headers, template helpers."""
from __future__ import annotations

from flask import Flask, current_app, request
from flask_babel import format_date, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from app.extensions import login_manager
from app import labels
from app.security import sessions

CSP = "default-src 'self'; object-src 'none'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'"


def init_app(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Please log in to see this page.")
    login_manager.login_message_category = "info"
    login_manager.session_protection = "basic"
    app.before_request(sessions.enforce_timeouts)
    app.after_request(security_headers)
    app.context_processor(template_helpers)
    app.jinja_env.globals["current_locale"] = lambda: str(get_locale() or "es")
    app.jinja_env.add_extension("jinja2.ext.do")
    app.jinja_env.globals.update(labels.template_functions())
    app.jinja_env.filters["format_date"] = lambda day, style="medium": format_date(day, style) if day else "—"
    app.jinja_env.globals["has_endpoint"] = lambda endpoint: endpoint in app.view_functions


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
