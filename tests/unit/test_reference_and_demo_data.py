"""The taxonomy, regions, cities and demo data a new user sees are valid: every legal id passes its
real check digits, every reference resolves, and the data set is as large as promised."""

import subprocess
import sys

from devstack.stack import ROOT


def test_the_reference_and_demo_data_files_pass_their_checker():
    result = subprocess.run([sys.executable, str(ROOT / "scripts" / "check_data.py")], capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stdout + result.stderr
    assert "OK: all data files are valid" in result.stdout
