"""Rule 6 counted in one place: what stays hold at each house on each day.

A stay of length L from day s holds days s .. s+L-1+turnover_days (its held
days, spec "Hard rules"). On each held day it takes its defenders and
companions' beds, one of the house's concurrent stays, and, for a family
stay, one family unit. A collective's members share one stay: the collective
takes the stay, each member her defenders' beds.

`Capacity` is one house's days: what is left of each resource (it goes
negative when overfull), and, when asked for, who holds each day. `Ledger`
is every house's. Everything in `matching` that counts rule 6 uses them:
`prepare` (the locks' capacity, which options fit), the engine's greedy
start, window search and repair, the baseline, `explain` and `validate`.

Days are day indices of the horizon. The engine's ledgers cover the horizon
only: a stay's days lie inside it (rule 5) and a day past its end is held only
by stays that also hold its last day, so no count past the end is higher.
`validate` checks stays that may break rule 5, so it asks for the span the
stays cover.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Iterator

from .model import House, Instance, Stay

RESOURCES = ("beds", "stays", "family")


@dataclass
class Capacity:
    """What one house has left on each day from `first` (beds, concurrent stays, family units).

    `limit` is the house's own (beds, stays, family units); what is held on a
    day is the limit less what is left. `holders[d]`, when kept, lists the
    ids of the stays holding day `first + d`, in the order they were held.
    """

    beds: list[int]
    stays: list[int]
    family: list[int]
    first: int = 0
    limit: tuple[int, int, int] | None = None
    holders: list[list[str]] | None = None

    @classmethod
    def of_house(cls, house: House, first: int, days: int, holders: bool = False) -> "Capacity":
        return cls([house.beds] * days, [house.max_concurrent_stays] * days, [house.family_units] * days, first,
                   (house.beds, house.max_concurrent_stays, house.family_units),
                   [[] for _ in range(days)] if holders else None)

    def copy(self) -> "Capacity":
        return Capacity(list(self.beds), list(self.stays), list(self.family), self.first, self.limit,
                        [list(h) for h in self.holders] if self.holders is not None else None)

    def _span(self, start: int, held: int) -> range:
        """Positions in the lists of days start .. start+held-1 (those this capacity covers)."""
        return range(max(0, start - self.first), min(len(self.beds), start + held - self.first))

    def hold(self, start: int, held: int, people: int, new_stay: bool = True, family: bool = False,
             holder: str | None = None) -> None:
        """Take `people` beds (and a stay, and a family unit) on each held day."""
        beds, stays, fam = self.beds, self.stays, self.family
        for k in self._span(start, held):
            beds[k] -= people
            if new_stay:
                stays[k] -= 1
                if family:
                    fam[k] -= 1
            if holder is not None and self.holders is not None:
                self.holders[k].append(holder)

    def fits(self, start: int, held: int, people: int, new_stay: bool = True, family: bool = False) -> bool:
        """Whether `people` more (in a new stay, a family one) fit on every held day."""
        beds, stays, fam = self.beds, self.stays, self.family
        for k in self._span(start, held):
            if beds[k] < people or (new_stay and (stays[k] < 1 or (family and fam[k] < 1))):
                return False
        return True

    def blocked(self, start: int, held: int, people: int, new_stay: bool = True,
                family: bool = False) -> tuple[str, list[int]]:
        """('', []) if it fits, else the first resource lacking ('beds', 'stays' or 'family') and the days it lacks."""
        what, days = "", []
        for k in self._span(start, held):
            if self.beds[k] < people:
                what = what or "beds"
            elif new_stay and self.stays[k] < 1:
                what = what or "stays"
            elif new_stay and family and self.family[k] < 1:
                what = what or "family"
            else:
                continue
            days.append(k + self.first)
        return what, days

    def free_beds(self, start: int, held: int, family: bool = False) -> int:
        """Beds free on every held day, or -1 when a concurrent stay (or a family unit) is lacking."""
        free = self.limit[0] if self.limit else max(self.beds, default=0)
        for k in self._span(start, held):
            if self.stays[k] < 1 or (family and self.family[k] < 1):
                return -1
            free = min(free, self.beds[k])
        return free

    def overloads(self) -> Iterator[tuple[str, int, int, int, tuple[str, ...]]]:
        """(resource, day, held, limit, holders) for every day a resource is held beyond the house's limit."""
        for r, (name, left) in enumerate(zip(RESOURCES, (self.beds, self.stays, self.family))):
            limit = self.limit[r]
            for k, value in enumerate(left):
                if value < 0:
                    yield name, k + self.first, limit - value, limit, tuple(self.holders[k]) if self.holders else ()


@dataclass
class Ledger:
    """Every house's `Capacity`, booked stay by stay (turnover included)."""

    instance: Instance
    houses: list[Capacity]
    index: dict[str, int] = field(default_factory=dict)

    @classmethod
    def empty(cls, instance: Instance, first: int = 0, days: int | None = None, holders: bool = False) -> "Ledger":
        """Nothing held yet, over days first .. first+days-1 (the horizon by default)."""
        days = instance.horizon_days if days is None else days
        return cls(instance, [Capacity.of_house(h, first, days, holders) for h in instance.houses],
                   {h.id: i for i, h in enumerate(instance.houses)})

    @classmethod
    def of(cls, instance: Instance, stays, holders: bool = False, whole_span: bool = False) -> "Ledger":
        """The stays given booked; over the horizon, or (`whole_span`) every day they hold."""
        stays = list(stays)
        first, days = 0, instance.horizon_days
        if whole_span:
            for s in stays:
                house = instance.house_by_id.get(s.house)
                if house is None or s.type not in house.stay_length:
                    continue
                start = instance.day_index(s.start)
                first = min(first, start)
                days = max(days, start + house.stay_length[s.type] + house.turnover_days)
            days -= first
        ledger = cls.empty(instance, first, days, holders)
        for s in stays:
            ledger.book(s)
        return ledger

    def __getitem__(self, house: int) -> Capacity:
        return self.houses[house]

    def copy(self) -> "Ledger":
        return Ledger(self.instance, [c.copy() for c in self.houses], self.index)

    @staticmethod
    def held(house: House, stay_type: str) -> int:
        """Days a stay of this type holds at this house: its length and the turnover."""
        return house.stay_length[stay_type] + house.turnover_days

    def book(self, stay: Stay) -> None:
        """Hold a whole stay's days (a stay at an unknown house, or of a type it lacks, holds nothing)."""
        hi = self.index.get(stay.house)
        if hi is None:
            return
        house = self.instance.houses[hi]
        if stay.type not in house.stay_length:
            return
        people = sum(self.instance.request_by_id[r].people for r in stay.requests if r in self.instance.request_by_id)
        self.houses[hi].hold(self.instance.day_index(stay.start), self.held(house, stay.type), people,
                             family=stay.type == "family", holder=stay.id)
