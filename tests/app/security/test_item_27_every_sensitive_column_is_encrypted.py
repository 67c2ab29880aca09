"""Security item 27, for every column: the raw rows hold no plaintext of anything sensitive.

The columns are classified once, in app/security/sensitive.py.
"""
import datetime as dt

from sqlalchemy import JSON, String, Text, text

from app.extensions import db
from app.models import AuditEvent, Closure, DiagnosticInterview, InterviewDimension, PlanningRun, StayRequest
from app.models import Defender, FollowUp, Invitation, Offer, Stay, StayChange, Therapist, User
from app.security.crypto import Encrypted
from app.security.sensitive import PLAIN, SENSITIVE


def _text_columns():
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if isinstance(column.type, (String, Text, JSON)):
                yield table.name, column.name


def test_every_text_column_is_classified_once_as_sensitive_or_plain(app):
    columns = set(_text_columns())
    unclassified = sorted(columns - SENSITIVE.keys() - PLAIN.keys())
    assert not unclassified, f"classify these in app/security/sensitive.py: {unclassified}"
    assert not SENSITIVE.keys() & PLAIN.keys()
    assert not (SENSITIVE.keys() | PLAIN.keys()) - columns, "a classified column no longer exists"


def test_every_sensitive_column_is_written_through_encryption_under_the_right_key(app):
    fields = {(model.__tablename__, field.column_attr): field for model, field in Encrypted.registry}
    for (table, column), whose in SENSITIVE.items():
        field = fields.get((table, column))
        assert field is not None, f"{table}.{column} is sensitive but not written through Encrypted"
        assert (field.owner is not None) == (whose != "network"), f"{table}.{column} must be under {whose} key"
        assert field.owner_optional == (whose == "her_or_network"), f"{table}.{column} must be under {whose} key"


def _marker(table: str, column: str) -> str:
    if column == "email_ct":  # an address, so that it is stored (and indexed) as one
        return f"secret-{table}-riesgo@example.org"
    return f"SECRET-{table}-{column}-Riesgo inminente"


def _one_row_of_each(make_defender, make_request, make_house, make_therapist, make_user):
    defender = make_defender()
    stay_request = make_request(defender)
    interview = stay_request.interview
    house = make_house()
    closure = Closure(house=house, start=dt.date(2027, 1, 1), end=dt.date(2027, 1, 5), reason="other")
    db.session.add(closure)
    therapist = make_therapist(houses=[house])
    user = make_user("defender", defender=defender)  # her address: under her key
    invitation = Invitation(token_hash="0" * 64, role="coordinator", expires_at=dt.datetime(2027, 1, 1))
    db.session.add(invitation)  # a staff member's address: under the network key
    event = AuditEvent(action="defender.reveal", target_type="Defender", target_id=defender.id,
                       defender_id=defender.id, details={})
    run = PlanningRun(horizon_start=dt.date(2027, 1, 1), horizon_days=30)
    stay = Stay(house=house, start=dt.date(2027, 2, 1), end=dt.date(2027, 2, 10), type="individual")
    db.session.add_all([event, run, stay])
    db.session.flush()
    offer = Offer(stay_id=stay.id, request_id=stay_request.id, deadline=dt.date(2027, 1, 20))
    change = StayChange(stay_id=stay.id, kind="cancel")
    follow_up = FollowUp(defender_id=defender.id, request_id=stay_request.id, stay_id=stay.id, kind="end",
                         opened_on=dt.date(2027, 2, 10), answered_at=dt.datetime(2027, 2, 11))
    db.session.add_all([offer, change, follow_up])
    db.session.commit()
    return {Defender: defender, StayRequest: stay_request, DiagnosticInterview: interview,
            InterviewDimension: interview.dimensions[0], Closure: closure, Therapist: therapist, User: user,
            Invitation: invitation, AuditEvent: event, PlanningRun: run, Offer: offer, StayChange: change, FollowUp: follow_up}


def test_raw_rows_hold_no_plaintext_of_any_sensitive_column(app, make_defender, make_request, make_house,
                                                             make_therapist, make_user):
    rows = _one_row_of_each(make_defender, make_request, make_house, make_therapist, make_user)
    written = []
    for model, field in Encrypted.registry:
        assert model in rows, f"add a {model.__name__} row to this test"
        setattr(rows[model], field.name, _marker(model.__tablename__, field.column_attr))
        written.append((model, field))
    db.session.commit()
    assert {(m.__tablename__, f.column_attr) for m, f in written} >= SENSITIVE.keys()

    # nowhere in any raw row of any table
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(table.select()).all():
            dumped = " ".join(map(str, row)).lower()
            assert "secret-" not in dumped and "riesgo" not in dumped, table.name
    # each sensitive value is a ciphertext under the right key, and reads back through the model
    for model, field in written:
        obj = rows[model]
        raw = db.session.execute(text(f"SELECT {field.column_attr} FROM {model.__tablename__} WHERE id = :id"),
                                 {"id": obj.id}).scalar_one()
        whose = SENSITIVE[(model.__tablename__, field.column_attr)]
        hers = whose == "her" or (whose == "her_or_network" and obj.defender_id is not None)
        assert raw.startswith("d1." if hers else "v1.ktest."), (model.__tablename__, field.column_attr)
    db.session.expire_all()
    for model, field in written:
        assert getattr(db.session.get(model, rows[model].id), field.name) == _marker(model.__tablename__,
                                                                                     field.column_attr)
