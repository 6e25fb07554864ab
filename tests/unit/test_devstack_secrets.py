"""`make up` makes its signing secrets on its first run and keeps them in its state folder: a
restart keeps everyone signed in and every emailed link working, and no secret comes from the
repository."""

import json
import stat

from devstack.secrets import FILE_NAME, NAMES, load_or_create
from eventkit.published_secrets import PUBLISHED_SECRETS


def test_the_first_run_makes_strong_secrets_only_the_user_can_read(tmp_path):
    made = load_or_create(tmp_path)

    assert set(made) == set(NAMES)
    assert all(len(secret) >= 32 for secret in made.values())
    assert len(set(made.values())) == len(NAMES)  # one secret per purpose
    assert not set(made.values()) & PUBLISHED_SECRETS
    assert stat.S_IMODE((tmp_path / FILE_NAME).stat().st_mode) == 0o600


def test_later_runs_keep_them(tmp_path):
    assert load_or_create(tmp_path) == load_or_create(tmp_path)


def test_another_state_folder_gets_its_own(tmp_path):
    assert load_or_create(tmp_path / "one") != load_or_create(tmp_path / "two")


def test_a_damaged_file_is_replaced_keeping_what_is_still_good(tmp_path):
    kept = load_or_create(tmp_path)
    (tmp_path / FILE_NAME).write_text(
        json.dumps({"jwt_secret": "short", "internal_token_secret": kept["internal_token_secret"]})
    )

    again = load_or_create(tmp_path)

    assert again["internal_token_secret"] == kept["internal_token_secret"]
    assert len(again["jwt_secret"]) >= 32 and again["jwt_secret"] != "short"
    (tmp_path / FILE_NAME).write_text("not json")
    assert all(len(secret) >= 32 for secret in load_or_create(tmp_path).values())
