"""Fictional demo data: two houses, their network, defenders, requests and stays.

`load_demo()` fills an EMPTY database and returns the demo logins; when any
house exists it loads nothing (so running it twice gives the same database).
Everything is generated from a fixed seed; dates are relative to a reference
day, the Monday on or before the first day of the current month, so the demo
looks current whenever it is run and stays the same all month long. Tests pin
it with `load_demo(today=...)`.

Every person here is invented: aliases are names of trees, flowers, birds and
rivers, "real names" say that they are fictional, phone numbers are made of
zeros and every e-mail address ends in `.example`. Published stays are placed
by a small greedy planner below that keeps every hard rule of the
`respite-stays/1` spec (beds, concurrent stays, family units, closures,
arrival weekdays, windows, barred countries, accessibility, sessions).
"""
from __future__ import annotations

import datetime as dt
import json
import random
from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from app.extensions import db
from app.models import (
    DEFAULT_SLOT_TIMES, DIMENSIONS, Availability, Closure, Defender, DiagnosticInterview, House, Session, Stay, StayRequest,
    Therapist, User, local_today,
)

DEMO_PASSWORD = "respiro demo 2027"
SEED = 2027
DOMAIN = "demo.respiro.example"
DEFENDER_EMAIL = f"defensora@{DOMAIN}"
TEAM_EMAILS = {"serena": f"equipo.serena@{DOMAIN}", "siguata": f"equipo.siguata@{DOMAIN}"}
COORDINATOR_EMAIL = f"coordinadora@{DOMAIN}"
ADMIN_EMAIL = f"admin@{DOMAIN}"
LOGINS: list[tuple[str, str]] = [
    ("defensora (Ceiba)", DEFENDER_EMAIL),
    ("equipo de Casa La Serena", TEAM_EMAILS["serena"]),
    ("equipo de Casa La Siguata", TEAM_EMAILS["siguata"]),
    ("coordinadora", COORDINATOR_EMAIL),
    ("administración", ADMIN_EMAIL),
]
ONE_DAY = dt.timedelta(days=1)


def reference_date(today: dt.date) -> dt.date:
    """The Monday on or before the first day of `today`'s month."""
    first = today.replace(day=1)
    return first - dt.timedelta(days=first.weekday())


class DemoNotLoaded(RuntimeError):
    """The database holds real data: the demo (public password) is not loaded into it."""


def load_demo(today: dt.date | None = None) -> list[tuple[str, str]]:
    """Load the demo into an empty database (only flushes); return (role label, email) logins."""
    if db.session.scalar(select(House.id).limit(1)) is not None:
        if db.session.scalar(User.by_email(ADMIN_EMAIL)) is None:
            raise DemoNotLoaded("the database is not empty and holds no demo: the demo is not loaded")
        return list(LOGINS)
    if db.session.scalar(select(User.id).limit(1)) is not None or \
            db.session.scalar(select(Defender.id).limit(1)) is not None:
        raise DemoNotLoaded("the database is not empty (it holds accounts or defenders): the demo is not loaded")
    ref = reference_date(today or local_today())
    rng = random.Random(SEED)
    houses = _houses(ref)
    therapists = _therapists(rng, houses, ref)
    defenders = _defenders(rng)
    db.session.flush()  # ids for the planner's ledger
    requests = _requests(rng, defenders, ref)
    _publish(rng, houses, therapists, requests, ref)
    _users(houses, defenders)
    db.session.flush()
    _offers(requests, defenders[0], local_today())
    return list(LOGINS)


def _offers(requests: list[StayRequest], lead: Defender, today: dt.date) -> None:
    """Each published stay was offered. Two offers still wait: the demo defender's own, and one at Casa La
    Serena that its house team answers for an assisted defender with no account; the others were accepted
    (by the house teams, on behalf of defenders with no account)."""
    from app.models import Offer

    waiting_at_serena = False
    for request in requests:
        if request.status != "published" or request.stay is None:
            continue
        mine = request.defender_id == lead.id
        waits = mine or (not waiting_at_serena and request.stay.house.code == "serena")
        waiting_at_serena = waiting_at_serena or (waits and not mine)
        deadline = max(today, min(today + dt.timedelta(days=7), request.stay.start - dt.timedelta(days=2)))
        db.session.add(Offer(stay_id=request.stay.id, request_id=request.id, deadline=deadline,
                             status="open" if waits else "accepted", on_behalf=not waits,
                             answered_at=None if waits else dt.datetime.combine(today, dt.time(12, 0))))
    db.session.flush()


# ------------------------------------------------------------------ houses

def _closures(ref: dt.date, water: tuple[tuple[int, int], tuple[int, int]]) -> list[Closure]:
    """Dry-season water closure and end-of-year rest, for the coming ~14 months."""
    out = []
    for year in (ref.year - 1, ref.year, ref.year + 1):
        (m1, d1), (m2, d2) = water
        out.append(Closure(start=dt.date(year, m1, d1), end=dt.date(year, m2, d2), reason="water",
                           note="Temporada seca: el pozo no alcanza para recibir gente."))
        out.append(Closure(start=dt.date(year, 12, 20), end=dt.date(year + 1, 1, 2), reason="rest",
                           note="Descanso de fin de año del equipo."))
    return [c for c in out if c.end >= ref and c.start <= ref + dt.timedelta(days=430)]


def _houses(ref: dt.date) -> dict[str, House]:
    serena = House(code="serena", name="Casa La Serena", place="Oaxaca", country="MX", beds=10,
                   max_concurrent_stays=3, family_units=1, stay_types=["individual", "collective", "family"],
                   stay_length={"individual": 10, "collective": 10, "family": 7}, collective_min=3,
                   collective_max=8, accessible=True, turnover_days=1, arrival_weekdays=[0, 1, 2, 3, 4])
    serena.closures = _closures(ref, ((3, 16), (3, 31)))
    siguata = House(code="siguata", name="Casa La Siguata", place="Atlántida", country="HN", beds=8,
                    max_concurrent_stays=2, family_units=1, stay_types=["individual", "collective"],
                    stay_length={"individual": 10, "collective": 10}, collective_min=3, collective_max=6,
                    accessible=False, turnover_days=1, arrival_weekdays=[0, 2, 4])
    siguata.closures = _closures(ref, ((4, 6), (4, 19)))
    db.session.add_all([serena, siguata])
    return {"serena": serena, "siguata": siguata}


# ------------------------------------------------------------------ network

# name, kind, dimensions, techniques, languages, houses
NETWORK = [
    ("Xóchitl Ramírez", "healer", ["spiritual", "energetic", "physical"], "temazcal, herbolaria", ["es", "zap"], ["serena"]),
    ("Guadalupe Mendoza", "therapist", ["emotional", "mental"], "terapia de juego, arteterapia", ["es"], ["serena"]),
    ("Rosario Hernández", "therapist", ["physical"], "acupuntura, masaje terapéutico", ["es"], ["serena"]),
    ("Itzel Cruz", "healer", ["energetic", "spiritual"], "limpias, sobadas, trabajo con copal", ["es", "mix"], ["serena"]),
    ("Maricela López", "therapist", ["emotional", "mental"], "constelaciones familiares", ["es"], ["serena"]),
    ("Citlali Santiago", "healer", ["physical", "energetic"], "partería tradicional, sobada", ["es", "zap"], ["serena"]),
    ("Teresa Vásquez", "activist", ["mental", "emotional"], "autocuidado colectivo, círculos de palabra", ["es"], ["serena", "siguata"]),
    ("Norma Jiménez", "therapist", ["mental"], "terapia narrativa, EMDR", ["es", "en"], ["serena"]),
    ("Adelina Pérez", "healer", ["spiritual"], "ceremonia, rezo, cantos", ["es", "mix"], ["serena"]),
    ("Margarita Luna", "therapist", ["physical", "energetic"], "yoga, respiración consciente", ["es"], ["serena"]),
    ("Berta Martínez", "therapist", ["emotional"], "psicodrama, teatro del oprimido", ["es"], ["serena"]),
    ("Juana Ruiz", "healer", ["physical", "spiritual"], "temazcal, baños de hierbas", ["es", "zap"], ["serena"]),
    ("Reyna Gómez", "therapist", ["mental", "emotional"], "terapia cognitiva, manejo del trauma", ["es"], ["serena"]),
    ("Lucía Toledo", "activist", ["spiritual", "emotional"], "memoria histórica, bordado colectivo", ["es"], ["serena"]),
    ("Silvia Aguilar", "therapist", ["physical"], "fisioterapia, reflexología", ["es"], ["serena"]),
    ("Candelaria Ixcot", "healer", ["spiritual", "energetic"], "cosmovisión maya, fuego sagrado", ["es", "mam", "quc"], ["serena", "siguata"]),
    ("Irma Chávez", "therapist", ["energetic", "emotional"], "reiki, flores de Bach", ["es"], ["serena"]),
    ("Dilcia Arzú", "healer", ["spiritual", "physical"], "medicina garífuna, baños de mar", ["es", "cab"], ["siguata"]),
    ("Mirna Zelaya", "therapist", ["emotional", "mental"], "terapia de juego, escucha activa", ["es"], ["siguata"]),
    ("Ana Julia Castillo", "therapist", ["physical"], "acupuntura, ventosas", ["es"], ["siguata"]),
    ("Sonia Lacayo", "activist", ["mental", "emotional"], "protección integral, planes de seguridad", ["es"], ["siguata"]),
    ("Eulalia Mejía", "healer", ["energetic", "spiritual"], "limpias con plantas, rezos lencas", ["es"], ["siguata"]),
    ("Yesenia Flores", "therapist", ["mental"], "terapia narrativa", ["es", "en"], ["siguata"]),
    ("Bernarda Waldan", "healer", ["physical", "energetic"], "sobadas, medicina tradicional miskita", ["es", "miq"], ["siguata"]),
    ("Olga Matute", "therapist", ["emotional", "energetic"], "constelaciones, biodanza", ["es"], ["siguata"]),
    ("Karla Bustillo", "therapist", ["physical", "mental"], "yoga informado en trauma", ["es"], ["siguata"]),
    ("Fidelina Sabio", "healer", ["spiritual"], "cantos y danza garífuna (dügü)", ["es", "cab"], ["siguata"]),
    ("Gloria Rivas", "activist", ["emotional", "spiritual"], "sanación feminista comunitaria", ["es"], ["siguata"]),
    ("Marta Cáceres", "therapist", ["physical", "emotional"], "masaje, trabajo corporal", ["es"], ["siguata"]),
    ("Elena Cruz", "therapist", ["mental", "emotional"], "acompañamiento psicosocial", ["es", "en"], ["serena"]),
]


def _availability(rng: random.Random, ref: dt.date, index: int) -> list[tuple[dt.date, dt.date]]:
    """Blocks of availability over the coming year; every third person is there all year."""
    horizon_end = ref + dt.timedelta(days=400)
    if index % 3 == 0:
        return [(ref, horizon_end)]
    blocks, day = [], ref + dt.timedelta(days=rng.randint(0, 10))
    while day < horizon_end:
        end = min(day + dt.timedelta(days=rng.randint(42, 100)), horizon_end)
        blocks.append((day, end))
        day = end + dt.timedelta(days=rng.randint(8, 25))
    return blocks


def _therapists(rng: random.Random, houses: dict[str, House], ref: dt.date) -> list[Therapist]:
    out = []
    for i, (name, kind, dims, techniques, langs, house_codes) in enumerate(NETWORK):
        therapist = Therapist(name=name, kind=kind, dimensions=list(dims), techniques=techniques,
                              languages=list(langs), max_sessions_per_day=rng.randint(2, 4))
        prefix = "+52 951 000" if house_codes[0] == "serena" else "+504 0000"
        therapist.contact = f"{prefix} {i:04d} (número ficticio)"
        therapist.houses = [houses[c] for c in house_codes]
        therapist.availability = [Availability(start=a, end=b) for a, b in _availability(rng, ref, i)]
        out.append(therapist)
    db.session.add_all(out)
    return out


# ------------------------------------------------------------------ defenders

ALIASES = [
    "Ceiba", "Colibrí", "Jacaranda", "Quetzal", "Bugambilia", "Guacamaya", "Copal", "Ocote", "Amate", "Nance",
    "Cenzontle", "Garza", "Lempa", "Usumacinta", "Motagua", "Ulúa", "Grijalva", "Papaloapan", "Atoyac",
    "Orquídea", "Flor de Mayo", "Liquidámbar", "Guayacán", "Caoba", "Sauce", "Cempasúchil", "Dalia", "Nardo",
    "Azucena", "Magnolia", "Huizache", "Mezquite", "Ahuehuete", "Sabino", "Guanacaste", "Cedro", "Madreselva",
    "Chachalaca", "Tucán", "Paloma", "Golondrina", "Calandria", "Torogoz", "Zanate", "Tecolote", "Clarinero",
    "Jilguera", "Pochote", "Tule", "Patastillo", "Sacuanjoche", "Coco", "Choluteca", "Chamelecón", "Aguán",
    "Sumpul", "Jiboa", "Tamarindo", "Mangle", "Pitahaya", "Nopal", "Maguey", "Ixchel",
]
FIRST_NAMES = ["María", "Ana", "Rosa", "Carmen", "Lucía", "Juana", "Marta", "Elena", "Sofía", "Isabel",
               "Teresa", "Julia", "Paula", "Clara", "Inés", "Alba", "Dora", "Eva", "Luz", "Nora"]
FICTIONAL_SURNAMES = ["Ejemplo", "Prueba", "Ficticia", "Inventada", "Muestra", "Demo"]
# country: count, phone prefix, extra languages, (barred country, how many)
COUNTRIES = {
    "MX": (20, "+52 000", ["zap", "mix", "en"], None),
    "HN": (18, "+504 0000", ["cab", "miq", "en"], ("MX", 6)),
    "GT": (16, "+502 0000", ["mam", "quc"], ("MX", 3)),
    "SV": (13, "+503 0000", ["en"], ("HN", 2)),
    "NI": (13, "+505 0000", ["miq", "en"], ("HN", 3)),
}
ACCESSIBILITY = ["Uso silla de ruedas; necesito baño adaptado.", "Camino con bastón; mejor sin escaleras.",
                 "Tengo poca visión; ayuda con señalización.", "Dolor crónico de rodillas; cama baja."]


def _defenders(rng: random.Random) -> list[Defender]:
    out: list[Defender] = []
    seen: dict[str, int] = defaultdict(int)
    for country, (count, phone, extra, barred) in COUNTRIES.items():
        barred_left = barred[1] if barred else 0
        for k in range(count):
            n = len(out)
            base = ALIASES[n % len(ALIASES)]
            seen[base] += 1
            alias = base if seen[base] == 1 else f"{base} {seen[base]}"
            languages = ["es"] + ([rng.choice(extra)] if rng.random() < 0.35 else [])
            defender = Defender(alias=alias, country=country, languages=languages, barred_countries=[])
            if barred and barred_left and k % 2 == 1:
                defender.barred_countries = [barred[0]]
                barred_left -= 1
            defender.real_name = (f"{FIRST_NAMES[n % len(FIRST_NAMES)]} {rng.choice(FICTIONAL_SURNAMES)} "
                                  f"{FICTIONAL_SURNAMES[n % len(FICTIONAL_SURNAMES)]} (persona ficticia)")
            defender.contact = f"{phone} {n:04d} (número ficticio)"
            out.append(defender)
    # a few need an accessible house: only Casa La Serena is, so none of them is barred from Mexico
    for i, note in zip((4, 27, 45, 66), ACCESSIBILITY):
        out[i].needs_accessible = True
        out[i].barred_countries = []
        out[i].accessibility_notes = note
    db.session.add_all(out)
    return out


# ------------------------------------------------------------------ interviews and requests

# Her words follow her level: "how" and "work_on" come from the band of the level she gave (0-1 light,
# 2-3 heavy), so "Nada" never stands beside "Siento mucha tristeza".
ANSWERS = {
    "physical": {
        "how": (["El cuerpo anda bien, duermo lo necesario.", "El cuerpo aguanta, pero anda tenso."],
                ["Duermo poco y me despierto cansada.", "Me duele la espalda desde hace meses.",
                 "Como a deshoras, siempre corriendo."]),
        "work_on": (["Mantener lo que ya me funciona.", "Nada en particular por ahora."],
                    ["Quiero volver a descansar de verdad.", "Aprender a soltar la tensión del cuerpo.",
                     "Recuperar el sueño."]),
        "practices": ["Caminar por el monte.", "Baños de hierbas con mi abuela.", "Nada por ahora."],
    },
    "mental": {
        "how": (["Puedo pensar con claridad casi siempre.", "A ratos me cuesta concentrarme."],
                ["La cabeza no para, pienso todo el tiempo en el caso.", "Estoy alerta todo el día."]),
        "work_on": (["Cuidar los ratos de calma que ya tengo."],
                    ["Ordenar los pensamientos y bajar la alerta.", "Tener herramientas para la angustia."]),
        "practices": ["Escribir en un cuaderno.", "Hablar con compañeras de la red."],
    },
    "emotional": {
        "how": (["Estoy más tranquila que antes, aunque cansada.", "Me siento acompañada."],
                ["Siento mucha tristeza desde lo que pasó.", "Me enojo fácil y luego me siento culpable.",
                 "Lloro sin saber por qué."]),
        "work_on": (["Cuidar mis vínculos."], ["Sanar el duelo por mi compañero.", "Poder sentir sin miedo."]),
        "practices": ["Bordar.", "Cantar con mis hijas.", "Círculos con otras mujeres."],
    },
    "spiritual": {
        "how": (["Mi fe me acompaña.", "Me siento conectada con lo que me sostiene."],
                ["Me siento desconectada de lo que me sostiene.", "Extraño las ceremonias de mi pueblo."]),
        "work_on": (["Seguir con mis rezos."], ["Reencontrarme con la tierra.", "Volver a la ceremonia."]),
        "practices": ["Rezo en las mañanas.", "Ofrendas con copal.", "Sembrar."],
    },
    "energetic": {
        "how": (["Tengo energía a ratos.", "Me siento con fuerza casi todos los días."],
                ["Me siento sin fuerza, como apagada.", "Siento el cuerpo cargado."]),
        "work_on": (["Nada en particular por ahora."], ["Limpiar lo que cargo de otras personas.",
                                                         "Recuperar mi fuerza."]),
        "practices": ["Limpias con plantas.", "Respirar hondo antes de dormir."],
    },
}


def _answers(rng: random.Random, name: str, level: int) -> dict[str, str]:
    """Her words for one dimension, in the band of the level she gave."""
    band = 1 if level >= 2 else 0
    return {key: rng.choice(options[band] if isinstance(options, tuple) else options)
            for key, options in ANSWERS[name].items()}


NARRATIVES = [
    "Acompaño a mujeres que buscan a sus familiares desaparecidos. Llevo tres años sin parar y el cuerpo "
    "me está pidiendo una pausa. Quiero aprender a cuidarme para seguir.",
    "Defiendo el río de mi comunidad frente a una hidroeléctrica. Después de las amenazas dejé mi casa "
    "por un tiempo y me siento sola. Quiero volver a sentir calma.",
    "Soy comunicadora comunitaria. La radio es mi vida, pero el miedo no me deja dormir. Busco un "
    "espacio seguro para respirar y pensar en lo que sigue.",
    "Soy partera y defensora del territorio. Me toca sostener a muchas; quiero un tiempo en el que me "
    "sostengan a mí.",
    "Acompaño a jóvenes en mi barrio. Perdimos a un compañero este año y todavía no he podido llorarlo.",
]
DECLINE_REASONS = [
    "Por ahora tu organización te ofrece un espacio de descanso más cercano; si cambia, vuelve a escribirnos.",
    "Las fechas que pediste ya pasaron; con gusto vemos otra ventana contigo.",
]
URGENCY_REASONS = {3: "Riesgo inminente tras nuevas amenazas; la red de protección pide salida pronto.",
                   2: "Agotamiento fuerte después de un año difícil."}


def _needs(rng: random.Random) -> dict[str, int]:
    levels = {d: rng.choice((0, 0, 1, 1, 2, 3)) for d in DIMENSIONS}
    for d in rng.sample(DIMENSIONS, 2):
        levels[d] = max(levels[d], rng.randint(1, 3))
    return levels


def _consent_per_purpose(interview: DiagnosticInterview, defender: Defender, created: dt.datetime) -> None:
    """Most agree to be counted (about 85 %), and most who share their words share them with their therapists,
    so the reports and the session sheets show something. Drawn from a generator of its own, so the rest of
    the demo stays what it was."""
    draw = random.Random(f"consent:{defender.alias}:{created.isoformat()}")
    interview.count_in_statistics = draw.random() < 0.85
    interview.share_with_therapists = interview.consent_scope == "narrative" and draw.random() < 0.8


def _interview(rng: random.Random, defender: Defender, status: str, created: dt.datetime,
               narrative: bool) -> DiagnosticInterview:
    interview = DiagnosticInterview(defender=defender, status=status, created_at=created,
                                    step="review" if status != "draft" else rng.choice(DIMENSIONS),
                                    consent_scope="levels", retention_months=6)
    needs = _needs(rng)
    for name in DIMENSIONS:
        if status == "draft" and DIMENSIONS.index(name) > DIMENSIONS.index(interview.step):
            break
        row = interview.dimension(name)
        row.self_level = max(0, min(3, needs[name] + rng.choice((-1, 0, 0, 1))))
        row.answers = json.dumps(_answers(rng, name, row.self_level), ensure_ascii=False)
        if status == "confirmed":
            row.need_level = needs[name]
    if narrative:
        interview.narrative = rng.choice(NARRATIVES)
        interview.consent_scope = rng.choice(("narrative", "levels"))
    _consent_per_purpose(interview, defender, created)
    if status != "draft":
        interview.submitted_at = created + dt.timedelta(days=1)
        interview.defender_agreed = True
    if status == "confirmed":
        interview.confirmed_at = created + dt.timedelta(days=rng.randint(3, 9))
        interview.confirmation_reason = "Conversamos con ella y coincidimos con sus respuestas."
    return interview


@dataclass(frozen=True)
class Plan:
    """What one request looks like: status, window, types, size."""

    status: str
    types: tuple[str, ...]
    offset: int  # earliest start, days after the reference day
    width: int  # days between earliest and latest start
    urgency: int
    companions: int = 0
    members: int = 0  # defenders of a formed collective besides the lead


def _plans(rng: random.Random) -> list[Plan]:
    """Request shapes in every status; published ones are placed by `_publish`."""
    plans = [
        # published: the demo defender's own individual stay first
        Plan("published", ("individual", "collective"), 45, 40, 2),
        Plan("published", ("collective",), 50, 45, 1, members=3),
        Plan("published", ("family",), 60, 50, 1, companions=2),
        Plan("published", ("individual",), 55, 40, 3),
        Plan("published", ("individual", "collective"), 70, 45, 2),
        Plan("published", ("collective",), 80, 50, 1, members=2),
        Plan("published", ("collective", "individual"), 80, 50, 1),
        Plan("published", ("individual",), 95, 45, 0),
        Plan("published", ("individual",), 110, 45, 1),
        Plan("published", ("individual", "family"), 120, 50, 2),
        Plan("published", ("individual",), 140, 50, 1),
        Plan("published", ("individual",), 150, 45, 2),
        # formed collective waiting for planning
        Plan("pending", ("collective",), 100, 60, 1, members=2),
        Plan("pending", ("collective", "individual"), 90, 40, 1, members=2),
    ]
    shapes = [("individual",), ("individual", "collective"), ("collective", "individual"), ("collective",),
              ("individual", "family")]
    for status, count in (("pending", 28), ("submitted", 9), ("draft", 6), ("withdrawn", 4),
                          ("declined", 4)):
        for k in range(count):
            urgency = rng.choice((0, 1, 1, 1, 2, 2))
            if status == "pending" and k < 3:
                urgency = 3  # a few at imminent risk
            offset = 42 if urgency == 3 else rng.randint(45, 260)
            width = 28 if urgency == 3 else rng.randint(21, 75)
            if status == "pending" and k % 8 == 5:
                plans.append(Plan(status, ("family",), offset, width, urgency, companions=rng.randint(1, 3)))
            else:
                plans.append(Plan(status, rng.choice(shapes), offset, width, urgency))
    return plans


INTERVIEW_STATUS = {"draft": "draft", "submitted": "submitted"}


def _requests(rng: random.Random, defenders: list[Defender], ref: dt.date) -> list[StayRequest]:
    """Give defenders one request each (formed collectives take their members along)."""
    plans = _plans(rng)
    free = [d for d in defenders]
    lead = free.pop(0)  # Ceiba, the demo defender (Mexican, not barred anywhere)
    out = []
    base_time = dt.datetime.combine(ref, dt.time(10, 0))
    for i, plan in enumerate(plans):
        if i == 0:
            defender = lead
        else:
            defender = _pick(free, plan, rng)
        if defender is None:
            break
        members = [_pick(free, plan, rng, like=defender) for _ in range(plan.members)]
        members = [m for m in members if m is not None]
        created = base_time - dt.timedelta(days=rng.randint(5, 60), hours=i)
        status = plan.status
        interview = _interview(rng, defender, INTERVIEW_STATUS.get(status, "confirmed"), created,
                               narrative=rng.random() < 0.4)
        earliest = ref + dt.timedelta(days=plan.offset)
        request = StayRequest(defender=defender, interview=interview, status=status,
                              stay_types=list(plan.types), earliest_start=earliest,
                              latest_start=earliest + dt.timedelta(days=plan.width), companions=plan.companions,
                              urgency_self=plan.urgency, created_at=created)
        request.members = members
        if status != "draft":
            request.submitted_at = created + dt.timedelta(days=1)
        if status not in ("draft", "submitted"):
            request.urgency = plan.urgency
            request.urgency_reason = URGENCY_REASONS.get(plan.urgency, "")
        if plan.companions:
            request.companions_note = f"Viene con {plan.companions} de sus hijas o hijos (datos ficticios)."
        if rng.random() < 0.25:
            request.food_notes = rng.choice(["Vegetariana.", "Sin gluten.", "No como chile, por la gastritis."])
        if status == "declined":
            request.decline_reason = DECLINE_REASONS[i % len(DECLINE_REASONS)]
        out.append(request)
    # the demo defender also has a follow-up interview and request still in draft
    follow_up = _interview(rng, lead, "draft", base_time - dt.timedelta(days=2), narrative=False)
    out.append(StayRequest(defender=lead, interview=follow_up, status="draft", stay_types=["individual"],
                           earliest_start=ref + dt.timedelta(days=200), latest_start=ref + dt.timedelta(days=260),
                           urgency_self=0, created_at=base_time - dt.timedelta(days=1)))
    db.session.add_all(out)
    return out


def _pick(free: list[Defender], plan: Plan, rng: random.Random, like: Defender | None = None) -> Defender | None:
    """Take a defender who can live with the plan: family stays and accessibility are only in Mexico."""
    def fits(d: Defender) -> bool:
        if ("family" in plan.types or d.needs_accessible) and "MX" in d.barred_countries:
            return False
        if plan.members and like is None and "MX" in d.barred_countries:
            return False  # formed collectives are led by someone who can go to either house
        if like is not None and (d.barred_countries or d.country != like.country):
            return False
        return True

    candidates = [d for d in free if fits(d)]
    if not candidates:
        return None
    chosen = candidates[rng.randrange(len(candidates))]
    free.remove(chosen)
    return chosen


# ------------------------------------------------------------------ published stays

@dataclass
class Ledger:
    """What is already taken per house-day and per therapist-day."""

    people: dict = field(default_factory=lambda: defaultdict(int))
    stays: dict = field(default_factory=lambda: defaultdict(int))
    families: dict = field(default_factory=lambda: defaultdict(int))
    sessions: dict = field(default_factory=lambda: defaultdict(int))  # (therapist id, day) -> n
    where: dict = field(default_factory=dict)  # (therapist id, day) -> house code
    slots: dict = field(default_factory=lambda: defaultdict(set))  # (therapist id, day) -> session slots taken


def _request_languages(request: StayRequest) -> set[str]:
    langs = None
    for d in request.all_defenders:
        langs = set(d.languages) if langs is None else langs & set(d.languages)
    return langs or set()


def _can_host(house: House, stay_type: str, start: dt.date, requests: list[StayRequest], ledger: Ledger) -> bool:
    """Every hard rule a stay must keep at this house and start (spec rules 2-6)."""
    if stay_type not in house.stay_types or start.weekday() not in house.arrival_weekdays:
        return False
    length = house.stay_length[stay_type]
    last = start + dt.timedelta(days=length - 1)
    if any(c.start <= last and start <= c.end for c in house.closures):
        return False
    if not _group_fits(house, stay_type, requests):
        return False
    for r in requests:
        if not (r.earliest_start <= start <= r.latest_start) or stay_type not in r.stay_types:
            return False
        if any(house.country in d.barred_countries for d in r.all_defenders):
            return False
        if any(d.needs_accessible for d in r.all_defenders) and not house.accessible:
            return False
    people = sum(len(r.all_defenders) + r.companions for r in requests)
    for k in range(length + house.turnover_days):
        day = (house.code, start + dt.timedelta(days=k))
        if ledger.people[day] + people > house.beds or ledger.stays[day] + 1 > house.max_concurrent_stays:
            return False
        if stay_type == "family" and ledger.families[day] + 1 > house.family_units:
            return False
    return True


def _group_fits(house: House, stay_type: str, requests: list[StayRequest]) -> bool:
    """Spec rules 2-3: who a type may hold, collective size and a shared language."""
    if stay_type == "collective":
        size = sum(len(r.all_defenders) for r in requests)
        shared = set.intersection(*(_request_languages(r) for r in requests))
        return (house.collective_min <= size <= house.collective_max and bool(shared)
                and not any(r.companions for r in requests))
    if len(requests) != 1 or len(requests[0].all_defenders) != 1:
        return False
    return stay_type == "family" or not requests[0].companions


def _occupy(house: House, stay_type: str, start: dt.date, requests: list[StayRequest], ledger: Ledger) -> None:
    people = sum(len(r.all_defenders) + r.companions for r in requests)
    for k in range(house.stay_length[stay_type] + house.turnover_days):
        day = (house.code, start + dt.timedelta(days=k))
        ledger.people[day] += people
        ledger.stays[day] += 1
        ledger.families[day] += stay_type == "family"


def _groups(requests: list[StayRequest]) -> list[list[StayRequest]]:
    """Published requests grouped into stays: a lone collective-first request joins the collective before it."""
    groups: list[list[StayRequest]] = []
    for r in requests:
        if r.stay_types[0] == "collective" and not r.members and groups and groups[-1][0].members:
            groups[-1].append(r)
        else:
            groups.append([r])
    return groups


def _stay_type(group: list[StayRequest]) -> str:
    first = group[0]
    if len(group) > 1 or first.members:
        return "collective"
    if first.companions:
        return "family"
    return next(t for t in first.stay_types if t != "collective")


def _publish(rng: random.Random, houses: dict[str, House], therapists: list[Therapist],
             requests: list[StayRequest], ref: dt.date) -> None:
    """Place the published requests into stays with programmes; any that cannot fit go back to pending."""
    ledger = Ledger()
    published = [r for r in requests if r.status == "published"]
    for group in _groups(published):
        stay_type = _stay_type(group)
        placed = _place(houses, stay_type, group, ledger)
        if placed is None:
            for r in group:
                r.status = "pending"
            continue
        house, start = placed
        _occupy(house, stay_type, start, group, ledger)
        stay = Stay(house=house, start=start, end=start + dt.timedelta(days=house.stay_length[stay_type] - 1),
                    type=stay_type)
        stay.requests = group
        stay.sessions = _programme(house, stay, group, therapists, ledger)
        db.session.add(stay)


def _place(houses: dict[str, House], stay_type: str, group: list[StayRequest], ledger: Ledger):
    earliest = max(r.earliest_start for r in group)
    latest = min(r.latest_start for r in group)
    # the house in her own region first, anywhere in the window; then the other one
    order = ["siguata", "serena"] if group[0].defender.country != "MX" else ["serena", "siguata"]
    for code in order:
        day = earliest
        while day <= latest:
            if _can_host(houses[code], stay_type, day, group, ledger):
                return houses[code], day
            day += ONE_DAY
    return None


def _programme(house: House, stay: Stay, group: list[StayRequest], therapists: list[Therapist],
               ledger: Ledger) -> list[Session]:
    """Sessions up to the demand of each dimension, at most two a day, with therapists who can give them."""
    demand = {d: max(r.interview.need_levels()[d] for r in group) for d in DIMENSIONS}
    languages = set.intersection(*(_request_languages(r) for r in group))
    days = [stay.start + dt.timedelta(days=k) for k in range(1, (stay.end - stay.start).days)]
    per_day: dict[dt.date, int] = defaultdict(int)
    stay_slots: dict[dt.date, set[int]] = defaultdict(set)
    times = len(house.slot_times or DEFAULT_SLOT_TIMES)
    sessions = []
    for dimension in sorted(DIMENSIONS, key=lambda d: -demand[d]):
        chosen: Therapist | None = None
        for _ in range(demand[dimension]):
            for day in sorted(days, key=lambda d: (per_day[d], d)):
                if per_day[day] >= 2:
                    continue
                therapist = _therapist_for(house, dimension, day, languages, therapists, ledger, chosen)
                if therapist is None:
                    continue
                # a person is in one place at a time: a slot free for the stay and for her (rule 11)
                slot = next((n for n in range(times) if n not in stay_slots[day]
                             and n not in ledger.slots[(therapist.id, day)]), None)
                if slot is None:
                    continue
                chosen = therapist
                ledger.sessions[(therapist.id, day)] += 1
                ledger.where[(therapist.id, day)] = house.code
                ledger.slots[(therapist.id, day)].add(slot)
                stay_slots[day].add(slot)
                sessions.append(Session(dimension=dimension, day=day, slot=slot, therapist=therapist))
                per_day[day] += 1
                break
    return sessions


def _therapist_for(house: House, dimension: str, day: dt.date, languages: set[str], therapists: list[Therapist],
                   ledger: Ledger, prefer: Therapist | None) -> Therapist | None:
    ordered = ([prefer] if prefer else []) + [t for t in therapists if t is not prefer]
    for t in ordered:
        key = (t.id, day)
        if house not in t.houses or dimension not in t.dimensions or not languages & set(t.languages):
            continue
        if not any(a.start <= day <= a.end for a in t.availability):
            continue
        if ledger.sessions[key] >= t.max_sessions_per_day or ledger.where.get(key, house.code) != house.code:
            continue
        return t
    return None


# ------------------------------------------------------------------ accounts

def _users(houses: dict[str, House], defenders: list[Defender]) -> None:
    """One account per role, sharing one argon2 hash of the demo password (hashing is slow on purpose)."""
    from app.security.passwords import hash_password

    password_hash = hash_password(DEMO_PASSWORD)
    users = [User(email=DEFENDER_EMAIL, password_hash=password_hash, role="defender", defender=defenders[0])]
    users += [User(email=TEAM_EMAILS[code], password_hash=password_hash, role="team", house=house)
              for code, house in houses.items()]
    users += [User(email=COORDINATOR_EMAIL, password_hash=password_hash, role="coordinator"),
              User(email=ADMIN_EMAIL, password_hash=password_hash, role="admin")]
    db.session.add_all(users)
