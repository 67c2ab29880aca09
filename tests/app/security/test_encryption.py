"""Encryption at rest (security items 27-31)."""
import pytest
from sqlalchemy import text

from app.extensions import db
from app.models import Defender, Therapist
from app.security.crypto import DecryptionError, KeyRing, new_key_spec, rotate_all


def raw_row(table: str, row_id: int) -> dict:
    return dict(db.session.execute(text(f"SELECT * FROM {table} WHERE id = :id"), {"id": row_id}).mappings().one())


def test_raw_row_holds_no_plaintext(make_defender):
    defender = make_defender(real_name="Berta Ixchel Cáceres", contact="+504 5555 0101")
    row = raw_row("defenders", defender.id)
    dumped = " ".join(str(v) for v in row.values())
    assert "Berta" not in dumped and "5555" not in dumped
    assert row["real_name_ct"].startswith("d1.")  # under her own key


def test_same_text_twice_gives_different_ciphertexts(make_defender):
    a = make_defender(real_name="Same Name")
    b = make_defender(real_name="Same Name")
    assert raw_row("defenders", a.id)["real_name_ct"] != raw_row("defenders", b.id)["real_name_ct"]
    ring = KeyRing.parse(new_key_spec("k1"))
    assert ring.encrypt("x", "t:c:1") != ring.encrypt("x", "t:c:1")


def test_a_changed_byte_fails_to_decrypt(make_defender):
    defender = make_defender(real_name="Tamper Me")
    token = defender.real_name_ct
    prefix, key_id, body = token.split(".", 2)
    middle = len(body) // 2
    flipped = body[:middle] + ("A" if body[middle] != "A" else "B") + body[middle + 1:]
    db.session.execute(text("UPDATE defenders SET real_name_ct = :t WHERE id = :id"),
                       {"t": f"{prefix}.{key_id}.{flipped}", "id": defender.id})
    db.session.commit()
    db.session.expire_all()
    with pytest.raises(DecryptionError):
        db.session.get(Defender, defender.id).real_name


def test_a_ciphertext_moved_to_another_row_does_not_decrypt(make_defender):
    a = make_defender(real_name="Alma")
    b = make_defender(real_name="Brisa")
    db.session.execute(text("UPDATE defenders SET real_name_ct = :t WHERE id = :id"),
                       {"t": a.real_name_ct, "id": b.id})
    db.session.commit()
    db.session.expire_all()
    with pytest.raises(DecryptionError):
        db.session.get(Defender, b.id).real_name


def test_a_ciphertext_moved_to_another_column_does_not_decrypt(make_defender):
    a = make_defender(real_name="Alma", contact="alma@example.org")
    a.contact_ct = a.real_name_ct
    with pytest.raises(DecryptionError):
        a.contact


def test_each_ciphertext_names_its_key_and_rotation_moves_every_row(app, make_defender, make_therapist, runner):
    old = app.extensions["respiro_keyring"]
    store = app.extensions["respiro_keystore"]
    defenders = [make_defender(real_name=f"Name {i}", contact=f"c{i}") for i in range(3)]
    therapist = make_therapist(name="Rosa Elena Xiloj", contact="rosa@example.org")
    her_tokens = [(d.real_name_ct, d.contact_ct) for d in defenders]
    assert all(d.real_name_ct.split(".")[0] == "d1" for d in defenders)  # her own key, named
    assert therapist.name_ct.split(".")[:2] == ["v1", "ktest"]  # the network's: the master key, named
    new_spec = new_key_spec("knew")
    app.extensions["respiro_keyring"] = KeyRing.parse(new_spec + "," + app.config["DATA_KEYS"])
    result = runner.invoke(args=["keys", "rotate"])
    assert result.exit_code == 0, result.output
    # her rows are not re-encrypted: her keys are re-wrapped; the network's two values are re-encrypted
    assert "re-encrypted 2 network values" in result.output and "re-wrapped 3 defender keys" in result.output
    # the old key can now be removed and everything still reads
    app.extensions["respiro_keyring"] = KeyRing.parse(new_spec)
    store.clear_cache()  # as in a freshly started worker: her keys are unwrapped again, with the new key only
    db.session.expire_all()
    assert [db.session.get(Defender, d.id).real_name for d in defenders] == ["Name 0", "Name 1", "Name 2"]
    assert [(db.session.get(Defender, d.id).real_name_ct, db.session.get(Defender, d.id).contact_ct)
            for d in defenders] == her_tokens
    assert db.session.get(Therapist, therapist.id).name == "Rosa Elena Xiloj"
    assert db.session.get(Therapist, therapist.id).name_ct.split(".")[1] == "knew"
    app.extensions["respiro_keyring"] = old
    store.clear_cache()


def test_rotation_twice_changes_nothing_more(app, make_defender):
    make_defender(real_name="Once")
    result = rotate_all(db.session)
    assert (result.reencrypted, result.moved, result.rewrapped) == (0, 0, 0)


def test_keys_are_never_stored_in_the_database(app, make_defender):
    make_defender(real_name="Someone")
    secret = app.config["DATA_KEYS"].split(":", 1)[1]
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(table.select()).all():
            assert secret not in " ".join(map(str, row))
