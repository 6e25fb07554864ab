"""The companies' inboxes, read from the SMTP sink's API the way a person reads their mail: one
poller (a greenlet of the locust process) lists what arrived since its last look, and a company
waits, for a bounded time, for the first email to its address whose text holds a link to a
given page. The sink is part of the platform's test bench, not of the product: its calls are not
counted among the load's requests."""

from __future__ import annotations

import re
import time
from collections import defaultdict

import gevent
import requests

POLL_SECONDS = 0.5
_FIRST_PAGE = 500


class Inbox:
    def __init__(self, mail_api_url: str) -> None:
        self._url = mail_api_url.rstrip("/")
        self._http = requests.Session()
        self._seen: set[str] = set()
        self._ids_to: defaultdict[str, list[str]] = defaultdict(list)
        self._page = _FIRST_PAGE
        self._poller: gevent.Greenlet | None = None
        self._waiting = 0  # companies waiting for an email: the poller runs while there are any

    def link_to(self, address: str, path: str, *, timeout: float) -> str | None:
        """The first link to `path` (`/confirm`: the page only, not `/confirm-contact`) in an
        email to `address`, or None if none arrived within `timeout` seconds."""
        pattern = re.compile(rf"https?://\S+{re.escape(path)}\?token=[\w.\-]+")
        read: set[str] = set()
        deadline = time.monotonic() + timeout
        self._waiting += 1
        try:
            self._ensure_polling()
            while time.monotonic() < deadline:
                for message_id in [m for m in self._ids_to.get(address, ()) if m not in read]:
                    read.add(message_id)
                    message = self._http.get(f"{self._url}/api/v1/message/{message_id}", timeout=10)
                    found = pattern.search(message.json()["Text"])
                    if found:
                        return found.group(0)
                gevent.sleep(POLL_SECONDS)
            return None
        finally:
            self._waiting -= 1

    def _ensure_polling(self) -> None:
        if self._poller is None or self._poller.dead:
            self._poller = gevent.spawn(self._poll_while_waited_for)

    def _poll_while_waited_for(self) -> None:
        """Newest first: the page holds whatever arrived since the last look unless more than a
        page did, and then the next look takes a page large enough. It stops when nobody waits
        (each waiter has a deadline)."""
        while self._waiting:
            try:
                listing = self._http.get(
                    f"{self._url}/api/v1/messages", params={"limit": self._page}, timeout=10
                ).json()
            except requests.RequestException:
                gevent.sleep(POLL_SECONDS)
                continue
            for message in listing["messages"]:
                if message["ID"] not in self._seen:
                    self._seen.add(message["ID"])
                    for to in message["To"]:
                        self._ids_to[to["Address"]].append(message["ID"])
            unseen = listing["total"] - len(self._seen)
            self._page = _FIRST_PAGE if unseen <= 0 else unseen + _FIRST_PAGE
            gevent.sleep(POLL_SECONDS)
