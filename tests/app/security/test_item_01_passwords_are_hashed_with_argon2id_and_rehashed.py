"""Item 1: passwords are hashed with argon2id; old hashes are re-hashed on login."""
from argon2 import PasswordHasher
from argon2.low_level import Type

from app.auth.accounts import create_user
from app.extensions import db
from app.models import User
from app.security.passwords import hash_password

from tests.conftest import PASSWORD


def test_item_01_a_new_password_is_stored_as_an_argon2id_hash(app):
    user = create_user(email="ana@example.org", password=PASSWORD, role="coordinator")
    db.session.commit()
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    # argon2-cffi's RFC 9106 defaults, not weaker: memory >= 64 MiB, t >= 3
    params = dict(part.split("=") for part in user.password_hash.split("$")[3].split(","))
    assert int(params["m"]) >= 65536 and int(params["t"]) >= 3


def test_item_01_an_old_weaker_hash_is_rehashed_at_the_next_login(client, make_user):
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1, type=Type.ID).hash(PASSWORD)
    user = make_user("team")
    user.password_hash = weak
    db.session.commit()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(User, user.id).password_hash
    assert stored != weak and stored.startswith("$argon2id$") and ",t=1," not in stored


def test_item_01_hashing_twice_gives_different_salts(app):
    assert hash_password(PASSWORD) != hash_password(PASSWORD)
