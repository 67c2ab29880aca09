"""Behind a reverse proxy (issue 14): with PROXY_FIX_X_FOR the throttle sees each real client;
without it X-Forwarded-For is ignored, so nobody can pass for another client by writing it."""
from __future__ import annotations

import pytest

from app.config import ConfigError, from_environment

WRONG = "wrong wrong wrong"
LIMIT = 3


def _spray(client, forwarded_for: str, times: int) -> list[int]:
    """One wrong password at each of `times` accounts, from the client the header names."""
    return [client.post("/login", data={"email": f"someone{n}@example.org", "password": WRONG},
                        headers={"X-Forwarded-For": forwarded_for}).status_code for n in range(times)]


def _served(make_app, hops: int):
    return make_app(PROXY_FIX_X_FOR=hops, LOGIN_CLIENT_LIMIT=LIMIT).test_client()


def test_behind_a_proxy_two_clients_are_throttled_separately(app, make_app):
    client = _served(make_app, 1)
    assert _spray(client, "203.0.113.1", LIMIT + 1) == [401] * LIMIT + [429]
    assert _spray(client, "203.0.113.2", 1) == [401]  # another client, not refused
    # what a client writes before the proxy's own entry is not believed
    assert _spray(client, "198.51.100.9, 203.0.113.1", 1) == [429]


def test_without_a_proxy_the_header_is_ignored(app, make_app):
    client = _served(make_app, 0)
    assert _spray(client, "203.0.113.1", LIMIT + 1) == [401] * LIMIT + [429]
    assert _spray(client, "203.0.113.2", 1) == [429]  # the same client, whatever it writes


def test_the_setting_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("PROXY_FIX_X_FOR", raising=False)
    assert from_environment(str(tmp_path))["PROXY_FIX_X_FOR"] == 0
    monkeypatch.setenv("PROXY_FIX_X_FOR", "2")
    assert from_environment(str(tmp_path))["PROXY_FIX_X_FOR"] == 2
    for bad in ("yes", "-1"):
        monkeypatch.setenv("PROXY_FIX_X_FOR", bad)
        with pytest.raises(ConfigError):
            from_environment(str(tmp_path))
