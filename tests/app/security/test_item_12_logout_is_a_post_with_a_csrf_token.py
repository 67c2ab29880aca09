"""Item 12: logout is a POST with a CSRF token (a link or a forged form cannot log her out)."""


def test_item_12_logout_by_get_is_not_allowed(client, make_user, login):
    login(make_user("team"))
    assert client.get("/logout").status_code == 405
    assert client.get("/home").status_code == 200


def test_item_12_logout_without_a_csrf_token_is_refused(client, make_user, login):
    login(make_user("team"))
    response = client.post("/logout", csrf=False)
    assert response.status_code == 400
    assert client.get("/home").status_code == 200


def test_item_12_the_logout_button_carries_the_token(client, make_user, login):
    login(make_user("coordinator"))
    page = client.get("/home").text
    form = page.split('action="/logout"')[1].split("</form>")[0]
    assert 'name="csrf_token"' in form
