"""Generate realistic instances, shaped like the shared samples.

Houses start with the two real ones (Casa La Serena in Mexico, Casa La
Siguata in Honduras) and add generic ones; each closes for a couple of weeks
in the dry season (water) and over the year's end (rest). Requests come from
Mexico, Honduras, Guatemala, El Salvador and Nicaragua, mostly in Spanish,
some in an indigenous language of their country; a fifth are barred from
Mexico or Honduras; a few need an accessible house; families bring
companions, already-formed collectives bring several defenders. Therapists
work at one house in blocks of availability.

`tightness` scales demand against capacity: house beds and concurrent stays
are divided by it (1.0 gives the samples' houses). The same arguments always
give the same instance.
"""
from __future__ import annotations

import dataclasses
import datetime as dt
import random

from .model import (
    DIMENSIONS,
    Closure,
    DateRange,
    House,
    Instance,
    Request,
    Therapist,
)

COUNTRIES = ("MX", "HN", "GT", "SV", "NI")
COUNTRY_WEIGHTS = (35, 20, 19, 13, 13)
INDIGENOUS = {
    "MX": ("zap", "tzo", "nah", "mix"),
    "GT": ("kek", "quc", "mam"),
    "HN": ("cab", "miq"),
    "SV": ("ppl",),
    "NI": ("miq",),
}
URGENCY_WEIGHTS = (34, 31, 25, 10)
NEED_WEIGHTS = (30, 30, 24, 16)
KINDS = (("therapist", 56), ("healer", 28), ("activist", 16))


def _day(start: dt.date, offset: int) -> dt.date:
    return start + dt.timedelta(days=offset)


def _scaled(value: int, tightness: float) -> int:
    return max(1, round(value / tightness))


# --------------------------------------------------------------------------
# Houses
# --------------------------------------------------------------------------

def _closures(rng: random.Random, start: dt.date, days: int) -> tuple[Closure, ...]:
    """A water closure in the dry season and the year-end rest, when in the horizon."""
    water_start = dt.date(start.year, 3, 10) + dt.timedelta(days=rng.randint(0, 45))
    if water_start < start:
        water_start = dt.date(start.year + 1, water_start.month, water_start.day)
    closures = [Closure(water_start, water_start + dt.timedelta(days=rng.randint(9, 20)), "water")]
    end = _day(start, days - 1)
    for year in range(start.year - 1, end.year + 1):
        rest = Closure(dt.date(year, 12, 20), dt.date(year + 1, 1, 2), "rest")
        if rest.overlaps(start, end):
            closures.append(rest)
    if rng.random() < 0.15:
        repair = _day(start, rng.randint(0, max(0, days - 6)))
        closures.append(Closure(repair, repair + dt.timedelta(days=4), "repairs"))
    return tuple(sorted(closures, key=lambda c: c.start))


def _real_houses(rng: random.Random, start: dt.date, days: int) -> list[House]:
    serena = House(
        id="serena", name="Casa La Serena", country="MX", beds=10, max_concurrent_stays=3,
        stay_types=("individual", "collective", "family"),
        stay_length={"individual": 10, "collective": 10, "family": 7},
        family_units=1, collective_min=3, collective_max=8, accessible=True, turnover_days=1,
        arrival_weekdays=frozenset(range(5)), closures=_closures(rng, start, days))
    siguata = House(
        id="siguata", name="Casa La Siguata", country="HN", beds=8, max_concurrent_stays=2,
        stay_types=("individual", "collective"), stay_length={"individual": 10, "collective": 10},
        family_units=1, collective_min=3, collective_max=6, accessible=False, turnover_days=1,
        arrival_weekdays=frozenset({0, 2, 4}), closures=_closures(rng, start, days))
    return [serena, siguata]


def _generic_house(rng: random.Random, k: int, start: dt.date, days: int) -> House:
    types = ["individual"] + [t for t in ("collective", "family") if rng.random() < 0.6]
    lengths = {t: rng.choice((7, 10, 14)) for t in types}
    weekdays = frozenset(range(7)) if rng.random() < 0.4 else frozenset(rng.sample(range(7), rng.randint(2, 5)))
    return House(
        id=f"h{k:02d}", name=f"Casa {k}", country=rng.choices(COUNTRIES, COUNTRY_WEIGHTS)[0],
        beds=rng.randint(5, 12), max_concurrent_stays=rng.randint(2, 4), stay_types=tuple(types),
        stay_length=lengths, family_units=rng.randint(0, 2) if "family" in types else 0,
        collective_min=3, collective_max=rng.randint(5, 9), accessible=rng.random() < 0.6,
        turnover_days=rng.randint(0, 2), arrival_weekdays=weekdays, closures=_closures(rng, start, days))


def _houses(rng: random.Random, count: int, start: dt.date, days: int, tightness: float) -> tuple[House, ...]:
    houses = _real_houses(rng, start, days)[:count]
    houses += [_generic_house(rng, k, start, days) for k in range(len(houses), count)]
    return tuple(dataclasses.replace(h, beds=_scaled(h.beds, tightness),
                                     max_concurrent_stays=_scaled(h.max_concurrent_stays, tightness))
                 for h in houses)


# --------------------------------------------------------------------------
# Therapists
# --------------------------------------------------------------------------

def _availability(rng: random.Random, start: dt.date, days: int) -> tuple[DateRange, ...]:
    """Blocks of two weeks to four months, separated by one to six weeks off."""
    blocks, offset = [], rng.randint(0, 30)
    while offset < days:
        length = rng.randint(14, 120)
        end = min(offset + length, days) - 1
        blocks.append(DateRange(_day(start, offset), _day(start, end)))
        offset = end + 1 + rng.randint(7, 45)
    return tuple(blocks) or (DateRange(start, _day(start, days - 1)),)


def _therapist(rng: random.Random, k: int, houses: tuple[House, ...], start: dt.date, days: int) -> Therapist:
    home = rng.choice(houses)
    at = [home.id]
    if len(houses) > 1 and rng.random() < 0.05:
        at.append(rng.choice([h.id for h in houses if h is not home]))
    languages = ["es"]
    if rng.random() < 0.3:
        languages.append(rng.choice(INDIGENOUS[home.country]))
    if rng.random() < 0.15:
        languages.append("en")
    return Therapist(
        id=f"t{k:03d}", name=f"Therapist {k}",
        kind=rng.choices([k for k, _ in KINDS], [w for _, w in KINDS])[0],
        houses=tuple(at), dimensions=tuple(rng.sample(DIMENSIONS, rng.choice((1, 2, 2, 2, 3, 3)))),
        languages=tuple(languages), available=_availability(rng, start, days),
        max_sessions_per_day=rng.choice((2, 3, 3, 3, 4, 4)))


# --------------------------------------------------------------------------
# Requests
# --------------------------------------------------------------------------

def _shape(rng: random.Random) -> tuple[tuple[str, ...], int, int]:
    """Stay types, defenders and companions, in the samples' proportions."""
    roll = rng.random()
    if roll < 0.54:
        return ("individual",), 1, 0
    if roll < 0.64:
        return ("individual", "collective"), 1, 0
    if roll < 0.73:
        return ("collective", "individual"), 1, 0
    if roll < 0.80:
        return ("collective",), rng.choice((1, 2, 3, 4, 5, 6)), 0
    if roll < 0.86:
        return ("family", "individual"), 1, 0
    return ("family",), 1, rng.randint(1, 3)


def _languages(rng: random.Random, country: str) -> tuple[str, ...]:
    native = rng.choice(INDIGENOUS[country])
    roll = rng.random()
    if roll < 0.03:
        return (native,)
    if roll < 0.2:
        return ("es", native)
    return ("es",)


def _barred(rng: random.Random, country: str) -> tuple[str, ...]:
    options = [c for c in ("MX", "HN") if c != country]
    roll = rng.random()
    if roll < 0.015 and len(options) == 2:
        return tuple(options)
    if roll < 0.19:
        return (rng.choice(options),)
    return ()


def _request(rng: random.Random, k: int, first_defender: int, start: dt.date, days: int) -> Request:
    types, defenders, companions = _shape(rng)
    country = rng.choices(COUNTRIES, COUNTRY_WEIGHTS)[0]
    earliest = rng.randint(0, max(0, days - 21))
    latest = min(days - 1, earliest + rng.randint(0, 90))
    return Request(
        id=f"r{k:04d}", defenders=tuple(f"d{first_defender + i:04d}" for i in range(defenders)),
        stay_types=types, earliest_start=_day(start, earliest), latest_start=_day(start, latest),
        country=country, languages=_languages(rng, country),
        urgency=rng.choices(range(4), URGENCY_WEIGHTS)[0],
        needs={d: rng.choices(range(4), NEED_WEIGHTS)[0] for d in DIMENSIONS},
        companions=companions, barred_countries=_barred(rng, country),
        accessible=rng.random() < 0.04, submitted=_day(start, earliest - rng.randint(0, 60)))


def _requests(rng: random.Random, count: int, start: dt.date, days: int) -> tuple[Request, ...]:
    requests, defenders = [], 0
    for k in range(count):
        r = _request(rng, k, defenders, start, days)
        defenders += len(r.defenders)
        requests.append(r)
    return tuple(requests)


# --------------------------------------------------------------------------
# Instance
# --------------------------------------------------------------------------

def _lock(instance: Instance, count: int) -> Instance:
    """Lock `count` stays of the baseline plan, spread over the year, as approved stays."""
    from .baseline import baseline

    stays = sorted(baseline(instance).stays, key=lambda s: (s.start, s.id))
    if not stays or count <= 0:
        return instance
    step = max(1, len(stays) // count)
    chosen = stays[::step][:count]
    locked = tuple(dataclasses.replace(s, id=f"L{i + 1}") for i, s in enumerate(chosen))
    return dataclasses.replace(instance, locked=locked)


def generate(*, houses: int = 2, requests: int = 250, therapists: int = 40, days: int = 364,
             start: dt.date = dt.date(2027, 1, 4), tightness: float = 1.0, seed: int = 0,
             locked: int = 0) -> Instance:
    """Make a realistic instance; the same arguments give the same instance."""
    if houses < 1 or days < 21 or requests < 0 or therapists < 0 or tightness <= 0:
        raise ValueError("generate needs houses >= 1, days >= 21, requests >= 0, therapists >= 0, tightness > 0")
    rng = random.Random(seed)
    house_list = _houses(rng, houses, start, days, tightness)
    instance = Instance(
        horizon_start=start, horizon_days=days, houses=house_list,
        therapists=tuple(_therapist(rng, k, house_list, start, days) for k in range(therapists)),
        requests=_requests(rng, requests, start, days),
        name=f"gen-s{seed}-h{houses}-r{requests}-t{therapists}-x{tightness:g}")
    return _lock(instance, locked)
