"""Notices: in-app notices per person, an unread count in the header, optional neutral e-mail."""
from flask import Blueprint

bp = Blueprint("notices", __name__, url_prefix="/notices")


@bp.record_once
def _setup(state) -> None:
    from flask_mailman import Mail

    from app.notices import delivery, service
    from app.notices.cli import notices

    app = state.app
    if "mailman" not in app.extensions:
        Mail().init_app(app)
    app.after_request(delivery.after_request)
    app.jinja_env.globals["unread_notices"] = lambda user: service.unread_count(user)
    app.cli.add_command(notices)


from app.notices import views  # noqa: E402,F401
