"""Item 25: the production configuration refuses to start with DEBUG on, a short
or default SECRET_KEY, insecure cookie flags, or no data key (the factory's
own tests in tests/app/test_factory.py try each setting alone)."""
import pytest

from app import create_app
from app.config import ConfigError, from_environment
from app.security.crypto import new_key_spec


def test_item_25_production_from_the_environment_with_defaults_refuses_to_start(monkeypatch, tmp_path):
    monkeypatch.setenv("RESPIRO_ENV", "production")
    for name in ("SECRET_KEY", "DATA_KEYS", "EMAIL_INDEX_KEY", "FLASK_DEBUG", "DATABASE_URL"):
        monkeypatch.delenv(name, raising=False)
    with pytest.raises(ConfigError) as refused:  # the raw factory: the test config would hide what is missing
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert "SECRET_KEY" in str(refused.value) and "DATA_KEYS" in str(refused.value)
    assert "EMAIL_INDEX_KEY" in str(refused.value)


def test_item_25_production_cookies_are_secure_by_default(monkeypatch, tmp_path):
    monkeypatch.setenv("RESPIRO_ENV", "production")
    monkeypatch.delenv("SESSION_COOKIE_SECURE", raising=False)
    assert from_environment(str(tmp_path))["SESSION_COOKIE_SECURE"] is True


@pytest.mark.parametrize("overrides", [{"DEBUG": True}, {"SECRET_KEY": "x" * 31}, {"SESSION_COOKIE_SAMESITE": "None"},
                                       {"SESSION_COOKIE_SECURE": False}, {"DATA_KEYS": ""},
                                       {"EMAIL_INDEX_KEY": ""}])
def test_item_25_each_unsafe_setting_alone_is_refused(make_app, overrides):
    config = {"RESPIRO_ENV": "production", "DEBUG": False, "SECRET_KEY": "s" * 40, "SESSION_COOKIE_SECURE": True,
              "DATA_KEYS": new_key_spec("k1"), "EMAIL_INDEX_KEY": new_key_spec("ix")}
    config.update(overrides)
    with pytest.raises(ConfigError):
        make_app(**config)
