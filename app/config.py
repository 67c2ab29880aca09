"""Configuration from the environment, with safe defaults for the embedded setup.

The embedded default is SQLite under `instance/`, a generated data-key file
under `instance/`, and the demo data. Production (`RESPIRO_ENV=production`)
refuses to start unless it is configured safely (see `check_production`).
"""
from __future__ import annotations

import os
import secrets
from datetime import timedelta

DEFAULT_SECRET = "dev-only-not-secret"  # public: refused everywhere (cookies signed with it can be forged)


class ConfigError(RuntimeError):
    """The configuration is unsafe or incomplete; the app refuses to start."""


def from_environment(instance_path: str) -> dict:
    """Build the configuration mapping from environment variables."""
    env = os.environ.get("RESPIRO_ENV", "development")
    production = env == "production"
    database = os.environ.get("DATABASE_URL") or "sqlite:///" + os.path.join(instance_path, "respiro.db")
    database = _normalise_url(database)
    return {
        "RESPIRO_ENV": env,
        "DEBUG": os.environ.get("FLASK_DEBUG") == "1",
        "SECRET_KEY": os.environ.get("SECRET_KEY", ""),  # empty: generated into SECRET_KEY_FILE (not in production)
        "SECRET_KEY_FILE": os.path.join(instance_path, "secret-key"),
        "DATA_KEYS": os.environ.get("DATA_KEYS", ""),
        "DATA_KEY_FILE": os.path.join(instance_path, "data-keys"),
        # the key of the e-mail addresses' blind index (app/security/blind_index.py), kept with the data keys
        "EMAIL_INDEX_KEY": os.environ.get("EMAIL_INDEX_KEY", ""),
        "EMAIL_INDEX_KEY_FILE": os.path.join(instance_path, "email-index-key"),
        # each defender's own key, wrapped by DATA_KEYS, kept outside the database (crypto-shredding)
        "KEY_STORE_URL": _normalise_url(os.environ.get("KEY_STORE_URL") or "sqlite:///" + os.path.join(
            instance_path, "defender-keys.db")),
        "SQLALCHEMY_DATABASE_URI": database,
        "SESSION_COOKIE_SECURE": production or os.environ.get("SESSION_COOKIE_SECURE") == "1",
        "REDIS_URL": os.environ.get("REDIS_URL", ""),
        "REDIS_TIMEOUT": float(os.environ.get("REDIS_TIMEOUT") or DEFAULTS["REDIS_TIMEOUT"]),
        "REQUIRE_TOTP": os.environ.get("REQUIRE_TOTP") == "1",
        "QUICK_EXIT_URL": os.environ.get("QUICK_EXIT_URL", DEFAULTS["QUICK_EXIT_URL"]),
        "CALENDAR_WORD": (os.environ.get("CALENDAR_WORD") or DEFAULTS["CALENDAR_WORD"]).strip()[:40],
        "TIMEZONE": os.environ.get("RESPIRO_TIMEZONE") or DEFAULTS["TIMEZONE"],
        # Notices by e-mail (opt-in per person); no MAIL_SERVER: notices stay in the app only.
        "MAIL_SERVER": os.environ.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(os.environ.get("MAIL_PORT") or 25),
        "MAIL_USERNAME": os.environ.get("MAIL_USERNAME") or None,
        "MAIL_PASSWORD": os.environ.get("MAIL_PASSWORD") or None,
        "MAIL_USE_TLS": os.environ.get("MAIL_USE_TLS") == "1",
        "MAIL_USE_SSL": os.environ.get("MAIL_USE_SSL") == "1",
        "MAIL_TIMEOUT": float(os.environ.get("MAIL_TIMEOUT") or 10),
        "MAIL_DEFAULT_SENDER": os.environ.get("MAIL_DEFAULT_SENDER") or "respiro@localhost",
        "RESPIRO_BASE_URL": os.environ.get("RESPIRO_BASE_URL", ""),
        # how many reverse proxies in front set X-Forwarded-For/-Proto; 0 trusts none (the header is ignored)
        "PROXY_FIX_X_FOR": _count(os.environ.get("PROXY_FIX_X_FOR"), "PROXY_FIX_X_FOR"),
    }


def _count(value: str | None, name: str) -> int:
    """A non-negative whole number from the environment (unset: 0)."""
    try:
        number = int(value or 0)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number") from exc
    if number < 0:
        raise ConfigError(f"{name} must not be negative")
    return number


def _normalise_url(url: str) -> str:
    if url.startswith("postgres://"):
        return "postgresql+psycopg://" + url[len("postgres://"):]
    if url.startswith("postgresql://"):
        return "postgresql+psycopg://" + url[len("postgresql://"):]
    return url


DEFAULTS: dict = {
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "SESSION_COOKIE_NAME": "respiro_session",
    "REMEMBER_COOKIE_DURATION": timedelta(seconds=0),
    "PERMANENT_SESSION_LIFETIME": timedelta(hours=12),
    "SESSION_IDLE_TIMEOUT": timedelta(minutes=30),
    "SESSION_ABSOLUTE_TIMEOUT": timedelta(hours=12),
    "RECENT_LOGIN_WINDOW": timedelta(minutes=10),
    "LOGIN_FAILURE_LIMIT": 5,
    "LOGIN_FAILURE_WINDOW": timedelta(minutes=15),
    "LOGIN_CLIENT_LIMIT": 20,  # failures from one client, across accounts, in the window
    "LOGIN_SLOWDOWN": timedelta(seconds=5),  # past the account's limit: one attempt per this, doubling...
    "LOGIN_SLOWDOWN_MAX": timedelta(seconds=60),  # ...up to this: slowed, never locked against her
    "INVITATION_LIFETIME": timedelta(hours=24),
    "MAX_CONTENT_LENGTH": 2 * 1024 * 1024,
    "CSV_MAX_BYTES": 1024 * 1024,
    "WTF_CSRF_ENABLED": True,
    "WTF_CSRF_TIME_LIMIT": None,
    "BABEL_DEFAULT_LOCALE": "es",
    "LANGUAGES": ("es", "en"),
    "QUICK_EXIT_URL": "https://www.google.com/search?q=clima",
    # The word calendar feeds use for their name and titles: neutral, never the app's name (a phone's
    # calendar is seen over her shoulder). The network sets its own.
    "CALENDAR_WORD": "Agenda",
    "PLANNING_DEFAULT_TIME_LIMIT": 30,
    "PLANNING_PAGE_SIZE": 10,  # stays on one screen of a proposal
    "REDIS_TIMEOUT": 5,  # seconds, to connect to Redis and for each reply: a lost host never hangs a request
    # Where the network's days begin and end: "today" for forms, queues and retention, and the dates shown.
    # Mexico, Guatemala, El Salvador, Honduras and Nicaragua all keep UTC-6 the year round.
    "TIMEZONE": "America/Mexico_City",
}


def set_timezone(config) -> None:
    """Make TIMEZONE Babel's too, refusing a name the zone database does not know (at start-up, not on a later page)."""
    from zoneinfo import ZoneInfo

    try:
        ZoneInfo(config["TIMEZONE"])
    except (ValueError, LookupError) as exc:  # ZoneInfoNotFoundError is a KeyError
        raise RuntimeError(f"RESPIRO_TIMEZONE: unknown time zone {config['TIMEZONE']!r}") from exc
    config["BABEL_DEFAULT_TIMEZONE"] = config["TIMEZONE"]


def instance_file(path: str, make) -> str:
    """The text of a key file in `instance/`, written from `make()` (0600) on first start.

    Several workers may start at once: the first one's file is the one everybody reads.
    """
    if not os.path.exists(path):
        os.makedirs(os.path.dirname(path), exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another worker made it first
            pass
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(make() + "\n")
    with open(path) as handle:
        return handle.read()


def instance_secret_key(path: str) -> str:
    """The random SECRET_KEY kept in `instance/` (created 0600 on first start), as the data keys are.

    Development and the embedded setup sign cookies with it; production sets SECRET_KEY itself.
    """
    secret = instance_file(path, lambda: secrets.token_urlsafe(48)).strip()
    if len(secret) < 32:
        raise ConfigError(f"{path}: the secret key is shorter than 32 characters")
    return secret


def check_production(config) -> None:
    """Refuse an unsafe production configuration (security items 25, 31)."""
    problems = []
    if config.get("DEBUG"):
        problems.append("DEBUG is on")
    secret = config.get("SECRET_KEY") or ""
    if secret == DEFAULT_SECRET or len(secret) < 32:
        problems.append("SECRET_KEY is the default or shorter than 32 characters")
    if not config.get("SESSION_COOKIE_SECURE") or not config.get("SESSION_COOKIE_HTTPONLY"):
        problems.append("session cookies must be Secure and HttpOnly")
    if config.get("SESSION_COOKIE_SAMESITE") not in ("Lax", "Strict"):
        problems.append("SESSION_COOKIE_SAMESITE must be Lax or Strict")
    if not config.get("DATA_KEYS"):
        problems.append("DATA_KEYS is not set")
    if not config.get("EMAIL_INDEX_KEY"):
        problems.append("EMAIL_INDEX_KEY is not set")
    if problems:
        raise ConfigError("refusing to start in production: " + "; ".join(problems))
