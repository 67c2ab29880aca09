"""Item 6: a new database has no default admin (the first comes from the CLI);
invitation and reset links work once and expire within 24 hours."""
import datetime as dt

from sqlalchemy import func, select

from app.auth.accounts import create_invitation
from app.extensions import db
from app.models import Invitation, User


def test_item_06_a_new_database_has_no_account_at_all(app):
    assert db.session.scalar(select(func.count()).select_from(User)) == 0


def test_item_06_the_first_admin_comes_from_the_cli(runner):
    result = runner.invoke(args=["users", "create-admin", "--email", "primera@example.org"],
                           input="a long and quiet river\na long and quiet river\n")
    assert result.exit_code == 0, result.output
    assert db.session.scalar(User.by_email("primera@example.org")).role == "admin"


def test_item_06_a_reset_link_works_once_and_not_after_24_hours(app, client, make_user):
    user = make_user("team")
    invitation, token = create_invitation(email=user.email, role="team", created_by=None,
                                          house_id=user.house_id, purpose="reset")
    db.session.commit()
    assert invitation.expires_at - invitation.created_at <= dt.timedelta(hours=24)
    used = client.post(f"/invitation/{token}", data={"password": "a fresh new phrase", "confirm": "a fresh new phrase"})
    assert used.status_code == 302
    again = app.test_client().get(f"/invitation/{token}")
    assert again.status_code == 404

    _other, token2 = create_invitation(email=user.email, role="team", created_by=None, house_id=user.house_id,
                                       purpose="reset")
    db.session.commit()
    row = db.session.scalar(select(Invitation).order_by(Invitation.id.desc()))
    row.expires_at = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(seconds=1)
    db.session.commit()
    assert app.test_client().get(f"/invitation/{token2}").status_code == 404
