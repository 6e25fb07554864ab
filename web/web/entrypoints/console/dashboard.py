"""The dashboard: the funnel over a date range, by sector, by region pair and over time."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response

from web.adapters.gateway_client import ApiProblem
from web.domain.funnel import STAGES, bar_widths, chosen_period, conversion, stages_of
from web.entrypoints.console.reference import region_names, sector_names
from web.entrypoints.i18n import N_
from web.entrypoints.rendering import api, csv_download, render, require_session, translate

router = APIRouter()
# The sectors the 2026-2028 cooperation plan of the Smolensk region and Belarus names.
PLAN_SECTORS = (
    "elevators",
    "flax",
    "agricultural_machinery",
    "municipal_vehicles",
    "electric_transport",
    "water_treatment",
    "machine_tools",
    "energy_nuclear",
    "construction",
    "breeding",
    "tourism",
)
TABLES = ("sector", "region_pair", "period")
STAGE_NAMES = {
    "proposed": N_("Proposed"),
    "approved": N_("Approved"),
    "interested": N_("Interested"),
    "introduced": N_("Introduced"),
    "closed": N_("Closed"),
    "rejected": N_("Rejected"),
}


async def _period_and_tables(
    request: Request, date_from: str, date_to: str, period: str
) -> tuple[date, date, list[str], dict[str, list[dict]]]:
    """The period asked for and its tables. A period the API refuses (a day before the platform's
    calendar, a span longer than it serves) is replaced by the last 90 days, as an unreadable date
    is, and the page says so."""
    today = datetime.now(UTC).date()
    since, until, problems = chosen_period(date_from[:10], date_to[:10], today=today)
    try:
        return since, until, problems, await _tables(request, since, until, period)
    except ApiProblem as refusal:
        if refusal.status != 422:
            raise
    since, until, _ = chosen_period("", "", today=today)
    return since, until, [*problems, "date_from"], await _tables(request, since, until, period)


async def _tables(request: Request, since: date, until: date, period: str) -> dict[str, list[dict]]:
    params = {"date_from": since.isoformat(), "date_to": until.isoformat()}
    overall, by_sector, by_regions, by_period = await asyncio.gather(
        *(
            api(request, "GET", "/stats/funnel", params=params | {"group_by": group})
            for group in ("none", "sector", "region_pair", period)
        )
    )
    return {
        "overall": overall.get("rows", []),
        "sector": by_sector.get("rows", []),
        "region_pair": by_regions.get("rows", []),
        "period": by_period.get("rows", []),
    }


@router.get("/dashboard")
async def dashboard(request: Request, date_from: str = "", date_to: str = "", period: str = "week"):
    require_session(request, staff=True)
    period = period if period in ("week", "month") else "week"
    (since, until, problems, tables), sectors, regions = await asyncio.gather(
        _period_and_tables(request, date_from, date_to, period),
        sector_names(request),
        region_names(request),
    )
    overall = tables["overall"][0] if tables["overall"] else {}
    by_sector = {row["key"]: row for row in tables["sector"]}
    context = {
        "since": since,
        "until": until,
        "period": period,
        "problems": problems,
        "stages": stages_of(overall),
        "stage_names": STAGE_NAMES,
        "stage_keys": STAGES,
        "tables": tables,
        "sectors": sectors,
        "regions": regions,
        "plan": [(s, by_sector.get(s, {})) for s in PLAN_SECTORS],
        "conversion": conversion,
        "widths": {
            name: bar_widths([int(r.get("proposed") or 0) for r in rows])
            for name, rows in tables.items()
        },
        "period_widths": bar_widths([int(r.get("introduced") or 0) for r in tables["period"]]),
        "query": f"date_from={since.isoformat()}&date_to={until.isoformat()}&period={period}",
    }
    return render(request, "console/dashboard.html", context)


@router.get("/dashboard/{table}.csv")
async def dashboard_csv(
    request: Request, table: str, date_from: str = "", date_to: str = "", period: str = "week"
):
    require_session(request, staff=True)
    if table not in TABLES:
        return Response(status_code=404)
    period = period if period in ("week", "month") else "week"
    (since, until, _, tables), sectors, regions = await asyncio.gather(
        _period_and_tables(request, date_from, date_to, period),
        sector_names(request),
        region_names(request),
    )
    key_name = {
        "sector": N_("Sector"),
        "region_pair": N_("Regions (supplier → buyer)"),
        "period": N_("Period starting"),
    }[table]
    header = [
        translate(request, key_name),
        *(translate(request, STAGE_NAMES[s]) for s in (*STAGES, "rejected")),
    ]
    rows = [
        [
            _key_label(table, row["key"], sectors, regions),
            *(row.get(s, 0) for s in (*STAGES, "rejected")),
        ]
        for row in tables[table]
    ]
    filename = f"dashboard-{table}-{since.isoformat()}-{until.isoformat()}.csv"
    return csv_download(header, rows, filename)


def _key_label(table: str, key: str, sectors: dict, regions: dict) -> str:
    if table == "sector":
        return sectors.get(key, key)
    if table == "region_pair":
        return " → ".join(regions.get(part, part) for part in key.replace("→", "->").split("->"))
    return key
