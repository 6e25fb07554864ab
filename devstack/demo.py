"""Loads the demo data set through the gateway, as companies and the agency would: each demo
company opens its account, signs in, registers its enterprise and publishes its offers and needs;
then the agency's reviewer verifies three enterprises in four (matching pairs only verified
enterprises, so `make up` shows pairs; every fourth stays pending, for the verification queue)."""

from __future__ import annotations

import json
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

DEMO_FILE = Path(__file__).resolve().parents[1] / "data" / "demo" / "enterprises.json"
COMPANY_PASSWORD = "demo-company"
AGENCY = ("agency@demo.local", "demo-agency")
ADMIN = ("admin@demo.local", "demo-admin")
_LISTING_FIELDS = ("offers", "needs")
_NOT_THERE_YET = (
    404,
    405,
)  # a registry without listing routes yet: skip them, do not fail the demo
_PARALLEL = 4  # password hashing dominates; the gateway hashes on its worker threads


def load_demo(gateway_url: str, path: Path = DEMO_FILE) -> dict[str, int]:
    """Loads every demo enterprise; what is already there (a second `make up`) is counted, not an
    error."""
    if not path.exists():
        return {}
    enterprises = json.loads(path.read_text(encoding="utf-8"))
    counts: Counter[str] = Counter()
    with (
        httpx.Client(base_url=gateway_url, timeout=60) as client,
        ThreadPoolExecutor(_PARALLEL) as pool,
    ):
        loaded_before = (
            bool(enterprises)
            and _sign_in(client, enterprises[0]["email"], COMPANY_PASSWORD) is not None
        )
        results = list(
            pool.map(
                lambda enterprise: _load_company(client, enterprise, loaded_before=loaded_before),
                enterprises,
            )
        )
        for outcome, _ in results:
            counts.update(outcome)
        registered = [enterprise_id for _, enterprise_id in results if enterprise_id]
        counts["verified"] = _verify_most(client, registered)
    print(
        "  demo accounts (sign in on the web at /sign-in, or POST /api/v1/auth/token):\n"
        + demo_credentials(),
        flush=True,
    )
    return dict(counts)


def demo_credentials() -> str:
    return "\n".join(
        [
            f"  agency reviewer   {AGENCY[0]} / {AGENCY[1]}",
            f"  admin             {ADMIN[0]} / {ADMIN[1]}",
            f"  each demo company its enterprise's email / {COMPANY_PASSWORD}",
        ]
    )


def _load_company(
    client: httpx.Client, enterprise: dict, *, loaded_before: bool
) -> tuple[Counter[str], str | None]:
    counts: Counter[str] = Counter()
    profile = {k: v for k, v in enterprise.items() if k not in _LISTING_FIELDS}
    # Signing up with an address that has an account emails its owner that someone tried, so a
    # second
    # `make up` signs in first; a first one signs up first (a failed sign-in per company would run
    # into the sign-in throttle).
    headers = _sign_in(client, profile["email"], COMPANY_PASSWORD) if loaded_before else None
    if headers is None:
        client.post(
            "/api/v1/auth/register", json={"email": profile["email"], "password": COMPANY_PASSWORD}
        )
        headers = _sign_in(client, profile["email"], COMPANY_PASSWORD)
    if headers is None:
        counts["refused"] += 1
        print(f"  demo company {profile['email']!r} could not sign in")
        return counts, None
    response = client.post("/api/v1/enterprises", json=profile, headers=headers)
    if response.status_code == 409:
        counts["already there"] += 1
        return counts, None
    if response.status_code != 201:
        counts["refused"] += 1
        print(
            f"  demo enterprise {profile.get('name')!r} refused: {response.status_code} "
            f"{response.text[:300]}"
        )
        return counts, None
    counts["registered"] += 1
    enterprise_id = response.json()["id"]
    for side in _LISTING_FIELDS:
        counts.update(_publish(client, headers, enterprise_id, side, enterprise.get(side, [])))
    return counts, enterprise_id


def _publish(
    client: httpx.Client, headers: dict, enterprise_id: str, side: str, listings: list[dict]
) -> Counter[str]:
    counts: Counter[str] = Counter()
    for listing in listings:
        response = client.post(
            f"/api/v1/enterprises/{enterprise_id}/{side}", json=listing, headers=headers
        )
        if response.status_code == 201:
            counts[side] += 1
        elif response.status_code in _NOT_THERE_YET:
            counts[f"{side} skipped (no route yet)"] += 1
        else:
            counts[f"{side} refused"] += 1
            print(
                f"  demo {side[:-1]} {listing.get('title')!r} refused: {response.status_code} "
                f"{response.text[:300]}"
            )
    return counts


def _verify_most(client: httpx.Client, enterprise_ids: list[str]) -> int:
    headers = _sign_in(client, *AGENCY)
    if headers is None:
        print("  the demo agency account could not sign in; nothing verified")
        return 0
    verified = 0
    for enterprise_id in [
        e for number, e in enumerate(enterprise_ids, start=1) if number % 4
    ]:  # every fourth waits
        response = client.post(f"/api/v1/enterprises/{enterprise_id}/verify", headers=headers)
        verified += response.status_code == 200
    return verified


def _sign_in(client: httpx.Client, email: str, password: str) -> dict[str, str] | None:
    response = client.post("/api/v1/auth/token", data={"username": email, "password": password})
    if response.status_code != 200:
        return None
    return {"Authorization": f"Bearer {response.json()['access_token']}"}
