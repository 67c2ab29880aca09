"""A published stay whose house was closed to planning still opens (it was a 500 once the programme's
therapist lists asked the rules about a stay they could not see)."""
import datetime as dt

from app.extensions import db
from app.models import Session, local_today


def test_a_stay_at_a_house_closed_to_planning_opens_with_its_sessions_and_says_why_they_cannot_change(
        client, login, make_user, make_house, make_stay, make_therapist):
    house = make_house(name="Casa Cerrada")
    stay = make_stay(house, local_today() + dt.timedelta(days=20))
    therapist = make_therapist(houses=[house], name="Rosa Terapeuta")
    db.session.add(Session(stay=stay, therapist=therapist, dimension="emotional", day=stay.start, slot=0))
    for stay_request in stay.requests:
        stay_request.status = "published"
    house.active = False
    db.session.commit()
    login(make_user("coordinator"))
    page = client.get(f"/schedule/stays/{stay.id}")
    assert page.status_code == 200
    assert "ya no está abierta a la planificación" in page.text
    assert "Rosa Terapeuta" in page.text
