"""Words people read for the codes the data uses: statuses, dimensions, languages."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

STATUS = {
    "draft": _l("Draft"), "submitted": _l("Submitted"), "confirmed": _l("Confirmed"),
    "pending": _l("Ready for planning"), "published": _l("Published"),
    "withdrawn": _l("Withdrawn"), "declined": _l("Declined"), "queued": _l("Queued"),
    "running": _l("Running"), "done": _l("Finished"), "failed": _l("Failed"), "cancelled": _l("Cancelled"),
    "proposed": _l("Proposed"), "approved": _l("Approved"), "stale": _l("Out of date"),
    "repair": _l("Repair of a published stay"),
}
DIMENSION = {
    "physical": _l("Physical"), "mental": _l("Mental"), "emotional": _l("Emotional"),
    "spiritual": _l("Spiritual"), "energetic": _l("Energetic"),
}
STAY_TYPE = {"individual": _l("Individual"), "collective": _l("Collective"), "family": _l("Family")}
NEED_LEVEL = {0: _l("None"), 1: _l("Some"), 2: _l("Much"), 3: _l("Very much")}
URGENCY = {0: _l("Preventive"), 1: _l("Moderate"), 2: _l("High"), 3: _l("Imminent risk")}
KIND = {"therapist": _l("Therapist"), "healer": _l("Healer"), "activist": _l("Activist")}
ROLE = {"defender": _l("Defender"), "team": _l("House team"), "coordinator": _l("Coordinator"),
        "admin": _l("Administrator")}
WEEKDAY = {0: _l("Monday"), 1: _l("Tuesday"), 2: _l("Wednesday"), 3: _l("Thursday"), 4: _l("Friday"),
           5: _l("Saturday"), 6: _l("Sunday")}
CLOSURE_REASON = {"water": _l("Water crisis"), "repairs": _l("Repairs"), "rest": _l("Team rest"),
                  "other": _l("Other")}
COUNTRY = {"MX": _l("Mexico"), "HN": _l("Honduras"), "SV": _l("El Salvador"), "GT": _l("Guatemala"),
           "NI": _l("Nicaragua"), "CR": _l("Costa Rica"), "PA": _l("Panama"), "BZ": _l("Belize"),
           "CO": _l("Colombia"), "US": _l("United States")}
# ISO 639-3 codes (and the two-letter codes the spec uses for Spanish and English).
LANGUAGE = {
    "es": _l("Spanish"), "en": _l("English"), "zap": _l("Zapotec"), "mix": _l("Mixtec"), "mam": _l("Mam"),
    "quc": _l("K'iche'"), "cab": _l("Garifuna"), "miq": _l("Miskito"), "nah": _l("Nahuatl"),
    "maz": _l("Mazahua"), "tzo": _l("Tzotzil"), "tzh": _l("Tzeltal"), "kek": _l("Q'eqchi'"),
    "cak": _l("Kaqchikel"), "lenca": _l("Lenca"), "ppl": _l("Nawat (Pipil)"), "sum": _l("Mayangna"),
}


def label(table: dict, code) -> str:
    """The translated word for a code, or the code itself when unknown."""
    value = table.get(code)
    return str(value) if value is not None else str(code)


TEMPLATE_TABLES = {
    "status_label": STATUS, "dimension_label": DIMENSION, "stay_type_label": STAY_TYPE,
    "need_label": NEED_LEVEL, "urgency_label": URGENCY, "kind_label": KIND, "role_label": ROLE,
    "weekday_label": WEEKDAY, "closure_label": CLOSURE_REASON, "country_label": COUNTRY,
    "language_label": LANGUAGE,
}


def stay_name(stay) -> str:
    """The name people see for a stay, never an alias or an id: "Colectiva, 25 ene 2027, Casa La Serena"."""
    from flask_babel import format_date

    return f"{label(STAY_TYPE, stay.type)}, {format_date(stay.start)}, {stay.house.name}"


def template_functions() -> dict:
    tables = {name: (lambda code, _t=table: label(_t, code)) for name, table in TEMPLATE_TABLES.items()}
    return {**tables, "stay_name": stay_name}
