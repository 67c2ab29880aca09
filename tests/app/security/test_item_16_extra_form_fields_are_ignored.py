"""Item 16: extra form fields (role, house_id, defender_id) are ignored; no
populate_obj on forms that touch privileged fields."""
import re
from pathlib import Path

from app.auth.accounts import create_invitation
from app.extensions import db
from app.models import User

from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parents[3]
EXTRA = {"role": "admin", "house_id": "999", "defender_id": "999", "is_active_user": "0", "email": "x@evil.org"}


def test_item_16_changing_a_password_with_extra_fields_changes_nothing_else(client, make_user, login):
    user = make_user("team")
    login(user)
    before = (user.role, user.house_id, user.defender_id, user.email)
    data = dict(EXTRA, current=PASSWORD, password="another calm phrase", confirm="another calm phrase")
    assert client.post("/account/password", data=data).status_code == 302
    db.session.expire_all()
    user = db.session.get(User, user.id)
    assert (user.role, user.house_id, user.defender_id, user.email) == before


def test_item_16_an_invitation_posted_with_role_admin_creates_the_invited_role(client, make_user, make_house):
    house = make_house()
    _row, token = create_invitation(email="nueva@example.org", role="team", created_by=None, house_id=house.id)
    db.session.commit()
    data = dict(EXTRA, password="a long and quiet lake", confirm="a long and quiet lake")
    assert client.post(f"/invitation/{token}", data=data).status_code == 302
    user = db.session.scalar(User.by_email("nueva@example.org"))
    assert user.role == "team" and user.house_id == house.id and user.defender_id is None


def test_item_16_no_view_uses_populate_obj():
    offenders = [str(p.relative_to(ROOT)) for p in (ROOT / "app").rglob("*.py")
                 if re.search(r"\bpopulate_obj\s*\(", p.read_text())]
    assert offenders == []
