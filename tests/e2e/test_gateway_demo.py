"""The demo loader goes through the gateway as real users would: each demo company opens its
account and registers its enterprise and listings, then the agency verifies three in four (matching
pairs only verified enterprises; every fourth stays in the verification queue)."""

from __future__ import annotations

import json

from devstack.demo import COMPANY_PASSWORD, load_demo
from tests.identifiers import fresh_inn, fresh_marker


def _demo_enterprise(template: dict) -> dict:
    marker = fresh_marker(8)
    return template | {
        "name": f"ООО «Демо {marker}»",
        "inn": fresh_inn(),
        "email": f"demo-{marker}@example.ru",
        # Sectors no story test is about, so the matcher's proposals for those are not crowded out.
        "offers": [
            {
                "kind": "services",
                "title": "Экскурсии по Смоленской крепости",
                "sector": "tourism",
                "regions": ["smolensk_oblast"],
            }
        ],
        "needs": [
            {
                "kind": "services",
                "title": "Гиды со знанием белорусского языка",
                "sector": "tourism",
                "quantity": 2,
                "unit": "чел.",
            }
        ],
    }


def test_demo_companies_sign_up_register_and_three_in_four_are_verified(
    platform, gateway, sign_in, tmp_path, smolensk_housing_operator
):
    demo = [_demo_enterprise(smolensk_housing_operator) for _ in range(4)]
    demo_file = tmp_path / "enterprises.json"
    demo_file.write_text(json.dumps(demo, ensure_ascii=False), encoding="utf-8")

    counts = load_demo(platform.gateway_url, demo_file)

    assert counts["registered"] == 4
    assert counts["verified"] == 3
    # Listings are published, or counted as skipped while the registry has no listing routes.
    assert counts.get("offers", 0) + counts.get("offers skipped (no route yet)", 0) == 4
    assert counts.get("needs", 0) + counts.get("needs skipped (no route yet)", 0) == 4
    owner = sign_in(demo[0]["email"], COMPANY_PASSWORD)
    [enterprise_id] = gateway.get("/api/v1/auth/me", headers=owner).json()["enterprise_ids"]
    assert gateway.get(f"/api/v1/enterprises/{enterprise_id}").json()["status"] == "verified"
    fourth = sign_in(demo[3]["email"], COMPANY_PASSWORD)
    [waiting] = gateway.get("/api/v1/auth/me", headers=fourth).json()["enterprise_ids"]
    assert gateway.get(f"/api/v1/enterprises/{waiting}").json()["status"] == "pending"


def test_loading_the_demo_twice_counts_what_is_already_there(
    platform, tmp_path, smolensk_housing_operator
):
    demo_file = tmp_path / "enterprises.json"
    demo_file.write_text(
        json.dumps([_demo_enterprise(smolensk_housing_operator)], ensure_ascii=False),
        encoding="utf-8",
    )
    load_demo(platform.gateway_url, demo_file)

    again = load_demo(platform.gateway_url, demo_file)

    assert again["already there"] == 1
    assert again.get("registered", 0) == 0
