"""Withdrawals and answers matching wrote before revision 0008 kept only an English sentence; the
revision reads the cause and the side back from it, so the agency's console can say them in its
reader's words. A reviewer's own reason is left as it was."""

from __future__ import annotations

import uuid

from alembic import command

from matching.__main__ import alembic_config
from tests.integration.scratch_sql import run_sql

LISTING = """INSERT INTO listings (id, side, enterprise_id, enterprise_name, country, region, city,
    languages, enterprise_certifications, kind, title, description, sector, product_codes,
    regions, certifications, status, version, enterprise_status)
    VALUES (:id, :side, :enterprise, 'ОАО «Лифтмаш»', 'BY', 'mogilev_oblast', 'Могилёв', '{ru}',
    '{}', 'goods', 'Лифты', '', 'elevators', '{}', '{}', '{}', 'active', 1, 'verified')"""

MATCH = """INSERT INTO matches (id, offer_id, need_id, offer_enterprise_id, need_enterprise_id,
    sector, offer_country, need_country, offer_region, need_region, score, components, reasons_ru,
    reasons_en, status, created_at, updated_at)
    VALUES (:id, :offer, :need, :enterprise, :enterprise, 'elevators', 'BY', 'RU',
    'mogilev_oblast', 'smolensk_oblast', 0.8, '{}', '[]', '[]', 'withdrawn', now(), now())"""

HISTORY = """INSERT INTO match_history (match_id, from_status, to_status, event_type, actor, note,
    at) VALUES (:match, 'proposed', :to_status, :event, :actor, :note, now())"""

# What matching and a reviewer wrote before the revision, and what the revision reads in it.
WRITTEN = [
    ("matcher", "withdrawn", "the offer was closed", ("listing_closed", "offer")),
    (
        "matcher",
        "withdrawn",
        "the need expired: it was valid until 2026-11-30",
        ("listing_expired", "need"),
    ),
    (
        "matcher",
        "withdrawn",
        "the enterprise behind the need was suspended",
        ("enterprise_suspended", "need"),
    ),
    (
        "matcher",
        "withdrawn",
        "the enterprise behind the offer awaits the agency's verification",
        ("enterprise_unverified", "offer"),
    ),
    ("matcher", "withdrawn", "the pair no longer scores", ("no_longer_scores", None)),
    (
        "matcher",
        "withdrawn",
        "a partner that scores higher was proposed instead",
        ("displaced", None),
    ),
    ("agency", "rejected", "the offer was closed", (None, None)),  # a reviewer's own words
    ("company", "declined", "need: declined", (None, "need")),  # a side's answer
    ("company", "approved", "offer: interested", (None, "offer")),
]


def test_withdrawals_written_before_the_revision_get_their_cause_and_side(scratch_database):
    config = alembic_config(scratch_database)
    command.upgrade(config, "0007")
    enterprise = uuid.uuid4()
    statements = []
    matches = [uuid.uuid4() for _ in WRITTEN]
    for match_id, (actor, to_status, note, _) in zip(matches, WRITTEN, strict=True):
        # a pair of listings per entry: a pair is matched once
        offer_id, need_id = uuid.uuid4(), uuid.uuid4()
        statements += [
            (LISTING, {"id": offer_id, "side": "offer", "enterprise": enterprise}),
            (LISTING, {"id": need_id, "side": "need", "enterprise": enterprise}),
            (MATCH, {"id": match_id, "offer": offer_id, "need": need_id, "enterprise": enterprise}),
            (
                HISTORY,
                {
                    "match": match_id,
                    "to_status": to_status,
                    "event": "match.responded" if actor == "company" else f"match.{to_status}",
                    "actor": actor,
                    "note": note,
                },
            ),
        ]
    run_sql(scratch_database, statements)

    command.upgrade(config, "head")

    rows = run_sql(scratch_database, [("SELECT match_id, cause, side FROM match_history", {})])[0]
    read = {match_id: (cause, side) for match_id, cause, side in rows}
    assert [read[match_id] for match_id in matches] == [expected for *_, expected in WRITTEN]
