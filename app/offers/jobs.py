"""The periodic job: lapse offers whose deadline passed, warn of near deadlines, send due e-mails.

With the thread back end (the embedded setup) one daemon thread per process runs it every
OFFERS_JOB_MINUTES (default 60; 0 turns it off). Each step locks the rows it changes, so two
processes running it at once change each offer once. With RQ, or to run it by hand, use cron:
`flask --app wsgi offers lapse`.
"""
from __future__ import annotations

import threading

from flask import Flask

from app.extensions import db

_STARTED: set[int] = set()


def run_once(app: Flask) -> tuple[int, int]:
    """One pass; commits. Returns (lapsed, warned)."""
    from app.notices import delivery
    from app.offers import service
    from app.planning.jobs import _app_context

    with _app_context(app):
        try:
            lapsed = service.lapse_due()
            warned = service.warn_near()
            db.session.commit()
        except Exception:
            db.session.rollback()
            raise
        delivery.deliver()
        return lapsed, warned


def start_periodic(app: Flask) -> None:
    from app.planning import jobs

    minutes = float(app.config.get("OFFERS_JOB_MINUTES", 60) or 0)
    if app.testing or minutes <= 0 or id(app) in _STARTED or jobs.backend_name(app) != "thread":
        return
    _STARTED.add(id(app))

    def loop() -> None:
        stop = threading.Event()
        while not stop.wait(minutes * 60):
            try:
                run_once(app)
            except Exception as exc:  # noqa: BLE001 - try again next time
                app.logger.error("offers job failed (%s)", type(exc).__name__)

    threading.Thread(target=loop, name="offers-periodic", daemon=True).start()
