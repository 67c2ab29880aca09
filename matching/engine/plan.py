"""Phase 1's plan: which option each placed request takes, its value, and the way to and from stays."""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, MutableMapping
from dataclasses import replace

from ..model import Instance, Stay
from ..prepare import Prepared


class Plan(MutableMapping):
    """Request index -> the option (index into `prep.options`) she takes; requests not in it wait.

    A plan is what phase 1 searches over. Its `value` is phase 1's objective
    (each option's `bound`, locks excluded). `to_stays` gives the stays it
    stands for (the locked ones first, new ones without an id); `from_stays`
    reads stays back (those the options can express).
    """

    def __init__(self, prep: Prepared, choice: Mapping[int, int] | None = None):
        self.prep = prep
        self._choice: dict[int, int] = dict(choice or {})

    @classmethod
    def of_options(cls, prep: Prepared, taken: Iterable[int]) -> "Plan":
        return cls(prep, {prep.options[i].request: i for i in taken})

    @classmethod
    def from_stays(cls, prep: Prepared, stays: list[Stay]) -> "Plan":
        return cls.of_options(prep, options_of_stays(prep, stays))

    def __getitem__(self, request: int) -> int:
        return self._choice[request]

    def __setitem__(self, request: int, option: int) -> None:
        self._choice[request] = option

    def __delitem__(self, request: int) -> None:
        del self._choice[request]

    def __iter__(self) -> Iterator[int]:
        return iter(self._choice)

    def __len__(self) -> int:
        return len(self._choice)

    # The search asks these in its inner loops: straight to the dict, not through the Mapping mixins.
    def __contains__(self, request) -> bool:
        return request in self._choice

    def get(self, request, default=None):
        return self._choice.get(request, default)

    def keys(self):
        return self._choice.keys()

    def values(self):
        return self._choice.values()

    def items(self):
        return self._choice.items()

    def copy(self) -> "Plan":
        return Plan(self.prep, self._choice)

    def options(self) -> set[int]:
        return set(self._choice.values())

    @property
    def value(self) -> int:
        """Phase 1's objective of this plan (locked stays excluded)."""
        return sum(self.prep.options[i].bound for i in self._choice.values())

    def to_stays(self) -> list[Stay]:
        """The locked stays, then one stay per single option and per collective slot used (ids left empty)."""
        return stays_of_options(self.prep, self.options())


def stays_of_options(prep: Prepared, chosen: set[int]) -> list[Stay]:
    """The locked stays, then the stays the `chosen` options make (ids left empty, see `name_stays`)."""
    inst = prep.instance
    stays = list(inst.locked)
    collectives: dict[int, list[int]] = defaultdict(list)
    for i in sorted(chosen):
        o = prep.options[i]
        if o.type == "collective":
            collectives[prep.slot_of_option(i)].append(i)
            continue
        stays.append(Stay(id="", house=inst.houses[o.house].id, start=inst.date_of(o.start), type=o.type,
                          requests=(inst.requests[o.request].id,)))
    for k, members in sorted(collectives.items()):
        slot = prep.slots[k]
        rids = tuple(sorted(inst.requests[prep.options[m].request].id for m in members))
        stays.append(Stay(id="", house=inst.houses[slot.house].id, start=inst.date_of(slot.start),
                          type="collective", requests=rids))
    return stays


def options_of_stays(prep: Prepared, stays: list[Stay]) -> set[int]:
    """Option indices reproducing `stays`; collectives at one (house, start) take copies 0, 1, ..."""
    inst = prep.instance
    keys = {(inst.requests[o.request].id, inst.houses[o.house].id, o.type, o.start, o.copy): i
            for i, o in enumerate(prep.options)}
    taken: set[int] = set()
    copies_used: dict[tuple[str, int], int] = defaultdict(int)
    for stay in sorted(stays, key=lambda s: (s.house, s.start, s.type, s.requests)):
        start = inst.day_index(stay.start)
        if stay.type != "collective":
            i = keys.get((stay.requests[0], stay.house, stay.type, start, 0)) if len(stay.requests) == 1 else None
            if i is not None:
                taken.add(i)
            continue
        copy = copies_used[stay.house, start]
        idx = [keys.get((rid, stay.house, "collective", start, copy)) for rid in stay.requests]
        if any(i is None for i in idx):
            continue
        slot = prep.slots[prep.slot_of_option(idx[0])]
        shared = set(slot.languages)
        for rid in stay.requests:
            shared &= set(inst.request_by_id[rid].languages)
        if shared:
            copies_used[stay.house, start] += 1
            taken.update(idx)
    return taken


def name_stays(instance: Instance, stays: list[Stay]) -> list[Stay]:
    """Locked stays keep their ids; the others are numbered s1, s2, ... by house and date."""
    locked_ids = {s.id for s in instance.locked}
    house_order = {h.id: i for i, h in enumerate(instance.houses)}
    free = sorted((s for s in stays if not s.id), key=lambda s: (house_order[s.house], s.start, s.type, s.requests))
    out = [s for s in stays if s.id]
    n = 0
    for s in free:
        n += 1
        while f"s{n}" in locked_ids:
            n += 1
        out.append(replace(s, id=f"s{n}"))
    return out
