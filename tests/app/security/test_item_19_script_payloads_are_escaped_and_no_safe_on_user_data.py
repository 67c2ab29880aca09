"""Item 19: script payloads saved in any field come back escaped everywhere; no
`|safe`, `Markup()` or `autoescape false` on user data (checked by grep)."""
import re
from pathlib import Path

from app.extensions import db

from .conftest import set_session

ROOT = Path(__file__).resolve().parents[3]
PAYLOAD = '<script>alert("xss")</script><img src=x onerror=alert(1)>'

# Every allowed use, with the reason it is not user data.
WHITELIST: dict[str, str] = {
    "app/web.py:61": "hidden_fields joins what WTForms rendered (escaped there) of the CSRF token and the "
                      "version number: no text a person typed",
}


def test_item_19_no_safe_filter_markup_or_autoescape_off_on_user_data():
    pattern = re.compile(r"\|\s*safe\b|\bMarkup\s*\(|autoescape\s+false|\|\s*safe_|render_template_string\(")
    found = []
    for path in list((ROOT / "templates").rglob("*.html")) + list((ROOT / "app").rglob("*.py")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if pattern.search(line):
                where = f"{path.relative_to(ROOT)}:{number}"
                if not any(where.startswith(allowed) for allowed in WHITELIST):
                    found.append(f"{where}: {line.strip()}")
    assert found == [], "unreviewed |safe / Markup / autoescape false:\n" + "\n".join(found)


def test_item_19_a_script_alias_house_name_and_email_come_back_escaped(client, make_user, make_house, make_defender,
                                                                      login, make_request):
    house = make_house(name=PAYLOAD, place=PAYLOAD)
    defender = make_defender(alias=PAYLOAD, real_name=PAYLOAD)
    make_request(defender)
    coordinator = make_user("coordinator")
    make_user("team", house=house, email='"><script>x</script>@example.org')
    admin = make_user("admin")
    pages = []
    login(coordinator)
    for url in ("/home", "/houses/", f"/houses/{house.id}", f"/admin/defenders/{defender.id}/reveal"):
        pages.append((url, client.get(url)))
    pages.append(("reveal", client.post(f"/admin/defenders/{defender.id}/reveal",
                                        data={"reason": "Her lawyer asked " + PAYLOAD})))
    client.post("/logout")
    login(admin)
    pages.append(("/admin/users", client.get("/admin/users")))
    shown = 0
    for url, response in pages:
        if response.status_code == 404:
            continue  # a blueprint not installed in this build
        assert "<script>alert" not in response.text, url
        assert "<img src=x" not in response.text, url
        shown += "&lt;script&gt;" in response.text
    assert shown >= 3


def test_item_19_a_script_in_a_form_error_is_escaped(client):
    response = client.post("/login", data={"email": PAYLOAD, "password": PAYLOAD})
    assert response.status_code in (400, 401)
    assert "<script>alert" not in response.text
