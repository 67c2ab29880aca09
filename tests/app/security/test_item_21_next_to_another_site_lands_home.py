"""Item 21: `next=https://elsewhere` after login lands on the local home page."""
import pytest

from tests.conftest import PASSWORD


@pytest.mark.parametrize("target", ["https://elsewhere.example/", "//elsewhere.example/x", "/\\elsewhere.example",
                                    "http:/elsewhere.example", "javascript:alert(1)", " https://elsewhere.example"])
def test_item_21_next_to_another_site_lands_on_the_local_home_page(client, make_user, target):
    user = make_user("team")
    response = client.post("/login", query_string={"next": target}, data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.location in ("/home", "http://respiro.test/home")


def test_item_21_a_local_next_is_followed(client, make_user):
    user = make_user("team")
    response = client.post("/login?next=/account/password", data={"email": user.email, "password": PASSWORD})
    assert response.location.endswith("/account/password")
