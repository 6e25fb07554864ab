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
from matching.domain.scoring import Score, Scorer
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
    def __init__(self, scorer: Scorer, lexicon: Lexicon, *, candidate_limit: int = 300, visit_budget: int = 60_000) -> None:
        self.scorer = scorer
        self.lexicon = lexicon
        self.candidate_limit = candidate_limit
        self.visit_budget = visit_budget
        self._profiles: dict[uuid.UUID, Profile] = {}
        self._postings: dict[tuple[str, str], set[uuid.UUID]] = defaultdict(set)
        self._document_frequency: Counter[str] = Counter()

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
        for key in _keys(profile):
            self._postings[(listing.side, key)].add(listing.id)
        self._document_frequency.update(profile.terms)
        return profile

    def put_all(self, listings: Iterable[Listing]) -> None:
        for listing in listings:
            self.put(listing)

    def remove(self, listing_id: uuid.UUID) -> None:
        profile = self._profiles.pop(listing_id, None)
        if profile is None:
            return
        for key in _keys(profile):
            posting = self._postings.get((profile.listing.side, key))
            if posting is not None:
                posting.discard(listing_id)
                if not posting:
                    del self._postings[(profile.listing.side, key)]
        self._document_frequency.subtract(profile.terms)

    def idf(self, term: str) -> float:
        documents = len(self._profiles) + 1
        return math.log(1 + documents / (1 + max(0, self._document_frequency.get(term, 0))))

    def candidates(self, profile: Profile) -> list[Profile]:
        other_side = profile.listing.other_side
        postings = []
        for key in _keys(profile):
            posting = self._postings.get((other_side, key))
            if posting:
                weight = self.idf(key[len(_TERM):]) if key.startswith(_TERM) else _KEY_WEIGHT[key[:2]]
                postings.append((len(posting), weight, posting))
        postings.sort(key=lambda entry: entry[0])
        votes: Counter[uuid.UUID] = Counter()
        visited = 0
        for size, weight, posting in postings:
            if visited + size > self.visit_budget and votes:
                continue
            for listing_id in posting:
                votes[listing_id] += weight
            visited += size
        best = heapq.nlargest(self.candidate_limit, votes.items(), key=lambda item: item[1])
        return [self._profiles[listing_id] for listing_id, _ in best]

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
            offer, need = (profile, other) if profile.listing.side == "offer" else (other, profile)
            score = self.scorer.score(offer, need, self.idf)
            if score.value >= threshold:
                scored.append(Candidate(other, score))
        return heapq.nlargest(limit, scored, key=lambda candidate: (candidate.score.value, str(candidate.listing.id)))
