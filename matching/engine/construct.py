"""Greedy starting plans for phase 1."""
from __future__ import annotations

from collections import defaultdict

from ..prepare import Option, Prepared
from .plan import Plan


def greedy_plan(prep: Prepared, order: list[int]) -> Plan:
    """Place requests option by option in `order` wherever every capacity still allows.

    A collective option joins the collective already planned at its (house,
    start) when size and language allow, or opens one with unplaced requests
    that share a language and could also start there.
    """
    inst = prep.instance
    caps = [c.copy() for c in prep.capacity]  # the ledger of what the locks leave
    plan = Plan(prep)
    opened: dict[tuple[int, int], list[int]] = defaultdict(list)  # (house, start) -> open slots, in copy order
    joined: dict[int, list[int]] = defaultdict(list)  # slot -> member options taken
    member_of = {(k, prep.options[m].request): m for k, slot in enumerate(prep.slots) for m in slot.members}

    def fits(o: Option, people: int, new_stay: bool) -> bool:
        return caps[o.house].fits(o.start, o.held, people, new_stay, family=o.type == "family")

    def take(o: Option, people: int, new_stay: bool) -> None:
        caps[o.house].hold(o.start, o.held, people, new_stay, family=o.type == "family")

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
