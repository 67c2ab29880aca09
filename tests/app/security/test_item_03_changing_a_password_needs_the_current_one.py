"""Item 3: changing a password needs the current one."""
from app.extensions import db
from app.models import User


def test_item_03_a_wrong_current_password_is_refused_and_the_hash_stays(client, make_user, login):
    user = make_user("coordinator")
    login(user)
    before = user.password_hash
    response = client.post("/account/password", data={
        "current": "not my password at all", "password": "a brand new phrase", "confirm": "a brand new phrase"})
    assert response.status_code == 400
    assert "La contraseña actual no es correcta." in response.text
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == before


def test_item_03_a_missing_current_password_is_refused(client, make_user, login):
    user = make_user("team")
    login(user)
    before = user.password_hash
    response = client.post("/account/password", data={"password": "a brand new phrase",
                                                       "confirm": "a brand new phrase"})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.get(User, user.id).password_hash == before
