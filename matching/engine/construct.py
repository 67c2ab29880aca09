"""Greedy starting plans for phase 1."""
from __future__ import annotations

from collections import defaultdict

from ..prepare import Capacity, Option, Prepared
from .plan import Plan


def greedy_plan(prep: Prepared, order: list[int]) -> Plan:
    """Place requests option by option in `order` wherever every capacity still allows.

    A collective option joins the collective already planned at its (house,
    start) when size and language allow, or opens one with unplaced requests
    that share a language and could also start there.
    """
    inst = prep.instance
    caps = [Capacity(list(c.beds), list(c.stays), list(c.family)) for c in prep.capacity]
    plan = Plan(prep)
    opened: dict[tuple[int, int], list[int]] = defaultdict(list)  # (house, start) -> open slots, in copy order
    joined: dict[int, list[int]] = defaultdict(list)  # slot -> member options taken
    member_of = {(k, prep.options[m].request): m for k, slot in enumerate(prep.slots) for m in slot.members}

    def fits(o: Option, people: int, new_stay: bool) -> bool:
        cap = caps[o.house]
        for d in range(o.start, min(inst.horizon_days, o.start + o.held)):
            if cap.beds[d] < people or (new_stay and cap.stays[d] < 1) or (o.type == "family" and cap.family[d] < 1):
                return False
        return True

    def take(o: Option, people: int, new_stay: bool) -> None:
        cap = caps[o.house]
        for d in range(o.start, min(inst.horizon_days, o.start + o.held)):
            cap.beds[d] -= people
            cap.stays[d] -= new_stay
            cap.family[d] -= o.type == "family"

    for i in order:
        o = prep.options[i]
        if o.request in plan or o.copy:
            continue
        r = inst.requests[o.request]
        if o.type != "collective":
            if fits(o, r.people, True):
                take(o, r.people, True)
                plan[o.request] = i
            continue
        house = inst.houses[o.house]
        nd = len(r.defenders)
        done = False
        for k in opened[o.house, o.start]:
            members = [inst.requests[prep.options[m].request] for m in joined[k]]
            size = sum(len(x.defenders) for x in members) + nd
            shared = set(r.languages).intersection(*(set(x.languages) for x in members))
            m = member_of.get((k, o.request))
            if m is not None and size <= house.collective_max and shared and fits(o, nd, False):
                take(o, nd, False)
                joined[k].append(m)
                plan[o.request] = m
                done = True
                break
        if done:
            continue
        k = prep.slot_of.get((o.house, o.start, len(opened[o.house, o.start])))
        if k is None or (k, o.request) not in member_of:
            continue
        slot = prep.slots[k]
        for lang in r.languages:
            chosen, size = [member_of[k, o.request]], nd
            for m in slot.members:
                other = inst.requests[prep.options[m].request]
                if other.id == r.id or prep.options[m].request in plan or lang not in other.languages:
                    continue
                if size >= house.collective_min:
                    break
                if size + len(other.defenders) <= house.collective_max:
                    chosen.append(m)
                    size += len(other.defenders)
            if size >= house.collective_min and fits(o, size, True):
                take(o, size, True)
                opened[o.house, o.start].append(k)
                joined[k] = chosen
                for m in chosen:
                    plan[prep.options[m].request] = m
                break
    return plan
