"""The matching index at scale: compact postings that stay right through updates, and candidates
chosen by geography and quantity too, so that among near-identical partners the nearest and the
right-sized one is found, as a full scan would."""

from __future__ import annotations

import math
import random
import uuid
from dataclasses import replace

import pytest

from devstack.stack import ROOT
from matching.adapters.reference_files import load_gazetteer
from matching.adapters.units import load_quantities
from matching.domain.analysis import Analyser
from matching.domain.index import MatchIndex
from matching.domain.listing import Listing, Profile
from matching.domain.scoring import Scorer
from tests.matching_listings import housing_need, lift_maker

CITIES = [
    ("Смоленск", "smolensk_oblast", "RU"),
    ("Могилёв", "mogilev_oblast", "BY"),
    ("Минск", "minsk_city", "BY"),
    ("Брест", "brest_oblast", "BY"),
    ("Гомель", "gomel_oblast", "BY"),
    ("Витебск", "vitebsk_oblast", "BY"),
    ("Москва", "moscow_city", "RU"),
    ("Калуга", "kaluga_oblast", "RU"),
    ("Брянск", "bryansk_oblast", "RU"),
]


@pytest.fixture(scope="module")
def scorer(taxonomy):
    return Scorer(
        taxonomy, load_gazetteer(ROOT / "data"), quantities=load_quantities(ROOT / "data")
    )


@pytest.fixture
def index(scorer, lexicon):
    return MatchIndex(scorer, lexicon)


# The story's lift maker moved to Brest, its quantities in pieces and no certificates asked: the
# index is compared on where and how much.
BREST_LIFT_MAKER = dict(
    enterprise_name="Лифтовый завод",
    region="brest_oblast",
    city="Брест",
    legal_id="",
    description="Производим и монтируем пассажирские лифты для жилых домов",
    unit="pcs",
    certifications=(),
)
HOUSING_NEED_IN_PIECES = dict(
    legal_id="",
    title="Замена пассажирских лифтов в многоквартирных домах",
    unit="pcs",
    certifications=(),
)


def lift_offer(**changes) -> Listing:
    return lift_maker(**BREST_LIFT_MAKER | changes)


def lift_need(**changes) -> Listing:
    return housing_need(**HOUSING_NEED_IN_PIECES | changes)


def market(taxonomy, size: int, seed: int = 5) -> list[Listing]:
    """Listings of every sector from its own keywords, in the cities above, with random
    quantities."""
    r = random.Random(seed)
    sectors = list(taxonomy.sectors.values())
    series = [f"серия{n}" for n in range(40)]
    listings = []
    for _ in range(size):
        sector = r.choice(sectors)
        words = sector.keywords.get("ru") or next(iter(sector.keywords.values()))
        city, region, country = r.choice(CITIES)
        code = (
            (r.choice(sector.hs_prefixes) + "".join(str(r.randint(0, 9)) for _ in range(10)))[:10]
            if sector.hs_prefixes
            else ""
        )
        listings.append(
            Listing(
                id=uuid.UUID(int=r.getrandbits(128)),
                side=r.choice(["offer", "need"]),
                enterprise_id=uuid.UUID(int=r.getrandbits(128)),
                enterprise_name="Предприятие",
                country=country,
                region=region,
                city=city,
                title=f"{r.choice(words)} {r.choice(series)}",
                description=f"{r.choice(words)}, {r.choice(words)}",
                sector=sector.id,
                languages=("ru",),
                product_codes=(code,) if code and r.random() < 0.7 else (),
                quantity=float(r.randint(1, 500)),
                unit=r.choice(["pcs", "pcs/year", "t", "kg"]),
                regions=(r.choice(CITIES)[1],) if r.random() < 0.2 else (),
            )
        )
    return listings


def test_the_index_finds_the_same_terms_as_a_profile(taxonomy, lexicon):
    analyser = Analyser(lexicon)
    listings = market(taxonomy, 300) + [
        lift_offer(),
        lift_need(),
        lift_offer(
            title="Ліфты пасажырскія з мантажом", description="Вырабляем ліфты; passenger elevators"
        ),
    ]

    for listing in listings:
        assert analyser.terms(listing) == Profile.of(listing, lexicon).terms, listing.title


def test_among_equal_offers_the_nearest_one_is_found(index):
    far = [
        lift_offer(city=city, region=region, country=country)
        for city, region, country in CITIES
        if city in ("Брест", "Москва", "Калуга", "Брянск")
        for _ in range(50)
    ]
    near = lift_offer(city="Смоленск", region="smolensk_oblast", country="RU")
    index.put_all([*far, near])
    need = lift_need()

    [best] = index.match(need, threshold=0.0, limit=1)

    assert best.listing.id == near.id
    # The rest tie (fifty equal offers in Kaluga): the same scores as the scan's, whichever of them.
    assert [c.score.value for c in index.match(need, threshold=0.0, limit=5)] == [
        c.score.value for c in index.match_by_scan(need, threshold=0.0, limit=5)
    ]


def test_among_equal_offers_the_one_with_enough_capacity_is_found(index):
    index.put_all([lift_offer(quantity=10) for _ in range(200)])
    enough = lift_offer(quantity=2, unit="kpcs")  # 2000 pieces, said in thousands

    index.put(enough)
    [best] = index.match(lift_need(quantity=1500), threshold=0.0, limit=1)

    assert best.listing.id == enough.id
    assert best.score.components[4].value == 1.0


def test_a_far_supplier_that_delivers_to_the_buyers_region_is_found(index):
    index.put_all([lift_offer(city="Гомель", region="gomel_oblast") for _ in range(200)])
    delivering = lift_offer(
        city="Москва", region="moscow_city", country="RU", regions=("smolensk_oblast",)
    )

    index.put(delivering)
    [best] = index.match(lift_need(), threshold=0.0, limit=1)

    assert best.listing.id == delivering.id


def test_removed_and_replaced_listings_leave_their_postings(index):
    first, second = lift_offer(), lift_offer(city="Могилёв", region="mogilev_oblast")
    index.put_all([first, second])
    index.remove(first.id)
    # The freed slot is taken by a listing about something else entirely.
    flax = lift_offer(
        title="Льноволокно длинное",
        description="Производим льноволокно",
        sector="flax",
        product_codes=("5301",),
    )
    index.put(flax)
    # An update: the same offer now says something else, and again.
    index.put(
        replace(
            second,
            title="Мостовые краны",
            description="Производим мостовые краны",
            product_codes=("8426110000",),
            version=2,
        )
    )
    index.put(replace(second, version=3))

    found = [c.listing.id for c in index.match(lift_need(), threshold=0.0, limit=5)]

    assert first.id not in index and index.get(first.id) is None
    assert len(index) == 2 and found == [second.id]
    assert index.get(second.id).listing.version == 3
    assert index.get(flax.id).terms == Profile.of(flax, index.lexicon).terms


def test_a_batch_with_an_update_inside_files_the_last_version(index):
    offer = lift_offer()
    index.put_all(
        [
            offer,
            replace(offer, title="Льноволокно", description="", sector="flax", version=2),
            replace(offer, version=3),
        ]
    )

    [found] = index.match(lift_need(), threshold=0.0, limit=5)

    assert len(index) == 1 and found.listing.version == 3
    assert index.idf("лифт") == pytest.approx(
        math.log(2)
    )  # one listing of one holds the term: counted once, not twice
    assert index.idf("льноволокн") == pytest.approx(
        math.log(3)
    )  # and the replaced version's terms are gone
    assert index.candidates(index.profile(lift_need()))[0].listing.version == 3


def test_on_a_market_the_index_returns_what_a_full_scan_returns(taxonomy, index):
    listings = market(taxonomy, 4000)
    index.put_all(listings[:3000])
    for listing in listings[3000:3500]:  # filed one by one after the build, as the service does
        index.put(listing)
    for listing in listings[:200]:  # and some leave
        index.remove(listing.id)
    queries = [listing for listing in market(taxonomy, 60, seed=9)]

    agreement = []
    for query in queries:
        by_index = {c.listing.id for c in index.match(query, threshold=0.3, limit=5)}
        by_scan = {c.listing.id for c in index.match_by_scan(query, threshold=0.3, limit=5)}
        agreement.append(len(by_index & by_scan) / max(1, len(by_scan)))

    assert sum(agreement) / len(agreement) >= 0.95


def test_the_term_pool_compacts_after_many_removals_and_keeps_every_profile(taxonomy, index):
    listings = market(taxonomy, 600, seed=11)
    index.put_all(listings)
    for listing in listings[::2]:
        index.remove(listing.id)
    kept = listings[1::2]

    index._compact_pool()  # what filing does by itself once removed runs outweigh the live ones
    newcomers = market(taxonomy, 50, seed=12)
    index.put_all(newcomers)

    for listing in kept + newcomers:
        assert index.get(listing.id).terms == Profile.of(listing, index.lexicon).terms
    query = lift_need()
    assert [c.score.value for c in index.match(query, threshold=0.0, limit=5)] == [
        c.score.value for c in index.match_by_scan(query, threshold=0.0, limit=5)
    ]


def needs_and_offers(taxonomy, index) -> list[Listing]:
    """A market filed in bulk, then changed one listing at a time, as the service keeps it; the
    needs to match are its own and some it has never seen."""
    listings = market(taxonomy, 3000, seed=21)
    index.put_all(listings[:2500])
    for listing in listings[2500:]:
        index.put(listing)
    for listing in listings[:100]:
        index.remove(listing.id)
    return index.listings("need") + [
        listing for listing in market(taxonomy, 80, seed=22) if listing.side == "need"
    ]


def found(results) -> list[list[tuple]]:
    return [
        [(c.listing.id, c.listing.version, c.score) for c in candidates] for candidates in results
    ]


@pytest.fixture
def small_rare_index(scorer, lexicon):
    """Rare and common terms as a million listings make them: most terms are added up without
    bringing candidates in, and the sector often has to be taken whole."""
    return MatchIndex(scorer, lexicon, rare_postings=25, rare_share=0.01, common_share=0.1)


def test_a_full_rematch_finds_for_every_need_what_matching_it_alone_finds(
    taxonomy, small_rare_index
):
    index = small_rare_index
    needs = needs_and_offers(taxonomy, index)

    together = index.match_many(needs, threshold=0.3, limit=5)
    one_by_one = [index.match(need, threshold=0.3, limit=5) for need in needs]

    assert found(together) == found(one_by_one)
    assert (
        sum(1 for candidates in together if candidates) > len(needs) / 2
    )  # most needs have partners


def test_a_rematch_after_the_market_changed_sees_the_change(taxonomy, small_rare_index):
    index = small_rare_index
    needs = needs_and_offers(taxonomy, index)[:200]
    index.match_many(needs, threshold=0.3, limit=5)  # builds the sectors' frames
    need = needs[0]
    twin = replace(
        need, id=uuid.uuid4(), side="offer", enterprise_id=uuid.uuid4(), legal_id="", regions=()
    )

    index.put(twin)
    [best, *_] = index.match_many([need], threshold=0.3, limit=5)[0]

    assert best.listing.id == twin.id
    assert found(index.match_many(needs, threshold=0.3, limit=5)) == found(
        [index.match(n, threshold=0.3, limit=5) for n in needs]
    )


def test_a_rematch_shared_out_to_two_worker_processes_finds_the_same(taxonomy, small_rare_index):
    index = small_rare_index
    needs = needs_and_offers(taxonomy, index)[:300]
    try:
        by_workers = index.match_many(needs, threshold=0.3, limit=5, workers=2)
    finally:
        index.close_workers()

    assert found(by_workers) == found([index.match(need, threshold=0.3, limit=5) for need in needs])
