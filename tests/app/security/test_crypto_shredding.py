"""Crypto-shredding (issue 14 part 2): deleting her data destroys her own key, so that
no backup taken before the deletion can be read for her, while everyone else's
data in that same backup still reads.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select, text

from app import ops
from app.extensions import db
from app.models import AuditEvent, Defender, DiagnosticInterview, StayRequest, User
from app.security import audit
from app.security.crypto import DataKeyError, KeyRing, new_key_spec
from app.security.defender_keys import KeyShredded

NAME = "Lucía Ernestina Caal"
WORDS = "Desde las amenazas no duermo; quiero volver a sembrar."


def _her_file(make_user, make_request, n: int) -> User:
    user = make_user("defender")
    defender = user.defender
    defender.real_name = f"{NAME} {n}"
    defender.contact = f"+502 5555 01{n:02d}"
    defender.accessibility_notes = f"Rodilla {n}"
    stay_request = make_request(defender)
    stay_request.urgency_reason = f"Riesgo inminente {n}"
    stay_request.food_notes = f"Sin gluten {n}"
    interview = stay_request.interview
    interview.narrative = f"{WORDS} {n}"
    interview.risk_notes = f"Amenazas por teléfono {n}"
    interview.confirmation_reason = f"Lo conversamos {n}"
    interview.dimensions[0].answers = f'{{"how": "cansada {n}"}}'
    audit.record(None, "defender.reveal", target=defender, defender_id=defender.id,
                 reason=f"Para coordinar su traslado {n}")
    db.session.commit()
    return user


HER_COLUMNS = {
    "defenders": ("real_name_ct", "contact_ct", "accessibility_notes_ct"),
    "interviews": ("narrative_ct", "risk_notes_ct", "confirmation_reason_ct"),
    "stay_requests": ("urgency_reason_ct", "food_notes_ct"),
}


def _her_ciphertexts(defender_id: int) -> dict[str, str]:
    found = {}
    for table, columns in HER_COLUMNS.items():
        key = "id" if table == "defenders" else "defender_id"
        row = db.session.execute(text(f"SELECT {', '.join(columns)} FROM {table} WHERE {key} = :d"),
                                 {"d": defender_id}).mappings().one()
        found.update({f"{table}.{c}": row[c] for c in columns})
    return found


def _reads_normally(defender_id: int, n: int) -> None:
    defender = db.session.get(Defender, defender_id)
    assert defender.real_name == f"{NAME} {n}" and defender.contact == f"+502 5555 01{n:02d}"
    interview = db.session.scalar(select(DiagnosticInterview).where(DiagnosticInterview.defender_id == defender_id))
    assert interview.narrative == f"{WORDS} {n}" and interview.risk_notes == f"Amenazas por teléfono {n}"
    assert interview.dimensions[0].answers == f'{{"how": "cansada {n}"}}'
    request = db.session.scalar(select(StayRequest).where(StayRequest.defender_id == defender_id))
    assert request.urgency_reason == f"Riesgo inminente {n}"
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.defender_id == defender_id,
                                                       AuditEvent.action == "defender.reveal"))
    assert event.reason == f"Para coordinar su traslado {n}"


@pytest.fixture
def three_and_a_backup(app, runner, make_user, make_request, tmp_path):
    users = [_her_file(make_user, make_request, n) for n in range(3)]
    ids = [(u.id, u.defender_id) for u in users]
    result = runner.invoke(args=["backup", "-o", str(tmp_path / "before.backup")])
    assert result.exit_code == 0, result.output
    return users, ids, tmp_path / "before.backup"


def _she_deletes_her_data(client, login, user) -> None:
    login(user)
    response = client.post("/interviews/my-data/delete", data={"confirm": "y"})
    assert response.status_code == 302, response.text


def test_a_backup_from_before_her_deletion_holds_only_ciphertext_nobody_can_open_for_her(
        app, client, login, three_and_a_backup):
    users, ids, backup = three_and_a_backup
    her = users[1]
    her_id, her_uid = her.defender.id, her.defender.uid
    before = _her_ciphertexts(her_id)
    assert all(token.startswith("d1.") for token in before.values())
    _she_deletes_her_data(client, login, her)

    # The old backup, restored as it is (say, by an older Respiro that does not re-apply deletions).
    db.session.remove()
    ops.restore(backup, force=True, reapply_deletions=False)
    store = app.extensions["respiro_keystore"]
    store.clear_cache()  # a freshly started process, with the same master keys and key store
    db.session.expire_all()

    assert _her_ciphertexts(her_id) == before  # her ciphertext is back in the database...
    for column, token in before.items():  # ...and nothing can open it, not even with the master keys
        table, name = column.split(".")
        uid = db.session.execute(text(f"SELECT uid FROM {table} WHERE {'id' if table == 'defenders' else 'defender_id'}"
                                      " = :d"), {"d": her_id}).scalar_one()
        with pytest.raises(KeyShredded):
            store.decrypt(token, f"{table}:{name}:{uid}")
    defender = db.session.get(Defender, her_id)
    assert defender.uid == her_uid
    assert (defender.real_name, defender.contact, defender.accessibility_notes) == (None, None, None)
    interview = db.session.scalar(select(DiagnosticInterview).where(DiagnosticInterview.defender_id == her_id))
    assert interview.narrative is None and interview.risk_notes is None and interview.dimensions[0].answers is None
    request = db.session.scalar(select(StayRequest).where(StayRequest.defender_id == her_id))
    assert request.urgency_reason == "" and request.food_notes is None
    assert store.status(her_uid) == "shredded"

    # everyone else in that same backup reads normally
    for n in (0, 2):
        _reads_normally(ids[n][1], n)


def test_restoring_an_old_backup_deletes_her_again(app, client, login, runner, three_and_a_backup):
    users, ids, backup = three_and_a_backup
    her = users[0]
    her_id = her.defender_id
    _she_deletes_her_data(client, login, her)
    db.session.remove()
    result = runner.invoke(args=["restore", "--force", str(backup)])
    assert result.exit_code == 0, result.output
    assert "re-applied 1 deletion" in result.output
    db.session.expire_all()
    defender = db.session.get(Defender, her_id)
    assert defender.deleted_at is not None and defender.alias == "—"
    assert all(token is None for token in _her_ciphertexts(her_id).values())
    assert db.session.get(User, ids[0][0]).email is None
    for n in (1, 2):
        _reads_normally(ids[n][1], n)


def test_deleting_her_data_destroys_her_key_and_no_other(app, client, login, make_user, make_request):
    users = [_her_file(make_user, make_request, n) for n in range(2)]
    store = app.extensions["respiro_keystore"]
    _she_deletes_her_data(client, login, users[0])
    assert store.status(users[0].defender.uid) == "shredded"
    assert store.status(users[1].defender.uid) == "live"
    db.session.expire_all()
    _reads_normally(users[1].defender_id, 1)


def test_her_key_is_not_in_the_database_or_its_backup(app, runner, make_user, make_request, tmp_path):
    user = _her_file(make_user, make_request, 0)
    store = app.extensions["respiro_keystore"]
    key_id, raw = store.key_for(user.defender.uid)
    import base64

    forms = [raw, base64.urlsafe_b64encode(raw), base64.b64encode(raw), raw.hex().encode(), key_id.encode()]
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(table.select()).all():
            dumped = " ".join(map(str, row)).encode()
            assert not any(form in dumped for form in forms[1:4]), table.name
    assert runner.invoke(args=["backup", "-o", str(tmp_path / "b.backup")]).exit_code == 0
    blob = (tmp_path / "b.backup").read_bytes()
    assert not any(form in blob for form in forms[:4])


def test_the_key_store_cannot_be_the_application_database(app_config, make_app):
    with pytest.raises(DataKeyError):
        make_app(KEY_STORE_URL=app_config["SQLALCHEMY_DATABASE_URI"])


def test_rotation_rewraps_her_key_without_touching_her_rows(app, runner, make_user, make_request):
    user = _her_file(make_user, make_request, 0)
    before = _her_ciphertexts(user.defender_id)
    old = app.extensions["respiro_keyring"]
    store = app.extensions["respiro_keystore"]
    new_spec = new_key_spec("knext")
    try:
        app.extensions["respiro_keyring"] = KeyRing.parse(new_spec + "," + app.config["DATA_KEYS"])
        result = runner.invoke(args=["keys", "rotate"])
        assert result.exit_code == 0, result.output
        assert "re-wrapped 1 defender keys" in result.output
        app.extensions["respiro_keyring"] = KeyRing.parse(new_spec)  # the old master key is gone
        store.clear_cache()
        db.session.expire_all()
        assert _her_ciphertexts(user.defender_id) == before
        _reads_normally(user.defender_id, 0)
    finally:
        app.extensions["respiro_keyring"] = old
        store.clear_cache()


def test_migrate_defenders_moves_her_older_values_under_her_own_key(app, runner, make_defender):
    defender = make_defender(real_name="placeholder")
    ring = app.extensions["respiro_keyring"]
    legacy = ring.encrypt("Antes de las llaves propias", f"defenders:real_name_ct:{defender.uid}")
    db.session.execute(text("UPDATE defenders SET real_name_ct = :t WHERE id = :id"), {"t": legacy, "id": defender.id})
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(Defender, defender.id).real_name == "Antes de las llaves propias"  # still reads meanwhile
    result = runner.invoke(args=["keys", "migrate-defenders"])
    assert result.exit_code == 0, result.output
    assert "moved 1 values under their defender's key" in result.output
    db.session.expire_all()
    moved = db.session.get(Defender, defender.id)
    assert moved.real_name_ct.startswith("d1.") and moved.real_name == "Antes de las llaves propias"
    again = runner.invoke(args=["keys", "migrate-defenders"])
    assert "moved 0 values" in again.output
