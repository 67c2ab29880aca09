"""A closure over a published stay, before and after the schedule work (issue 13, section 1).

The demo data; a one-day water closure on the first day of the first upcoming stay at Casa La Serena,
confirmed (the stay is flagged); then one planning run over 182 days from today, as the app builds it.
Prints the engine's status, objective, requests placed, and where the flagged stay went; writes
OUT-instance.json and OUT-solution.json for ../shared/tools/check_solution.py.

    PYTHONPATH=. python bench/schedule_repair.py SECONDS OUT
"""
import json
import sys
import tempfile
import time

from app import create_app
from app.extensions import db
from app.security.crypto import new_key_spec

folder = tempfile.mkdtemp()
app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/m.db", "DATA_KEYS": new_key_spec("km"),
                  "SECRET_KEY": "x" * 32, "JOBS_BACKEND": "inline", "DATA_KEY_FILE": f"{folder}/keys"})
with app.app_context():
    db.create_all()
    from app.demo import load_demo
    load_demo()
    db.session.commit()
    from sqlalchemy import select
    from app.models import Stay, House, local_today
    from app.houses.rules import ClosureData, save_closure
    today = local_today()
    serena = db.session.scalar(select(House).where(House.code == "serena"))
    stay = db.session.scalars(select(Stay).where(Stay.house_id == serena.id, Stay.start > today).order_by(Stay.start)).first()
    save_closure(serena, None, ClosureData(stay.start, stay.start, "water"), confirm_replan=True, today=today)
    db.session.commit()
    from app.planning import bridge
    settings = bridge.Settings(horizon_start=today, horizon_days=182)
    instance = bridge.build_instance(settings)
    t0 = time.monotonic()
    hint = None
    if hasattr(bridge, "run_hint"):  # the tree before this work had no hints for flagged stays
        class _Run:
            hint_run = None
        hint = bridge.run_hint(_Run(), instance)
    sol = bridge.solve(instance, time_limit=float(sys.argv[1]), workers=2, hint=hint)
    wall = time.monotonic() - t0
    placed = {r for s in sol.stays for r in s.requests}
    flagged_req = [r.spec_id for r in stay.requests]
    where = [(s.house, s.start.isoformat(), s.type) for s in sol.stays if set(s.requests) & set(flagged_req)]
    print(json.dumps({"status": sol.status, "objective": sol.objective, "placed_requests": len(placed),
                      "requests": len(instance.requests), "locks": len(instance.locked),
                      "problems": [str(p) for p in sol.problems][:3], "flagged_stay_was": [stay.house.code, stay.start.isoformat(), stay.type],
                      "flagged_now": where, "wall_s": round(wall, 1)}))
    import matching
    out = sys.argv[2]
    with open(out + "-instance.json", "w") as f:
        json.dump(matching.instance_to_dict(instance), f, default=str)
    with open(out + "-solution.json", "w") as f:
        json.dump(matching.solution_to_dict(sol), f, default=str)
