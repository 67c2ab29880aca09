"""A crafted `next=` with a control character is refused, never a 500 (issue 14, item 7)."""
import pytest

from tests.conftest import PASSWORD

CRAFTED = ["/%0D%0A//evil.example", "/home%0ASet-Cookie:x=1", "/%09/evil.example", "/%7F", "/%C2%85x", "/%E2%80%A8x"]


@pytest.mark.parametrize("next_", CRAFTED)
def test_login_with_a_crafted_next_lands_home(client, make_user, next_):
    user = make_user("coordinator")
    response = client.post(f"/login?next={next_}", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.location.endswith("/home")


@pytest.mark.parametrize("next_", CRAFTED)
def test_confirm_password_with_a_crafted_next_lands_home(client, make_user, login, next_):
    login(make_user("admin"))
    response = client.post(f"/confirm-password?next={next_}", data={"password": PASSWORD})
    assert response.status_code == 302
    assert response.location.endswith("/home")


def test_a_plain_local_next_is_still_followed(client, make_user):
    user = make_user("coordinator")
    response = client.post("/login?next=/houses/", data={"email": user.email, "password": PASSWORD})
    assert response.location.endswith("/houses/")
