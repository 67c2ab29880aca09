"""Rule 11: give every session a slot (its time of day) so that a person is in one place at a time.

On one day the sessions form a bipartite multigraph: stays on one side,
therapists on the other, a session an edge. A stay has at most
`max_sessions_per_stay_day` edges that day (rule 8) and a therapist at most
`max_sessions_per_day` (rule 9, capped by the slots in the engine), so the
largest degree is at most `Instance.day_slots`. König's theorem says such a
graph can be edge-coloured with as many colours as its largest degree; the
colours are the slots. `assign_slots` builds that colouring with the classic
alternating-path argument: for an edge u-v, take a slot `a` free at u and `b`
free at v; if `a` is taken at v, swap a and b along the a/b path that starts
at v (it cannot end at u: the graph is bipartite), which frees `a` at v.

Sessions that already carry a valid slot keep it (a locked session that
gives a slot keeps it, spec rule 11), unless it clashes with one kept
before it. Kept slots are never swapped; when they block every path (only
possible with slots given by hand), the session is given any slot free at
both ends, or none, and `validate` reports it.
"""
from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import replace

from .model import Instance, Session, Stay


class _Day:
    """The edge colouring of one day."""

    def __init__(self, slots: int):
        self.slots = slots
        self.at: dict[tuple, dict[int, int]] = defaultdict(dict)  # vertex -> slot -> edge
        self.ends: dict[int, tuple[tuple, tuple]] = {}
        self.colour: dict[int, int] = {}
        self.fixed: set[int] = set()

    def free(self, vertex: tuple) -> list[int]:
        used = self.at[vertex]
        return [c for c in range(self.slots) if c not in used]

    def put(self, edge: int, slot: int) -> None:
        u, v = self.ends[edge]
        self.at[u][slot] = edge
        self.at[v][slot] = edge
        self.colour[edge] = slot

    def take(self, edge: int) -> None:
        u, v = self.ends[edge]
        slot = self.colour.pop(edge)
        del self.at[u][slot]
        del self.at[v][slot]

    def keep(self, edge: int, ends: tuple[tuple, tuple], slot: int) -> bool:
        """Fix a given slot when both ends are free in it."""
        self.ends[edge] = ends
        u, v = ends
        if slot in self.at[u] or slot in self.at[v]:
            return False
        self.put(edge, slot)
        self.fixed.add(edge)
        return True

    def add(self, edge: int, ends: tuple[tuple, tuple]) -> int | None:
        self.ends[edge] = ends
        u, v = ends
        free_u, free_v = self.free(u), self.free(v)
        both = [c for c in free_u if c in free_v]
        if both:
            self.put(edge, both[0])
            return both[0]
        for a in free_u:
            for b in free_v:
                path = self._path(v, a, b)
                if path is None:
                    continue
                for e in path:
                    self.take(e)
                for e, c in zip(path, self._alternate(len(path), b, a)):
                    self.put(e, c)
                self.put(edge, a)
                return a
        return None

    def _path(self, start: tuple, a: int, b: int) -> list[int] | None:
        """Edges of the a/b path from `start` (first edge coloured a); None when it holds a kept slot."""
        path, vertex, colour = [], start, a
        seen = set()
        while colour in self.at[vertex]:
            e = self.at[vertex][colour]
            if e in self.fixed or e in seen:
                return None
            seen.add(e)
            path.append(e)
            u, v = self.ends[e]
            vertex = v if u == vertex else u
            colour = b if colour == a else a
        return path

    @staticmethod
    def _alternate(n: int, first: int, second: int) -> list[int]:
        return [first if i % 2 == 0 else second for i in range(n)]


def assign_slots(instance: Instance, stays: list[Stay]) -> list[Stay]:
    """The same stays (same order), every session given a slot in 0..day_slots-1.

    Sessions of locked stays that give a slot keep it; other sessions that
    already have a valid slot keep it when nothing kept before clashes.
    """
    slots = instance.day_slots
    locked_keys = {(s.house, s.start, s.type, frozenset(s.requests)) for s in instance.locked}
    order = sorted(range(len(stays)), key=lambda k: (
        (stays[k].house, stays[k].start, stays[k].type, frozenset(stays[k].requests)) not in locked_keys, k))
    days: dict[dt.date, _Day] = defaultdict(lambda: _Day(slots))
    edges: list[tuple[int, int]] = []  # (stay index, session index)
    for k in order:
        for j, ses in enumerate(stays[k].sessions):
            edges.append((k, j))
    ends = {e: (("stay", stays[k].id, k), ("therapist", stays[k].sessions[j].therapist))
            for e, (k, j) in enumerate(edges)}
    free_edges = []
    for e, (k, j) in enumerate(edges):
        ses = stays[k].sessions[j]
        given = ses.slot
        if isinstance(given, int) and not isinstance(given, bool) and 0 <= given < slots \
                and days[ses.day].keep(e, ends[e], given):
            continue
        free_edges.append(e)
    free_edges.sort(key=lambda e: (stays[edges[e][0]].sessions[edges[e][1]].day, edges[e]))
    for e in free_edges:
        k, j = edges[e]
        days[stays[k].sessions[j].day].add(e, ends[e])
    colour: dict[tuple[int, int], int | None] = {}
    for e, (k, j) in enumerate(edges):
        colour[k, j] = days[stays[k].sessions[j].day].colour.get(e)
    out = []
    for k, stay in enumerate(stays):
        sessions = tuple(ses if ses.slot == colour[k, j] else replace(ses, slot=colour[k, j])
                         for j, ses in enumerate(stay.sessions))
        out.append(stay if sessions == stay.sessions else replace(stay, sessions=sessions))
    return out


def with_slots(instance: Instance, sessions: list[tuple[Session, ...]], stays: list[Stay]) -> list[tuple[Session, ...]]:
    """Slots for the session tuples of `stays` (same order), keeping the slots the stays' own sessions give."""
    merged = []
    for stay, new in zip(stays, sessions):
        given: dict[tuple, list[int]] = defaultdict(list)
        for s in stay.sessions:
            if s.slot is not None:
                given[s.key].append(s.slot)
        merged.append(replace(stay, sessions=tuple(
            replace(s, slot=given[s.key].pop(0)) if given.get(s.key) else s for s in new)))
    return [s.sessions for s in assign_slots(instance, merged)]
