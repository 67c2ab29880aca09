"""Item 31: the app will not start without a usable data key or with the data key
equal to SECRET_KEY; keys are never stored in the database (nor its backups:
see test_ops.py, the restore drill)."""
import base64

import pytest
from sqlalchemy import inspect, select

from app.extensions import db
from app.security.crypto import DataKeyError, current_keyring

from tests.conftest import TEST_KEYS


def _all_cells():
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(select(table)):
            for value in row:
                yield "" if value is None else str(value)


def test_item_31_no_data_key_appears_anywhere_in_the_database(app, make_user, make_defender, make_request):
    defender = make_defender(real_name="María Secreta", contact="+52 555 0101")
    make_request(defender)
    make_user("coordinator")
    ring = current_keyring()
    secrets_ = {TEST_KEYS, TEST_KEYS.split(":", 1)[1], app.config["SECRET_KEY"]}
    for key in [*ring.keys.values(), app.extensions["respiro_email_index_key"]]:
        secrets_ |= {base64.urlsafe_b64encode(key).decode(), base64.b64encode(key).decode(), key.hex()}
    cells = list(_all_cells())
    assert cells
    for cell in cells:
        for secret in secrets_:
            assert secret not in cell
    assert "María Secreta" not in "".join(cells)
    names = " ".join(inspect(db.session.connection()).get_table_names()).lower()
    assert "key" not in names and "secret" not in names


def test_item_31_the_app_refuses_a_data_key_equal_to_the_secret_key(make_app):
    with pytest.raises(DataKeyError):
        make_app(DATA_KEYS=TEST_KEYS, SECRET_KEY=TEST_KEYS)


def test_item_31_the_app_refuses_a_malformed_data_key(make_app):
    with pytest.raises(DataKeyError):
        make_app(DATA_KEYS="k1:short")
