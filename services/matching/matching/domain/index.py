"""An index of active listings, so that one new listing is scored against a few dozen likely
partners instead of every listing on the other side, in compact arrays (about 300 bytes a listing).

Each listing is filed under its terms (interned as integer ids), its sector, its product-code
headings (4 and 6 digits) and the regions it delivers to; a posting is an `array('i')` of slots.
Per slot, numpy columns keep what the scorer compares besides the text: sector, first product
code, place, country, region, quantity and unit, languages, and the norm of the term weights.

A new listing's candidates are the listings on the other side that share a term, the sector, a
code heading or a delivery region with it (terms held by a large share of the other side are not
visited). The candidate block is ranked at once by an estimate of the scorer built from the same
components (text cosine from the postings, sector, code prefix, distance with the cross-border
bonus and delivery regions, quantity coverage through the scorer's units, languages), and the best
`candidate_limit` of them are scored by the Scorer itself: every score returned is the Scorer's.

A full re-match (`match_many`) finds the same candidates faster: per sector, the other side's
listings form a frame (their records gathered once, each posting split into its part in the
frame and its part outside), so a need's terms are added up and its candidates marked in arrays
the size of its sector instead of the size of the index, with the same float32 additions in the
same order; the candidates from outside the sector get their shared text from the rare terms' own
parts and a bitset per commoner term. Batches can be shared out to forked worker processes.
"""

from __future__ import annotations

import gc
import heapq
import math
import multiprocessing
import struct
import uuid
from array import array
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from matching.domain.analysis import Analyser, codes_of
from matching.domain.geography import EARTH_RADIUS_KM
from matching.domain.listing import Listing, Profile
from matching.domain.scoring import NEUTRAL, Component, Reason, Score, Scorer, TermWeights

_SIDES = {"offer": 0, "need": 1}
_SECTOR, _HEADING, _SUBHEADING, _REGION = "s", "h", "u", "r"
_CROSS_BORDER = frozenset({"RU", "BY"})
_NO_CODE = -1
# A slot's record: quantity, norm of its term weights, the prefixes of its first product code (2, 4,
# 6 and 8 digits, -1 when it has none), sector, (place, country) pair, region, unit, side (0 offer,
# 1 need, -1 a free slot).
_RECORD = struct.Struct("<ddiiiiiiiib3x")
_RECORD_DTYPE = np.dtype(
    {
        "names": [
            "quantity",
            "norm",
            "chapter",
            "heading",
            "subheading",
            "line",
            "sector",
            "geo",
            "region",
            "unit",
            "side",
        ],
        "formats": ["<f8", "<f8", "<i4", "<i4", "<i4", "<i4", "<i4", "<i4", "<i4", "<i4", "i1"],
        "offsets": [0, 8, 16, 20, 24, 28, 32, 36, 40, 44, 48],
        "itemsize": _RECORD.size,
    }
)
_VOID = np.dtype(
    (np.void, _RECORD.size)
)  # gathering raw records is much faster than structured ones
_SIDE_OFFSET, _SIDE_FIELD = 48, struct.Struct("<b")
_PREFIXES = (
    2,
    4,
    6,
    8,
)  # a shared chapter is worth 0.2, a heading 0.65, a subheading 0.85, eight digits 1.0


@dataclass(frozen=True)
class _Frame:
    """The listings of one side in one sector, for matching many listings of that sector: their
    slots (ascending), their records gathered once, and each posting visited so far split into its
    positions in the frame and (for postings that bring candidates in) its slots outside it."""

    sector: int
    slots: np.ndarray
    records: np.ndarray
    postings: dict
    columns: dict  # a field of the records as a contiguous array, made when first asked for

    def column(self, field: str) -> np.ndarray:
        found = self.columns.get(field)
        if found is None:
            found = self.columns[field] = np.ascontiguousarray(
                self.records.view(_RECORD_DTYPE)[field]
            )
        return found


class _Rows:
    """A block's records field by field, as `_estimate` reads them: the frame's part from the
    frame's contiguous columns, then the records of the slots outside the frame."""

    def __init__(self, frame: _Frame, local: np.ndarray | None, beyond: np.ndarray | None) -> None:
        self.frame, self.local, self.beyond = frame, local, beyond
        self.fields: dict[str, np.ndarray] = {}

    def __getitem__(self, field: str) -> np.ndarray:
        found = self.fields.get(field)
        if found is None:
            found = self.frame.column(field)
            if self.local is not None:
                found = found[self.local]
            if self.beyond is not None:
                found = np.concatenate([found, self.beyond[field]])
            self.fields[field] = found
        return found


@dataclass(frozen=True)
class Candidate:
    profile: Profile
    score: Score

    @property
    def listing(self) -> Listing:
        return self.profile.listing


def _view(column: array, dtype) -> np.ndarray:
    """A numpy view of a column, for one query only: the column cannot grow while a view exists."""
    return np.frombuffer(column, dtype=dtype)


def _drop(posting: array, slot: int) -> None:
    """Removes a slot from a posting (found by numpy in a long one: array.remove compares object by
    object)."""
    if len(posting) < 512:
        posting.remove(slot)
        return
    found = np.flatnonzero(np.frombuffer(posting, dtype=np.int32) == slot)
    if len(found):
        del posting[int(found[0])]


_forked: MatchIndex | None = None  # the index a worker of match_many was forked with


def _match_part(arguments: tuple) -> list[list[tuple[int, Score]]]:
    listings, threshold, limit = arguments
    slot_of = _forked._slot_of
    return [
        [(slot_of[c.listing.id], _plain(c.score)) for c in found]
        for found in _forked.match_many(listings, threshold=threshold, limit=limit)
    ]


def _plain(score: Score) -> tuple:
    """A score as plain tuples: pickled and read back several times faster than the dataclasses."""
    return (
        score.value,
        tuple((c.name, c.value, c.weight) for c in score.components),
        tuple((r.ru, r.en, r.be) for r in score.reasons),
    )


def _score_of(plain: tuple) -> Score:
    value, components, reasons = plain
    return Score(
        value, tuple(Component(*c) for c in components), tuple(Reason(*r) for r in reasons)
    )


def _distinct(parts: list[np.ndarray]) -> np.ndarray:
    """The distinct slots of a few sorted arrays, ascending."""
    if not parts:
        return np.zeros(0, dtype=np.int64)
    joined = np.concatenate(parts)
    joined.sort()
    keep = np.empty(len(joined), dtype=np.bool_)
    keep[:1] = True
    np.not_equal(joined[1:], joined[:-1], out=keep[1:])
    return joined[keep]


def _put(column: array, slot: int, value) -> None:
    if slot == len(column):
        column.append(value)
    else:
        column[slot] = value


def _code_prefixes(code: str | None) -> tuple[int, int, int, int]:
    """A product code's chapter, heading, subheading and 8-digit line as numbers, for comparing
    prefixes in bulk (-1 where the code is shorter, or not digits)."""
    if not code:
        return (_NO_CODE,) * 4
    return tuple(
        int(code[:n]) if len(code) >= n and code[:n].isdigit() else _NO_CODE for n in _PREFIXES
    )


def _unit_key(unit: str | None) -> str:
    return (unit or "").strip().lower().rstrip(".")


class MatchIndex:
    def __init__(
        self,
        scorer: Scorer,
        lexicon,
        *,
        candidate_limit: int = 15,
        common_share: float = 0.2,
        rare_share: float = 0.02,
        rare_postings: int = 1000,
    ) -> None:
        self.scorer = scorer
        self.lexicon = lexicon
        self.candidate_limit = candidate_limit  # candidates scored by the Scorer per match
        self.common_share = common_share  # a term held by more of the other side is not visited
        # The listings of a term held by at most this share (or this many) of the other side are
        # candidates; those of commoner terms only when the sector, a code heading or a region
        # brings them.
        self.rare_share, self.rare_postings = rare_share, rare_postings
        self._analyser = Analyser(lexicon)
        self._slot_of: dict[uuid.UUID, int] = {}
        self._by_slot: list[Listing | None] = []
        self._free_slots: list[int] = []
        self._side_count = [0, 0]
        # Terms as integer ids; their document frequency and weight by id.
        self._term_id: dict[str, int] = {}
        self._terms: list[str] = []
        self._frequency = array("q")
        # Each slot's term ids are a run in one pool.
        self._pool = array("i")
        self._pool_live = 0
        self._term_start = array("q")
        self._term_count = array("i")
        self._postings: tuple[dict, dict] = ({}, {})
        self._names: dict[
            tuple[str, str], int
        ] = {}  # sectors, countries, regions, units -> small ids
        # One column per fact the scorer compares, addressed by slot (numpy views at query time).
        # One fixed-size record per slot (_RECORD): a candidate block is gathered in one pass.
        self._records = bytearray()
        self._pending: set[int] = (
            set()
        )  # slots filed in a batch whose terms are not in the postings yet
        self._geo_ids: dict[
            tuple[int, str], int
        ] = {}  # (id of the gazetteer's place or 0, country) -> index
        self._geo_places: list[tuple[float, float] | None] = []
        self._geo_countries: list[str] = []
        self._geo_arrays: tuple | None = None
        self._unit_ids: dict[str, int] = {"": 0}
        self._factors: dict[tuple[str, str], float | None] = {}
        self._accumulator = np.zeros(1024, dtype=np.float32)  # float32: half the memory traffic
        self._marks = np.zeros(1024, dtype=np.bool_)
        self._weights = TermWeights(self._idf)
        self._weights_size = 0
        self._weights_generation = 0
        self._norms_generation = -1  # the weights' generation the norms were computed with
        self._version = (
            0  # counts the changes of slots, records and postings: frames are valid for one version
        )
        self._frames: dict[tuple[int, int], _Frame] = {}
        self._frames_key: tuple[int, int] | None = None
        self._bitsets: dict[
            tuple[int, int], np.ndarray
        ] = {}  # (side, term id) -> its posting, one bit per slot
        self._workers_pool = None  # forked workers of match_many
        self._workers_key: tuple | None = None
        self._slot_sector: np.ndarray | None = None
        self._slot_position: np.ndarray | None = None

    # -- what the service asks -------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._slot_of)

    def __contains__(self, listing_id: uuid.UUID) -> bool:
        return listing_id in self._slot_of

    def get(self, listing_id: uuid.UUID) -> Profile | None:
        slot = self._slot_of.get(listing_id)
        return None if slot is None else self._profile_at(slot)

    def listings(self, side: str | None = None) -> list[Listing]:
        return [
            listing
            for listing in self._by_slot
            if listing is not None and (side is None or listing.side == side)
        ]

    def profile(self, listing: Listing) -> Profile:
        return Profile.of(listing, self.lexicon)

    def put(self, listing: Listing) -> Profile:
        """Files an active listing (replacing its older version); a closed one is only removed."""
        self.remove(listing.id)
        terms = self._analyser.terms(listing)
        profile = Profile(listing, terms, codes_of(listing.product_codes))
        if listing.is_active:
            self._file(listing, terms, profile.codes)
        return profile

    def put_all(self, listings: Iterable[Listing]) -> None:
        """Files many listings; the garbage collector waits meanwhile (filing makes no cycles, and
        collections walking a growing heap would make the build quadratic)."""
        collecting = gc.isenabled()
        gc.disable()
        try:
            for listing in listings:
                self.remove(listing.id)
                if listing.is_active:
                    self._file(
                        listing,
                        self._analyser.terms(listing),
                        codes_of(listing.product_codes),
                        batch=True,
                    )
            self._file_batch()
        finally:
            if collecting:
                gc.enable()

    def remove(self, listing_id: uuid.UUID) -> None:
        self._weights.forget(listing_id)
        slot = self._slot_of.pop(listing_id, None)
        if slot is None:
            return
        self._version += 1
        listing = self._by_slot[slot]
        side = _SIDES[listing.side]
        postings = self._postings[side]
        start, count = self._term_start[slot], self._term_count[slot]
        filed = slot not in self._pending  # else its terms are not in the postings yet
        self._pending.discard(slot)
        term_ids = self._pool[start : start + count] if filed else ()
        for key in self._keys(term_ids, listing, codes_of(listing.product_codes)):
            posting = postings.get(key)
            if posting is not None:
                _drop(posting, slot)
                if not posting:
                    del postings[key]
        frequency = self._frequency
        for term_id in term_ids:
            frequency[term_id] -= 1
        self._pool_live -= count
        self._by_slot[slot] = None
        _SIDE_FIELD.pack_into(self._records, slot * _RECORD.size + _SIDE_OFFSET, -1)
        self._side_count[side] -= 1
        self._free_slots.append(slot)

    def idf(self, term: str) -> float:
        return self._idf(term)

    @property
    def weights(self) -> TermWeights:
        """Cached weights, dropped when the index has grown or shrunk by 2 % (an idf then moves by
        about 1 % at most)."""
        size = len(self._slot_of)
        if abs(size - self._weights_size) > 0.02 * self._weights_size:
            self._weights.clear()
            self._weights_size = size
            self._weights_generation += 1
        return self._weights

    def candidates(self, profile: Profile, *, count: int | None = None) -> list[Profile]:
        """The likeliest partners on the other side, best first (`candidate_limit` unless told)."""
        return [
            self._profile_at(slot)
            for slot in self._ranked_slots(profile, count or self.candidate_limit)
        ]

    def match(self, listing: Listing, *, threshold: float, limit: int) -> list[Candidate]:
        profile = self.profile(listing)
        candidates = self.candidates(profile, count=max(self.candidate_limit, 3 * limit))
        return self._best(profile, candidates, threshold=threshold, limit=limit)

    def match_many(
        self, listings: Iterable[Listing], *, threshold: float, limit: int, workers: int = 1
    ) -> list[list[Candidate]]:
        """`[self.match(listing) for listing in listings]`, the same candidates and scores, faster
        for many listings (a full re-match): the other side's listings of each sector are gathered
        once into a frame (kept until the index changes), so a listing's terms are added up, its
        candidates marked and their records gathered within its sector's frame instead of across
        every slot; candidates from outside the sector are handled one by one, as few as they are.

        `workers` > 1: the listings are shared out to this process and `workers - 1` forked ones,
        which see the index as it was when they were forked (they are forked again once it has
        changed; `close_workers` ends them)."""
        listings = list(listings)
        if (
            workers > 1
            and len(listings) >= 2 * workers
            and "fork" in multiprocessing.get_all_start_methods()
        ):
            pool = self._workers(workers - 1)
            share = -(-len(listings) // workers)
            shares = [listings[i : i + share] for i in range(0, len(listings), share)]
            waiting = pool.map_async(_match_part, [(part, threshold, limit) for part in shares[1:]])
            mine = self.match_many(shares[0], threshold=threshold, limit=limit)
            # A worker sends slots and scores back, the same profiles are found here (far less to
            # pickle).
            return mine + [
                [Candidate(self._profile_at(slot), _score_of(score)) for slot, score in found]
                for part in waiting.get()
                for found in part
            ]
        wanted = max(self.candidate_limit, 3 * limit)
        found = []
        for listing in listings:
            profile = self.profile(listing)
            candidates = [
                self._profile_at(slot) for slot in self._ranked_slots(profile, wanted, frames=True)
            ]
            found.append(self._best(profile, candidates, threshold=threshold, limit=limit))
        return found

    def _workers(self, workers: int):
        weights = self.weights
        self._refresh_norms(weights)  # once, before forking
        key = (self._version, self._norms_generation, workers)
        if self._workers_pool is None or self._workers_key != key:
            self.close_workers()
            global _forked
            _forked = self
            gc.freeze()  # the workers' collections leave the index's pages shared with this process
            self._workers_pool = multiprocessing.get_context("fork").Pool(workers)
            self._workers_key = key
        return self._workers_pool

    def close_workers(self) -> None:
        if self._workers_pool is not None:
            self._workers_pool.terminate()
            self._workers_pool.join()
            self._workers_pool = self._workers_key = None

    def match_by_scan(self, listing: Listing, *, threshold: float, limit: int) -> list[Candidate]:
        """Scores every listing on the other side: the reference the index is measured against."""
        profile = self.profile(listing)
        side = listing.other_side
        others = (
            self._profile_at(slot)
            for slot, other in enumerate(self._by_slot)
            if other is not None and other.side == side
        )
        return self._best(profile, others, threshold=threshold, limit=limit)

    # -- filing ----------------------------------------------------------------------------------

    def _name(self, kind: str, name: str) -> int:
        key = (kind, name)
        found = self._names.get(key)
        if found is None:
            found = self._names[key] = len(self._names) + 1
        return found

    def _term(self, term: str) -> int:
        found = self._term_id.get(term)
        if found is None:
            found = self._term_id[term] = len(self._terms)
            self._terms.append(term)
            self._frequency.append(0)
        return found

    def _geo_of(self, listing: Listing) -> int:
        place = self.scorer.places.locate(listing.city, listing.region)
        key = (0 if place is None else id(place), listing.country)
        found = self._geo_ids.get(key)
        if found is None:
            found = self._geo_ids[key] = len(self._geo_places)
            self._geo_places.append(
                None if place is None else (math.radians(place.lat), math.radians(place.lon))
            )
            self._geo_countries.append(listing.country)
            self._geo_arrays = None
        return found

    def _unit_of(self, listing: Listing) -> int:
        if not listing.quantity:
            return 0
        unit = self._unit_name(listing.unit)
        found = self._unit_ids.get(unit)
        if found is None:
            found = self._unit_ids[unit] = len(self._unit_ids)
        return found

    def _keys(self, term_ids: Iterable[int], listing: Listing, codes: tuple[str, ...]) -> list:
        keys: list = list(term_ids)
        keys.append((_SECTOR, listing.sector))
        for code in codes:
            if len(code) >= 4:
                keys.append((_HEADING, code[:4]))
            if len(code) >= 6:
                keys.append((_SUBHEADING, code[:6]))
        keys.extend((_REGION, region) for region in listing.regions)
        return keys if len(codes) < 2 and len(listing.regions) < 2 else list(dict.fromkeys(keys))

    def _file(
        self,
        listing: Listing,
        terms: frozenset[str],
        codes: tuple[str, ...],
        *,
        batch: bool = False,
    ) -> None:
        """Files one listing; in a batch its terms reach the postings (and the frequencies) at the
        batch's end, all at once (`_file_batch`)."""
        self._version += 1
        slot = self._free_slots.pop() if self._free_slots else len(self._by_slot)
        if slot == len(self._by_slot):
            self._by_slot.append(listing)
        else:
            self._by_slot[slot] = listing
        self._slot_of[listing.id] = slot
        side = _SIDES[listing.side]
        self._side_count[side] += 1
        known = self._term_id.get
        ids = [known(term) for term in terms]
        if None in ids:
            ids = [self._term(term) for term in terms]
        if not batch:
            frequency = self._frequency
            for term_id in ids:
                frequency[term_id] += 1
        if len(self._pool) > 2 * self._pool_live + 1_000_000:
            self._compact_pool()
        _put(self._term_start, slot, len(self._pool))
        _put(self._term_count, slot, len(ids))
        self._pool.extend(ids)
        self._pool_live += len(ids)
        if (
            self._norms_generation >= 0
        ):  # once norms are in use, a new listing's is computed with the weights of the moment
            weight = self._weights.weight
            norm = math.sqrt(sum(weight(t) ** 2 for t in terms))
        else:
            norm = 1.0
        name = self._name
        record = _RECORD.pack(
            float(listing.quantity or 0.0),
            norm,
            *_code_prefixes(codes[0] if codes else None),
            name("sector", listing.sector),
            self._geo_of(listing),
            name("region", listing.region),
            self._unit_of(listing),
            side,
        )
        if slot * _RECORD.size == len(self._records):
            self._records += record
        else:
            self._records[slot * _RECORD.size : (slot + 1) * _RECORD.size] = record
        postings = self._postings[side]
        if batch:
            self._pending.add(slot)
        for key in self._keys(() if batch else ids, listing, codes):
            posting = postings.get(key)
            if posting is None:
                posting = postings[key] = array("i")
            posting.append(slot)

    def _file_batch(self) -> None:
        """The terms of the listings filed in a batch reach the postings and the frequencies,
        inverted with numpy (one sort) instead of one append per term."""
        if not self._pending:
            return
        self._version += 1
        slots = np.fromiter(self._pending, dtype=np.int64, count=len(self._pending))
        self._pending.clear()
        starts = _view(self._term_start, np.int64)[slots]
        counts = _view(self._term_count, np.int32)[slots].astype(np.int64)
        sides = self._rows()["side"][slots].astype(np.int64)
        total = int(counts.sum())
        offsets = np.zeros(len(slots), dtype=np.int64)
        np.cumsum(counts[:-1], out=offsets[1:])
        terms = _view(self._pool, np.int32)[
            np.repeat(starts - offsets, counts) + np.arange(total)
        ].astype(np.int64)
        owners = np.repeat(slots, counts).astype(np.int32)
        frequency = _view(self._frequency, np.int64)
        frequency += np.bincount(terms, minlength=len(frequency))
        del frequency
        keys = terms * 2 + np.repeat(sides, counts)
        order = np.argsort(keys, kind="stable")
        keys, owners = keys[order], owners[order]
        bounds = np.flatnonzero(np.diff(keys)) + 1
        firsts = np.concatenate([[0], bounds]).tolist()
        lasts = np.concatenate([bounds, [len(keys)]]).tolist()
        for first, last, key in zip(firsts, lasts, keys[firsts].tolist(), strict=True):
            postings = self._postings[key & 1]
            posting = postings.get(key >> 1)
            if posting is None:
                posting = postings[key >> 1] = array("i")
            posting.frombytes(owners[first:last].tobytes())

    def _compact_pool(self) -> None:
        """Drops the term runs of removed listings from the pool."""
        live = np.flatnonzero(self._rows()["side"] >= 0)
        starts, counts = (
            _view(self._term_start, np.int64)[live],
            _view(self._term_count, np.int32)[live].astype(np.int64),
        )
        total = int(counts.sum())
        new_starts = np.zeros(len(live), dtype=np.int64)
        np.cumsum(counts[:-1], out=new_starts[1:])
        source = np.repeat(starts - new_starts, counts) + np.arange(total)
        self._pool = array("i", _view(self._pool, np.int32)[source].tobytes())
        view = _view(self._term_start, np.int64)
        view[live] = new_starts
        del view

    # -- matching --------------------------------------------------------------------------------

    def _idf(self, term: str) -> float:
        documents = len(self._slot_of) + 1
        term_id = self._term_id.get(term)
        frequency = self._frequency[term_id] if term_id is not None else 0
        return math.log(1 + documents / (1 + max(0, frequency)))

    def _profile_at(self, slot: int) -> Profile:
        listing = self._by_slot[slot]
        start, count = self._term_start[slot], self._term_count[slot]
        terms = self._terms
        return Profile(
            listing,
            frozenset([terms[i] for i in self._pool[start : start + count]]),
            codes_of(listing.product_codes),
        )

    def _refresh_norms(self, weights: TermWeights) -> None:
        """Every listing's norm of term weights, again when the weights changed."""
        if self._norms_generation == self._weights_generation:
            return
        squares = np.array([weights.weight(term) ** 2 for term in self._terms], dtype=np.float64)
        slots = len(self._by_slot)
        pool = _view(self._pool, np.int32)
        summed = np.zeros(len(pool) + 1, dtype=np.float64)
        np.cumsum(squares[pool], out=summed[1:])
        del pool
        used = len(summed) - 1  # a free slot's run may point past a compacted pool
        starts = np.minimum(_view(self._term_start, np.int64), used)
        ends = np.minimum(starts + _view(self._term_count, np.int32), used)
        rows = self._rows()
        rows["norm"][:slots] = np.sqrt(np.maximum(summed[ends] - summed[starts], 0.0))
        del starts, ends, rows
        self._norms_generation = self._weights_generation

    def _ranked_slots(self, profile: Profile, wanted: int, *, frames: bool = False) -> list[int]:
        listing = profile.listing
        side = _SIDES[listing.other_side]
        if not self._side_count[side]:
            return []
        weights = self.weights
        self._refresh_norms(weights)
        frame = self._frame(side, listing.sector) if frames else None
        if frame is None:
            found = self._block(profile, weights, wanted)
        else:
            found = self._block_in_frame(profile, frame, weights, wanted)
        if found is None:
            return []
        block, rows, shared, close, order = found
        estimate = self._estimate(listing, profile, rows, shared, weights.norm(profile), close)
        if order is not None:  # the estimate is elementwise: in slot order, as `_block` finds it
            block, estimate = block[order], estimate[order]
        over = min(len(block), wanted * 2)
        best = (
            np.argpartition(-estimate, over - 1)[:over]
            if len(block) > over
            else np.arange(len(block))
        )
        best = best[np.argsort(-estimate[best], kind="stable")]
        chosen: list[int] = []
        by_slot = self._by_slot
        for slot in block[best].tolist():
            if listing.may_pair_with(by_slot[slot]):
                chosen.append(slot)
                if len(chosen) == wanted:
                    break
        return chosen

    def _block(self, profile: Profile, weights: TermWeights, wanted: int) -> tuple | None:
        """The candidate block of one listing across every slot: its slots (ascending), their
        records, the text they share with it (squared weights added up) and which of them deliver
        to its region (None when no one does)."""
        listing = profile.listing
        side = _SIDES[listing.other_side]
        others = self._side_count[side]
        slots = len(self._by_slot)
        if len(self._accumulator) < slots:
            self._accumulator = np.zeros(slots * 2, dtype=np.float32)
            self._marks = np.zeros(slots * 2, dtype=np.bool_)
        accumulator, marks = self._accumulator, self._marks
        postings = self._postings[side]
        common, rare = others * self.common_share, max(self.rare_postings, others * self.rare_share)
        terms, everywhere = self._visited_terms(
            profile, weights, postings, common=common, others=others
        )
        unmarked = []  # postings added up but not candidates by themselves
        for _, posting, square in terms:
            visited = np.frombuffer(posting, dtype=np.int32)
            accumulator[visited] += np.float32(square)
            if len(posting) <= rare:  # a rarer term also brings its listings in as candidates
                marks[visited] = True
            else:
                unmarked.append(posting)
            del visited
        # Code headings and the listings that deliver to my region bring candidates in like a rare
        # term.
        near = postings.get((_REGION, listing.region))
        for posting in [postings.get(key) for key in self._code_keys(profile)] + [near]:
            if posting and len(posting) <= rare:
                marks[np.frombuffer(posting, dtype=np.int32)] = True
        # The whole sector is a candidate when it is small, or when the rarer keys found few.
        sector = postings.get((_SECTOR, listing.sector))
        if sector and len(sector) <= rare:
            marks[np.frombuffer(sector, dtype=np.int32)] = True
            sector = None
        block = np.flatnonzero(marks[:slots])
        if sector and len(block) < 4 * wanted:
            marks[np.frombuffer(sector, dtype=np.int32)] = True
            block = np.flatnonzero(marks[:slots])
        del sector
        marks[block] = False
        shared = accumulator[block].astype(np.float64)
        if sum(len(posting) for posting in unmarked) > slots // 16:
            accumulator[:slots] = (
                0.0  # clearing it all is cheaper than clearing the postings one by one
            )
        else:
            accumulator[block] = 0.0
            for posting in unmarked:
                accumulator[np.frombuffer(posting, dtype=np.int32)] = 0.0
        if not len(block):
            return None
        close = None
        if near:  # which of the block deliver to my region
            marks[np.frombuffer(near, dtype=np.int32)] = True
            close = marks[block]
            marks[np.frombuffer(near, dtype=np.int32)] = False
        del near
        rows = np.frombuffer(self._records, dtype=_VOID)[block].view(_RECORD_DTYPE)
        return block, rows, shared + everywhere, close, None

    def _visited_terms(
        self, profile: Profile, weights: TermWeights, postings: dict, *, common: float, others: int
    ) -> tuple[list[tuple[int, array, float]], float]:
        """The listing's terms whose postings are visited (term id, posting, squared weight), in the
        profile's order, and `everywhere`: the weight of the common terms (in more than `common`
        listings), not visited but spread over everyone."""
        visited, everywhere = [], 0.0
        for term in profile.terms:
            term_id = self._term_id.get(term)
            posting = postings.get(term_id) if term_id is not None else None
            if not posting:
                continue
            square = weights.weight(term) ** 2
            if len(posting) > common:
                everywhere += square * len(posting) / others
            else:
                visited.append((term_id, posting, square))
        return visited, everywhere

    def _code_keys(self, profile: Profile) -> list[tuple[str, str]]:
        keys = []
        for code in profile.codes:
            keys += [(_HEADING, code[:4])] if len(code) >= 4 else []
            keys += [(_SUBHEADING, code[:6])] if len(code) >= 6 else []
        return keys

    # -- matching many: frames of one sector ------------------------------------------------------

    def _frame(self, side: int, sector: str) -> _Frame | None:
        """The frame of one side's listings in a sector, built when first asked for since the index
        last changed (or its norms were recomputed)."""
        key = (self._version, self._norms_generation)
        if self._frames_key != key:
            self._frames, self._bitsets = {}, {}
            self._frames_key = key
            self._slot_sector = self._rows()["sector"].copy()
            self._slot_position = np.full(len(self._slot_sector), -1, dtype=np.int32)
        sector_id = self._names.get(("sector", sector))
        posting = self._postings[side].get((_SECTOR, sector))
        if sector_id is None or not posting:
            return None
        frame = self._frames.get((side, sector_id))
        if frame is None:
            slots = np.sort(np.frombuffer(posting, dtype=np.int32)).astype(np.int64)
            self._slot_position[slots] = np.arange(len(slots), dtype=np.int32)
            records = np.frombuffer(self._records, dtype=_VOID)[slots]
            frame = self._frames[(side, sector_id)] = _Frame(sector_id, slots, records, {}, {})
        return frame

    def _in_frame(
        self, frame: _Frame, key, posting: array, *, outside: bool
    ) -> tuple[np.ndarray, np.ndarray | None]:
        """A posting's positions in the frame and, if asked for, its slots outside the frame."""
        found = frame.postings.get(key)
        if found is None or (outside and found[1] is None):
            visited = np.frombuffer(posting, dtype=np.int32)
            inside = self._slot_sector[visited] == frame.sector
            found = frame.postings[key] = (
                self._slot_position[visited[inside]],
                np.sort(visited[~inside]).astype(np.int64) if outside else None,
            )
            del visited
        return found

    def _block_in_frame(
        self, profile: Profile, frame: _Frame, weights: TermWeights, wanted: int
    ) -> tuple | None:
        """What `_block` finds, found within the sector's frame: the same block, records and shared
        text, with the same float32 additions in the same order, so the ranking is the same."""
        listing = profile.listing
        side = _SIDES[listing.other_side]
        others = self._side_count[side]
        size = len(frame.slots)
        accumulator = np.zeros(size, dtype=np.float32)
        marks = np.zeros(size, dtype=np.bool_)
        postings = self._postings[side]
        common, rare = others * self.common_share, max(self.rare_postings, others * self.rare_share)
        terms, everywhere = self._visited_terms(
            profile, weights, postings, common=common, others=others
        )
        added: list[tuple[int, np.float32, np.ndarray | None]] = []  # the terms added up, in order
        outside: list[np.ndarray] = []  # candidates outside the frame
        for term_id, posting, square in terms:
            is_rare = len(posting) <= rare
            inside, beyond = self._in_frame(frame, term_id, posting, outside=is_rare)
            accumulator[inside] += np.float32(square)
            added.append((term_id, np.float32(square), beyond))
            if is_rare:
                marks[inside] = True
                outside.append(beyond)
        near_key = (_REGION, listing.region)
        near = postings.get(near_key)
        for key in [*self._code_keys(profile), near_key]:
            posting = postings.get(key)
            if posting and len(posting) <= rare:
                inside, beyond = self._in_frame(frame, key, posting, outside=True)
                marks[inside] = True
                outside.append(beyond)
        small = size <= rare  # the frame is the sector's posting
        if small:
            marks[:] = True
        beyond = _distinct(outside)
        local = np.flatnonzero(marks)
        if not small and len(local) + len(beyond) < 4 * wanted:
            local = np.arange(size)
        if not len(local) + len(beyond):
            return None
        whole = len(local) == size
        block = frame.slots if whole else frame.slots[local]
        outside_rows = None
        shared = accumulator[local].astype(np.float64)
        close = None
        if near:
            inside, near_beyond = self._in_frame(frame, near_key, near, outside=True)
            delivering = np.zeros(size, dtype=np.bool_)
            delivering[inside] = True
            close = delivering[local]
        order = None
        if len(beyond):  # the block in slot order is the frame's part and the rest, merged
            block = np.concatenate([block, beyond])
            order = np.argsort(block, kind="stable")
            outside_rows = np.frombuffer(self._records, dtype=_VOID)[beyond].view(_RECORD_DTYPE)
            shared = np.concatenate(
                [shared, self._shared_text(side, beyond, added).astype(np.float64)]
            )
            if close is not None:
                at = np.minimum(np.searchsorted(near_beyond, beyond), max(0, len(near_beyond) - 1))
                delivers = (
                    near_beyond[at] == beyond
                    if len(near_beyond)
                    else np.zeros(len(beyond), dtype=np.bool_)
                )
                close = np.concatenate([close, delivers])
        return (
            block,
            _Rows(frame, None if whole else local, outside_rows),
            shared + everywhere,
            close,
            order,
        )

    def _shared_text(
        self, side: int, slots: np.ndarray, added: list[tuple[int, np.float32, np.ndarray | None]]
    ) -> np.ndarray:
        """The squared weights these slots outside the frame share with the terms added up, summed
        in float32 in the terms' order (as the accumulator sums them). A rare term's slots outside
        the frame are among them; a commoner term is looked up in a bitset of its posting."""
        summed = np.zeros(len(slots), dtype=np.float32)
        for term_id, square, beyond in added:
            if beyond is not None:
                summed[np.searchsorted(slots, beyond)] += square
            else:
                bits = self._bitset(side, term_id)
                summed[((bits[slots >> 3] >> (slots & 7).astype(np.uint8)) & 1).view(np.bool_)] += (
                    square
                )
        return summed

    def _bitset(self, side: int, term_id: int) -> np.ndarray:
        """A term's posting as one bit per slot (kept with the frames)."""
        found = self._bitsets.get((side, term_id))
        if found is None:
            present = np.zeros(len(self._slot_sector) + 8, dtype=np.bool_)
            present[np.frombuffer(self._postings[side][term_id], dtype=np.int32)] = True
            found = self._bitsets[(side, term_id)] = np.packbits(present, bitorder="little")
        return found

    def _estimate(
        self,
        listing: Listing,
        profile: Profile,
        rows: np.ndarray,
        shared: np.ndarray,
        query_norm: float,
        close: np.ndarray | None,
    ) -> np.ndarray:
        """The scorer's value, estimated for a block of slots at once (only to choose candidates):
        the same components and weights, certifications and languages taken as met."""
        weights = self.scorer.policy.weights
        scale = np.maximum(rows["norm"], 1e-9)
        scale *= (query_norm or 1.0) / weights.text
        estimate = np.divide(shared, scale, out=shared)
        np.minimum(estimate, weights.text, out=estimate)
        sector = self._names.get(("sector", listing.sector), -1)
        estimate += weights.sector * (rows["sector"] == sector)
        if profile.codes:
            estimate += weights.codes * self._codes_estimate(profile.codes, rows)
        geography = self._geography_table(listing)[rows["geo"]]
        if listing.regions:  # delivery regions: theirs include mine, or mine theirs
            mine = [self._names.get(("region", region), -1) for region in listing.regions]
            close = np.isin(rows["region"], mine) | (False if close is None else close)
        if close is not None:
            geography[close] = 1.0
        estimate += weights.geography * geography
        estimate += weights.quantity * self._quantity_estimate(listing, rows)
        return estimate + weights.certifications + weights.language

    def _codes_estimate(self, codes: tuple[str, ...], rows: np.ndarray) -> np.ndarray | float:
        value: np.ndarray | float = 0.0
        for code in codes:
            chapter, heading, subheading, line = _code_prefixes(code)
            if chapter == _NO_CODE:
                continue
            level = (rows["chapter"] == chapter) * 0.2
            for field, prefix, step in (
                ("heading", heading, 0.45),
                ("subheading", subheading, 0.2),
                ("line", line, 0.15),
            ):
                if prefix == _NO_CODE:
                    break
                level += (rows[field] == prefix) * step
            value = np.maximum(value, level)
        return value

    def _rows(self) -> np.ndarray:
        """The records as a numpy structured array (a view: only for the moment)."""
        return np.frombuffer(self._records, dtype=_RECORD_DTYPE)

    def _geography_table(self, listing: Listing) -> np.ndarray:
        """The geography component against every (place, country) pair met so far."""
        if self._geo_arrays is None:
            known = np.array([place is not None for place in self._geo_places])
            latitudes = np.array([place[0] if place else 0.0 for place in self._geo_places])
            longitudes = np.array([place[1] if place else 0.0 for place in self._geo_places])
            border = np.array([country in _CROSS_BORDER for country in self._geo_countries])
            self._geo_arrays = (
                known,
                latitudes,
                longitudes,
                border,
                np.array(self._geo_countries, dtype=object),
            )
        known, latitudes, longitudes, border, countries = self._geo_arrays
        place = self.scorer.places.locate(listing.city, listing.region)
        if place is None:
            return np.full(len(known), NEUTRAL)
        policy = self.scorer.policy
        lat, lon = math.radians(place.lat), math.radians(place.lon)
        h = (
            np.sin((latitudes - lat) / 2) ** 2
            + math.cos(lat) * np.cos(latitudes) * np.sin((longitudes - lon) / 2) ** 2
        )
        km = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(h, 1.0)))
        value = np.maximum(0.0, 1.0 - km / policy.max_distance_km)
        if listing.country in _CROSS_BORDER and policy.cross_border_bonus:
            cross = border & (countries != listing.country)
            value = np.where(cross, np.minimum(1.0, value * (1 + policy.cross_border_bonus)), value)
        return np.where(known, value, NEUTRAL)

    def _quantity_estimate(self, listing: Listing, rows: np.ndarray) -> np.ndarray | float:
        mine = self._unit_of(listing)
        if not mine:
            return NEUTRAL
        names = list(self._unit_ids)
        factors = np.array(
            [np.nan] + [self._unit_factor(listing, names[unit]) for unit in range(1, len(names))]
        )
        coverage = factors[rows["unit"]]  # NaN where the units do not compare
        with np.errstate(divide="ignore", invalid="ignore"):
            if listing.side == "offer":
                coverage *= listing.quantity
                coverage /= rows["quantity"]
            else:
                coverage *= rows["quantity"]
                coverage /= listing.quantity
            np.minimum(coverage, 1.0, out=coverage)
            value = np.square(
                coverage, out=coverage
            )  # a full cover is worth 1, a partial one its square
        value[np.isnan(value)] = NEUTRAL
        return value

    def _unit_name(self, unit: str | None) -> str:
        """A code of the units vocabulary as it is, any other unit as the scorer compares it (case
        and a final dot aside)."""
        quantities = getattr(self.scorer, "quantities", None)
        if unit and quantities is not None and quantities.knows(unit):
            return unit
        return _unit_key(unit)

    def _unit_factor(self, listing: Listing, other_unit: str) -> float:
        """Capacity per volume of one unit against another: 1 for the same unit, NaN when they do
        not compare (as the scorer's units say)."""
        unit = self._unit_name(listing.unit)
        offer_unit, need_unit = (
            (unit, other_unit) if listing.side == "offer" else (other_unit, unit)
        )
        key = (offer_unit, need_unit)
        if key not in self._factors:
            factor: float | None = 1.0 if offer_unit == need_unit and offer_unit else None
            quantities = getattr(self.scorer, "quantities", None)
            if quantities is not None and offer_unit and need_unit:
                try:
                    if quantities.knows(offer_unit) and quantities.knows(need_unit):
                        compared = quantities.compare(1.0, offer_unit, 1.0, need_unit)
                        factor = None if compared is None else compared.coverage
                except Exception:  # an estimate only: the scorer decides
                    pass
            self._factors[key] = factor
        found = self._factors[key]
        return np.nan if found is None else found

    def _best(
        self, profile: Profile, others: Iterable[Profile], *, threshold: float, limit: int
    ) -> list[Candidate]:
        scored = []
        for other in others:
            if not profile.listing.may_pair_with(other.listing):
                continue
            score = self._score(profile, other, explain=False)
            if score.value >= threshold:
                scored.append(Candidate(other, score))
        best = heapq.nlargest(
            limit, scored, key=lambda candidate: (candidate.score.value, str(candidate.listing.id))
        )
        return [Candidate(c.profile, self._score(profile, c.profile, explain=True)) for c in best]

    def _score(self, profile: Profile, other: Profile, *, explain: bool) -> Score:
        offer, need = (profile, other) if profile.listing.side == "offer" else (other, profile)
        return self.scorer.score(offer, need, self.weights, explain=explain)
