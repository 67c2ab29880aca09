"""The engine's broken rules in her language.

`matching.validate` gives each `Violation` a `code` and plain `params` (ids,
ISO dates, numbers) beside its English message; here they become a sentence
in the coordinator's language. Houses and therapists are named, requests by
the aliases of their defenders (never a real name); an unknown code, or
params that do not fit, fall back to the engine's English message.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select

from app.extensions import db
from app.labels import CLOSURE_REASON, COUNTRY, DIMENSION, LANGUAGE, STAY_TYPE, label
from app.models import StayRequest


@dataclass
class Names:
    """How to call the ids a violation names: house codes, therapist and request spec ids."""

    houses: dict[str, str] = field(default_factory=dict)
    therapists: dict[str, str] = field(default_factory=dict)
    requests: dict[str, str] = field(default_factory=dict)
    stays: dict[str, str] = field(default_factory=dict)

    def stay(self, sid) -> str:
        """A stay as people call it (its type, first day and house), never by the engine's id."""
        return self.stays.get(sid) or str(sid)

    def stay_list(self, sids) -> str:
        return "; ".join(self.stay(s) for s in sids or [])

    def house(self, code) -> str:
        return self.houses.get(code) or str(code)

    def therapist(self, tid) -> str:
        return self.therapists.get(tid) or str(tid)

    def request(self, rid) -> str:
        return self.requests.get(rid) or str(rid)


def _request_id(spec_id) -> int | None:
    try:
        return int(str(spec_id)[1:].split("-")[0]) if str(spec_id).startswith("r") else None
    except ValueError:
        return None


def names_for(instance, violations, stays=()) -> Names:
    """Names for the ids the violations mention: houses, therapists, requests by their defenders' aliases, and
    stays (the instance's locked ones and `stays`, the plan being checked) by type, first day and house."""
    names = Names(houses={h.id: h.name or h.id for h in instance.houses},
                  therapists={t.id: t.name or t.id for t in instance.therapists})
    for stay in [*instance.locked, *stays]:
        names.stays[stay.id] = f"{label(STAY_TYPE, stay.type).lower()}, {format_date(stay.start)}, " \
                               f"{names.house(stay.house)}"
    wanted = set()
    for v in violations:
        params = getattr(v, "params", None) or {}
        wanted.update(r for r in [params.get("request"), *(params.get("requests") or [])] if r)
    ids = {i: rid for rid in wanted if (i := _request_id(rid)) is not None}
    if ids:
        for req in db.session.scalars(select(StayRequest).where(StayRequest.id.in_(ids))):
            aliases = [d.alias for d in req.all_defenders if d is not None and d.alias]
            if aliases:
                names.requests[ids[req.id]] = ", ".join(aliases)
    return names


def _day(value) -> str:
    try:
        return format_date(dt.date.fromisoformat(str(value)))
    except ValueError:
        return str(value)


def _when(first, last) -> str:
    if first == last:
        return _("on %(day)s", day=_day(first))
    return _("from %(first)s to %(last)s", first=_day(first), last=_day(last))


def _weekday(value) -> str:
    try:
        return format_date(dt.date.fromisoformat(str(value)), "EEEE")
    except ValueError:
        return str(value)


def _type(value) -> str:
    return label(STAY_TYPE, value)


def _session_where(p: dict, n: Names) -> str:
    return _("Stay %(stay)s, session %(session)s (%(dimension)s, %(day)s)", stay=n.stay(p["stay"]), session=p["session"],
             dimension=label(DIMENSION, p["dimension"]), day=_day(p["day"]))


def _rule_1(code: str, p: dict, n: Names) -> str | None:
    if code == "duplicate_stay_id":
        return _("Stay %(stay)s: another stay has the same id.", stay=n.stay(p["stay"]))
    if code == "unknown_house":
        return _("Stay %(stay)s: the house %(house)s is not in this plan.", stay=n.stay(p["stay"]), house=n.house(p["house"]))
    if code == "empty_stay":
        return _("Stay %(stay)s holds no request.", stay=n.stay(p["stay"]))
    if code == "unknown_request":
        return _("Stay %(stay)s: the request of %(request)s is not in this plan.", stay=n.stay(p["stay"]),
                 request=n.request(p["request"]))
    if code == "request_in_two_stays":
        return _("The request of %(request)s is in two stays: %(first)s and %(second)s.",
                 request=n.request(p["request"]), first=n.stay(p["first"]), second=n.stay(p["second"]))
    return None


def _rules_2_to_4(code: str, p: dict, n: Names) -> str | None:
    if code == "type_not_offered":
        return _("Stay %(stay)s: %(house)s does not offer stays of type %(type)s.", stay=n.stay(p["stay"]),
                 house=n.house(p["house"]), type=_type(p["type"]))
    if code == "type_not_asked":
        return _("Stay %(stay)s: %(request)s did not ask for a stay of type %(type)s (accepts %(accepts)s).",
                 stay=n.stay(p["stay"]), request=n.request(p["request"]), type=_type(p["type"]),
                 accepts=", ".join(_type(t) for t in p["accepts"]))
    if code == "type_does_not_fit":
        return _("Stay %(stay)s: the request of %(request)s (%(defenders)s defender(s), %(companions)s "
                 "companion(s)) cannot take a stay of type %(type)s.", stay=n.stay(p["stay"]),
                 request=n.request(p["request"]), defenders=p["defenders"], companions=p["companions"],
                 type=_type(p["type"]))
    if code == "one_request_per_stay":
        return _("Stay %(stay)s: a stay of type %(type)s holds %(count)s requests; it must hold one.",
                 stay=n.stay(p["stay"]), type=_type(p["type"]), count=p["count"])
    if code == "collective_size":
        return _("Stay %(stay)s: a collective of %(size)s defenders; %(house)s takes %(minimum)s to %(maximum)s.",
                 stay=n.stay(p["stay"]), size=p["size"], house=n.house(p["house"]), minimum=p["minimum"],
                 maximum=p["maximum"])
    if code == "no_shared_language":
        return _("Stay %(stay)s: its requests share no language.", stay=n.stay(p["stay"]))
    if code == "outside_window":
        return _("Stay %(stay)s: it starts on %(start)s, outside the window of %(request)s (%(first)s to %(last)s).",
                 stay=n.stay(p["stay"]), start=_day(p["start"]), request=n.request(p["request"]),
                 first=_day(p["earliest"]), last=_day(p["latest"]))
    if code == "barred_country":
        return _("Stay %(stay)s: %(request)s cannot enter %(country)s (%(house)s).", stay=n.stay(p["stay"]),
                 request=n.request(p["request"]), country=label(COUNTRY, p["country"]), house=n.house(p["house"]))
    if code == "not_accessible":
        return _("Stay %(stay)s: %(request)s needs an accessible house; %(house)s is not.", stay=n.stay(p["stay"]),
                 request=n.request(p["request"]), house=n.house(p["house"]))
    return None


def _rules_5_and_6(code: str, p: dict, n: Names) -> str | None:
    if code == "outside_horizon":
        return _("Stay %(stay)s: %(start)s to %(last)s leaves the planning horizon (%(first)s to %(end)s).",
                 stay=n.stay(p["stay"]), start=_day(p["start"]), last=_day(p["last"]), first=_day(p["horizon_start"]),
                 end=_day(p["horizon_end"]))
    if code == "closure":
        reason = p.get("reason")
        return _("Stay %(stay)s: %(start)s to %(last)s meets the closure of %(house)s from %(first)s to "
                 "%(end)s%(why)s.", stay=n.stay(p["stay"]), start=_day(p["start"]), last=_day(p["last"]),
                 house=n.house(p["house"]), first=_day(p["closure_start"]), end=_day(p["closure_end"]),
                 why=f" ({label(CLOSURE_REASON, reason)})" if reason else "")
    if code == "no_arrival_day":
        return _("Stay %(stay)s: %(house)s takes no arrivals on a %(weekday)s (%(start)s).", stay=n.stay(p["stay"]),
                 house=n.house(p["house"]), weekday=_weekday(p["start"]), start=_day(p["start"]))
    if not code.startswith("too_many_"):
        return None
    words = dict(stay=n.stay(p.get("stay")), house=n.house(p.get("house")), count=p.get("count"), limit=p.get("limit"),
                 when=_when(p.get("first"), p.get("last")), stays=n.stay_list(p.get("stays")))
    if code == "too_many_people":
        return _("Stay %(stay)s: %(house)s has %(count)s people %(when)s, with %(limit)s beds (stays %(stays)s).",
                 **words)
    if code == "too_many_stays":
        return _("Stay %(stay)s: %(house)s has %(count)s stays at once %(when)s; it takes %(limit)s "
                 "(stays %(stays)s).", **words)
    if code == "too_many_family_stays":
        return _("Stay %(stay)s: %(house)s has %(count)s family stays %(when)s, with %(limit)s family units "
                 "(stays %(stays)s).", **words)
    return None


def _rule_7(code: str, p: dict, n: Names) -> str | None:
    if code not in ("unknown_dimension", "unknown_therapist", "session_outside_stay", "therapist_not_at_house",
                    "therapist_wrong_dimension", "therapist_unavailable", "therapist_no_language"):
        return None
    where = _session_where(p, n)
    if code == "unknown_dimension":
        return _("%(where)s: the care dimension %(dimension)s is unknown.", where=where, dimension=p["dimension"])
    who = n.therapist(p["therapist"])
    if code == "unknown_therapist":
        return _("%(where)s: the therapist %(therapist)s is not in this plan.", where=where, therapist=who)
    if code == "session_outside_stay":
        return _("%(where)s: not a day of the stay (%(first)s to %(last)s).", where=where, first=_day(p["start"]),
                 last=_day(p["last"]))
    if code == "therapist_not_at_house":
        return _("%(where)s: %(therapist)s does not work at %(house)s.", where=where, therapist=who,
                 house=n.house(p["house"]))
    if code == "therapist_wrong_dimension":
        return _("%(where)s: %(therapist)s does not work on the %(dimension)s dimension.", where=where,
                 therapist=who, dimension=label(DIMENSION, p["dimension"]))
    if code == "therapist_unavailable":
        return _("%(where)s: %(therapist)s is not available that day.", where=where, therapist=who)
    languages = ", ".join(label(LANGUAGE, c) for c in p["languages"]) or _("none shared")
    return _("%(where)s: %(therapist)s speaks none of the stay's languages (%(languages)s).", where=where,
             therapist=who, languages=languages)


def _rules_8_to_10(code: str, p: dict, n: Names) -> str | None:
    if code == "sessions_over_need":
        return _("Stay %(stay)s: %(count)s sessions of the %(dimension)s dimension; the need is %(need)s.",
                 stay=n.stay(p["stay"]), count=p["count"], dimension=label(DIMENSION, p["dimension"]), need=p["need"])
    if code == "sessions_per_day":
        return _("Stay %(stay)s: %(count)s sessions on %(day)s; at most %(limit)s a day.", stay=n.stay(p["stay"]),
                 count=p["count"], day=_day(p["day"]), limit=p["limit"])
    if code == "therapist_day_limit":
        return _("%(therapist)s gives %(count)s sessions on %(day)s; at most %(limit)s.",
                 therapist=n.therapist(p["therapist"]), count=p["count"], day=_day(p["day"]), limit=p["limit"])
    if code == "therapist_several_houses":
        return _("%(therapist)s has sessions at several houses on %(day)s: %(houses)s.",
                 therapist=n.therapist(p["therapist"]), day=_day(p["day"]),
                 houses=", ".join(sorted(n.house(h) for h in p["houses"])))
    if code == "lock_not_kept":
        return _("The locked stay %(lock)s (%(type)s at %(house)s from %(start)s, for %(requests)s) is not kept.",
                 lock=n.stay(p["lock"]), type=_type(p["type"]), house=n.house(p["house"]), start=_day(p["start"]),
                 requests="; ".join(n.request(r) for r in p["requests"]))
    if code == "locked_session_not_kept":
        return _("Locked stay %(lock)s: its %(dimension)s session on %(day)s with %(therapist)s is not kept.",
                 lock=n.stay(p["lock"]), dimension=label(DIMENSION, p["dimension"]), day=_day(p["day"]),
                 therapist=n.therapist(p["therapist"]))
    return None


def _rule_11(code: str, p: dict, n: Names) -> str | None:
    """A person is in one place at a time; slots are named by their place in the day (1 = first)."""
    if code == "therapist_slot_taken":
        return _("%(therapist)s already has a session at that time on %(day)s (session time %(n)s of the day): "
                 "stays %(stays)s.", therapist=n.therapist(p["therapist"]), day=_day(p["day"]), n=p["slot"] + 1,
                 stays=n.stay_list(p["stays"]))
    if code == "stay_slot_taken":
        return _("Stay %(stay)s already has a session at that time on %(day)s (session time %(n)s of the day).",
                 stay=n.stay(p["stay"]), day=_day(p["day"]), n=p["slot"] + 1)
    if code == "slot_out_of_range":
        return _("Stay %(stay)s: the session on %(day)s is at a time the day does not have (the day has %(slots)s "
                 "session times).", stay=n.stay(p["stay"]), day=_day(p["day"]), slots=p["slots"])
    if code == "session_without_slot":
        return _("Stay %(stay)s: the %(dimension)s session on %(day)s has no time of day.", stay=n.stay(p["stay"]),
                 dimension=label(DIMENSION, p["dimension"]), day=_day(p["day"]))
    if code == "locked_slot_not_kept":
        return _("Locked stay %(lock)s: its %(dimension)s session on %(day)s with %(therapist)s is not kept at "
                 "its time.", lock=n.stay(p["lock"]), dimension=label(DIMENSION, p["dimension"]), day=_day(p["day"]),
                 therapist=n.therapist(p["therapist"]))
    if code == "therapist_week_limit":
        return _("%(therapist)s gives %(count)s sessions in the week of %(week)s; at most %(limit)s a week.",
                 therapist=n.therapist(p["therapist"]), count=p["count"], week=_day(p["week"]), limit=p["limit"])
    return None


def violation_text(violation, names: Names | None = None) -> str:
    """The detail of a broken rule in her language; the engine's English message for an unknown code."""
    code = getattr(violation, "code", "") or ""
    params = getattr(violation, "params", None) or {}
    names = names or Names()
    try:
        for part in (_rule_1, _rules_2_to_4, _rules_5_and_6, _rule_7, _rules_8_to_10, _rule_11):
            text = part(code, params, names)
            if text is not None:
                return text
    except (KeyError, TypeError, AttributeError, ValueError):
        pass
    return violation.message
