"""Benchmark of the agency console's server time with 100,000 matches in the database.

    .venv/bin/python bench/web/bench_console.py                   # about 5 minutes
    .venv/bin/python bench/web/bench_console.py --requests 50      # a quicker look

Starts its own platform on free ports (PostgreSQL, Kafka, SMTP sink, services, gateway, web),
bulk-loads a market straight into the matching service's database (enterprises and listings of
both countries, 100,000 matches whose statuses and history are made by matching's own domain
model, spread over the last 6 months), then VACUUM ANALYZE, as autovacuum would leave it.
It signs in to the web as the demo reviewer through the sign-in form and requests each page
sequentially with one client (so it measures server time, not queueing): the review queue
(default view, filtered, a deep page) and the dashboard (last 90 days by week, 180 days by
month). Each page is measured three ways, in alternating blocks so that drift of the shared
machine hits all alike:
  * web: the page itself, as a browser gets it;
  * API: the same data straight from the gateway's public API with a bearer token (for the
    dashboard its four funnel calls at once, as the page makes them);
  * matching: the same call straight to the matching service with the internal token the
    gateway would have signed (what the gateway's hop adds is API minus matching).
Latency is wall time at the client on loopback; CPU milliseconds per request are read from
/proc for the web, gateway and matching processes and for PostgreSQL (postmaster and backends).
The gateway's rate limits are lifted for the run; everything else is as `make up` runs it.
"""

from __future__ import annotations

import asyncio
import json
import math
import random
import re
import statistics
import sys
import time
import uuid
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import asdict, dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [
    str(ROOT),
    str(ROOT / "libs" / "eventkit"),
    str(ROOT / "services" / "matching"),
    str(ROOT / "web"),
]

import asyncpg  # noqa: E402
import httpx  # noqa: E402
import jwt  # noqa: E402
import psutil  # noqa: E402

from bench.common import internal_token, parsed_options, whole_platform  # noqa: E402
from devstack.stack import Stack  # noqa: E402
from matching.domain.match import Match  # noqa: E402
from matching.domain.scoring import Component, Weights  # noqa: E402
from web.domain.queue_view import QueueView  # noqa: E402

SEED = 20261202
REVIEWER = ("agency@demo.local", "demo-agency")
GOAL_MS = 300.0
BLOCK = 10  # requests of one kind in a row before the next kind takes its turn
WARM_UP = 5
MONTHS = 6
# What became of the matches of the last 6 months (shares of all), the open ones the most.
STATUS_SHARES = {
    "proposed": 0.68,
    "approved": 0.10,
    "rejected": 0.10,
    "declined": 0.03,
    "introduced": 0.04,
    "closed": 0.02,
    "withdrawn": 0.03,
}
SECTOR_WEIGHTS = {
    "elevators": 4,
    "agricultural_machinery": 4,
    "construction": 4,
    "flax": 3,
    "food_agriculture": 3,
    "mechanical_engineering": 3,
    "municipal_vehicles": 2,
    "water_treatment": 2,
    "machine_tools": 2,
    "electric_transport": 1,
    "energy_nuclear": 1,
    "breeding": 1,
    "tourism": 1,
}
NAME_ROOTS = (
    "Смоленск",
    "Днепр",
    "Кривич",
    "Двина",
    "Полесье",
    "Неман",
    "Вязьма",
    "Сож",
    "Гомель",
    "Витеб",
    "Ярцев",
    "Рославль",
    "Орша",
    "Борисов",
    "Лида",
    "Бобруйск",
)
NAME_TAILS = (
    "маш",
    "лифт",
    "агро",
    "строй",
    "лён",
    "комплект",
    "пром",
    "энерго",
    "сервис",
    "техника",
    "снаб",
    "мех",
    "транс",
    "водоканалстрой",
    "трейд",
)
LEGAL_FORMS = {"RU": ("ООО", "АО", "ПАО", "ООО"), "BY": ("ОАО", "ЗАО", "ЧУП", "ООО")}
_RU_COUNTRY, _EN_COUNTRY = {"RU": "Россия", "BY": "Беларусь"}, {"RU": "Russia", "BY": "Belarus"}
UNITS = ("шт.", "т", "комплектов", "м³", "шт./год", "т/год")
REJECTIONS = (
    "Поставщик не работает с такими объёмами",
    "Сертификаты не подходят под требования покупателя",
    "Предложение и потребность из разных товарных групп",
)
WITHDRAWALS = ("listing closed", "no longer scores")
OUTCOMES = ("contract_signed", "supply_started", "no_agreement", "joint_venture_founded")


# --- the market -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Place:
    city: str
    city_en: str
    country: str
    region: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Enterprise:
    id: uuid.UUID
    name: str
    place: Place
    sectors: tuple[str, ...]
    languages: tuple[str, ...]
    status: str


@dataclass(frozen=True)
class Listing:
    id: uuid.UUID
    side: str
    enterprise: Enterprise
    sector: str
    title: str
    code: str
    quantity: int
    unit: str


@dataclass
class Market:
    enterprises: list[Enterprise] = field(default_factory=list)
    listings: list[Listing] = field(default_factory=list)
    match_rows: list[tuple] = field(default_factory=list)
    history_rows: list[tuple] = field(default_factory=list)


@dataclass(frozen=True)
class Reference:
    sectors: dict[str, dict]  # id -> {"ru": name, "en": name, "codes": HS prefixes}
    places: list[Place]
    place_weights: list[float]
    titles: dict[tuple[str, str], list[str]]  # (sector, side) -> titles of the demo data


def read_reference() -> Reference:
    taxonomy = json.loads((ROOT / "data" / "taxonomy" / "sectors.json").read_text())["sectors"]
    sectors = {
        s["id"]: {"ru": s["name"]["ru"], "en": s["name"]["en"], "codes": s["hs_prefixes"]}
        for s in taxonomy
    }
    cities = json.loads((ROOT / "data" / "cities.json").read_text())
    known_regions = {
        r["id"]
        for rs in json.loads((ROOT / "data" / "regions.json").read_text()).values()
        for r in rs
    }
    places = [
        Place(c["name"], c["name_en"], c["country"], c["region_id"], c["lat"], c["lon"])
        for c in cities
        if c["region_id"] in known_regions
    ]
    # The platform is Smolensk's: its region weighs as much as all of the rest of Russia.
    weights = [8.0 if p.region == "smolensk_oblast" else 1.0 for p in places]
    titles: dict[tuple[str, str], list[str]] = {}
    for enterprise in json.loads((ROOT / "data" / "demo" / "enterprises.json").read_text()):
        for plural, side in (("offers", "offer"), ("needs", "need")):
            for listing in enterprise.get(plural, []):
                if not re.search("[іўІЎ]|[A-Za-z]{4}", listing["title"]):  # Russian titles only
                    titles.setdefault((listing["sector"], side), []).append(listing["title"])
    return Reference(sectors, places, weights, titles)


def make_enterprises(rng: random.Random, reference: Reference, count: int) -> list[Enterprise]:
    sector_ids, sector_weights = list(SECTOR_WEIGHTS), list(SECTOR_WEIGHTS.values())
    found = []
    for _ in range(count):
        place = rng.choices(reference.places, reference.place_weights)[0]
        name = (
            f"{rng.choice(LEGAL_FORMS[place.country])} "
            f"«{rng.choice(NAME_ROOTS)}{rng.choice(NAME_TAILS)}-{rng.randrange(1, 99)}»"
        )
        sectors = tuple(
            dict.fromkeys(rng.choices(sector_ids, sector_weights, k=rng.choice((1, 1, 2))))
        )
        languages = ("ru", "be") if place.country == "BY" else rng.choice((("ru",), ("ru", "en")))
        status = rng.choices(("verified", "pending", "suspended"), (0.80, 0.17, 0.03))[0]
        found.append(Enterprise(uuid.uuid4(), name, place, sectors, languages, status))
    return found


def make_listings(
    rng: random.Random, reference: Reference, enterprises: list[Enterprise], count: int
) -> list[Listing]:
    found = []
    for _ in range(count):
        enterprise = rng.choice(enterprises)
        side = rng.choice(("offer", "need"))
        sector = rng.choice(enterprise.sectors)
        titles = reference.titles.get((sector, side)) or [
            f"Поставка: {reference.sectors[sector]['ru']}"
        ]
        code = rng.choice(reference.sectors[sector]["codes"]).ljust(6, "0")
        found.append(
            Listing(
                uuid.uuid4(),
                side,
                enterprise,
                sector,
                rng.choice(titles),
                code,
                rng.choice((10, 50, 120, 500, 2000)),
                rng.choice(UNITS),
            )
        )
    return found


def haversine_km(a: Place, b: Place) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a.lat, a.lon, b.lat, b.lon))
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371 * math.asin(math.sqrt(h))


def explain(rng: random.Random, reference: Reference, offer: Listing, need: Listing):
    """Components (as matching weighs them) and reasons in both languages for a pair."""
    a, b = offer.enterprise.place, need.enterprise.place
    km = haversine_km(a, b)
    cross_border = a.country != b.country
    shared = 6 if offer.code == need.code else 4 if offer.code[:4] == need.code[:4] else 0
    values = {
        "sector": 1.0 if offer.sector == need.sector else 0.0,
        "codes": {6: 0.85, 4: 0.65}.get(shared, 0.0),
        "text": round(rng.betavariate(2.5, 3), 4),
        "geography": round(min(1.0, max(0.0, 1 - km / 1200) * (1.25 if cross_border else 1.0)), 4),
        "quantity": rng.choice((1.0, 1.0, 0.6, round(rng.random(), 4))),
        "certifications": rng.choice((1.0, 1.0, 0.5)),
        "language": 1.0,
    }
    weights = asdict(Weights())
    components = [Component(name, value, weights[name]) for name, value in values.items()]
    score = round(sum(c.value * c.weight for c in components) / sum(weights.values()), 4)
    border_ru, border_en = (
        (
            f" ({_RU_COUNTRY[a.country]} — {_RU_COUNTRY[b.country]})",
            f" ({_EN_COUNTRY[a.country]} — {_EN_COUNTRY[b.country]})",
        )
        if cross_border
        else ("", "")
    )
    reasons = [
        (
            f"{a.city} — {b.city} {round(km)} км{border_ru}",
            f"{a.city_en} — {b.city_en} {round(km)} km{border_en}",
        )
    ]
    if values["sector"]:
        sector = reference.sectors[need.sector]
        reasons.insert(
            0, (f"Оба в секторе «{sector['ru']}»", f"Both in the sector “{sector['en']}”")
        )
    if shared:
        reasons.append(
            (
                f"коды ТН ВЭД совпадают до {need.code[:shared]}",
                f"HS / TN VED codes agree up to {need.code[:shared]}",
            )
        )
    reasons.append(("общий язык: русский", "a shared language: Russian"))
    return score, components, [ru for ru, _ in reasons], [en for _, en in reasons]


def live_through(match: Match, status: str, rng: random.Random, reviewer: str) -> None:
    """Takes a proposed match to `status` by the domain's own transitions."""
    if status == "withdrawn":
        match.withdraw(reason=rng.choice(WITHDRAWALS))
        return
    if status == "rejected":
        match.reject(actor=reviewer, reason=rng.choice(REJECTIONS))
        return
    if status == "proposed":
        return
    match.approve(actor=reviewer)
    if status == "approved" and rng.random() < 0.4:
        match.respond(side=rng.choice(("offer", "need")), answer="interested", actor="company")
    elif status == "declined":
        match.respond(side=rng.choice(("offer", "need")), answer="declined", actor="company")
    elif status in ("introduced", "closed"):
        match.respond(side="offer", answer="interested", actor="company")
        match.respond(side="need", answer="interested", actor="company")
        if status == "closed":
            match.close(actor=reviewer, outcome=rng.choice(OUTCOMES))


def timed(match: Match, rng: random.Random, now: datetime) -> Match:
    """Moves the match's transitions into the last months: created some time ago, each later
    step hours to days after the one before (an introduction in the same instant as the answer
    that made it), none in the future."""
    created = now - timedelta(days=30.4 * MONTHS) * rng.random() ** 1.2  # a growing platform
    at, moved = created, []
    for transition in match.pending:
        if moved and transition.event_type != "match.introduced":
            at = min(now, at + timedelta(hours=rng.uniform(1, 24 * 7)))
        moved.append(replace(transition, at=at))
    match.pending, match.created_at, match.updated_at = moved, created, at
    return match


def make_matches(
    rng: random.Random,
    reference: Reference,
    listings: list[Listing],
    count: int,
    reviewer: str,
    now: datetime,
) -> tuple[list[tuple], list[tuple]]:
    offers: dict[str, list[Listing]] = {}
    needs: dict[str, list[Listing]] = {}
    for listing in listings:
        (offers if listing.side == "offer" else needs).setdefault(listing.sector, []).append(
            listing
        )
    sectors = [s for s in SECTOR_WEIGHTS if s in offers and s in needs]
    every_offer = [listing for listing in listings if listing.side == "offer"]
    statuses, shares = list(STATUS_SHARES), list(STATUS_SHARES.values())
    seen: set[tuple[uuid.UUID, uuid.UUID]] = set()
    match_rows, history_rows = [], []
    while len(match_rows) < count:
        sector = rng.choices(sectors, [SECTOR_WEIGHTS[s] for s in sectors])[0]
        need = rng.choice(needs[sector])
        offer = rng.choice(offers[sector] if rng.random() < 0.9 else every_offer)
        if offer.enterprise.id == need.enterprise.id or (offer.id, need.id) in seen:
            continue
        seen.add((offer.id, need.id))
        score, components, reasons_ru, reasons_en = explain(rng, reference, offer, need)
        match = Match.propose(
            offer_id=offer.id,
            need_id=need.id,
            offer_enterprise_id=offer.enterprise.id,
            need_enterprise_id=need.enterprise.id,
            score=score,
            components=components,
            reasons_ru=reasons_ru,
            reasons_en=reasons_en,
        )
        live_through(match, rng.choices(statuses, shares)[0], rng, reviewer)
        timed(match, rng, now)
        a, b = offer.enterprise.place, need.enterprise.place
        match_rows.append(
            (
                match.id,
                offer.id,
                need.id,
                offer.enterprise.id,
                need.enterprise.id,
                need.sector,
                a.country,
                b.country,
                a.region,
                b.region,
                match.score,
                json.dumps([asdict(c) for c in match.components]),
                json.dumps(match.reasons_ru, ensure_ascii=False),
                json.dumps(match.reasons_en, ensure_ascii=False),
                match.status,
                match.offer_answer,
                match.need_answer,
                match.outcome,
                match.review_note,
                match.created_at,
                match.updated_at,
            )
        )
        history_rows.extend(
            (match.id, t.from_status, t.to_status, t.event_type, t.actor, t.note, t.at)
            for t in match.pending
        )
    return match_rows, history_rows


def make_market(*, matches: int, reviewer: str, seed: int) -> Market:
    rng = random.Random(seed)
    reference = read_reference()
    enterprises = make_enterprises(rng, reference, max(200, matches // 40))
    listings = make_listings(rng, reference, enterprises, max(400, matches // 12))
    match_rows, history_rows = make_matches(
        rng, reference, listings, matches, reviewer, datetime.now(UTC)
    )
    return Market(enterprises, listings, match_rows, history_rows)


ENTERPRISE_COLUMNS = ("id", "name", "country", "region", "city", "sectors", "languages", "status")
MATCH_COLUMNS = (
    "id",
    "offer_id",
    "need_id",
    "offer_enterprise_id",
    "need_enterprise_id",
    "sector",
    "offer_country",
    "need_country",
    "offer_region",
    "need_region",
    "score",
    "components",
    "reasons_ru",
    "reasons_en",
    "status",
    "offer_answer",
    "need_answer",
    "outcome",
    "review_note",
    "created_at",
    "updated_at",
)
HISTORY_COLUMNS = ("match_id", "from_status", "to_status", "event_type", "actor", "note", "at")


def enterprise_row(e: Enterprise) -> tuple:
    p = e.place
    return (e.id, e.name, p.country, p.region, p.city, list(e.sectors), list(e.languages), e.status)


def listing_row(listing: Listing, valid_until: date) -> dict:
    """A row of matching's listings table, by column."""
    e, p = listing.enterprise, listing.enterprise.place
    return {
        "id": listing.id,
        "side": listing.side,
        "enterprise_id": e.id,
        "enterprise_name": e.name,
        "country": p.country,
        "region": p.region,
        "city": p.city,
        "legal_id": "",
        "languages": list(e.languages),
        "enterprise_certifications": ["ISO 9001"],
        "kind": "goods",
        "title": listing.title,
        "description": f"{listing.title}. Объём: {listing.quantity} {listing.unit}; {p.city}.",
        "sector": listing.sector,
        "product_codes": [listing.code],
        "quantity": float(listing.quantity),
        "unit": listing.unit,
        "regions": sorted({p.region, "smolensk_oblast"}),
        "certifications": ["EAC"],
        "valid_until": valid_until,
        "status": "active",
        "version": 1,
        "enterprise_status": e.status,
    }


async def load(database_url: str, market: Market) -> None:
    """COPY into matching's tables, then VACUUM ANALYZE (the planner's statistics and the
    visibility map a long-running database has)."""
    connection = await asyncpg.connect(
        database_url.replace("postgresql+asyncpg://", "postgresql://")
    )
    try:
        valid_until = date.today() + timedelta(days=365)
        await connection.copy_records_to_table(
            "enterprises",
            records=[enterprise_row(e) for e in market.enterprises],
            columns=ENTERPRISE_COLUMNS,
        )
        listings = [listing_row(x, valid_until) for x in market.listings]
        await connection.copy_records_to_table(
            "listings", records=[tuple(row.values()) for row in listings], columns=list(listings[0])
        )
        await connection.copy_records_to_table(
            "matches", records=market.match_rows, columns=MATCH_COLUMNS
        )
        await connection.copy_records_to_table(
            "match_history", records=market.history_rows, columns=HISTORY_COLUMNS
        )
    finally:
        await connection.close()
    await rebuild_funnel_rollup(database_url)
    connection = await asyncpg.connect(
        database_url.replace("postgresql+asyncpg://", "postgresql://")
    )
    try:
        tables = (
            "enterprises",
            "listings",
            "matches",
            "match_history",
            "match_stages",
            "funnel_days",
        )
        for table in tables:
            await connection.execute(f"VACUUM ANALYZE {table}")
    finally:
        await connection.close()


async def rebuild_funnel_rollup(database_url: str) -> None:
    """The history was written behind the service's back, so its daily roll-up is derived again,
    as an operator would after a bulk load (`python -m matching rebuild-funnel`)."""
    from sqlalchemy.ext.asyncio import async_sessionmaker, create_async_engine

    from matching.service_layer.matches import rebuild_funnel
    from matching.service_layer.unit_of_work import UnitOfWork

    engine = create_async_engine(database_url)
    try:
        await rebuild_funnel(uow=UnitOfWork(async_sessionmaker(engine, expire_on_commit=False)))
    finally:
        await engine.dispose()


# --- measuring ------------------------------------------------------------------------------

Call = Callable[[], Awaitable[None]]
KINDS = ("web", "api", "matching")
WATCHED = ("web", "gateway", "matching", "postgres")


@dataclass
class Page:
    name: str
    calls: dict[str, Call]  # kind -> one request of the page measured that way
    latencies: dict[str, list[float]] = field(default_factory=lambda: {k: [] for k in KINDS})
    cpu_seconds: Counter = field(default_factory=Counter)  # (kind, process) -> seconds

    def quantile(self, kind: str, share: float) -> float:
        ordered = sorted(self.latencies[kind])
        if len(ordered) < 2:
            return ordered[0] if ordered else float("nan")
        return statistics.quantiles(ordered, n=100, method="inclusive")[round(share * 100) - 1]

    def cpu_ms(self, kind: str, process: str) -> float:
        return self.cpu_seconds[kind, process] * 1000 / max(1, len(self.latencies[kind]))


@dataclass(frozen=True)
class Clients:
    web: httpx.AsyncClient
    api: httpx.AsyncClient
    matching: httpx.AsyncClient
    bearer: dict[str, str]
    internal: dict[str, str]


def expect(response: httpx.Response, *, page: bool = False) -> httpx.Response:
    if response.status_code != 200 or (
        page and "text/html" not in response.headers.get("content-type", "")
    ):
        raise RuntimeError(
            f"{response.request.method} {response.request.url} -> "
            f"{response.status_code} {response.text[:300]}"
        )
    return response


def csrf_of(response: httpx.Response) -> str:
    found = re.search(r'<meta name="csrf-token" content="([^"]+)"', response.text)
    if found is None:
        raise RuntimeError(f"no csrf token on {response.request.url}")
    return found.group(1)


async def sign_in_to_web(web: httpx.AsyncClient) -> None:
    """Through the web's own form, as a reviewer's browser does; the client keeps the cookies."""
    email, password = REVIEWER
    form = expect(await web.get("/sign-in"), page=True)
    answer = await web.post(
        "/sign-in", data={"email": email, "password": password, "csrf_token": csrf_of(form)}
    )
    if answer.status_code != 303 or not answer.headers.get("location", "").startswith("/console"):
        raise RuntimeError(
            f"signing in to the web failed: {answer.status_code} {answer.text[:300]}"
        )


async def api_token(gateway_url: str) -> tuple[dict[str, str], str]:
    """The reviewer's bearer token from the public API, and the account id it carries."""
    email, password = REVIEWER
    async with httpx.AsyncClient(base_url=gateway_url, timeout=30) as client:
        answer = expect(
            await client.post("/api/v1/auth/token", data={"username": email, "password": password})
        )
    token = answer.json()["access_token"]
    account_id = jwt.decode(token, options={"verify_signature": False})["sub"]
    return {"Authorization": f"Bearer {token}"}, account_id


def queue_page(name: str, query: dict[str, str], clients: Clients) -> Page:
    params = QueueView.from_query(query).api_params(today=datetime.now(UTC).date())
    path = "/console/queue" + (f"?{urlencode(query)}" if query else "")

    async def web() -> None:
        expect(await clients.web.get(path), page=True)

    async def api() -> None:
        expect(await clients.api.get("/api/v1/matches", params=params, headers=clients.bearer))

    async def matching() -> None:
        expect(await clients.matching.get("/matches", params=params, headers=clients.internal))

    return Page(name, {"web": web, "api": api, "matching": matching})


def dashboard_page(name: str, *, days: int, period: str, clients: Clients) -> Page:
    until = datetime.now(UTC).date()
    since = until - timedelta(days=days - 1)
    dates = {"date_from": since.isoformat(), "date_to": until.isoformat()}
    path = f"/console/dashboard?{urlencode(dates | {'period': period})}"
    groups = ("none", "sector", "region_pair", period)

    async def web() -> None:
        expect(await clients.web.get(path), page=True)

    async def each_grouping(client: httpx.AsyncClient, path: str, headers: dict) -> None:
        asked = (client.get(path, params=dates | {"group_by": g}, headers=headers) for g in groups)
        for answer in await asyncio.gather(*asked):
            expect(answer)

    async def api() -> None:
        await each_grouping(clients.api, "/api/v1/stats/funnel", clients.bearer)

    async def matching() -> None:
        await each_grouping(clients.matching, "/stats/funnel", clients.internal)

    return Page(name, {"web": web, "api": api, "matching": matching})


def process_cpu(pid: int, *, with_children: bool = False) -> float:
    try:
        process = psutil.Process(pid)
        processes = [process, *(process.children() if with_children else [])]
        total = 0.0
        for p in processes:
            try:
                times = p.cpu_times()
                total += times.user + times.system
            except psutil.NoSuchProcess:
                pass
        return total
    except psutil.NoSuchProcess:
        return 0.0


def watched_pids(stack: Stack) -> dict[str, int]:
    pids = {
        child.name: child.process.pid
        for child in stack.supervisor.children
        if child.name in WATCHED
    }
    if stack.postgres is not None:
        pids["postgres"] = int((stack.postgres.data_dir / "postmaster.pid").read_text().split()[0])
    return pids


def cpu_snapshot(pids: dict[str, int]) -> dict[str, float]:
    return {name: process_cpu(pid, with_children=name == "postgres") for name, pid in pids.items()}


async def measure(page: Page, *, requests: int, budget: float, pids: dict[str, int]) -> None:
    """Warms each way up, then alternates blocks of BLOCK requests of each kind until `requests`
    of each are done or the page's time budget (warming up included) is spent."""
    deadline = time.monotonic() + budget
    for call in page.calls.values():
        for _ in range(WARM_UP):
            await call()
    while len(page.latencies["web"]) < requests and time.monotonic() < deadline:
        size = min(BLOCK, requests - len(page.latencies["web"]))
        for kind, call in page.calls.items():
            before = cpu_snapshot(pids)
            for _ in range(size):
                started = time.perf_counter()
                await call()
                page.latencies[kind].append((time.perf_counter() - started) * 1000)
            after = cpu_snapshot(pids)
            for name in pids:
                page.cpu_seconds[kind, name] += after[name] - before[name]


async def bench(
    stack: Stack, *, matches: int, requests: int, budget: float
) -> tuple[list[Page], dict]:
    bearer, account_id = await api_token(stack.gateway_url)
    started = time.monotonic()
    market = make_market(matches=matches, reviewer=account_id, seed=SEED)
    made = time.monotonic()
    await load(stack.database_url("matching"), market)
    facts = {
        "enterprises": len(market.enterprises),
        "listings": len(market.listings),
        "matches": len(market.match_rows),
        "history": len(market.history_rows),
        "statuses": Counter(row[14] for row in market.match_rows),
        "generated_s": made - started,
        "loaded_s": time.monotonic() - made,
    }
    print(
        f"loaded {facts['matches']:,} matches, {facts['history']:,} history rows in "
        f"{facts['generated_s']:.0f}s + {facts['loaded_s']:.0f}s; measuring...",
        flush=True,
    )
    timeout = httpx.Timeout(60)
    async with (
        httpx.AsyncClient(base_url=stack.web_url, timeout=timeout) as web,
        httpx.AsyncClient(base_url=stack.gateway_url, timeout=timeout) as api,
        httpx.AsyncClient(base_url=stack.service_url("matching"), timeout=timeout) as direct,
    ):
        await sign_in_to_web(web)
        internal = internal_token(
            stack.config.internal_token_secret,
            audience="matching",
            role="agency",
            account_id=account_id,
        )
        clients = Clients(web, api, direct, bearer, internal)
        total = (
            await api.get(
                "/api/v1/matches", params={"status": "proposed", "limit": 1}, headers=bearer
            )
        ).json()["total"]
        facts["queue_total"] = total
        pages = [
            queue_page("queue: default view", {}, clients),
            queue_page(
                "queue: elevators BY-RU newest",
                {"sector": "elevators", "country_pair": "BY-RU", "sort": "newest"},
                clients,
            ),
            queue_page("queue: page 200", {"page": "200"}, clients),
            dashboard_page("dashboard: 90 days by week", days=90, period="week", clients=clients),
            dashboard_page(
                "dashboard: 180 days by month", days=180, period="month", clients=clients
            ),
        ]
        pids = watched_pids(stack)
        ends = time.monotonic() + budget
        for left, page in zip(range(len(pages), 0, -1), pages, strict=True):
            # What a page leaves unspent goes to the pages after it.
            share = (ends - time.monotonic()) / left
            await measure(page, requests=requests, budget=share, pids=pids)
            print(f"  {page.name}: {len(page.latencies['web'])} requests each way", flush=True)
    return pages, facts


# --- the report -----------------------------------------------------------------------------


def report(pages: list[Page], facts: dict, *, command: str) -> None:
    statuses = ", ".join(f"{s} {n:,}" for s, n in facts["statuses"].most_common())
    print(
        f"\n{facts['matches']:,} matches ({statuses}); {facts['history']:,} history rows; "
        f"{facts['listings']:,} listings of {facts['enterprises']:,} enterprises; "
        f"the default queue view holds {facts['queue_total']:,}"
    )
    print(
        f"\n{'page':<31} {'p50 ms':>7} {'p99 ms':>7} {'max ms':>7} {'reqs':>5}   "
        f"{'API p50':>7} {'API p99':>7} {'match p50':>9}   {'web/API p50':>11} {'web/API p99':>11}"
    )
    pages = [page for page in pages if page.latencies["web"]]  # a page its budget never reached
    for page in pages:
        web_p50, web_p99, api_p50, api_p99 = (
            page.quantile(k, q) for k in ("web", "api") for q in (0.5, 0.99)
        )
        print(
            f"{page.name:<31} {web_p50:>7.1f} {web_p99:>7.1f} {max(page.latencies['web']):>7.1f} "
            f"{len(page.latencies['web']):>5}   {api_p50:>7.1f} {api_p99:>7.1f} "
            f"{page.quantile('matching', 0.5):>9.1f}   "
            f"{web_p50 / api_p50:>11.2f} {web_p99 / api_p99:>11.2f}"
        )
    print("\nCPU ms per request (web page / API through the gateway / matching directly):")
    print(f"{'page':<31} " + " ".join(f"{name:>20}" for name in WATCHED))
    for page in pages:
        cells = [" / ".join(f"{page.cpu_ms(kind, name):.1f}" for kind in KINDS) for name in WATCHED]
        print(f"{page.name:<31} " + " ".join(f"{cell:>20}" for cell in cells))
    queue = [page for page in pages if page.name.startswith("queue")]
    worst = max(queue, key=lambda page: page.quantile("web", 0.99))
    verdict = "met" if worst.quantile("web", 0.99) < GOAL_MS else "NOT met"
    print(
        f"\nqueue p99 < {GOAL_MS:.0f} ms: {verdict} (worst: {worst.name}, "
        f"p99 {worst.quantile('web', 0.99):.1f} ms)"
    )
    if any(len(page.latencies["web"]) < 100 for page in pages):
        print(
            "(a page with fewer than 100 requests ran out of its time budget: its p99 is its max)"
        )
    print(f"load average at the end: {psutil.getloadavg()[0]:.1f} on {psutil.cpu_count()} CPUs")
    print(f"reproduce: {command}")


OPTIONS = {
    "--matches": (100_000, "matches to load"),
    "--requests": (200, "requests per page and way"),
    "--budget": (
        210.0,
        "seconds of measuring in all; a page that would overrun its share stops early",
    ),
}


def main() -> int:
    args = parsed_options(__doc__, OPTIONS)
    command = (
        f".venv/bin/python bench/web/bench_console.py --matches {args.matches} "
        f"--requests {args.requests} --budget {args.budget:g}"
    )
    started = time.monotonic()
    with whole_platform(logs_of=("web", "gateway", "matching")) as stack:
        print("loading...", flush=True)
        pages, facts = asyncio.run(
            bench(stack, matches=args.matches, requests=args.requests, budget=args.budget)
        )
    report(pages, facts, command=command)
    print(f"total {time.monotonic() - started:.0f}s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
