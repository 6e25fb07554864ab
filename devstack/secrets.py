"""The signing secrets of a `make up` platform: made on its first run, from the operating system's
random source, and kept in its state folder (readable by this user only), so tokens, sessions and
emailed links outlive a restart and none is ever signed with a secret published in the
repository."""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

# What each one signs: the gateway's access tokens and password links; the gateway's internal
# tokens to the services and the services' emailed links (confirmation, unsubscribe); the web's
# session and CSRF cookies.
NAMES = ("jwt_secret", "internal_token_secret", "web_session_secret")
FILE_NAME = "secrets.json"


def load_or_create(state_dir: Path) -> dict[str, str]:
    path = state_dir / FILE_NAME
    kept = _read(path)
    if all(isinstance(kept.get(name), str) and len(kept[name]) >= 32 for name in NAMES):
        return {name: kept[name] for name in NAMES}
    made = {
        name: kept[name]
        if isinstance(kept.get(name), str) and len(kept[name]) >= 32
        else secrets.token_urlsafe(32)
        for name in NAMES
    }
    state_dir.mkdir(parents=True, exist_ok=True)
    # Written under a temporary name with the owner's permissions only, then renamed into place.
    temporary = path.with_suffix(".tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as file:
        json.dump(made, file)
    os.replace(temporary, path)
    return made


def _read(path: Path) -> dict:
    try:
        kept = json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return {}
    return kept if isinstance(kept, dict) else {}
