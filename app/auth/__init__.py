from flask import Blueprint

bp = Blueprint("auth", __name__)

from app.auth import quick_exit, views  # noqa: E402,F401
