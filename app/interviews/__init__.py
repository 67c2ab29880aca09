"""The diagnostic interview, the stay request, and her own data."""
from flask import Blueprint

bp = Blueprint("interviews", __name__, url_prefix="/interviews")

from app.interviews import views  # noqa: E402,F401
