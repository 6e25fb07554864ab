"""A match and its lifecycle.

proposed -> approved | rejected (a reviewer, with a reason) -> each side interested | declined
-> introduced when both are interested -> closed with an outcome (a reviewer). A proposed or
approved match is withdrawn when a listing behind it closes or no longer scores.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from matching.domain.errors import FieldError, Forbidden, InvalidInput, InvalidTransition
from matching.domain.scoring import Component

PROPOSED, APPROVED, REJECTED, DECLINED = "proposed", "approved", "rejected", "declined"
INTRODUCED, CLOSED, WITHDRAWN = "introduced", "closed", "withdrawn"
STATUSES = (PROPOSED, APPROVED, REJECTED, DECLINED, INTRODUCED, CLOSED, WITHDRAWN)
SUGGESTED = frozenset({APPROVED, DECLINED, INTRODUCED, CLOSED})  # what an enterprise may see
ANSWERS = ("interested", "declined")
SIDES = ("offer", "need")


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class Transition:
    from_status: str | None
    to_status: str
    actor: str
    note: str | None
    at: datetime
    event_type: str
    # A withdrawal's cause (one of eventkit's WithdrawalCause: listing_closed, displaced, ...) and
    # the side it came from, or the side that answered; kept in the match's history and sent on
    # `match.withdrawn` (`match.responded`).
    cause: str | None = None
    side: str | None = None


@dataclass
class Match:
    id: uuid.UUID
    offer_id: uuid.UUID
    need_id: uuid.UUID
    offer_enterprise_id: uuid.UUID
    need_enterprise_id: uuid.UUID
    score: float
    components: list[Component]
    reasons_ru: list[str]
    reasons_en: list[str]
    status: str = PROPOSED
    offer_answer: str | None = None
    need_answer: str | None = None
    outcome: str | None = None
    review_note: str | None = None
    created_at: datetime = field(default_factory=_now)
    updated_at: datetime = field(default_factory=_now)
    pending: list[Transition] = field(default_factory=list, repr=False)
    reasons_be: list[str] = field(default_factory=list)

    @classmethod
    def propose(
        cls,
        *,
        offer_id,
        need_id,
        offer_enterprise_id,
        need_enterprise_id,
        score,
        components,
        reasons_ru,
        reasons_en,
        reasons_be=(),
        actor: str = "matcher",
    ) -> Match:
        match = cls(
            uuid.uuid4(),
            offer_id,
            need_id,
            offer_enterprise_id,
            need_enterprise_id,
            score,
            list(components),
            list(reasons_ru),
            list(reasons_en),
            reasons_be=list(reasons_be),
        )
        match._record(None, PROPOSED, actor, None, "match.proposed")
        return match

    def enterprise_of(self, side: str) -> uuid.UUID:
        return self.offer_enterprise_id if side == "offer" else self.need_enterprise_id

    @property
    def is_open(self) -> bool:
        return self.status in (PROPOSED, APPROVED)

    def approve(self, *, actor: str, note: str | None = None) -> None:
        self._require(PROPOSED, "approve")
        self.review_note = note
        self._record(self.status, APPROVED, actor, note, "match.approved")

    def reject(self, *, actor: str, reason: str) -> None:
        _require_text(reason, field="reason", why="a rejection needs a reason")
        self._require(PROPOSED, "reject")
        self.review_note = reason
        self._record(self.status, REJECTED, actor, reason, "match.rejected")

    def respond(self, *, side: str, answer: str, actor: str) -> None:
        """One side's answer to an approved suggestion; both interested makes an introduction."""
        if answer not in ANSWERS:
            raise InvalidInput([FieldError("answer", f"must be one of {', '.join(ANSWERS)}")])
        self._require(APPROVED, "answer")
        if getattr(self, f"{side}_answer") is not None:
            raise InvalidTransition(f"the {side} side has already answered this match")
        setattr(self, f"{side}_answer", answer)
        to_status = DECLINED if answer == "declined" else APPROVED
        self._record(
            self.status, to_status, actor, f"{side}: {answer}", "match.responded", side=side
        )
        if self.offer_answer == self.need_answer == "interested":
            self._record(APPROVED, INTRODUCED, actor, None, "match.introduced")

    def close(self, *, actor: str, outcome: str) -> None:
        _require_text(outcome, field="outcome", why="closing a match needs its outcome")
        self._require(INTRODUCED, "close")
        self.outcome = outcome
        self._record(self.status, CLOSED, actor, outcome, "match.closed")

    def withdraw(
        self,
        *,
        reason: str,
        actor: str = "matcher",
        cause: str | None = None,
        side: str | None = None,
    ) -> None:
        """`cause` (one of eventkit's WithdrawalCause) and `side` (whose listing or enterprise it
        was) are kept in the history and travel with the event, so that people are told in their
        words."""
        if not self.is_open:
            raise InvalidTransition(f"a {self.status} match cannot be withdrawn")
        self._record(
            self.status, WITHDRAWN, actor, reason, "match.withdrawn", cause=cause, side=side
        )

    def repropose(
        self,
        *,
        score: float,
        components,
        reasons_ru,
        reasons_en,
        reasons_be=(),
        actor: str = "matcher",
    ) -> None:
        """A pair withdrawn because a listing closed comes back when the listing is reopened."""
        self._require(WITHDRAWN, "re-propose")
        self.rescore(
            score=score,
            components=components,
            reasons_ru=reasons_ru,
            reasons_en=reasons_en,
            reasons_be=reasons_be,
        )
        self.offer_answer = self.need_answer = None
        self._record(self.status, PROPOSED, actor, None, "match.proposed")

    def rescore(self, *, score: float, components, reasons_ru, reasons_en, reasons_be=()) -> None:
        self.score, self.components = score, list(components)
        self.reasons_ru, self.reasons_en, self.reasons_be = (
            list(reasons_ru),
            list(reasons_en),
            list(reasons_be),
        )
        self.updated_at = _now()

    def _require(self, status: str, action: str) -> None:
        if self.status != status:
            raise InvalidTransition(f"cannot {action} a {self.status} match; only a {status} one")

    def _record(
        self,
        from_status: str | None,
        to_status: str,
        actor: str,
        note: str | None,
        event_type: str,
        *,
        cause: str | None = None,
        side: str | None = None,
    ) -> None:
        self.status = to_status
        self.updated_at = _now()
        self.pending.append(
            Transition(
                from_status, to_status, actor, note, self.updated_at, event_type, cause, side
            )
        )


def weakest_outscored_by(score: float, matches: Iterable[Match]) -> Match | None:
    """The proposed match a listing holding K of them gives up for a pair scoring `score` with it:
    its weakest, when that scores lower. A pair that merely came first (while the better one's
    listing was closed, or its enterprise awaited the agency) does not keep a better one from the
    agency; a pair scoring no higher waits for room."""
    weakest = min((m for m in matches if m.status == PROPOSED), key=lambda m: m.score, default=None)
    return weakest if weakest is not None and weakest.score < score else None


def _require_text(text: str | None, *, field: str, why: str) -> None:
    """A reviewer's words that the transition keeps: blank ones say nothing."""
    if not text or not text.strip():
        raise InvalidInput([FieldError(field, why)])


def side_owned_by(match: Match, enterprise_ids, side: str | None) -> str:
    """Which side of the match the caller answers for; a company owning both must say which."""
    owned = [s for s in SIDES if str(match.enterprise_of(s)) in enterprise_ids]
    if side is not None:
        if side not in owned:
            raise Forbidden(f"you do not own the {side} side of this match")
        return side
    if not owned:
        raise Forbidden("only the enterprises of this match may answer it")
    return owned[0]
