"""Phase 1's CP-SAT model: which stays run (the variables) and the hard rules over them, one method per rule."""
from __future__ import annotations

from collections import defaultdict

from ortools.sat.python import cp_model

from ..model import Stay
from ..prepare import Option, Prepared
from .plan import options_of_stays


class StayModel:
    """Phase 1: the decision variables of which stays run, and the rules over them."""

    def __init__(self, prep: Prepared):
        self.prep = prep
        self.inst = prep.instance
        self.model = cp_model.CpModel()
        inst = self.inst
        self.take = [self.model.NewBoolVar(self._name(o)) for o in prep.options]
        self.open = [self.model.NewBoolVar(f"collective_{inst.houses[s.house].id}_{inst.date_of(s.start)}")
                     for s in prep.slots]
        self.speak: dict[tuple[int, str], cp_model.IntVar] = {}
        self._aggregates: list[tuple[cp_model.IntVar, list]] = []
        self._one_stay_per_request()
        self._collectives_sized_and_sharing_a_language()
        self._house_capacity_each_day()
        self.objective = cp_model.LinearExpr.WeightedSum(self.take, [o.bound for o in prep.options])
        self.model.Maximize(self.objective)

    def _name(self, o: Option) -> str:
        inst = self.inst
        return f"take_{inst.requests[o.request].id}_{inst.houses[o.house].id}_{o.type}_{inst.date_of(o.start)}"

    # ----- hard rules ---------------------------------------------------
    def _one_stay_per_request(self) -> None:
        """Rule 1: a request is in at most one stay."""
        for ri, idx in self.prep.by_request.items():
            if len(idx) > 1:
                self.model.AddAtMostOne(self.take[i] for i in idx)

    def _collectives_sized_and_sharing_a_language(self) -> None:
        """Rule 3: a collective holds min..max defenders who share a language."""
        inst, prep = self.inst, self.prep
        for k, slot in enumerate(prep.slots):
            house = inst.houses[slot.house]
            opened = self.open[k]
            sizes = []
            for m in slot.members:
                self.model.AddImplication(self.take[m], opened)
                sizes.append(len(inst.requests[prep.options[m].request].defenders))
            size = cp_model.LinearExpr.WeightedSum([self.take[m] for m in slot.members], sizes)
            self.model.Add(size >= house.collective_min * opened)
            if sum(sizes) > house.collective_max:
                self.model.Add(size <= house.collective_max)
            if slot.copy > 0:  # interchangeable collectives at one (house, start): open them in order
                earlier = prep.slot_of.get((slot.house, slot.start, slot.copy - 1))
                if earlier is not None:
                    self.model.AddImplication(opened, self.open[earlier])
            if slot.common:
                continue
            speak = {lang: self.model.NewBoolVar(f"speaks_{house.id}_{inst.date_of(slot.start)}_{lang}")
                     for lang in slot.languages}
            self.speak.update({(k, lang): v for lang, v in speak.items()})
            self.model.Add(sum(speak.values()) == opened)
            for m in slot.members:
                r = inst.requests[prep.options[m].request]
                self.model.AddBoolOr([self.take[m].Not()] + [speak[lang] for lang in r.languages if lang in speak])

    def _house_capacity_each_day(self) -> None:
        """Rule 6: beds, concurrent stays and family units on every held day (turnover included).

        Terms are first summed per (start, held length) so that each day's
        constraint has one term per possible start, not one per option.
        """
        inst, prep = self.inst, self.prep
        at_house = defaultdict(list)
        for i, o in enumerate(prep.options):
            if o.type != "collective":
                at_house[o.house].append(i)
        for hi, house in enumerate(inst.houses):
            beds, stays, family = defaultdict(list), defaultdict(list), defaultdict(list)
            for i in at_house[hi]:
                o = prep.options[i]
                r = inst.requests[o.request]
                beds[o.start, o.held].append((r.people, self.take[i], o.request))
                stays[o.start, o.held].append((1, self.take[i], o.request))
                if o.type == "family":
                    family[o.start, o.held].append((1, self.take[i], o.request))
            for k, slot in enumerate(prep.slots):
                if slot.house != hi:
                    continue
                stays[slot.start, slot.held].append((1, self.open[k], -1 - k))
                for m in slot.members:
                    r = inst.requests[prep.options[m].request]
                    beds[slot.start, slot.held].append((len(r.defenders), self.take[m], prep.options[m].request))
            cap = prep.capacity[hi]
            self._limit_per_day(f"beds_{house.id}", beds, cap.beds)
            self._limit_per_day(f"stays_{house.id}", stays, cap.stays)
            self._limit_per_day(f"family_{house.id}", family, cap.family)

    def _limit_per_day(self, name: str, groups: dict, capacity: list[int]) -> None:
        days = self.inst.horizon_days
        per_day: list[list] = [[] for _ in range(days)]
        for (start, held), terms in sorted(groups.items()):
            ub = sum(max(c for c, _, who in terms if who == w) for w in {who for _, _, who in terms})
            if len(terms) == 1 and terms[0][0] == 1:
                expr = terms[0][1]
            else:
                expr = self.model.NewIntVar(0, ub, f"{name}_from_d{start}")
                self.model.Add(expr == cp_model.LinearExpr.WeightedSum([v for _, v, _ in terms], [c for c, _, _ in terms]))
                self._aggregates.append((expr, terms))
            for d in range(start, min(days, start + held)):
                per_day[d].append((expr, ub))
        for d, items in enumerate(per_day):
            if sum(ub for _, ub in items) > capacity[d]:
                self.model.Add(sum(e for e, _ in items) <= capacity[d])

    # ----- hints, answers -----------------------------------------------
    def assignment_of(self, stays: list[Stay]) -> tuple[set[int], set[int], dict[int, str]]:
        """The options, slots and languages that reproduce `stays` (those the model can express)."""
        return self.assignment_of_options(options_of_stays(self.prep, stays))

    def add_hint(self, stays: list[Stay]) -> None:
        """Hint every variable: the stays given, nothing else."""
        self.hint_assignment(*self.assignment_of(stays))

    def hint_assignment(self, taken: set[int], opened: set[int], spoken: dict[int, str]) -> None:
        value: dict[int, int] = {}
        for i, v in enumerate(self.take):
            value[v.Index()] = int(i in taken)
        for k, v in enumerate(self.open):
            value[v.Index()] = int(k in opened)
        for (k, lang), v in self.speak.items():
            value[v.Index()] = int(spoken.get(k) == lang)
        for var, terms in self._aggregates:
            value[var.Index()] = sum(c * value[v.Index()] for c, v, _ in terms)
        self.model.ClearHints()
        for v in [*self.take, *self.open, *self.speak.values(), *(a for a, _ in self._aggregates)]:
            self.model.AddHint(v, value[v.Index()])

    def assignment_of_options(self, taken: set[int]) -> tuple[set[int], set[int], dict[int, str]]:
        """Slots and languages that go with a set of taken options."""
        inst, prep = self.inst, self.prep
        members = defaultdict(list)
        for i in taken:
            if prep.options[i].type == "collective":
                members[prep.slot_of_option(i)].append(i)
        opened, spoken = set(members), {}
        for k, ms in members.items():
            if not prep.slots[k].common:
                shared = set(prep.slots[k].languages)
                for i in ms:
                    shared &= set(inst.requests[prep.options[i].request].languages)
                spoken[k] = min(shared)
        return set(taken), opened, spoken

    def chosen(self, value) -> tuple[list[int], dict[int, list[int]]]:
        """Chosen single-request options and open slots with their members, given a value function."""
        singles, collectives = [], {}
        for k, slot in enumerate(self.prep.slots):
            if value(self.open[k]):
                collectives[k] = [m for m in slot.members if value(self.take[m])]
        for i, o in enumerate(self.prep.options):
            if o.type != "collective" and value(self.take[i]):
                singles.append(i)
        return singles, collectives

    @property
    def size(self) -> dict:
        proto = self.model.Proto()
        return {"variables": len(proto.variables), "constraints": len(proto.constraints)}
