"""An urgent case in seconds: the best few places for one request in an existing plan.

`recommend(instance, plan, request_id, top=k, time_limit=s)` returns up to
`k` placements of one request that `plan` leaves out, best first. Each
option is a whole solution: the plan with her in it, where the unlocked stays
that stand in her way may shift to another start, house or type, or (when she
is worth more than they are) be left out. Locked stays never move, and every
other stay keeps its place and its sessions.

How: `prepare` lists every place the static rules and the locks allow her
(house, type, start) and the collectives of the plan she could join. One
small CP-SAT model chooses one of those places together with where each
*neighbour* goes (an unlocked stay of the plan whose days at that house
meet her possible days): its current place, another place its requests can
take, or out. The model maximises the plan's estimated objective and, among
equal values, moves as few stays as it can. Its best answer is recorded,
that place of hers forbidden, and the model solved again, until enough
places are found or time runs out. Each answer then gets real programmes
(`matching.engine.programme.Programmes`, around the sessions the unchanged stays
keep), is checked with `validate`, and scored with `score`: the options are
ranked by that exact objective change.

A request she cannot take any place for is answered with the reason
`explain` gives.
"""
from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field, replace

from ortools.sat.python import cp_model

from ..explain import explain
from ..model import Instance, Request, Session, Solution, Stay, Unassigned
from ..prepare import placement_value, prepare, stay_languages
from ..slots import assign_slots
from .programme import Busy, Programmes
from ..validate import score, validate

MOVE_RADIUS = 14  # days a neighbour may shift its start, either way
SCALE = 1000  # objective units are multiplied by this; one move costs 1
FIRST_ANSWER = 0.5  # seconds the search may always take for its first answer
PROGRAMME_LIMIT = 0.15  # seconds for the programmes of the stays one answer changes
MAX_PLACES = 48  # her new-stay places kept for the model, most valuable first
EXTRA = 2  # places found beyond `top`, so that exact scoring can reorder them


class RecommendError(ValueError):
    """A request that cannot be recommended for: `code` says why, `request` names it."""

    def __init__(self, code: str, request: str, message: str):
        super().__init__(message)
        self.code = code
        self.request = request


@dataclass(frozen=True)
class Move:
    """An unlocked stay of the plan that changes to make room: `to_*` are None when it is left out."""

    stay: str
    requests: tuple[str, ...]
    from_house: str
    from_type: str
    from_start: dt.date
    to_house: str | None = None
    to_type: str | None = None
    to_start: dt.date | None = None

    @property
    def left_out(self) -> bool:
        return self.to_house is None

    def to_dict(self) -> dict:
        out = {"stay": self.stay, "requests": list(self.requests),
               "from": {"house": self.from_house, "type": self.from_type, "start": self.from_start.isoformat()}}
        out["to"] = None if self.left_out else {"house": self.to_house, "type": self.to_type,
                                                 "start": self.to_start.isoformat()}
        return out


@dataclass
class Placement:
    """One place for her: where, with what programme, what it changes, and the whole resulting plan."""

    house: str
    type: str
    start: dt.date
    end: dt.date  # last stay day
    stay: str  # id of her stay in `solution`
    joins: tuple[str, ...]  # requests already in the collective she joins (empty for a new stay)
    programme: tuple[Session, ...]
    moves: list[Move]
    objective_delta: int
    others_delta: int  # the part of objective_delta that falls on everyone else (moves, left out, shared sessions)
    solution: Solution


@dataclass
class Recommendation:
    request: str
    options: list[Placement]
    reasons: list[Unassigned] = field(default_factory=list)  # why no option, when there is none
    stats: dict = field(default_factory=dict)


@dataclass
class _Place:
    """A place of a stay in the model: (house, type, start) with its held days and estimated value."""

    house: int
    type: str
    start: int
    held: int
    value: int


def _stay_key(stay: Stay) -> tuple:
    return stay.house, stay.start, stay.type, frozenset(stay.requests)


def recommend(instance: Instance, plan: Solution, request_id: str, *, top: int = 3,
              time_limit: float = 2.0, workers: int = 2, seed: int = 0,
              place: tuple[str, str, dt.date] | None = None) -> Recommendation:
    """Up to `top` placements of request `request_id` in `plan`, best objective change first.

    `place`, a (house id, type, start date), looks at that place of hers only
    (to make again the option a person chose). Raises RecommendError (a
    ValueError) with code `unknown_request`, `already_placed`, or
    `invalid_plan` (the plan itself breaks a rule, so nothing built on it can keep them).
    """
    t0 = time.monotonic()
    request = instance.request_by_id.get(request_id)
    if request is None:
        raise RecommendError("unknown_request", request_id, f"request {request_id} is not in the instance")
    for stay in plan.stays:
        if request_id in stay.requests:
            raise RecommendError("already_placed", request_id,
                                 f"request {request_id} is already in stay {stay.id} "
                                 f"({stay.house}, {stay.type}, from {stay.start.isoformat()})")
    if top < 1:
        raise RecommendError("bad_top", request_id, "top must be at least 1")
    search = _Search(instance, plan, request, workers, seed, place)
    end = t0 + time_limit
    # The search gets half of what is left once the model is built (and always enough for one answer).
    found = search.run(deadline=time.monotonic() + 0.5 * max(0.0, end - time.monotonic()), wanted=top + EXTRA)
    base = score(search.scoring, plan).total
    options: list[Placement] = []
    for k, choice in enumerate(found):
        left = end - time.monotonic()
        if left <= 0 and options:
            break  # out of time: the places found first are the most valuable
        if len(options) >= top and search.estimate(choice) < min(o.objective_delta for o in options):
            continue  # even its optimistic estimate would not make the top
        option = search.realise(choice, base, max(0.05, left / (len(found) - k + 1)))
        if option is not None:
            options.append(option)
    if found and not options:
        broken = validate(instance, plan)
        if broken:
            raise RecommendError("invalid_plan", request_id, f"the plan breaks a rule: {broken[0]}")
    options.sort(key=lambda o: (-o.objective_delta, len(o.moves), o.start, o.house, o.type))
    options = options[:top]
    reasons = []
    if not options:
        reasons = [u for u in explain(instance, plan) if u.request == request_id]
    return Recommendation(request_id, options, reasons,
                          {"seconds": round(time.monotonic() - t0, 3), "candidates": len(search.hers),
                           "neighbours": len(search.neighbours), "found": len(found), "solves": search.log})


class _Search:
    """The model of one request's places and her neighbours' places."""

    def __init__(self, instance: Instance, plan: Solution, request: Request, workers: int, seed: int,
                 place: tuple[str, str, dt.date] | None = None):
        self.inst = instance
        self.plan = plan
        self.request = request
        self.workers = workers
        self.seed = seed
        self.log: list = []
        self.scoring = replace(instance, locked=())  # the objective does not read the locks; this skips rule 10
        self.prep = prepare(instance)
        self.hindex = {h.id: i for i, h in enumerate(instance.houses)}
        locked = {_stay_key(s) for s in instance.locked}
        self.locked_ids = {s.id for s in plan.stays if _stay_key(s) in locked}
        self.rindex = {r.id: i for i, r in enumerate(instance.requests)}
        self.hers: list[tuple[_Place, Stay | None]] = self._her_places(place)
        self.neighbours: list[Stay] = self._neighbours()
        self.alts: list[list[_Place]] = [self._alternatives(s) for s in self.neighbours]

    # ----- places ---------------------------------------------------------
    def _held(self, house: int, stay_type: str) -> tuple[int, int]:
        h = self.inst.houses[house]
        return h.stay_length[stay_type], h.stay_length[stay_type] + h.turnover_days

    def _her_places(self, place: tuple[str, str, dt.date] | None = None) -> list[tuple[_Place, Stay | None]]:
        """Her new stays and the unlocked collectives of the plan she may join (with the stay joined).

        With `place`, only those at that (house id, type, start).
        """
        r, inst = self.request, self.inst
        ri = self.rindex[r.id]
        out: list[tuple[_Place, Stay | None]] = []
        seen = set()
        collective_at: dict[tuple[int, int], int] = {}
        for i in self.prep.by_request.get(ri, []):
            o = self.prep.options[i]
            if o.type == "collective":
                collective_at.setdefault((o.house, o.start), i)
            if (o.house, o.type, o.start) in seen:
                continue
            seen.add((o.house, o.type, o.start))
            house = inst.houses[o.house]
            if o.type == "collective" and len(r.defenders) < house.collective_min:
                continue  # alone she is not a collective; she may join one (below)
            if place is not None and (house.id, o.type, inst.date_of(o.start)) != tuple(place):
                continue
            out.append((_Place(o.house, o.type, o.start, o.held, o.bound), None))
        # Her best places only: a later start is worth less, so the others rarely make the top.
        out.sort(key=lambda item: (-item[0].value, item[0].start, item[0].house, item[0].type))
        del out[MAX_PLACES:]
        for stay in self.plan.stays:
            if stay.type != "collective" or stay.id in self.locked_ids:
                continue
            hi = self.hindex[stay.house]
            s = inst.day_index(stay.start)
            i = collective_at.get((hi, s))
            if i is None or (place is not None and (stay.house, "collective", stay.start) != tuple(place)):
                continue
            house = inst.houses[hi]
            members = [inst.request_by_id[q] for q in stay.requests]
            size = sum(len(m.defenders) for m in members) + len(r.defenders)
            shared = set(r.languages).intersection(*(set(m.languages) for m in members))
            if size > house.collective_max or not shared:
                continue
            length, held = self._held(hi, "collective")
            value = (placement_value(inst, r, house, "collective", s)
                     + self.prep.supply.bound(r, hi, s, length, tuple(sorted(shared))))
            out.append((_Place(hi, "collective", s, held, value), stay))
        return out

    def _neighbours(self) -> list[Stay]:
        """Unlocked stays of the plan whose held days meet one of her places at the same house."""
        spans: dict[int, list[tuple[int, int]]] = {}
        for place, _ in self.hers:
            spans.setdefault(place.house, []).append((place.start, place.start + place.held))
        out = []
        for stay in self.plan.stays:
            if stay.id in self.locked_ids:
                continue
            hi = self.hindex[stay.house]
            s = self.inst.day_index(stay.start)
            _, held = self._held(hi, stay.type)
            if any(a < s + held and s < b for a, b in spans.get(hi, [])):
                out.append(stay)
        return out

    def _alternatives(self, stay: Stay) -> list[_Place]:
        """Its current place (first) and the places all its requests may take, near its start."""
        inst, prep = self.inst, self.prep
        hi = self.hindex[stay.house]
        s0 = inst.day_index(stay.start)
        current = score(self.scoring, Solution(stays=[stay]))
        sessions_now = current.sessions + current.switch
        _, held = self._held(hi, stay.type)
        places = [_Place(hi, stay.type, s0, held, current.total)]
        common: dict[tuple[int, str, int], list] | None = None
        for q in stay.requests:
            mine: dict[tuple[int, str, int], list] = {}
            for i in prep.by_request.get(self.rindex[q], []):
                o = prep.options[i]
                if abs(o.start - s0) > MOVE_RADIUS or o.copy:
                    continue
                if stay.type == "collective" and o.type != "collective":
                    continue
                mine[o.house, o.type, o.start] = [o]
            if common is None:
                common = mine
            else:
                common = {k: v + mine[k] for k, v in common.items() if k in mine}
        people = sum(len(inst.request_by_id[q].defenders) for q in stay.requests)
        for (h, t, s), opts in sorted((common or {}).items()):
            if (h, t, s) == (hi, stay.type, s0):
                continue
            house = inst.houses[h]
            if t == "collective" and not house.collective_min <= people <= house.collective_max:
                continue
            value = sum(o.value for o in opts)
            bound = sum(o.session_bound for o in opts)
            # Never worth more than where it is: the plan moves for her, not for itself.
            places.append(_Place(h, t, s, opts[0].held, min(current.total, value + min(sessions_now, bound))))
        return places

    # ----- the model --------------------------------------------------------
    def run(self, deadline: float, wanted: int) -> list[tuple[int, list[int]]]:
        """Her places in the model's order of value: (her place index, neighbour place index or -1)."""
        if not self.hers:
            return []
        inst = self.inst
        model = cp_model.CpModel()
        x = [model.NewBoolVar(f"her_{k}") for k in range(len(self.hers))]
        model.AddExactlyOne(x)
        y = [[model.NewBoolVar(f"n{n}_{a}") for a in range(len(alts))] for n, alts in enumerate(self.alts)]
        for row in y:
            model.AddAtMostOne(row)
        nindex = {s.id: n for n, s in enumerate(self.neighbours)}
        for k, (place, joined) in enumerate(self.hers):
            if joined is not None:
                model.AddImplication(x[k], y[nindex[joined.id]][0])

        # Capacity, per house and day, around everything that does not change.
        moving = set(nindex)
        used: dict[tuple[int, int], list[int]] = {}
        for stay in self.plan.stays:
            if stay.id in moving:
                continue
            hi = self.hindex[stay.house]
            _, held = self._held(hi, stay.type)
            people = sum(inst.request_by_id[q].people for q in stay.requests)
            s = inst.day_index(stay.start)
            for d in range(max(0, s), min(inst.horizon_days, s + held)):
                cell = used.setdefault((hi, d), [0, 0, 0])
                cell[0] += people
                cell[1] += 1
                cell[2] += stay.type == "family"
        terms: dict[tuple[int, int], list] = {}

        def occupy(place: _Place, var, people: int, new_stay: bool) -> None:
            for d in range(place.start, min(inst.horizon_days, place.start + place.held)):
                terms.setdefault((place.house, d), []).append(
                    (var, people, int(new_stay), int(new_stay and place.type == "family")))

        r = self.request
        for k, (place, joined) in enumerate(self.hers):
            people = len(r.defenders) if place.type == "collective" else r.people
            occupy(place, x[k], people, joined is None)
        for n, stay in enumerate(self.neighbours):
            people = sum(inst.request_by_id[q].people for q in stay.requests)
            for a, place in enumerate(self.alts[n]):
                occupy(place, y[n][a], people, True)
        for (hi, d), items in terms.items():
            house = inst.houses[hi]
            base = used.get((hi, d), [0, 0, 0])
            for j, cap in enumerate((house.beds, house.max_concurrent_stays, house.family_units)):
                load = [(v, c[j]) for v, *c in items if c[j]]
                if load and base[j] + sum(c for _, c in load) > cap:
                    model.Add(sum(c * v for v, c in load) <= cap - base[j])

        value = [SCALE * p.value * x[k] for k, (p, _) in enumerate(self.hers)]
        for n, alts in enumerate(self.alts):
            value += [(SCALE * p.value - (a > 0)) * y[n][a] for a, p in enumerate(alts)]
            value.append(sum(y[n]) - 1)  # left out counts as a move too
        model.Maximize(sum(value))

        def hint(k: int | None, chosen: list[int]) -> None:
            model.ClearHints()
            for j, var in enumerate(x):
                model.AddHint(var, int(j == k))
            for n, a in enumerate(chosen):
                for b, var in enumerate(y[n]):
                    model.AddHint(var, int(a == b))

        def fits_as_is(k: int) -> bool:
            place, joined = self.hers[k]
            people = len(r.defenders) if place.type == "collective" else r.people
            house = inst.houses[place.house]
            for d in range(place.start, min(inst.horizon_days, place.start + place.held)):
                beds, count, fam = used.get((place.house, d), [0, 0, 0])
                for n, stay in enumerate(self.neighbours):
                    alt = self.alts[n][0]
                    if alt.house == place.house and alt.start <= d < alt.start + alt.held:
                        beds += sum(inst.request_by_id[q].people for q in stay.requests)
                        count += 1
                        fam += stay.type == "family"
                if beds + people > house.beds:
                    return False
                if joined is None and (count >= house.max_concurrent_stays
                                       or (place.type == "family" and fam >= house.family_units)):
                    return False
            return True

        as_is = [k for k in range(len(x)) if fits_as_is(k)]
        stay_put = [0] * len(self.neighbours)
        hint(max(as_is, key=lambda k: self.hers[k][0].value, default=None), stay_put)

        found: list[tuple[int, list[int]]] = []
        while len(found) < wanted:
            left = deadline - time.monotonic()
            if not found:
                left = max(left, FIRST_ANSWER)
            elif left <= 0.02:
                break
            solver = cp_model.CpSolver()
            solver.parameters.max_time_in_seconds = left
            solver.parameters.num_workers = self.workers
            solver.parameters.random_seed = self.seed
            status = solver.Solve(model)
            self.log.append((round(solver.WallTime(), 3), solver.StatusName(status)))
            if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
                break
            k = next(k for k in range(len(x)) if solver.Value(x[k]))
            chosen = [next((a for a in range(len(row)) if solver.Value(row[a])), -1) for row in y]
            found.append((k, chosen))
            model.Add(x[k] == 0)
            as_is = [j for j in as_is if j != k]
            if as_is:
                hint(max(as_is, key=lambda j: self.hers[j][0].value), stay_put)
            else:
                hint(None, chosen)
        return found

    def _part(self, stays: list[Stay]) -> int:
        """What these stays add to the objective."""
        return score(self.scoring, Solution(stays=list(stays))).total if stays else 0

    def estimate(self, choice: tuple[int, list[int]]) -> int:
        """The model's value of an answer as a change of the objective (her sessions counted at their bound)."""
        k, chosen = choice
        change = self.hers[k][0].value
        for n, a in enumerate(chosen):
            change += (self.alts[n][a].value if a >= 0 else 0) - self.alts[n][0].value
        return change

    # ----- an answer into a solution ---------------------------------------
    def realise(self, choice: tuple[int, list[int]], base: int, time_limit: float) -> Placement | None:
        """The whole solution of one model answer, with programmes; None if it breaks a rule."""
        inst = self.inst
        k, chosen = choice
        place, joined = self.hers[k]
        house = inst.houses[place.house]
        kept: list[Stay] = []
        changed: list[Stay] = []
        moves: list[Move] = []
        by_id = {s.id: s for s in self.neighbours}
        nindex = {s.id: n for n, s in enumerate(self.neighbours)}
        left_out: list[str] = []
        ids = {s.id for s in self.plan.stays}
        for stay in self.plan.stays:
            n = nindex.get(stay.id)
            if joined is not None and stay.id == joined.id:
                continue
            if n is None or chosen[n] == 0:
                kept.append(stay)
                continue
            a = chosen[n]
            if a < 0:
                left_out += list(stay.requests)
                moves.append(Move(stay.id, stay.requests, stay.house, stay.type, stay.start))
                continue
            alt = self.alts[n][a]
            to = replace(stay, house=inst.houses[alt.house].id, type=alt.type,
                         start=inst.date_of(alt.start), sessions=())
            changed.append(to)
            moves.append(Move(stay.id, stay.requests, stay.house, stay.type, stay.start,
                              to.house, to.type, to.start))
        if joined is not None:
            mine = replace(by_id[joined.id], requests=(*joined.requests, self.request.id), sessions=())
        else:
            sid, n = f"u-{self.request.id}", 1
            while sid in ids:
                n += 1
                sid = f"u-{self.request.id}-{n}"
            mine = Stay(id=sid, house=house.id, start=inst.date_of(place.start), type=place.type,
                        requests=(self.request.id,))
        changed.insert(0, mine)
        busy = Busy.empty()
        for stay in kept:
            busy.add(inst, stay, stay.sessions)
        programmes = Programmes(inst, changed, busy)
        t = time.monotonic()
        sessions, status = programmes.solve(min(time_limit, PROGRAMME_LIMIT), self.workers, self.seed)
        self.log.append(("programme", round(time.monotonic() - t, 3), status))
        changed = [replace(s, sessions=tuple(ses)) for s, ses in zip(changed, sessions)]
        stays = _with_slots(inst, kept + changed)
        stays.sort(key=lambda s: (s.start, s.house, s.id))
        changed = [next(s for s in stays if s.id == c.id) for c in changed]
        solution = Solution(stays=stays, status="FEASIBLE")
        if validate(inst, solution):
            return None
        placed = {q for s in stays for q in s.requests}
        unassigned = [u for u in self.plan.unassigned if u.request not in placed]
        if left_out:  # they get the explainer's reason; the others keep the plan's
            asked = replace(inst, requests=tuple(q for q in inst.requests if q.id in placed or q.id in left_out))
            unassigned += explain(asked, solution)
        solution.unassigned = unassigned
        # The objective is a sum over stays: only the stays that changed need scoring again.
        kept_ids = {s.id for s in kept}
        gone = [s for s in self.plan.stays if s.id not in kept_ids]
        solution.objective = base - self._part(gone) + self._part(changed)
        length = house.stay_length[place.type]
        mine = changed[0]
        others_stay = replace(mine, requests=tuple(q for q in mine.requests if q != self.request.id))
        others = solution.objective - base - self._part([mine]) + (self._part([others_stay]) if others_stay.requests else 0)
        return Placement(house=house.id, type=place.type, start=mine.start,
                         end=inst.date_of(place.start + length - 1), stay=mine.id,
                         joins=tuple(joined.requests) if joined is not None else (),
                         programme=changed[0].sessions, moves=moves,
                         objective_delta=solution.objective - base, others_delta=others, solution=solution)


def _with_slots(instance: Instance, stays: list[Stay]) -> list[Stay]:
    """Rule 11: every session its slot; the sessions of stays that do not change keep theirs."""
    return assign_slots(instance, list(stays))


def recommendation_to_dict(rec: Recommendation) -> dict:
    """The JSON of the command line: request, options best first (and reasons when there are none)."""
    from ..io import solution_to_dict

    out: dict = {"request": rec.request, "options": []}
    for o in rec.options:
        out["options"].append({
            "house": o.house, "type": o.type, "start": o.start.isoformat(), "end": o.end.isoformat(),
            "stay": o.stay, "joins": list(o.joins),
            "programme": [{"dimension": s.dimension, "day": s.day.isoformat(), "therapist": s.therapist,
                           **({"slot": s.slot} if getattr(s, "slot", None) is not None else {})}
                          for s in o.programme],
            "moves": [m.to_dict() for m in o.moves],
            "objective_delta": o.objective_delta, "others_delta": o.others_delta,
            "solution": solution_to_dict(o.solution),
        })
    if not rec.options:
        out["reasons"] = [{"request": u.request, "reason": u.reason, "code": u.code, "params": dict(u.params)}
                          for u in rec.reasons]
    out["stats"] = rec.stats
    return out
