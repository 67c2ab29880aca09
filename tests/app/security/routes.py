"""Walking app.url_map: building a concrete URL for every rule."""
from __future__ import annotations

from werkzeug.routing.converters import NumberConverter

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}


def state_changing_rules(app):
    return sorted((r for r in app.url_map.iter_rules() if r.methods & STATE_CHANGING), key=lambda r: r.rule)


def build_url(rule, values: dict | None = None) -> str:
    """A URL for `rule`, filling each argument from `values` or a harmless default."""
    values = dict(values or {})
    path = rule.rule
    for name in rule.arguments:
        converter = rule._converters.get(name)
        default = "1" if isinstance(converter, NumberConverter) else "x"
        path = path.replace(f"<{_spec(rule, name)}>", str(values.get(name, default)))
    return path


def _spec(rule, name):
    import re

    match = re.search(r"<([^<>]*:)?" + re.escape(name) + r">", rule.rule)
    return match.group(0)[1:-1]
