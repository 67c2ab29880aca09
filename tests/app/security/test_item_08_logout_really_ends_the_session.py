"""Item 8: logout really ends the session: replaying the old cookie is anonymous."""


def test_item_08_replaying_the_cookie_after_logout_is_anonymous(app, client, make_user, login):
    user = make_user("coordinator")
    login(user)
    stolen = client.get_cookie("respiro_session", domain="respiro.test").value
    assert client.get("/home").status_code == 200
    client.post("/logout")
    attacker = app.test_client()
    attacker.set_cookie("respiro_session", stolen, domain="respiro.test")
    response = attacker.get("/home")
    assert response.status_code == 302 and "/login" in response.location
