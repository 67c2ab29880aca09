"""The factory, its configuration, and the production refusals (items 25, 31)."""
import pytest

from app.config import ConfigError
from app.security.crypto import DataKeyError, new_key_spec

GOOD_SECRET = "s" * 40


def production(**overrides):
    config = {"RESPIRO_ENV": "production", "DEBUG": False, "SECRET_KEY": GOOD_SECRET,
              "SESSION_COOKIE_SECURE": True, "DATA_KEYS": new_key_spec("k1"), "EMAIL_INDEX_KEY": new_key_spec("ix")}
    config.update(overrides)
    return config


def test_production_starts_when_configured_safely(make_app):
    app = make_app(**production())
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]


@pytest.mark.parametrize("overrides", [
    {"DEBUG": True},
    {"SECRET_KEY": "dev-only-not-secret"},
    {"SECRET_KEY": "short"},
    {"SESSION_COOKIE_SECURE": False},
    {"SESSION_COOKIE_HTTPONLY": False},
    {"SESSION_COOKIE_SAMESITE": None},
    {"DATA_KEYS": ""},
    {"EMAIL_INDEX_KEY": ""},
])
def test_production_refuses_unsafe_settings(make_app, overrides):
    with pytest.raises(ConfigError):
        make_app(**production(**overrides))


def test_refuses_a_data_key_equal_to_the_secret_key(make_app):
    spec = new_key_spec("k1")
    with pytest.raises(DataKeyError):
        make_app(**production(SECRET_KEY=spec, DATA_KEYS=spec))
    key = spec.split(":", 1)[1]
    with pytest.raises(DataKeyError):
        make_app(**production(SECRET_KEY=key, DATA_KEYS=spec))


def test_refuses_a_malformed_data_key(make_app):
    with pytest.raises(DataKeyError):
        make_app(**production(DATA_KEYS="k1:not-a-key"))


def test_embedded_default_generates_a_key_file_outside_the_database(make_app, tmp_path):
    key_file = tmp_path / "keys" / "data-keys"
    make_app(DATA_KEYS="", DATA_KEY_FILE=str(key_file))
    assert key_file.exists() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    first = key_file.read_text()
    make_app(DATA_KEYS="", DATA_KEY_FILE=str(key_file))
    assert key_file.read_text() == first


def test_no_remember_me_cookie_lifetime(app):
    assert app.config["REMEMBER_COOKIE_DURATION"].total_seconds() == 0


def test_embedded_default_generates_an_email_index_key_file_outside_the_database(make_app, tmp_path):
    key_file = tmp_path / "keys" / "email-index-key"
    first = make_app(EMAIL_INDEX_KEY="", EMAIL_INDEX_KEY_FILE=str(key_file)).extensions["respiro_email_index_key"]
    assert key_file.exists() and oct(key_file.stat().st_mode & 0o777) == "0o600"
    again = make_app(EMAIL_INDEX_KEY="", EMAIL_INDEX_KEY_FILE=str(key_file))
    assert again.extensions["respiro_email_index_key"] == first  # the same key on every start
