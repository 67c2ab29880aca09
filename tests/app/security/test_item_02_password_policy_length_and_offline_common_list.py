"""Item 2: at least 8 characters, long ones accepted, no composition rules, an
offline list of common passwords refused, and never an online check."""
import socket

import pytest

from app.extensions import db
from app.models import User
from app.security.passwords import password_problem

from tests.conftest import PASSWORD


def _change(client, new):
    return client.post("/account/password", data={"current": PASSWORD, "password": new, "confirm": new})


def test_item_02_a_seven_character_password_is_refused_and_nothing_changes(client, make_user, login):
    user = make_user("defender")
    login(user)
    before = user.password_hash
    response = _change(client, "abcdefg")
    assert response.status_code == 400
    assert "al menos 8 caracteres" in response.text
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == before


@pytest.mark.parametrize("password", ["ocho ojo", "x" * 64, "un río lento " * 9, "sólo minúsculas sin números"])
def test_item_02_eight_characters_and_long_passphrases_are_accepted_without_composition_rules(password):
    assert password_problem(password) is None


@pytest.mark.parametrize("password", ["12345678", "password", "Contraseña1", "  LIBERTAD  "])
def test_item_02_a_common_password_from_the_shipped_list_is_refused(client, make_user, login, password):
    assert password_problem(password) == "common"
    user = make_user("team")
    login(user)
    response = _change(client, password)
    assert response.status_code == 400
    assert "muy común" in response.text


def test_item_02_the_check_never_goes_online(monkeypatch):
    def no_network(*args, **kwargs):
        raise AssertionError("the password check must not use the network")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket, "getaddrinfo", no_network)
    assert password_problem("a fresh and quiet phrase") is None
    assert password_problem("password") == "common"
