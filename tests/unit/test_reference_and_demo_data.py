"""The taxonomy, regions, cities and demo data a new user sees are valid: every legal id passes its
real check digits, every reference resolves, and the data set is as large as promised."""

import json
import subprocess
import sys

from devstack.stack import ROOT


def test_the_reference_and_demo_data_files_pass_their_checker():
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "check_data.py")],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK: all data files are valid" in result.stdout


def test_every_usual_product_code_of_a_sector_has_its_name_in_russian_belarusian_and_english():
    taxonomy = json.loads((ROOT / "data" / "taxonomy" / "sectors.json").read_text(encoding="utf-8"))

    unnamed = [
        (sector["id"], prefix, language)
        for sector in taxonomy["sectors"]
        for prefix in sector["hs_prefixes"]
        for language in ("ru", "be", "en")
        if not (sector.get("hs_names", {}).get(prefix, {}).get(language) or "").strip()
    ]
    strays = [
        (sector["id"], prefix)
        for sector in taxonomy["sectors"]
        for prefix in sector.get("hs_names", {})
        if prefix not in sector["hs_prefixes"]
    ]

    assert unnamed == [] and strays == []
    lifts = next(sector for sector in taxonomy["sectors"] if sector["id"] == "elevators")
    assert lifts["hs_names"]["842810"] == {
        "ru": "Лифты и скиповые подъёмники",
        "be": "Ліфты і скіпавыя пад'ёмнікі",
        "en": "Lifts and skip hoists",
    }
