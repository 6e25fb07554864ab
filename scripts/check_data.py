"""Validate the repository's reference and demo data files.

Run from the repository root (or anywhere) with the project's interpreter:

    .venv/bin/python scripts/check_data.py

It checks:

* data/taxonomy/sectors.json -- ``{"version", "sectors": [...]}``; the 13 required sector ids;
  each sector has ``name`` in ru/be/en, OKVED2 codes (``28.22``, ``28.22.6``), OKED codes
  (5 digits), NACE Rev.2 codes (``28.22``), HS prefixes (2-6 digits) and 10-20 keywords for each
  of ru, be and en;
* data/regions.json -- ``{"RU": [...], "BY": [...]}`` with unique ids, names in ru and en,
  at least 40 Russian regions and the regions the product is about;
* data/cities.json -- at least 60 cities, each in a known region of its own country, with
  coordinates inside the country's bounding box; the named Smolensk-region and Belarusian towns;
* data/demo/enterprises.json -- a list of enterprises (the shape devstack/demo.py loads): required
keys,
  legal ids valid by their real check digits (``stdnum.ru.inn``, ``stdnum.ru.ogrn``,
  ``stdnum.by.unp``) and unique, a 10-digit INN paired with a 13-digit OGRN and a 12-digit INN
  with a 15-digit OGRNIP, every sector / region / city reference resolving, e-mail syntax,
  E.164 phones of the enterprise's country, offers and needs well formed, and the minimum counts
  (90 enterprises, 150 offers, 120 needs, 5 enterprises per sector, both countries and all seven
  Belarusian regions present).

Product-code rule: a code is 4 to 10 digits and must START WITH one of the hs_prefixes of the
sector the offer or need is filed under (strict prefix match; a code shorter than a prefix,
e.g. "8433" against prefix "843359", does not match). A goods listing must carry at least one
code; services, technology, investment and joint-venture listings may carry none.

Prints a summary and exits with status 1 if anything is wrong.
"""

from __future__ import annotations

import collections
import datetime as dt
import json
import re
import sys
import typing
from pathlib import Path

try:
    from stdnum.by import unp as by_unp
    from stdnum.ru import inn as ru_inn
    from stdnum.ru import ogrn as ru_ogrn
except ImportError:  # pragma: no cover
    sys.exit(
        "python-stdnum is required: run with the project's virtual environment (.venv/bin/python)"
    )

try:
    from email_validator import EmailNotValidError, validate_email
except ImportError:  # pragma: no cover - fall back to a plain syntax check
    validate_email = None

from registry.domain import enterprise, listing
from registry.entrypoints import schemas

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data"
MAX_BYTES = 1_500_000

REQUIRED_SECTORS = [
    "elevators",
    "flax",
    "agricultural_machinery",
    "municipal_vehicles",
    "electric_transport",
    "machine_tools",
    "mechanical_engineering",
    "construction",
    "water_treatment",
    "energy_nuclear",
    "breeding",
    "food_agriculture",
    "tourism",
]
REQUIRED_RU_REGIONS = [
    "Смоленская область",
    "Москва",
    "Московская область",
    "Брянская область",
    "Псковская область",
    "Калужская область",
    "Тверская область",
    "Санкт-Петербург",
]
REQUIRED_BY_REGIONS = [
    "Витебская область",
    "Могилёвская область",
    "Минская область",
    "Гомельская область",
    "Гродненская область",
    "Брестская область",
    "Минск",
]
REQUIRED_CITIES = {
    "RU": [
        "Смоленск",
        "Вязьма",
        "Рославль",
        "Ярцево",
        "Сафоново",
        "Десногорск",
        "Гагарин",
        "Дорогобуж",
        "Рудня",
        "Велиж",
        "Демидов",
        "Починок",
        "Ельня",
    ],
    "BY": [
        "Минск",
        "Витебск",
        "Орша",
        "Полоцк",
        "Новополоцк",
        "Могилёв",
        "Бобруйск",
        "Гомель",
        "Гродно",
        "Брест",
        "Борисов",
        "Жодино",
        "Лида",
        "Барановичи",
        "Пинск",
        "Мозырь",
        "Жлобин",
        "Кричев",
        "Горки",
    ],
}
BOUNDS = {"RU": (41.0, 82.0, 19.0, 180.0), "BY": (51.2, 56.2, 23.1, 32.8)}
PHONE_RULES = {"RU": re.compile(r"^\+7[3-9]\d{9}$"), "BY": re.compile(r"^\+375\d{9}$")}

# The registry's own rules for what an enterprise and a listing carry (the legal ids are checked
# by country below; offers and needs are how the demo file nests listings).
LEGAL_IDS = {"inn", "ogrn", "unp"}
ENTERPRISE_KEYS = [*sorted(enterprise.CHANGEABLE - LEGAL_IDS), "offers", "needs"]
LISTING_KEYS = sorted(listing.CHANGEABLE - {"status"})
KINDS = {kind.value for kind in listing.ListingKind}
SIZES = set(typing.get_args(schemas.Size))
LANGS = set(typing.get_args(schemas.Language))

MIN_ENTERPRISES, MIN_OFFERS, MIN_NEEDS, MIN_PER_SECTOR = 90, 150, 120, 5
MIN_RU_REGIONS, MIN_CITIES = 40, 60

OKVED_RE = re.compile(r"^\d{2}(\.\d{1,2}(\.\d{1,2})?)?$")
OKED_RE = re.compile(r"^\d{5}$")
NACE_RE = re.compile(r"^\d{2}(\.\d{1,2})?$")
HS_PREFIX_RE = re.compile(r"^\d{2,6}$")
CODE_RE = re.compile(r"^\d{4,10}$")
EMAIL_RE = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")

problems: list[str] = []


def problem(where: str, message: str) -> None:
    problems.append(f"{where}: {message}")


def load(relative: str):
    path = DATA / relative
    if not path.exists():
        problem(relative, "file is missing")
        return None
    size = path.stat().st_size
    if size > MAX_BYTES:
        problem(relative, f"{size} bytes, more than {MAX_BYTES}")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        problem(relative, f"does not parse as UTF-8 JSON: {error}")
        return None


def missing_keys(where: str, obj, keys) -> bool:
    if not isinstance(obj, dict):
        problem(where, "is not an object")
        return True
    absent = [k for k in keys if k not in obj]
    if absent:
        problem(where, f"missing keys {absent}")
    return bool(absent)


def nonempty_str(value) -> bool:
    return isinstance(value, str) and value.strip() != ""


# ---------------------------------------------------------------- taxonomy
def check_taxonomy(doc) -> dict:
    sectors: dict[str, dict] = {}
    if doc is None or missing_keys("sectors.json", doc, ["version", "sectors"]):
        return sectors
    if not nonempty_str(doc["version"]):
        problem("sectors.json", "version must be a non-empty string")
    for i, s in enumerate(doc["sectors"]):
        where = f"sectors.json sector[{i}]"
        if missing_keys(
            where, s, ["id", "name", "okved2", "oked", "nace", "hs_prefixes", "keywords"]
        ):
            continue
        sid = s["id"]
        where = f"sectors.json {sid}"
        if not re.fullmatch(r"[a-z][a-z0-9_]*", str(sid)):
            problem(where, "id is not snake_case")
        if sid in sectors:
            problem(where, "duplicate id")
        sectors[sid] = s
        for lang in ("ru", "be", "en"):
            if not nonempty_str(s["name"].get(lang) if isinstance(s["name"], dict) else None):
                problem(where, f"name.{lang} missing")
        for field, rx in (
            ("okved2", OKVED_RE),
            ("oked", OKED_RE),
            ("nace", NACE_RE),
            ("hs_prefixes", HS_PREFIX_RE),
        ):
            values = s[field]
            if not isinstance(values, list) or not values:
                problem(where, f"{field} must be a non-empty list")
                continue
            bad = [v for v in values if not isinstance(v, str) or not rx.match(v)]
            if bad:
                problem(where, f"{field} has malformed codes {bad}")
            if len(set(values)) != len(values):
                problem(where, f"{field} has duplicates")
        for lang in ("ru", "be", "en"):
            words = s["keywords"].get(lang) if isinstance(s["keywords"], dict) else None
            if not isinstance(words, list) or not 10 <= len(words) <= 20:
                problem(where, f"keywords.{lang} must list 10-20 keywords")
                continue
            if any(not nonempty_str(w) for w in words) or len({w.lower() for w in words}) != len(
                words
            ):
                problem(where, f"keywords.{lang} has empty or duplicate entries")
    for sid in REQUIRED_SECTORS:
        if sid not in sectors:
            problem("sectors.json", f"required sector {sid!r} missing")
    return sectors


# ---------------------------------------------------------------- regions and cities
def check_regions(doc) -> dict[str, str]:
    """Returns region id -> country."""
    regions: dict[str, str] = {}
    if doc is None or missing_keys("regions.json", doc, ["RU", "BY"]):
        return regions
    for country in ("RU", "BY"):
        names = set()
        for i, r in enumerate(doc[country]):
            where = f"regions.json {country}[{i}]"
            if missing_keys(where, r, ["id", "name"]):
                continue
            if not re.fullmatch(r"[a-z][a-z0-9_]*", str(r["id"])):
                problem(where, f"id {r['id']!r} is not snake_case")
            if r["id"] in regions:
                problem(where, f"duplicate region id {r['id']!r}")
            regions[r["id"]] = country
            for lang in ("ru", "en"):
                if not nonempty_str(r["name"].get(lang) if isinstance(r["name"], dict) else None):
                    problem(where, f"name.{lang} missing")
            names.add(r["name"].get("ru") if isinstance(r["name"], dict) else None)
        required = REQUIRED_RU_REGIONS if country == "RU" else REQUIRED_BY_REGIONS
        for name in required:
            if name not in names:
                problem("regions.json", f"{country} region {name!r} missing")
    ru_count = sum(1 for c in regions.values() if c == "RU")
    if ru_count < MIN_RU_REGIONS:
        problem("regions.json", f"only {ru_count} Russian regions, need {MIN_RU_REGIONS}")
    return regions


def check_cities(doc, regions: dict[str, str]) -> dict[tuple[str, str], dict]:
    cities: dict[tuple[str, str], dict] = {}
    if doc is None:
        return cities
    if not isinstance(doc, list):
        problem("cities.json", "must be a list")
        return cities
    for i, c in enumerate(doc):
        where = f"cities.json [{i}]"
        if missing_keys(where, c, ["name", "name_en", "country", "region_id", "lat", "lon"]):
            continue
        where = f"cities.json {c['name']}"
        key = (c["country"], c["name"])
        if key in cities:
            problem(where, "duplicate city")
        cities[key] = c
        if c["country"] not in BOUNDS:
            problem(where, f"unknown country {c['country']!r}")
            continue
        if regions.get(c["region_id"]) != c["country"]:
            problem(where, f"region_id {c['region_id']!r} is not a region of {c['country']}")
        if not nonempty_str(c["name_en"]):
            problem(where, "name_en missing")
        lat, lon = c["lat"], c["lon"]
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (lat, lon)):
            problem(where, "lat/lon must be numbers")
            continue
        lat_min, lat_max, lon_min, lon_max = BOUNDS[c["country"]]
        if not (lat_min <= lat <= lat_max and lon_min <= lon <= lon_max):
            problem(where, f"coordinates {lat}, {lon} outside {c['country']}")
    if len(cities) < MIN_CITIES:
        problem("cities.json", f"only {len(cities)} cities, need {MIN_CITIES}")
    for country, names in REQUIRED_CITIES.items():
        for name in names:
            if (country, name) not in cities:
                problem("cities.json", f"required city {name!r} ({country}) missing")
    return cities


# ---------------------------------------------------------------- enterprises
def check_email(where: str, email) -> None:
    if not isinstance(email, str):
        problem(where, "email must be a string")
        return
    if validate_email is not None:
        try:
            validate_email(email, check_deliverability=False)
        except EmailNotValidError as error:
            problem(where, f"email {email!r} is not valid: {error}")
    elif not EMAIL_RE.match(email):
        problem(where, f"email {email!r} is not valid")


def check_legal_ids(where: str, e: dict, seen: dict[str, set]) -> None:
    def unique(kind: str, value: str) -> None:
        if value in seen[kind]:
            problem(where, f"duplicate {kind} {value}")
        seen[kind].add(value)

    if e["country"] == "RU":
        inn, ogrn = e.get("inn"), e.get("ogrn")
        if "unp" in e:
            problem(where, "a Russian enterprise has no UNP")
        if not isinstance(inn, str) or not ru_inn.is_valid(inn) or ru_inn.compact(inn) != inn:
            problem(where, f"INN {inn!r} fails stdnum.ru.inn")
        else:
            unique("inn", inn)
        if not isinstance(ogrn, str) or not ru_ogrn.is_valid(ogrn) or ru_ogrn.compact(ogrn) != ogrn:
            problem(where, f"OGRN {ogrn!r} fails stdnum.ru.ogrn")
        else:
            unique("ogrn", ogrn)
        if isinstance(inn, str) and isinstance(ogrn, str):
            if (len(inn), len(ogrn)) not in ((10, 13), (12, 15)):
                problem(
                    where,
                    f"INN of {len(inn)} digits does not go with an OGRN of {len(ogrn)} digits",
                )
            elif inn[:2] != ogrn[3:5]:
                problem(where, f"INN region {inn[:2]} differs from OGRN region {ogrn[3:5]}")
    else:
        unp = e.get("unp")
        if "inn" in e or "ogrn" in e:
            problem(where, "a Belarusian enterprise has no INN or OGRN")
        if not isinstance(unp, str) or not by_unp.is_valid(unp) or by_unp.compact(unp) != unp:
            problem(where, f"UNP {unp!r} fails stdnum.by.unp")
        else:
            unique("unp", unp)


def check_listing(where: str, item: dict, sectors: dict, regions: dict) -> None:
    if missing_keys(where, item, LISTING_KEYS):
        return
    if item["kind"] not in KINDS:
        problem(where, f"kind {item['kind']!r} unknown")
    for field in ("title", "description"):
        if not nonempty_str(item[field]):
            problem(where, f"{field} empty")
    if isinstance(item["title"], str) and len(item["title"]) > 300:
        problem(where, "title longer than 300 characters")
    sector = sectors.get(item["sector"])
    if sector is None:
        problem(where, f"sector {item['sector']!r} unknown")
    codes = item["product_codes"]
    if not isinstance(codes, list):
        problem(where, "product_codes must be a list")
        codes = []
    if item["kind"] == "goods" and not codes:
        problem(where, "a goods listing needs at least one product code")
    for code in codes:
        if not isinstance(code, str) or not CODE_RE.match(code):
            problem(where, f"product code {code!r} is not 4-10 digits")
        elif sector is not None and not any(code.startswith(p) for p in sector["hs_prefixes"]):
            problem(
                where, f"product code {code} does not start with any hs_prefix of {item['sector']}"
            )
    qty, unit = item["quantity"], item["unit"]
    if qty is not None and (isinstance(qty, bool) or not isinstance(qty, (int, float)) or qty <= 0):
        problem(where, f"quantity {qty!r} must be a positive number or null")
    if unit is not None and not nonempty_str(unit):
        problem(where, "unit must be a non-empty string or null")
    if qty is not None and unit is None:
        problem(where, "a quantity needs a unit")
    if not isinstance(item["regions"], list) or not item["regions"]:
        problem(where, "regions must be a non-empty list")
    else:
        for r in item["regions"]:
            if r not in regions:
                problem(where, f"region {r!r} unknown")
    if not isinstance(item["certifications"], list) or any(
        not nonempty_str(c) for c in item["certifications"]
    ):
        problem(where, "certifications must be a list of strings")
    try:
        until = dt.date.fromisoformat(item["valid_until"])
        if until.year != 2027:
            problem(where, f"valid_until {until} is not in 2027")
    except (TypeError, ValueError):
        problem(where, f"valid_until {item['valid_until']!r} is not an ISO date")


def check_enterprises(doc, sectors: dict, regions: dict, cities: dict) -> dict:
    stats: dict = collections.defaultdict(collections.Counter)
    if doc is None:
        return stats
    if not isinstance(doc, list):
        problem("enterprises.json", "must be a list of enterprises")
        return stats
    seen: dict[str, set] = collections.defaultdict(set)
    for i, e in enumerate(doc):
        where = f"enterprise[{i}]"
        if missing_keys(where, e, ENTERPRISE_KEYS):
            continue
        where = f"enterprise[{i}] {e['name']}"
        if e["name"] in seen["name"]:
            problem(where, "duplicate name")
        seen["name"].add(e["name"])
        country = e["country"]
        if country not in ("RU", "BY"):
            problem(where, f"country {country!r} unknown")
            continue
        stats["country"][country] += 1
        if regions.get(e["region"]) != country:
            problem(where, f"region {e['region']!r} is not a region of {country}")
        stats["region"][e["region"]] += 1
        city = cities.get((country, e["city"]))
        if city is None:
            problem(where, f"city {e['city']!r} not in cities.json for {country}")
        elif city["region_id"] != e["region"]:
            problem(where, f"city {e['city']!r} lies in {city['region_id']}, not {e['region']}")
        check_legal_ids(where, e, seen)
        if not isinstance(e["sectors"], list) or not 1 <= len(e["sectors"]) <= 2:
            problem(where, "sectors must list 1-2 sector ids")
        else:
            for s in e["sectors"]:
                if s not in sectors:
                    problem(where, f"sector {s!r} unknown")
                stats["sector"][s] += 1
        if not nonempty_str(e["description"]):
            problem(where, "description empty")
        if (
            not isinstance(e["languages"], list)
            or not e["languages"]
            or not set(e["languages"]) <= LANGS
        ):
            problem(
                where, f"languages {e['languages']!r} must be a non-empty subset of {sorted(LANGS)}"
            )
        if e["size"] not in SIZES:
            problem(where, f"size {e['size']!r} unknown")
        if not isinstance(e["certifications"], list) or any(
            not nonempty_str(c) for c in e["certifications"]
        ):
            problem(where, "certifications must be a list of strings")
        if not nonempty_str(e["contact_person"]):
            problem(where, "contact_person empty")
        check_email(where, e["email"])
        if e["email"] in seen["email"]:
            problem(where, f"duplicate email {e['email']}")
        seen["email"].add(e["email"])
        if not isinstance(e["phone"], str) or not PHONE_RULES[country].match(e["phone"]):
            problem(where, f"phone {e['phone']!r} is not an E.164 number of {country}")
        if e["personal_data_consent"] is not True:
            problem(where, "personal_data_consent must be true")
        if not isinstance(e["offers"], list) or not isinstance(e["needs"], list):
            problem(where, "offers and needs must be lists")
            continue
        if not e["offers"] and not e["needs"]:
            problem(where, "has neither offers nor needs")
        for side in ("offers", "needs"):
            for j, item in enumerate(e[side]):
                check_listing(f"{where} {side}[{j}]", item, sectors, regions)
                stats[side]["total"] += 1
                stats[f"{side}_kind"][item.get("kind")] += 1
                stats[f"{side}_sector"][item.get("sector")] += 1
    return stats


def main() -> int:
    taxonomy = load("taxonomy/sectors.json")
    regions_doc = load("regions.json")
    cities_doc = load("cities.json")
    enterprises_doc = load("demo/enterprises.json")

    sectors = check_taxonomy(taxonomy)
    regions = check_regions(regions_doc)
    cities = check_cities(cities_doc, regions)
    stats = check_enterprises(enterprises_doc, sectors, regions, cities)

    n_ent = sum(stats["country"].values())
    n_off, n_need = stats["offers"]["total"], stats["needs"]["total"]
    if n_ent < MIN_ENTERPRISES:
        problem("enterprises.json", f"only {n_ent} enterprises, need {MIN_ENTERPRISES}")
    if n_off < MIN_OFFERS:
        problem("enterprises.json", f"only {n_off} offers, need {MIN_OFFERS}")
    if n_need < MIN_NEEDS:
        problem("enterprises.json", f"only {n_need} needs, need {MIN_NEEDS}")
    for country in ("RU", "BY"):
        if n_ent and stats["country"][country] < 0.35 * n_ent:
            problem(
                "enterprises.json",
                f"{country} has only {stats['country'][country]} of {n_ent} enterprises",
            )
    for region, country in regions.items():
        if country == "BY" and stats["region"][region] == 0:
            problem("enterprises.json", f"no enterprise in Belarusian region {region}")
    for sid in sectors:
        if stats["sector"][sid] < MIN_PER_SECTOR:
            problem(
                "enterprises.json",
                f"sector {sid} has {stats['sector'][sid]} enterprises, need {MIN_PER_SECTOR}",
            )

    ru_regions = sum(1 for c in regions.values() if c == "RU")
    print(
        f"taxonomy  version {taxonomy.get('version') if isinstance(taxonomy, dict) else '?'}: "
        f"{len(sectors)} sectors"
    )
    print(f"regions   RU {ru_regions}, BY {len(regions) - ru_regions}")
    print(
        f"cities    {len(cities)} (RU {sum(1 for k in cities if k[0] == 'RU')}, BY "
        f"{sum(1 for k in cities if k[0] == 'BY')})"
    )
    print(
        f"demo      {n_ent} enterprises (RU {stats['country']['RU']}, BY "
        f"{stats['country']['BY']}), "
        f"{n_off} offers, {n_need} needs"
    )
    print(
        "          enterprises per sector: "
        + ", ".join(f"{s} {stats['sector'][s]}" for s in sectors)
    )
    print(
        "          offers by kind: "
        + ", ".join(f"{k} {v}" for k, v in sorted(stats["offers_kind"].items()))
    )
    print(
        "          needs by kind:  "
        + ", ".join(f"{k} {v}" for k, v in sorted(stats["needs_kind"].items()))
    )
    if problems:
        print(f"\n{len(problems)} problem(s):")
        for p in problems:
            print("  - " + p)
        return 1
    print("\nOK: all data files are valid")
    return 0


if __name__ == "__main__":
    sys.exit(main())
