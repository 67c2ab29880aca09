"""Item 20: SQL metacharacters in any field behave as text; no f-strings or
string concatenation in `text()`."""
import re
from pathlib import Path

from sqlalchemy import func, select

from app.extensions import db
from app.models import Defender, User

ROOT = Path(__file__).resolve().parents[3]
SQLI = ["' OR '1'='1", "x'; DROP TABLE users; --", '" OR 1=1 --', "%' AND 1=0 UNION SELECT password_hash FROM users --"]


def test_item_20_a_login_with_sql_in_the_email_is_just_a_wrong_login(client, make_user):
    make_user("admin")
    for payload in SQLI:
        response = client.post("/login", data={"email": payload, "password": payload})
        assert response.status_code in (400, 401)
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_item_20_an_alias_with_sql_metacharacters_is_stored_and_shown_as_typed(client, make_user, make_defender, login):
    defender = make_defender(alias=SQLI[1])
    db.session.expire_all()
    assert db.session.get(Defender, defender.id).alias == SQLI[1]
    login(make_user("coordinator"))
    page = client.get(f"/admin/defenders/{defender.id}/reveal")
    assert "x&#39;; DROP TABLE users; --" in page.text
    assert db.session.scalar(select(func.count()).select_from(User)) == 1


def test_item_20_no_formatted_string_reaches_text_or_exec_driver_sql():
    pattern = re.compile(r"""\b(text|exec_driver_sql)\(\s*(f["']|["'][^"']*["']\s*(%|\+|\.format))""")
    found = [f"{p.relative_to(ROOT)}:{n}" for p in (ROOT / "app").rglob("*.py")
             for n, line in enumerate(p.read_text().splitlines(), 1) if pattern.search(line)]
    assert found == []
