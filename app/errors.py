"""Plain error pages in her language: no traceback, no SQL (security item 26)."""
from __future__ import annotations

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.orm.exc import StaleDataError
from werkzeug.exceptions import HTTPException

from app.extensions import db


def _page(code: int, title: str, message: str):
    db.session.rollback()
    return render_template("errors/error.html", code=code, title=title, message=message), code


def init_app(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return _page(400, _("The form expired"), _("Please go back, reload the page and try again."))

    @app.errorhandler(StaleDataError)
    def stale(error):
        return _page(409, _("Someone else changed this first"),
                     _("Another person saved a change to this record while you were editing. "
                       "Reload the page to see it, then make your change again."))

    @app.errorhandler(HTTPException)
    def http_error(error):
        messages = {
            400: (_("Bad request"), _("We could not understand that request.")),
            403: (_("Not allowed"), _("You do not have access to this page.")),
            404: (_("Page not found"), _("This page does not exist, or you do not have access to it.")),
            405: (_("Not allowed"), _("This action is not available here.")),
            409: (_("Conflict"), _("This record changed in the meantime. Reload the page and try again.")),
            413: (_("Too large"), _("What you sent is too large.")),
            429: (_("Too many attempts"), _("Too many attempts. Please wait a few minutes and try again.")),
        }
        title, message = messages.get(error.code, (_("Error"), _("Something went wrong.")))
        return _page(error.code or 500, title, message)

    @app.errorhandler(Exception)
    def unexpected(error):
        # Type only in production logs: messages may carry field values.
        app.logger.error("unhandled %s", type(error).__name__, exc_info=app.debug or app.testing)
        return _page(500, _("Something went wrong"),
                     _("An unexpected error happened. Nothing you sent was saved. Please try again later."))
