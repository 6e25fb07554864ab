"""An inverted index of active listings, so that one new listing is scored against a few hundred
likely partners instead of every listing on the other side.

Each listing is filed under its sector, its product-code headings (4 and 6 digits) and its terms.
A new listing's candidates are the listings on the other side that share the most weight of keys
with it; keys are visited rarest first and a visit budget keeps very common keys from turning the
lookup back into a scan.
"""

from __future__ import annotations

import heapq
import math
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from matching.domain.listing import Listing, Profile
from matching.domain.scoring import Score, Scorer, TermWeights
from matching.domain.taxonomy import Lexicon

_SECTOR, _HEADING, _SUBHEADING, _TERM = "s:", "h:", "u:", "t:"
_KEY_WEIGHT = {_SECTOR: 1.0, _HEADING: 2.0, _SUBHEADING: 1.0}


@dataclass(frozen=True)
class Candidate:
    profile: Profile
    score: Score

    @property
    def listing(self) -> Listing:
        return self.profile.listing


def _keys(profile: Profile) -> set[str]:
    keys = {_SECTOR + profile.listing.sector}
    for code in profile.codes:
        if len(code) >= 4:
            keys.add(_HEADING + code[:4])
        if len(code) >= 6:
            keys.add(_SUBHEADING + code[:6])
    keys.update(_TERM + term for term in profile.terms)
    return keys


class MatchIndex:
    def __init__(self, scorer: Scorer, lexicon: Lexicon, *, candidate_limit: int = 100, visit_budget: int = 30_000) -> None:
        self.scorer = scorer
        self.lexicon = lexicon
        self.candidate_limit = candidate_limit
        self.visit_budget = visit_budget
        self._profiles: dict[uuid.UUID, Profile] = {}
        # Postings hold small integer slots rather than UUIDs: hashing an int is far cheaper.
        self._slot_of: dict[uuid.UUID, int] = {}
        self._by_slot: list[Profile | None] = []
        self._free_slots: list[int] = []
        self._postings: dict[tuple[str, str], set[int]] = defaultdict(set)
        self._document_frequency: Counter[str] = Counter()
        self._weights = TermWeights(self._idf)
        self._weights_size = 0

    def __len__(self) -> int:
        return len(self._profiles)

    def __contains__(self, listing_id: uuid.UUID) -> bool:
        return listing_id in self._profiles

    def get(self, listing_id: uuid.UUID) -> Profile | None:
        return self._profiles.get(listing_id)

    def listings(self, side: str | None = None) -> list[Listing]:
        return [p.listing for p in self._profiles.values() if side is None or p.listing.side == side]

    def profile(self, listing: Listing) -> Profile:
        return Profile.of(listing, self.lexicon)

    def put(self, listing: Listing) -> Profile:
        """Files an active listing (replacing its older version); a closed one is only removed."""
        self.remove(listing.id)
        profile = self.profile(listing)
        if not listing.is_active:
            return profile
        self._profiles[listing.id] = profile
        slot = self._free_slots.pop() if self._free_slots else len(self._by_slot)
        if slot == len(self._by_slot):
            self._by_slot.append(profile)
        else:
            self._by_slot[slot] = profile
        self._slot_of[listing.id] = slot
        for key in _keys(profile):
            self._postings[(listing.side, key)].add(slot)
        self._document_frequency.update(profile.terms)
        return profile

    def put_all(self, listings: Iterable[Listing]) -> None:
        for listing in listings:
            self.put(listing)

    def remove(self, listing_id: uuid.UUID) -> None:
        self._weights.forget(listing_id)
        profile = self._profiles.pop(listing_id, None)
        if profile is None:
            return
        slot = self._slot_of.pop(listing_id)
        self._by_slot[slot] = None
        self._free_slots.append(slot)
        for key in _keys(profile):
            posting = self._postings.get((profile.listing.side, key))
            if posting is not None:
                posting.discard(slot)
                if not posting:
                    del self._postings[(profile.listing.side, key)]
        self._document_frequency.subtract(profile.terms)

    def _idf(self, term: str) -> float:
        documents = len(self._profiles) + 1
        return math.log(1 + documents / (1 + max(0, self._document_frequency.get(term, 0))))

    def idf(self, term: str) -> float:
        return self._idf(term)

    @property
    def weights(self) -> TermWeights:
        """Cached weights, dropped when the index has grown or shrunk by 2 % (an idf then moves by
        about 1 % at most)."""
        size = len(self._profiles)
        if abs(size - self._weights_size) > 0.02 * self._weights_size:
            self._weights.clear()
            self._weights_size = size
        return self._weights

    def candidates(self, profile: Profile) -> list[Profile]:
        other_side = profile.listing.other_side
        weights = self.weights
        postings = []
        for key in _keys(profile):
            posting = self._postings.get((other_side, key))
            if posting:
                weight = weights.weight(key[len(_TERM):]) if key.startswith(_TERM) else _KEY_WEIGHT[key[:2]]
                postings.append((len(posting), weight, posting))
        postings.sort(key=lambda entry: entry[0])
        votes: dict[int, float] = {}
        vote = votes.get
        visited = 0
        for size, weight, posting in postings:
            if visited + size > self.visit_budget and votes:
                continue
            for slot in posting:
                votes[slot] = vote(slot, 0.0) + weight
            visited += size
        best = heapq.nlargest(self.candidate_limit, votes, key=votes.__getitem__)
        return [self._by_slot[slot] for slot in best]

    def match(self, listing: Listing, *, threshold: float, limit: int) -> list[Candidate]:
        profile = self.profile(listing)
        return self._best(profile, self.candidates(profile), threshold=threshold, limit=limit)

    def match_by_scan(self, listing: Listing, *, threshold: float, limit: int) -> list[Candidate]:
        """Scores every listing on the other side: the reference the index is measured against."""
        profile = self.profile(listing)
        others = [p for p in self._profiles.values() if p.listing.side == listing.other_side]
        return self._best(profile, others, threshold=threshold, limit=limit)

    def _best(self, profile: Profile, others: Iterable[Profile], *, threshold: float, limit: int) -> list[Candidate]:
        scored = []
        for other in others:
            if not profile.listing.may_pair_with(other.listing):
                continue
            score = self._score(profile, other, explain=False)
            if score.value >= threshold:
                scored.append(Candidate(other, score))
        best = heapq.nlargest(limit, scored, key=lambda candidate: (candidate.score.value, str(candidate.listing.id)))
        return [Candidate(c.profile, self._score(profile, c.profile, explain=True)) for c in best]

    def _score(self, profile: Profile, other: Profile, *, explain: bool) -> Score:
        offer, need = (profile, other) if profile.listing.side == "offer" else (other, profile)
        return self.scorer.score(offer, need, self.weights, explain=explain)
