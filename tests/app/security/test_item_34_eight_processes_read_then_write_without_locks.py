"""Item 34: eight processes doing read-then-write at once on SQLite get no
"database is locked", and no update is lost (writes start with BEGIN IMMEDIATE)."""
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROUNDS = 25
PROCESSES = 8

WORKER = textwrap.dedent('''
    import sys, time
    from app import create_app
    from app.extensions import db
    from app.models import House
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite:///" + sys.argv[1], "DATA_KEYS": sys.argv[2],
                      "SECRET_KEY": "worker-secret-0123456789abcdef0123456789"})
    errors = 0
    with app.app_context():
        while time.time() < float(sys.argv[3]):  # start together
            time.sleep(0.005)
        for _ in range(%d):
            try:
                house = db.session.get(House, 1)      # read ...
                beds = house.beds
                time.sleep(0.002)                     # ... think ...
                house.beds = beds + 1                 # ... then write
                db.session.commit()
            except Exception as exc:
                db.session.rollback()
                errors += 1
                print(type(exc).__name__, str(exc).splitlines()[0], file=sys.stderr)
    print(errors)
''' % ROUNDS)


def test_item_34_eight_processes_reading_then_writing_get_no_lock_errors(tmp_path, app_config, make_app):
    import time

    from app.extensions import db
    from app.models import House

    path = tmp_path / "concurrent.db"
    keys = app_config["DATA_KEYS"]
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}")
    with app.app_context():
        db.create_all()
        db.session.add(House(code="h", name="Casa", country="MX", beds=0, max_concurrent_stays=1))
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    script = tmp_path / "worker.py"
    script.write_text(WORKER)
    start = time.time() + 3
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path(__file__).resolve().parents[3])] + sys.path))
    workers = [subprocess.Popen([sys.executable, str(script), str(path), keys, str(start)], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, env=env) for _ in range(PROCESSES)]
    outputs = [w.communicate(timeout=120) for w in workers]
    errors = [err for _out, err in outputs if err.strip()]
    assert all(w.returncode == 0 for w in workers), errors
    assert sum(int(out.strip().splitlines()[-1]) for out, _err in outputs) == 0, errors[:3]
    assert not any("locked" in err for err in errors)
    with app.app_context():
        assert db.session.get(House, 1).beds == PROCESSES * ROUNDS  # no lost update
