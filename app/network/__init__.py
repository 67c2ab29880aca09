"""The network of therapists, healers and activists, and their availability."""
from flask import Blueprint

bp = Blueprint("network", __name__, url_prefix="/network")

from app.network import views  # noqa: E402,F401
