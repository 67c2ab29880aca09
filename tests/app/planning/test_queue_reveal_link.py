"""Issue 14 part 3: a coordinator reaches the logged reveal of her identity from the queue row of her request."""
from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import AuditEvent


def test_the_queue_links_each_defender_to_the_reveal_which_asks_a_reason_first(client, login, make_user,
                                                                                make_defender, make_request):
    defender = make_defender(alias="Ceiba Roja", real_name="Berta Isabel Cáceres", contact="+504 0000 1111")
    make_request(defender, status="pending")
    login(make_user("coordinator"))
    queue = client.get("/planning/")
    assert queue.status_code == 200
    link = f"/admin/defenders/{defender.id}/reveal"
    assert f'href="{link}"' in queue.text and "Berta" not in queue.text
    form = client.get(link)
    assert form.status_code == 200 and "Berta" not in form.text and 'name="reason"' in form.text
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.action == "defender.reveal")) is None
    shown = client.post(link, data={"reason": "Confirmar su identidad con su organización"})
    assert shown.status_code == 200 and "Berta Isabel Cáceres" in shown.text
