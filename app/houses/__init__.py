"""House teams: a house's settings, its closures, its occupancy and programmes."""
from flask import Blueprint

bp = Blueprint("houses", __name__, url_prefix="/houses")

from app.houses import views  # noqa: E402,F401
