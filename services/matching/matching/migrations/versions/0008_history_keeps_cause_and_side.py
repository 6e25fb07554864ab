"""a history row keeps a withdrawal's cause and side, and the side that answered, so that readers
can be told in their words

The cause (`listing_closed`, `listing_expired`, `enterprise_suspended`, `enterprise_unverified`,
`no_longer_scores`, `displaced`) and the side travelled only on the events until now; the history
kept matching's English sentence ("the offer was closed", "need: declined"). Rows written before are
filled from those sentences, which matching wrote in a fixed form (a displaced pair's sentence does
not name the side).
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"

# matching's sentences before this revision, as LIKE patterns, with the cause each one stood for
_CAUSE_OF_NOTE = (
    ("the enterprise behind the % was suspended", "enterprise_suspended"),
    ("the % expired: it was valid until %", "listing_expired"),
    ("the % was closed", "listing_closed"),
    ("the enterprise behind the % awaits the agency's verification", "enterprise_unverified"),
    ("the pair no longer scores", "no_longer_scores"),
    ("a partner that scores higher was proposed instead", "displaced"),
)


def upgrade() -> None:
    op.add_column("match_history", sa.Column("cause", sa.String(32), nullable=True))
    op.add_column("match_history", sa.Column("side", sa.String(8), nullable=True))
    withdrawn_by_matching = "to_status = 'withdrawn' AND actor = 'matcher' AND cause IS NULL"
    for pattern, cause in _CAUSE_OF_NOTE:
        op.execute(
            sa.text(
                f"UPDATE match_history SET cause = :cause WHERE {withdrawn_by_matching} "
                "AND note LIKE :pattern"
            ).bindparams(cause=cause, pattern=pattern)
        )
    for side in ("offer", "need"):  # LIKE's pattern: side words stand alone in the sentence
        op.execute(
            sa.text(
                "UPDATE match_history SET side = :side WHERE cause IS NOT NULL "
                "AND cause <> 'displaced' AND note LIKE :pattern"
            ).bindparams(side=side, pattern=f"% {side} %")
        )
        op.execute(
            sa.text(
                "UPDATE match_history SET side = :side WHERE event_type = 'match.responded' "
                "AND note LIKE :pattern"
            ).bindparams(side=side, pattern=f"{side}: %")
        )


def downgrade() -> None:
    op.drop_column("match_history", "side")
    op.drop_column("match_history", "cause")
