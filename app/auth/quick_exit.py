"""Quick exit: leave at once AND end the session (issue 14, item 1).

Whoever picks up her phone after she pressed "Exit this page" must find no
open session: not by pressing Back, not in another tab, not by opening a
Respiro address. Two ways out, one for each kind of browser:

- With JavaScript (respiro.js): the press (or Shift three times) sends a
  beacon, a POST to `/leave` carrying the page's CSRF token, then replaces the
  page in the history (`location.replace`) by the neutral site and leaves.
  The POST rotates her session token on the server (every cookie of hers,
  in every tab and copy, becomes anonymous) and expires the cookie.
- Without JavaScript the button is a plain link to `GET /leave`, which ends
  the session in this browser (the cookie is emptied) and redirects to the
  neutral site. A GET never writes to the database, so it does not rotate the
  token: the cookie it empties was the only one this browser had.

CSRF is handled so that the exit never fails to leave: a POST without a valid
token (a forged one, or a page whose token went stale) is refused (400) and
changes nothing in the database, but the answer still empties this browser's
cookie. A forged request can thus do no more than log her out, which is what
the button is for.
"""
from __future__ import annotations

from flask import current_app, redirect, request
from flask_login import current_user
from flask_wtf.csrf import CSRFError, validate_csrf
from wtforms import ValidationError

from app.auth import bp
from app.extensions import csrf, db
from app.security.sessions import end_session


def _leaving(response):
    """Her pages are gone from this browser's cache and cookie jar too."""
    response.headers["Cache-Control"] = "no-store"
    response.headers["Clear-Site-Data"] = '"cache", "cookies"'
    return response


@bp.route("/leave", methods=["GET"])
def leave():
    """The plain link (JavaScript off): end the session here, go to the neutral site."""
    end_session()
    return _leaving(redirect(current_app.config["QUICK_EXIT_URL"], code=303))


@bp.route("/leave", methods=["POST"])
@csrf.exempt  # checked below, so that a refused exit still empties the cookie
def leave_now():
    """The beacon: log her out on the server (every session of hers ends)."""
    try:
        validate_csrf(request.form.get("csrf_token"))
    except (ValidationError, CSRFError):
        end_session()
        return _leaving(current_app.response_class(status=400))
    if current_user.is_authenticated:
        current_user.end_all_sessions()
        db.session.commit()
    end_session()
    return _leaving(current_app.response_class(status=204))
