"""Loads the demo data set through the gateway, as a company would register itself."""

from __future__ import annotations

import json
from pathlib import Path

import httpx

DEMO_FILE = Path(__file__).resolve().parents[1] / "data" / "demo" / "enterprises.json"
_LISTING_FIELDS = ("offers", "needs")


def load_demo(gateway_url: str, path: Path = DEMO_FILE) -> dict[str, int]:
    """Registers every demo enterprise; one already registered (409) is counted, not an error."""
    if not path.exists():
        return {}
    enterprises = json.loads(path.read_text(encoding="utf-8"))
    counts = {"registered": 0, "already there": 0, "refused": 0}
    with httpx.Client(base_url=gateway_url, timeout=30) as client:
        for enterprise in enterprises:
            profile = {k: v for k, v in enterprise.items() if k not in _LISTING_FIELDS}
            response = client.post("/api/v1/enterprises", json=profile)
            if response.status_code == 201:
                counts["registered"] += 1
            elif response.status_code == 409:
                counts["already there"] += 1
            else:
                counts["refused"] += 1
                print(f"  demo enterprise {profile.get('name')!r} refused: {response.status_code} {response.text[:300]}")
    return counts
