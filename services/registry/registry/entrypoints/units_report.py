"""python -m registry.entrypoints.units_report: the listings whose unit the vocabulary
(data/units/units.json) cannot read -- those revision 0006 left as they were -- one JSON object a
line (`{"id", "enterprise_id", "side", "status", "unit"}`), then a count on stderr.
Their owners are refused that unit on their next change of it; closing or other edits still work."""

from __future__ import annotations

import asyncio
import json
import sys

from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from registry.adapters.reference_files import load_units
from registry.config import Settings
from registry.domain.units import UnitVocabulary


async def unreadable_units(database_url: str, units: UnitVocabulary) -> list[dict]:
    engine = create_async_engine(database_url, hide_parameters=True)
    try:
        async with engine.connect() as connection:
            rows = (
                (
                    await connection.execute(
                        text(
                            "SELECT id, enterprise_id, side, status, unit FROM listings WHERE "
                            "unit IS NOT NULL AND btrim(unit) <> '' "
                            "ORDER BY created_at, id"
                        )
                    )
                )
                .mappings()
                .all()
            )
    finally:
        await engine.dispose()
    return [
        {
            "id": str(r["id"]),
            "enterprise_id": str(r["enterprise_id"]),
            "side": r["side"],
            "status": r["status"],
            "unit": r["unit"],
        }
        for r in rows
        if not units.is_canonical(r["unit"])
    ]


def main() -> None:
    settings = Settings()
    found = asyncio.run(unreadable_units(settings.database_url, load_units(settings.data_dir)))
    for item in found:
        print(json.dumps(item, ensure_ascii=False))
    print(f"{len(found)} listing(s) with a unit the vocabulary cannot read", file=sys.stderr)


if __name__ == "__main__":
    main()
