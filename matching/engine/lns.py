"""Large-neighbourhood search over phase 1's plan: `WindowSearch`."""
from __future__ import annotations

import random
import threading
from dataclasses import dataclass

from ortools.sat.python import cp_model

from ..capacity import Capacity
from ..prepare import Prepared, restrict
from .programme import _watch
from . import tuning
from .plan import Plan
from .sat import new_solver
from .stay_model import StayModel


@dataclass
class Neighbourhood:
    """One sub-problem of the search: some requests freed, re-solved exactly over some options.

    `model` is a StayModel of `sub` (a `restrict`ed Prepared with the capacity
    the other stays leave), hinted with the freed requests' current options;
    `ids[k]` is the index in the whole problem of `sub.options[k]`. `before`
    is what the freed requests are worth now: an answer is kept only above it.
    """

    sub: Prepared
    ids: list[int]
    model: StayModel
    freed: set[int]
    before: int
    seed: int
    kind: str

    @property
    def offered(self) -> set[int]:
        """The whole problem's options this neighbourhood may choose from."""
        return set(self.ids)

    @property
    def requests(self) -> set[int]:
        return set(self.sub.free)


class WindowSearch:
    """Large-neighbourhood search: free the stays that start in a time window, re-solve there exactly.

    The plan maps each placed request to its option. A step frees every
    request placed at the chosen houses with a start in [a, b), adds every
    unplaced request with an option there, and solves that small StayModel
    with the capacity the other stays leave. The current plan is hinted, so
    a step never loses value; it is kept only when it gains.
    """

    def __init__(self, prep: Prepared, plan: Plan | dict[int, int], seed: int):
        self.prep = prep
        self.plan = Plan(prep, plan)
        self.rng = random.Random(seed)
        self.value = self.plan.value
        houses = list(range(len(prep.instance.houses)))
        self.group_size = len(houses) if len(houses) <= tuning.GROUP_HOUSES else tuning.GROUP_HOUSES
        self.workers = 1
        n_options = max(1, len(prep.options))
        self.window = int(min(prep.instance.horizon_days,
                              max(tuning.WINDOW_MIN_DAYS, prep.instance.horizon_days * tuning.WINDOW_OPTIONS_PER_HOUSE
                                  * len(houses) / (n_options * self.group_size))))
        self.cursor = 0
        self.steps = self.gains = 0
        self.work = 0.0  # deterministic time spent in steps
        self.kind = "window"
        self.gain_by_kind: dict[str, int] = {}
        self.tries: dict[str, int] = {}
        self.deterministic = True  # single-worker engine runs: steps stop on work done, not on the clock
        self.pairs = 0
        self.longest_held = max([o.held for o in prep.options] + [0])
        # With few houses every window spans all of them, so a waiting
        # request's houses are always in it; with many, windows cover a
        # group of houses and the steps around a waiting request matter more.
        self.few_houses = len(houses) < tuning.FEW_HOUSES
        self.guide = None  # options an exact LP solution uses (`follow`); None until there is one

    def follow(self, lp_values) -> None:
        """From now on, time-window and collective steps offer only options the LP's vertex uses (and current ones).

        An exact (simplex) LP solution is a vertex: few options carry weight
        (about 650 of 15,000 on realistic.json), and the plans near the LP
        optimum are mostly made of them. Offering only those lets a step
        re-solve a window several times longer in the same time (the window
        adapts), the relaxation-induced neighbourhood search of MIP solvers
        (RINS) over a sweep of windows. Measured on realistic.json in 10 s,
        seven seeds: +24,000 on average (+0.3 %), better on six of seven (one by 400).
        Steps around a waiting request keep all her options: the LP may
        give her none.
        """
        self.guide = lp_values > tuning.LP_SUPPORT

    def _usage_without(self, freed: set[int]) -> list[Capacity]:
        """Capacity left by locks and by the planned stays of requests not in `freed`."""
        inst, prep = self.prep.instance, self.prep
        caps = [c.copy() for c in prep.capacity]
        collectives = set()
        for ri, i in self.plan.items():
            if ri in freed:
                continue
            o = prep.options[i]
            r = inst.requests[ri]
            slot = prep.slot_of_option(i) if o.type == "collective" else None
            counts = slot is None or slot not in collectives
            collectives.add(slot)
            caps[o.house].hold(o.start, o.held, len(r.defenders) if o.type == "collective" else r.people, counts,
                               family=o.type == "family")
        return caps

    def next_neighbourhood(self) -> tuple[set[int], int, int]:
        """Now and then (every 4th step, every 2nd with many houses) days around a waiting request's window; else the next days."""
        inst = self.prep.instance
        self.turn = getattr(self, "turn", 0) + 1
        self.tries["other"] = self.tries.get("other", 0) + 1
        self.kind = "window"
        if self.turn % tuning.AROUND_EVERY[0 if self.few_houses else 1] == 0:
            around = self._around_a_waiting_request()
            if around is not None:
                self.kind = "around"
                return around
        houses = self._house_group()
        a = self.cursor
        b = a + self.window
        self.cursor = a + max(tuning.WINDOW_STEP_MIN_DAYS, self.window // 2)
        if self.cursor >= inst.horizon_days:
            self.cursor = self.rng.randrange(0, tuning.WINDOW_STEP_MIN_DAYS)
        return houses, a, b

    def step_relaxation(self, lp_values, time_limit: float, stop=None) -> bool:
        """Free every stay; each request may keep hers or take an option the LP relaxation uses."""
        self.kind = "relaxation"
        current = set(self.plan.values())
        part = self.neighbourhood(set(self.plan), lambda i, o: lp_values[i] > tuning.LP_SUPPORT or i in current)
        return part is not None and self._apply(part, self._solve(part, time_limit, stop))

    def collective_turn(self, rounds: int) -> bool:
        """Whether round `rounds` is a collective step: every third (few houses) or two in three (many), while they pay."""
        if not self.collectives_pay():
            return rounds % 6 == 0
        return rounds % 3 == 0 if self.few_houses else rounds % 3 != 0

    def collectives_pay(self) -> bool:
        """Whether collective steps gain, per try, at least half what the others do (so far)."""
        tries = self.tries.get("collectives", 0)
        if tries < tuning.COLLECTIVE_TRIES_BEFORE_JUDGING:
            return True
        mine = self.gain_by_kind.get("collectives", 0) / tries
        others = sum(v for k, v in self.gain_by_kind.items() if k != "collectives") / max(1, self.tries.get("other", 0))
        return mine >= tuning.COLLECTIVES_PAY_RATIO * others

    def _around_a_waiting_request(self) -> tuple[set[int], int, int] | None:
        prep, inst = self.prep, self.prep.instance
        waiting = [ri for ri in prep.free if ri not in self.plan and prep.by_request[ri]]
        if not waiting:
            return None
        ri = self.rng.choice(waiting)
        starts = [prep.options[i].start for i in prep.by_request[ri]]
        middle = (min(starts) + max(starts)) // 2
        a = max(0, min(inst.horizon_days - self.window, middle - self.window // 2))
        n = len(inst.houses)
        if self.group_size == n:
            return set(range(n)), a, a + self.window
        hers = sorted({prep.options[i].house for i in prep.by_request[ri]})
        houses = set(self.rng.sample(hers, min(len(hers), self.group_size)))
        others = [h for h in range(n) if h not in houses]
        houses |= set(self.rng.sample(others, min(len(others), self.group_size - len(houses))))
        return houses, a, a + self.window

    def step(self, time_limit: float, stop=None) -> bool:
        """One neighbourhood; True if the plan improved."""
        houses, a, b = self.next_neighbourhood()
        part = self.window_neighbourhood(houses, a, b, None)
        return part is not None and self._apply(part, self._solve(part, time_limit, stop))

    def step_pair(self, time_limit: float, stop=None, collectives: bool = False) -> bool:
        """Two neighbourhoods at once, one per worker, each solved by a one-worker CP-SAT.

        One worker with its LP (linearization level 2) solves these window
        models far better than two workers sharing one: measured on
        realistic.json, a 90-day window at both houses is proven optimal in
        4 s by one worker, while two workers are still 20 % short of it
        then. So both cores get a neighbourhood of their own. With many
        houses: the same days at two disjoint groups of houses. With few:
        all houses, over two windows of days far enough apart that no stay
        of one can hold a day of the other (`apart`). A request waiting for
        a place goes to the neighbourhood where she has options; one with
        options in both goes to one of them (by parity), so the two answers
        never collide and both can be kept (`share_waiting`).
        """
        self.pairs += 1
        parts = self._collective_pair() if collectives else self._window_pair()
        if parts is None:  # the horizon is too short for two windows apart
            return self.step_collectives(time_limit, stop) if collectives else self.step(time_limit, stop)
        results = [None, None]

        def run(k):
            if parts[k] is not None:
                results[k] = self._solve(parts[k], time_limit, stop)

        other = threading.Thread(target=run, args=(1,))
        other.start()
        run(0)
        other.join()
        gained = False
        for part, result in zip(parts, results):
            if part is not None:
                gained |= self._apply(part, result)
        return gained

    def _window_pair(self):
        houses, a, b = self.next_neighbourhood()
        parity = self.pairs % 2
        if not self.few_houses:
            order = list(range(len(self.prep.instance.houses)))
            self.rng.shuffle(order)
            g = min(self.group_size, len(order) // 2)
            first, second = set(order[:g]), set(order[g: 2 * g])
            allowed = [self.offered_in(first, a, b), self.offered_in(second, a, b)]
            waiting = self.share_waiting(allowed, parity)
            parts = [self.window_neighbourhood(first, a, b, waiting[0]), self.window_neighbourhood(second, a, b, waiting[1])]
        else:
            c = self.apart(a, b - a)
            if c is None:
                return None
            allowed = [self.offered_in(houses, a, b), self.offered_in(houses, c, c + b - a)]
            waiting = self.share_waiting(allowed, parity)
            parts = [self.window_neighbourhood(houses, a, b, waiting[0]), self.window_neighbourhood(houses, c, c + b - a, waiting[1])]
        self.tries["other"] += 1  # next_neighbourhood counted one of the two
        return parts

    def _collective_pair(self):
        houses, a, span = self._collective_window()
        c = self.apart(a, span)
        if c is None:
            return None
        self.kind = "collectives"
        self.tries["collectives"] = self.tries.get("collectives", 0) + 2
        allowed = [self.offered_in(houses, a, a + span), self.offered_in(houses, c, c + span)]
        waiting = self.share_waiting(allowed, self.pairs % 2)
        return [self.collective_neighbourhood(houses, a, a + span, waiting[0]),
                self.collective_neighbourhood(houses, c, c + span, waiting[1])]

    def _house_group(self) -> set[int]:
        n = len(self.prep.instance.houses)
        return set(range(n)) if self.group_size == n else set(self.rng.sample(range(n), self.group_size))

    def apart(self, a: int, span: int) -> int | None:
        """A start for a second window of `span` days whose stays never share a day with those of [a, a+span).

        A stay starting in a window holds at most `longest_held` days past
        it, so a gap of that many days keeps the two independent. Of the
        starts allowed, the one nearest half a horizon away.
        """
        days = self.prep.instance.horizon_days
        gap = span + self.longest_held
        target = (a + days // 2) % days
        ranges = [(lo, hi) for lo, hi in ((a + gap, days - span), (0, a - gap)) if lo <= hi]
        if not ranges:
            return None
        return min((min(max(target, lo), hi) for lo, hi in ranges), key=lambda b: (abs(b - target), b))

    def offered_in(self, houses: set[int], a: int, b: int):
        """The options a neighbourhood of these houses and start days offers (guided, see `_guided`)."""
        return self._guided(lambda i, o: o.house in houses and a <= o.start < b)

    def share_waiting(self, allowed: list, parity: int) -> list[set[int]]:
        """Waiting requests for each of two neighbourhoods: where she has options; with options in both, one by parity."""
        prep = self.prep
        shares: list[set[int]] = [set(), set()]
        for ri in prep.free:
            if ri in self.plan:
                continue
            has = [any(allow(i, prep.options[i]) for i in prep.by_request[ri]) for allow in allowed]
            if has[0] and has[1]:
                shares[(ri + parity) % 2].add(ri)
            elif has[0] or has[1]:
                shares[0 if has[0] else 1].add(ri)
        return shares

    def window_neighbourhood(self, houses: set[int], a: int, b: int,
                             waiting: set[int] | None = None) -> Neighbourhood | None:
        """Every request placed at `houses` from a start in [a, b), and those waiting, over the options there."""
        prep = self.prep
        freed = {ri for ri, i in self.plan.items()
                 if prep.options[i].house in houses and a <= prep.options[i].start < b}
        return self.neighbourhood(freed, self.offered_in(houses, a, b), waiting)

    def _guided(self, allowed):
        """`allowed`, narrowed to the LP's options and the current plan's once there is a guide (`follow`)."""
        guide = self.guide
        if guide is None or self.kind == "around":
            return allowed
        current = set(self.plan.values())
        return lambda i, o: allowed(i, o) and (guide[i] or i in current)

    def neighbourhood(self, freed: set[int], allowed, waiting: set[int] | None = None) -> Neighbourhood | None:
        """The sub-problem of the requests in `freed` and those waiting (all, or those in `waiting`), over their `allowed` options.

        Options that cannot fit beside the stays kept are left out (they could never be taken).
        """
        prep, inst = self.prep, self.prep.instance
        caps = self._usage_without(freed)
        requests, option_ids = set(), []
        for ri in prep.free:
            if ri in self.plan and ri not in freed:
                continue
            if ri not in freed and waiting is not None and ri not in waiting:
                continue
            r = inst.requests[ri]
            for i in prep.by_request[ri]:
                o = prep.options[i]
                if not allowed(i, o):
                    continue
                need = len(r.defenders) if o.type == "collective" else r.people
                if i != self.plan.get(ri) and not caps[o.house].fits(o.start, o.held, need, family=o.type == "family"):
                    continue
                option_ids.append(i)
                requests.add(ri)
        if not option_ids:
            return None
        sub, ids = restrict(prep, option_ids, sorted(requests), caps)
        local = {g: k for k, g in enumerate(ids)}
        sm = StayModel(sub)
        sm.hint_assignment(*sm.assignment_of_options({local[self.plan[ri]] for ri in freed}))
        before = sum(prep.options[self.plan[ri]].bound for ri in freed)
        return Neighbourhood(sub, ids, sm, freed, before, self.seed_for_step(), self.kind)

    def step_collectives(self, time_limit: float, stop=None) -> bool:
        """Free every request in a collective, and those who accept one, over some months at a group of houses.

        Merging small collectives frees places for others, which window steps rarely find.
        """
        houses, a, span = self._collective_window()
        self.kind = "collectives"
        part = self.collective_neighbourhood(houses, a, a + span, None)
        self.tries["collectives"] = self.tries.get("collectives", 0) + 1
        return part is not None and self._apply(part, self._solve(part, time_limit, stop))

    def _collective_window(self) -> tuple[set[int], int, int]:
        """A group of houses, a first day, and a span of some months (twice the window, at least 60 days)."""
        days = self.prep.instance.horizon_days
        span = min(days, max(self.window * 2, tuning.COLLECTIVE_SPAN_MIN_DAYS))
        return self._house_group(), self.rng.randrange(0, max(1, days - span + 1)), span

    def collective_neighbourhood(self, houses: set[int], a: int, b: int,
                                 waiting: set[int] | None = None) -> Neighbourhood | None:
        """Every request at `houses` from a start in [a, b) in (or accepting) a collective, and those waiting."""
        prep, inst = self.prep, self.prep.instance
        freed = {ri for ri, i in self.plan.items()
                 if a <= prep.options[i].start < b and prep.options[i].house in houses
                 and (prep.options[i].type == "collective" or inst.requests[ri].accepts("collective"))}
        return self.neighbourhood(freed, self.offered_in(houses, a, b), waiting)

    def _solve(self, part: Neighbourhood, time_limit: float, stop):
        """One worker with its LP: far better on these models than two sharing a solve (see `step_pair`)."""
        solver = new_solver(time_limit, 1, part.seed)
        solver.parameters.linearization_level = 2  # about 3x faster on these small window models
        if not self.deterministic:  # the wall clock bounds the step; no need to stop on work done
            solver.parameters.max_deterministic_time = float("inf")
        done = _watch(stop, solver)
        try:
            code = solver.Solve(part.model.model)
        finally:
            done.set()
        return code, solver

    def _apply(self, part: Neighbourhood, result) -> bool:
        sub, ids, sm, freed, before = part.sub, part.ids, part.model, part.freed, part.before
        code, solver = result
        self.steps += 1
        self.work += solver.deterministic_time
        self._adapt(code, solver.deterministic_time, tuning.ADAPT_LIMIT_SHARE * solver.parameters.max_time_in_seconds)
        if code not in (cp_model.OPTIMAL, cp_model.FEASIBLE) or solver.ObjectiveValue() <= before + 0.5:
            return False
        singles, collectives = sm.chosen(solver.BooleanValue)
        for ri in freed:
            del self.plan[ri]
        for k in singles + [m for ms in collectives.values() for m in ms]:
            self.plan[sub.options[k].request] = ids[k]
        gain = int(round(solver.ObjectiveValue())) - before
        self.value += gain
        self.gains += 1
        self.gain_by_kind[part.kind] = self.gain_by_kind.get(part.kind, 0) + gain
        return True

    def seed_for_step(self) -> int:
        return self.rng.randrange(1 << 30)

    def _adapt(self, code, wall: float, limit: float) -> None:
        days = self.prep.instance.horizon_days
        if code == cp_model.OPTIMAL and wall < tuning.GROW_WHEN_UNDER * limit:
            self.window = min(days, int(self.window * tuning.WINDOW_GROW) + 1)
        elif code != cp_model.OPTIMAL:
            self.window = max(tuning.WINDOW_MIN_DAYS, int(self.window * tuning.WINDOW_SHRINK))
