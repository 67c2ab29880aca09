"""Item 26: a forced exception shows a plain 500 page: no traceback, no SQL, no values."""
from sqlalchemy import text

from app.extensions import db


def test_item_26_an_sql_error_shows_a_plain_500_page_in_spanish(make_app):
    broken = make_app()

    @broken.route("/boom")
    def boom():
        db.session.execute(text("SELECT secret_column FROM no_such_table WHERE alias = 'Ceiba secreta'"))

    @broken.route("/boom2")
    def boom2():
        raise ValueError("real name: Maria Lopez, contact +52 555")

    with broken.app_context():
        client = broken.test_client()
        responses = [client.get("/boom"), client.get("/boom2")]
    for response in responses:
        assert response.status_code == 500
        body = response.text
        assert "Algo salió mal" in body or "salió mal" in body
        for leak in ("Traceback", "no_such_table", "SELECT", "Ceiba secreta", "Maria Lopez", "ValueError",
                     "OperationalError", 'File "'):
            assert leak not in body


def test_item_26_debug_is_off(app):
    assert not app.debug
