"""A steady stream of the platform's everyday work through the gateway, as companies and the
agency's reviewer do it: two companies open accounts and register their enterprises, the reviewer
verifies both, one offers and the other needs, the reviewer approves the pair the matcher proposes
and both companies answer «interested». Every answer is recorded; a 5xx or no answer at all is
retried after its Retry-After (bounded), as a client of the public API is told to."""

from __future__ import annotations

import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import httpx

from tests.e2e.profiles import enterprise_profile, lift_need, lift_offer
from tests.identifiers import fresh_marker

AGENCY = ("agency@demo.local", "demo-agency")
PASSWORD = "a long passphrase"
CALL_TIMEOUT = 120.0  # one request, retried, until it is answered
PROPOSAL_TIMEOUT = 90.0  # the matcher's proposal for a story's need
LONGEST_PAUSE = 3.0  # a Retry-After longer than this is waited this long only


class StoryAbandoned(Exception):
    """A request went unanswered (or refused) for longer than CALL_TIMEOUT."""


@dataclass(frozen=True)
class ServerError:
    """A 5xx a caller saw, and whether the same request was answered (below 500) on retry."""

    route: str
    status: int
    retry_after: str | None
    answered_on_retry: bool


@dataclass
class Acknowledged:
    """What the gateway acknowledged with a 2xx: each must be found in the services' databases."""

    enterprises: dict[str, str] = field(default_factory=dict)  # id -> contact email
    verified: set[str] = field(default_factory=set)
    listings: set[str] = field(default_factory=set)
    approved: set[str] = field(default_factory=set)
    answers: dict[tuple[str, str], str] = field(default_factory=dict)  # (match, side) -> answer


@dataclass
class Ledger:
    """Everything the callers saw, shared by the stories' threads (under `lock`)."""

    acknowledged: Acknowledged = field(default_factory=Acknowledged)
    server_errors: list[ServerError] = field(default_factory=list)
    unanswered: int = (
        0  # requests that got no answer at all (the gateway was down) and were retried
    )
    requests: int = 0
    stories_done: int = 0
    stories_abandoned: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


class Traffic:
    """Runs stories `concurrency` at a time until `stop()` (or `duration`), then waits for them."""

    def __init__(self, gateway_url: str, *, accounts: dict[str, dict], concurrency: int = 3):
        self.gateway_url = gateway_url
        self.accounts = accounts  # enterprise id -> its company's Authorization header
        self.concurrency = concurrency
        self.ledger = Ledger()
        self._stopping = threading.Event()
        self._runner: threading.Thread | None = None

    # --- running ----------------------------------------------------------------------------
    def start(self, *, duration: float) -> None:
        self._runner = threading.Thread(target=self._run, args=(duration,), daemon=True)
        self._runner.start()

    def stop(self, *, timeout: float = 300.0) -> Ledger:
        """No new story starts; waits (bounded) for the running ones to end."""
        self._stopping.set()
        self._runner.join(timeout)
        assert not self._runner.is_alive(), "the stories did not end within their bounds"
        return self.ledger

    def _run(self, duration: float) -> None:
        deadline = time.monotonic() + duration
        with ThreadPoolExecutor(self.concurrency) as pool:
            running = set()
            while not self._stopping.is_set() and time.monotonic() < deadline:
                running = {f for f in running if not f.done()}
                while len(running) < self.concurrency:
                    running.add(pool.submit(self._story))
                time.sleep(0.2)

    def _story(self) -> None:
        marker = fresh_marker(8)
        with httpx.Client(base_url=self.gateway_url, timeout=20) as client:
            try:
                Story(self, client, marker).play()
                with self.ledger.lock:
                    self.ledger.stories_done += 1
            except StoryAbandoned as abandoned:
                with self.ledger.lock:
                    self.ledger.stories_abandoned.append(str(abandoned))

    # --- one request ------------------------------------------------------------------------
    def send(
        self, client: httpx.Client, method: str, route: str, path: str, **request
    ) -> httpx.Response:
        """The first answer below 500; each 5xx before it is recorded with its Retry-After."""
        deadline = time.monotonic() + CALL_TIMEOUT
        seen: list[tuple[int, str | None]] = []
        while True:
            try:
                response = client.request(method, f"/api/v1{path}", **request)
            except httpx.TransportError:
                response = None
                with self.ledger.lock:
                    self.ledger.unanswered += 1
            with self.ledger.lock:
                self.ledger.requests += 1
            if response is not None and response.status_code < 500:
                self._record(route, seen, answered=True)
                return response
            if response is not None:
                seen.append((response.status_code, response.headers.get("retry-after")))
            if time.monotonic() > deadline:
                self._record(route, seen, answered=False)
                raise StoryAbandoned(f"{method} {route}: no answer below 500 in {CALL_TIMEOUT}s")
            time.sleep(_pause(seen[-1][1] if seen and response is not None else None))

    def _record(self, route: str, seen: list[tuple[int, str | None]], *, answered: bool) -> None:
        with self.ledger.lock:
            self.ledger.server_errors += [
                ServerError(route, status, retry_after, answered) for status, retry_after in seen
            ]


def _pause(retry_after: str | None) -> float:
    try:
        return min(max(float(retry_after), 0.1), LONGEST_PAUSE)
    except (TypeError, ValueError):
        return 0.5


class Story:
    """One pair of companies from their accounts to their introduction."""

    def __init__(self, traffic: Traffic, client: httpx.Client, marker: str) -> None:
        self.traffic, self.client, self.marker = traffic, client, marker
        self.ledger = traffic.ledger

    def call(self, method: str, route: str, path: str | None = None, **request) -> httpx.Response:
        """`route`: the request's path with its ids as placeholders, as the figures count it."""
        return self.traffic.send(self.client, method, route, path or route, **request)

    def expect(self, response: httpx.Response, *statuses: int) -> httpx.Response:
        if response.status_code not in statuses:
            raise StoryAbandoned(
                f"{response.request.method} {response.request.url.path}: "
                f"{response.status_code} {response.text[:200]}"
            )
        return response

    def play(self) -> None:
        seller = self.company("Лифтмаш", "Могилёв", "elevators")
        buyer = self.company("Жилсервис", "Смоленск", "construction")
        agency = self.sign_in(*AGENCY)
        for enterprise_id in (seller, buyer):
            self.verify(agency, enterprise_id)
        self.publish(seller, "offers", lift_offer(title=f"Пассажирские лифты {self.marker}"))
        need = self.publish(buyer, "needs", lift_need(title=f"Замена лифтов {self.marker}"))
        match = self.approve_a_proposal(agency, need)
        for side in ("offer", "need"):
            self.answer(match, side)

    # --- the steps --------------------------------------------------------------------------
    def sign_in(self, email: str, password: str) -> dict[str, str]:
        response = self.call("POST", "/auth/token", data={"username": email, "password": password})
        token = self.expect(response, 200).json()["access_token"]
        return {"Authorization": f"Bearer {token}"}

    def company(self, name: str, city: str, sector: str) -> str:
        """A company opens its account and registers its enterprise; returns the enterprise's id."""
        email = f"fault-{self.marker}-{uuid.uuid4().hex[:6]}@example.ru"
        registered = self.call(
            "POST", "/auth/register", json={"email": email, "password": PASSWORD}
        )
        self.expect(registered, 202)
        account = self.sign_in(email, PASSWORD)
        profile = enterprise_profile(self.marker, name=name, city=city, sectors=[sector])
        created = self.call("POST", "/enterprises", json=profile, headers=account)
        if created.status_code == 409:  # a retried registration whose first attempt went through
            me = self.call("GET", "/auth/me", headers=account)
            enterprise_id = self.expect(me, 200).json()["enterprise_ids"][0]
        else:
            enterprise_id = self.expect(created, 201).json()["id"]
            with self.ledger.lock:
                self.ledger.acknowledged.enterprises[enterprise_id] = profile["email"]
        self.traffic.accounts[enterprise_id] = account
        return enterprise_id

    def verify(self, agency: dict, enterprise_id: str) -> None:
        path = f"/enterprises/{enterprise_id}/verify"
        response = self.call("POST", "/enterprises/{id}/verify", path, headers=agency)
        if self.expect(response, 200, 409).status_code == 200:
            with self.ledger.lock:
                self.ledger.acknowledged.verified.add(enterprise_id)

    def publish(self, enterprise_id: str, plural: str, listing: dict) -> str:
        account = self.traffic.accounts[enterprise_id]
        path = f"/enterprises/{enterprise_id}/{plural}"
        response = self.call(
            "POST", f"/enterprises/{{id}}/{plural}", path, json=listing, headers=account
        )
        listing_id = self.expect(response, 201).json()["id"]
        with self.ledger.lock:
            self.ledger.acknowledged.listings.add(listing_id)
        return listing_id

    def approve_a_proposal(self, agency: dict, need_id: str) -> dict:
        """The reviewer approves a pair proposed for the need (with whichever offer scored it)."""
        deadline = time.monotonic() + PROPOSAL_TIMEOUT
        while time.monotonic() < deadline:
            listed = self.call("GET", "/matches", params={"need_id": need_id}, headers=agency)
            for match in self.expect(listed, 200).json()["items"]:
                if (
                    match["status"] != "proposed"
                    or match["offer_enterprise_id"] not in self.traffic.accounts
                ):
                    continue
                path = f"/matches/{match['id']}/approve"
                approved = self.call("POST", "/matches/{id}/approve", path, json={}, headers=agency)
                if approved.status_code == 200 or self.approved_unanswered(agency, match, approved):
                    with self.ledger.lock:
                        self.ledger.acknowledged.approved.add(match["id"])
                    return match
            time.sleep(1.0)
        raise StoryAbandoned(f"no pair was proposed for need {need_id} in {PROPOSAL_TIMEOUT}s")

    def approved_unanswered(self, agency: dict, match: dict, response: httpx.Response) -> bool:
        """A 409 to an approval sent again because its first attempt got no answer (the gateway
        killed under it): the first attempt may have approved the match. Only this story approves
        its need's pairs, so an approved match now is its own approval."""
        if response.status_code != 409:
            return False
        path = f"/matches/{match['id']}"
        current = self.expect(self.call("GET", "/matches/{id}", path, headers=agency), 200)
        return current.json()["status"] == "approved"

    def answer(self, match: dict, side: str) -> None:
        account = self.traffic.accounts[match[f"{side}_enterprise_id"]]
        path = f"/matches/{match['id']}/respond"
        answer = {"answer": "interested"}
        response = self.call("POST", "/matches/{id}/respond", path, json=answer, headers=account)
        # 409: this side had answered already (another story approved the same offer's pair).
        if self.expect(response, 200, 409).status_code == 200:
            with self.ledger.lock:
                self.ledger.acknowledged.answers[(match["id"], side)] = "interested"
