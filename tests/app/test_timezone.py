"""The network's days begin at local midnight: one time zone for 'today' and for the dates shown."""
from __future__ import annotations

import datetime as dt

import pytest

from app.models import base, local_today


def test_today_turns_at_midnight_in_the_networks_zone_not_in_utc(monkeypatch):
    monkeypatch.setattr(base, "utc_clock", lambda: dt.datetime(2027, 3, 1, 5, 59, tzinfo=dt.UTC))
    assert local_today("America/Mexico_City") == dt.date(2027, 2, 28)
    assert local_today("America/Tegucigalpa") == dt.date(2027, 2, 28)
    assert local_today("UTC") == dt.date(2027, 3, 1)
    monkeypatch.setattr(base, "utc_clock", lambda: dt.datetime(2027, 3, 1, 6, 0, tzinfo=dt.UTC))
    assert local_today("America/Mexico_City") == dt.date(2027, 3, 1)


def test_the_app_reads_its_zone_from_the_environment_and_shows_dates_in_it(app, make_app, monkeypatch):
    assert app.config["TIMEZONE"] == "America/Mexico_City"
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == "America/Mexico_City"
    monkeypatch.setattr(base, "utc_clock", lambda: dt.datetime(2027, 3, 1, 2, 0, tzinfo=dt.UTC))
    with app.app_context():
        assert local_today() == dt.date(2027, 2, 28)
    monkeypatch.setenv("RESPIRO_TIMEZONE", "America/Managua")
    other = make_app()
    assert other.config["BABEL_DEFAULT_TIMEZONE"] == "America/Managua"


def test_an_unknown_zone_stops_the_app_at_start_with_its_name(make_app, monkeypatch):
    monkeypatch.setenv("RESPIRO_TIMEZONE", "America/Atlantis")
    with pytest.raises(RuntimeError, match="America/Atlantis"):
        make_app()
