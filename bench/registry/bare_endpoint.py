"""The yardstick: a bare FastAPI + asyncpg endpoint that inserts the same listing row the registry
does (same columns, generated search column and indexes, copied with LIKE ... INCLUDING ALL),
without validation, ownership, versions or the outbox.

    python -m bench.registry.bare_endpoint --port 8101 --database-url postgresql://...
"""

from __future__ import annotations

import argparse
import contextlib
import uuid
from datetime import date

import asyncpg
import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse

TABLE = "bench_bare_listings"
_INSERT = f"""
INSERT INTO {TABLE} (id, enterprise_id, side, kind, title, description, sector, product_codes,
quantity, unit,
                     regions, certifications, valid_until, status, version)
VALUES ($1, $2, 'need', $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'active', 1)
"""


def create_app(database_url: str) -> FastAPI:
    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI):
        app.state.pool = await asyncpg.create_pool(database_url, min_size=10, max_size=30)
        async with app.state.pool.acquire() as connection:
            await connection.execute(
                f"CREATE TABLE IF NOT EXISTS {TABLE} (LIKE listings INCLUDING ALL)"
            )
        yield
        await app.state.pool.close()

    app = FastAPI(lifespan=lifespan)

    @app.post("/enterprises/{enterprise_id}/needs", status_code=201)
    async def insert_need(enterprise_id: uuid.UUID, request: Request):
        body = await request.json()
        listing_id = uuid.uuid4()
        valid_until = date.fromisoformat(body["valid_until"]) if body.get("valid_until") else None
        await request.app.state.pool.execute(
            _INSERT,
            listing_id,
            enterprise_id,
            body["kind"],
            body["title"],
            body.get("description", ""),
            body["sector"],
            body.get("product_codes", []),
            body.get("quantity"),
            body.get("unit"),
            body.get("regions", []),
            body.get("certifications", []),
            valid_until,
        )
        return JSONResponse({"id": str(listing_id)}, status_code=201)

    @app.get("/healthz")
    async def healthz():
        return {"status": "ok"}

    return app


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--database-url", required=True, help="postgresql://... (asyncpg form)")
    args = parser.parse_args()
    uvicorn.run(
        create_app(args.database_url),
        host="127.0.0.1",
        port=args.port,
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()
