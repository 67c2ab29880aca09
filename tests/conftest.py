"""Shared fixtures: an app on a throw-away database, a CSRF-aware client, factories.

The database is SQLite in a temporary folder, or PostgreSQL when
`TEST_DATABASE_URL` is set (the CI's second pass). Its schema is built once
per session; each test then starts from empty tables.
"""
from __future__ import annotations

import datetime as dt
import os
import secrets

import pytest
from flask import Flask, g, has_app_context
from flask.testing import FlaskClient
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import event, text

from app import create_app
from app.extensions import db
from app.security.crypto import new_key_spec

PASSWORD = "a long and quiet river"
TEST_KEYS = new_key_spec("ktest")


class Client(FlaskClient):
    """A test client that adds a valid CSRF token to every form post.

    Pass `csrf=False` to post without one (to test the refusal).
    """

    def csrf_token(self) -> str:
        with self.session_transaction() as session:
            raw = session.setdefault("csrf_token", secrets.token_hex(20))
        app = self.application
        return URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)

    def open(self, *args, csrf: bool = True, **kwargs):
        # Flask reuses the test's app context for each request: start every
        # request with an empty `g`, as a real server would (Flask-Login and
        # Flask-Babel cache the user and the locale there).
        if has_app_context():
            g.__dict__.clear()
        method = kwargs.get("method", "GET").upper()
        data = kwargs.get("data")
        if csrf and method in ("POST", "PUT", "PATCH", "DELETE") and kwargs.get("json") is None:
            data = dict(data or {})
            data.setdefault("csrf_token", self.csrf_token())
            kwargs["data"] = data
        return super().open(*args, **kwargs)


def _database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "test.db")


@pytest.fixture(scope="session")
def app_config(tmp_path_factory) -> dict:
    instance = tmp_path_factory.mktemp("instance")
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-" + secrets.token_hex(16),
        "DATA_KEYS": TEST_KEYS,
        "EMAIL_INDEX_KEY": new_key_spec("kindex"),
        "DATA_KEY_FILE": str(instance / "data-keys"),
        "KEY_STORE_URL": "sqlite:///" + str(instance / "defender-keys.db"),
        "SQLALCHEMY_DATABASE_URI": _database_url(tmp_path_factory),
        "WTF_CSRF_ENABLED": True,
        "SERVER_NAME": "respiro.test",
        "JOBS_BACKEND": "inline",
    }


@pytest.fixture(scope="session")
def _schema(app_config):
    """Build the schema once from the models (tests/app/test_migrations.py
    checks that the migrations build the very same schema)."""
    from app.i18n import compile_catalogs

    compile_catalogs()
    app = create_app(app_config)
    with app.app_context():
        db.drop_all()
        db.session.execute(text("DROP TABLE IF EXISTS alembic_version"))
        db.session.commit()
        db.create_all()
    yield
    with app.app_context():
        db.engine.dispose()


def _empty_tables() -> None:
    names = [t.name for t in db.metadata.sorted_tables]
    if db.engine.dialect.name == "postgresql":
        db.session.execute(text("TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE"))
    else:
        for table in reversed(db.metadata.sorted_tables):
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def make_app(app_config, _schema):
    """`make_app(**overrides)`: an app like the test's own, built from the session's test config with
    `overrides` (production settings, another database or key store...), its test client CSRF-aware.

    Every app it built is disposed of at teardown (database and key-store connections), so a test
    builds a second worker or a production app in one line and closes nothing by hand.
    """
    built: list[Flask] = []

    def make(**overrides) -> Flask:
        app = create_app({**app_config, **overrides})
        app.test_client_class = Client
        built.append(app)
        return app

    yield make
    for app in built:
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
        app.extensions["respiro_keystore"].dispose()


@pytest.fixture
def deployment(make_app):
    """`deployment(path, keys)`: an app on a SQLite file of its own, its key store beside it, as an
    operator's installation is (the backup, restore and key drills)."""

    def build(path, keys: str = TEST_KEYS, **overrides) -> Flask:
        return make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{path}", DATA_KEYS=keys,
                        KEY_STORE_URL=f"sqlite:///{path.parent / 'defender-keys.db'}", **overrides)

    return build


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables()
        app.extensions["respiro_keystore"].empty()
        db.session.remove()


@pytest.fixture
def sql_statements(app) -> list[str]:
    """The SQL statements the app sends during the test, in order (clear it before the request to watch):
    to show that a filter runs in the database, or how many times rows are loaded."""
    statements: list[str] = []

    def record(_connection, _cursor, statement, *_args):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    yield statements
    event.remove(db.engine, "before_cursor_execute", record)


@pytest.fixture
def client(app) -> Client:
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


# ---------------------------------------------------------------- factories

_HASH: dict[str, str] = {}


def _password_hash() -> str:
    from app.security.passwords import hash_password

    if "h" not in _HASH:
        _HASH["h"] = hash_password(PASSWORD)
    return _HASH["h"]


@pytest.fixture
def make_house(app):
    from app.models import House

    counter = iter(range(1, 10_000))

    def make(**fields) -> House:
        n = next(counter)
        values = dict(code=f"house{n}", name=f"Casa {n}", place="Oaxaca", country="MX", beds=8,
                      max_concurrent_stays=3, family_units=1, stay_types=["individual", "collective", "family"],
                      stay_length={"individual": 10, "collective": 10, "family": 7}, collective_min=3,
                      collective_max=8, accessible=True, turnover_days=1, arrival_weekdays=[0, 1, 2, 3, 4])
        values.update(fields)
        house = House(**values)
        db.session.add(house)
        db.session.commit()
        return house

    return make


@pytest.fixture
def make_defender(app):
    from app.models import Defender

    counter = iter(range(1, 10_000))

    def make(**fields) -> Defender:
        n = next(counter)
        real_name = fields.pop("real_name", f"Real Name {n}")
        values = dict(alias=f"Ceiba {n}", country="MX", languages=["es"], barred_countries=[])
        values.update(fields)
        defender = Defender(**values)
        defender.real_name = real_name
        db.session.add(defender)
        db.session.commit()
        return defender

    return make


@pytest.fixture
def make_user(app, make_house, make_defender):
    from app.models import User

    counter = iter(range(1, 10_000))

    def make(role: str = "defender", *, house=None, defender=None, email=None, **fields) -> User:
        n = next(counter)
        if role == "team" and house is None:
            house = make_house()
        if role == "defender" and defender is None:
            defender = make_defender()
        user = User(email=email or f"{role}{n}@example.org", password_hash=_password_hash(), role=role,
                    house_id=house.id if house is not None else None,
                    defender_id=defender.id if defender is not None else None, **fields)
        db.session.add(user)
        db.session.commit()
        return user

    return make


@pytest.fixture
def make_therapist(app, make_house):
    from app.models import Availability, Therapist

    counter = iter(range(1, 10_000))

    def make(*, houses=None, available=None, **fields) -> Therapist:
        n = next(counter)
        values = dict(name=f"Rosa {n}", kind="therapist", dimensions=["emotional", "physical"],
                      languages=["es"], max_sessions_per_day=3)
        values.update(fields)
        therapist = Therapist(**values)
        therapist.houses = list(houses) if houses is not None else [make_house()]
        for start, end in available or [(dt.date(2027, 1, 1), dt.date(2027, 12, 31))]:
            therapist.availability.append(Availability(start=start, end=end))
        db.session.add(therapist)
        db.session.commit()
        return therapist

    return make


@pytest.fixture
def make_request(app, make_defender):
    from app.models import DiagnosticInterview, StayRequest, utcnow

    def make(defender=None, *, status="pending", needs=None, **fields) -> StayRequest:
        defender = defender or make_defender()
        interview = DiagnosticInterview(defender=defender, status="confirmed" if status != "draft" else "draft")
        for name, level in (needs or {"emotional": 2, "physical": 1}).items():
            row = interview.dimension(name)
            row.self_level = row.need_level = level
        values = dict(stay_types=["individual"], earliest_start=dt.date(2027, 2, 1),
                      latest_start=dt.date(2027, 3, 1), urgency=1, urgency_self=1,
                      submitted_at=utcnow() if status != "draft" else None)
        values.update(fields)
        stay_request = StayRequest(defender=defender, interview=interview, status=status, **values)
        db.session.add_all([interview, stay_request])
        db.session.commit()
        return stay_request

    return make


@pytest.fixture
def make_stay(app, make_request, make_defender):
    """A published stay at a house, with its requests and sessions."""
    from app.models import Session, Stay

    def make(house, start: dt.date, *, type: str = "individual", length: int | None = None, defenders: int = 1,
             companions: int = 0, sessions=(), needs_accessible: bool = False, languages=("es",)) -> Stay:
        length = length or house.stay_length[type]
        stay = Stay(house=house, start=start, end=start + dt.timedelta(days=length - 1), type=type)
        db.session.add(stay)
        for _ in range(defenders if type == "collective" else 1):
            defender = make_defender(needs_accessible=needs_accessible, languages=list(languages))
            request = make_request(defender, status="published", stay_types=[type],
                                   companions=companions if type == "family" else 0)
            request.stay = stay
        for day, dimension, therapist, slot in sessions:
            stay.sessions.append(Session(day=day, dimension=dimension, therapist_id=therapist.id, slot=slot))
        db.session.commit()
        return stay

    return make


@pytest.fixture
def login(client):
    """Log a user in through the real login form."""

    def do(user, password: str = PASSWORD, target=None):
        target = target or client
        response = target.post("/login", data={"email": user.email, "password": password})
        assert response.status_code == 302, response.text
        return response

    return do


# ---------------------------------------------------------------- a real local SMTP server

class Mailbox:
    """What an aiosmtpd server on 127.0.0.1 received: parsed e-mail messages, in order of arrival."""

    def __init__(self):
        import threading

        self.messages: list = []
        self._lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd handler hook
        from email import message_from_bytes
        from email.policy import default

        message = message_from_bytes(envelope.original_content or envelope.content, policy=default)
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    def clear(self) -> None:
        with self._lock:
            self.messages.clear()

    def wait_for(self, count: int = 1, timeout: float = 10.0) -> list:
        import time

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if len(self.messages) >= count:
                    return list(self.messages)
            time.sleep(0.05)
        with self._lock:
            return list(self.messages)


@pytest.fixture(scope="session")
def smtp_server():
    """aiosmtpd's Controller on a free port of 127.0.0.1; yields (host, port, mailbox)."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield "127.0.0.1", port, mailbox
    finally:
        controller.stop()


@pytest.fixture
def mailbox(smtp_server):
    """The local SMTP server's mailbox, emptied for this test."""
    smtp_server[2].clear()
    return smtp_server[2]
