"""E-mail addresses (issue 14): encrypted at rest (hers under her own key), found through a
blind index, unique, and unreadable in an old backup once she is deleted."""
from __future__ import annotations

import hashlib
import hmac

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import IntegrityError

from app import ops
from app.auth.accounts import authenticate, create_invitation
from app.extensions import db
from app.models import Invitation, User
from app.security.blind_index import email_index, normalise_email
from app.security.crypto import DataKeyError, new_key_spec
from app.security.defender_keys import KeyShredded

from tests.app.security.conftest import database_fingerprint
from tests.conftest import PASSWORD

ADDRESS = "lucia.caal@example.org"


def _raw_rows() -> str:
    """Every cell of every table, as text."""
    return "\n".join(" ".join(map(str, row)) for table in db.metadata.sorted_tables
                     for row in db.session.execute(table.select()).all())


def test_one_normal_form_for_an_address():
    assert normalise_email("  Lucía.CAAL@Example.ORG\t") == "lucía.caal@example.org"
    assert normalise_email("ＬＵＣＩＡ.caal@example.org") == ADDRESS  # full-width letters (NFKC)
    assert normalise_email("straße@example.org") == "straße@example.org"  # not casefolded into another mailbox


@pytest.mark.parametrize("typed", [ADDRESS.upper(), "ＬＵＣＩＡ.CAAL@EXAMPLE.ORG"])
def test_she_logs_in_with_her_address_in_any_case_or_width(client, make_user, typed):
    make_user("defender", email=ADDRESS)
    assert client.post("/login", data={"email": typed, "password": PASSWORD}).status_code == 302


def test_the_address_is_found_with_spaces_around_it(app, make_user):
    user = make_user("coordinator", email=ADDRESS)
    with app.test_request_context():
        assert authenticate(f"  {ADDRESS.title()}\t", PASSWORD).id == user.id


def test_raw_rows_hold_no_address_hers_under_her_key_staff_under_the_network_key(app, make_user, make_defender,
                                                                               make_house):
    her = make_user("defender", email="her.own@example.org")
    staff = make_user("coordinator", email="staff.member@example.org")
    defender = make_defender()
    create_invitation(email="invited.her@example.org", role="defender", created_by=staff, defender_id=defender.id)
    create_invitation(email="invited.staff@example.org", role="team", created_by=staff,
                      house_id=make_house().id)
    db.session.commit()
    raw = _raw_rows().lower()
    for address in ("her.own", "staff.member", "invited.her", "invited.staff", "example.org"):
        assert address not in raw
    tokens = dict(db.session.execute(text("SELECT role, email_ct FROM users")).all())
    assert tokens["defender"].startswith("d1.") and tokens["coordinator"].startswith("v1.")
    tokens = dict(db.session.execute(text("SELECT role, email_ct FROM invitations")).all())
    assert tokens["defender"].startswith("d1.") and tokens["team"].startswith("v1.")
    # the index is the keyed HMAC of the normal form, with the index key (not in the database)
    key = app.extensions["respiro_email_index_key"]
    expected = hmac.new(key, b"her.own@example.org", hashlib.sha256).hexdigest()
    assert db.session.execute(text("SELECT email_index FROM users WHERE role = 'defender'")).scalar_one() == expected
    assert key.hex() not in raw
    db.session.expire_all()
    assert db.session.get(User, her.id).email == "her.own@example.org"
    assert sorted(i.email for i in db.session.scalars(select(Invitation))) == ["invited.her@example.org",
                                                                                "invited.staff@example.org"]


def test_the_unique_index_refuses_the_same_address_written_twice(app, make_user):
    make_user("coordinator", email=ADDRESS)
    db.session.add(User(email=f" {ADDRESS.upper()} ", password_hash="x", role="team"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_an_admin_cannot_invite_an_address_that_has_an_account(client, login, make_user):
    make_user("coordinator", email=ADDRESS)
    login(make_user("admin"))
    before = database_fingerprint()
    response = client.post("/admin/invitations", data={"email": ADDRESS.upper(), "role": "team", "house_id": 0})
    assert response.status_code == 400 and "Ya existe una cuenta con este correo." in response.text
    assert database_fingerprint() == before


def test_a_link_to_an_address_that_has_an_account_makes_no_second_account(client, make_user):
    make_user("coordinator", email=ADDRESS)
    _invitation, token = create_invitation(email="ＬＵＣＩＡ.CAAL@example.org", role="admin", created_by=None,
                                           say_if_taken=False)
    db.session.commit()
    response = client.post(f"/invitation/{token}", data={"password": "a garden after rain",
                                                         "confirm": "a garden after rain"})
    assert response.status_code == 400
    assert db.session.scalar(select(db.func.count()).select_from(User)) == 1


def test_the_admin_list_shows_staff_addresses_decrypted(client, login, make_user):
    make_user("coordinator", email="zoe@example.org")
    make_user("coordinator", email="ana@example.org")
    login(make_user("admin", email="root@example.org"))
    page = client.get("/admin/users").text
    assert page.index("ana@example.org") < page.index("zoe@example.org")


def test_the_command_line_finds_the_account_by_its_address(runner, make_user):
    make_user("defender", email=ADDRESS)
    result = runner.invoke(args=["users", "reset-link", f"  {ADDRESS.upper()} "])
    assert result.exit_code == 0, result.output
    assert "/invitation/" in result.output
    reset = db.session.scalar(select(Invitation))
    assert reset.purpose == "reset" and reset.email == ADDRESS and reset.email_ct.startswith("d1.")  # under her key
    assert runner.invoke(args=["users", "reset-link", "nobody@example.org"]).exit_code == 1


def test_after_her_deletion_her_address_is_gone_and_unreadable_in_an_old_backup(app, client, login, runner,
                                                                               make_user, tmp_path):
    her = make_user("defender", email=ADDRESS)
    other = make_user("defender", email="otra@example.org")
    her_id, her_uid, other_id = her.id, her.uid, other.id
    runner.invoke(args=["users", "reset-link", ADDRESS])  # a reset link of hers, also holding her address
    backup = tmp_path / "before.backup"
    assert runner.invoke(args=["backup", "-o", str(backup)]).exit_code == 0
    old_token = db.session.execute(text("SELECT email_ct FROM users WHERE id = :id"), {"id": her_id}).scalar_one()
    assert old_token.startswith("d1.")
    login(her)
    assert client.post("/interviews/my-data/delete", data={"confirm": "y"}).status_code == 302

    # the live database no longer answers to her address
    db.session.expire_all()
    row = db.session.execute(text("SELECT email_ct, email_index FROM users WHERE id = :id"), {"id": her_id}).one()
    assert tuple(row) == (None, None)
    assert db.session.scalar(User.by_email(ADDRESS)) is None
    assert db.session.scalar(select(Invitation)) is None  # her reset link went with her
    assert client.post("/login", data={"email": ADDRESS, "password": PASSWORD}).status_code == 401

    # the old backup, restored as it is: her ciphertext is back, and nothing opens it
    db.session.remove()
    ops.restore(backup, force=True, reapply_deletions=False)
    store = app.extensions["respiro_keystore"]
    store.clear_cache()
    db.session.expire_all()
    assert db.session.execute(text("SELECT email_ct FROM users WHERE id = :id"), {"id": her_id}).scalar_one() \
        == old_token
    with pytest.raises(KeyShredded):
        store.decrypt(old_token, f"users:email_ct:{her_uid}")
    assert db.session.get(User, her_id).email is None
    reset_token = db.session.execute(text("SELECT email_ct, uid FROM invitations")).one()
    with pytest.raises(KeyShredded):
        store.decrypt(reset_token[0], f"invitations:email_ct:{reset_token[1]}")
    assert db.session.get(User, other_id).email == "otra@example.org"  # everyone else still reads


def test_the_index_key_is_its_own_key(make_app, app_config):
    with pytest.raises(DataKeyError):
        make_app(EMAIL_INDEX_KEY=app_config["DATA_KEYS"])
    secret = new_key_spec("same")
    with pytest.raises(DataKeyError):
        make_app(EMAIL_INDEX_KEY=secret, SECRET_KEY=secret)
    with pytest.raises(DataKeyError):
        make_app(EMAIL_INDEX_KEY=new_key_spec("a") + "," + new_key_spec("b"))


def test_a_different_index_key_finds_nothing(app, make_user):
    make_user("coordinator", email=ADDRESS)
    assert email_index(ADDRESS) == db.session.execute(text("SELECT email_index FROM users")).scalar_one()
    assert email_index(ADDRESS, b"\x00" * 32) != email_index(ADDRESS)
