"""The load's people, for locust (run by bench/load/run_load.py, headless): companies and the
agency's reviewers, calling the gateway's public API as the portal and the console do.

A company opens its account, confirms its address through the emailed link, signs in and
registers its enterprise with that address (so the platform mails it without asking again); a
Belarusian maker publishes offers, a Smolensk buyer needs, of one of a few product families; then
it reads the market, publishes now and then and answers its partner suggestions (mostly
«interested», sometimes «declined»). A reviewer (the demo agency account) verifies the pending
enterprises and approves the proposed pairs (rejects one in ten); reviewers split the work by id so
that two never decide the same thing. Every route is reported under its template; the wait for
the confirmation email is reported as `EMAIL account confirmation` (its time is the wait).
"""

from __future__ import annotations

import random
import time
import uuid
from itertools import count
from pathlib import Path

from locust import HttpUser, between, events, task

from bench.load.inbox import Inbox
from tests.e2e.profiles import enterprise_profile

PASSWORD = "a long passphrase"
AGENCY = ("agency@demo.local", "demo-agency")
MAX_LISTINGS = 3
CONFIRMATION_WAIT_SECONDS = 60

# (sector, HS code, what is sold, what is wanted): offers and needs of one family pair up.
FAMILIES = (
    ("elevators", "842810", "Пассажирские лифты 400–1000 кг", "Замена пассажирских лифтов"),
    ("agricultural_machinery", "8433", "Зерноуборочные комбайны", "Комбайны для уборки зерна"),
    ("municipal_vehicles", "8705", "Коммунальные уборочные машины", "Машины для уборки улиц"),
    ("machine_tools", "8458", "Токарные станки с ЧПУ", "Токарные станки для цеха"),
    ("mechanical_engineering", "8413", "Центробежные насосы", "Насосы для водоканала"),
    ("energy_nuclear", "8402", "Паровые котлы промышленные", "Котлы для котельной"),
)


@events.init_command_line_parser.add_listener
def _options(parser) -> None:
    parser.add_argument("--mail-api", default="", help="the SMTP sink's read API (the inboxes)")
    parser.add_argument("--reviewers", type=int, default=2, help="agency reviewers among users")
    parser.add_argument(
        "--last-request-file", default="", help="where to write when the last ended"
    )


_inbox: Inbox | None = None
_last_request_ended = 0.0  # Unix time: the end of the load, for the emails that follow it


@events.request.add_listener
def _remember_last_request(request_type, **_) -> None:
    global _last_request_ended
    if request_type != "EMAIL":
        _last_request_ended = time.time()


@events.quitting.add_listener
def _write_last_request(environment, **_) -> None:
    if environment.parsed_options.last_request_file:
        Path(environment.parsed_options.last_request_file).write_text(f"{_last_request_ended}\n")


@events.init.add_listener
def _open_inbox(environment, **_) -> None:
    global _inbox
    _inbox = Inbox(environment.parsed_options.mail_api)
    Reviewer.fixed_count = environment.parsed_options.reviewers


def decide(client, match_id: str, decision: str, body: dict) -> None:
    """Approve, reject or respond to a match; a refusal is reported with the problem's detail
    (a 409 names what changed the match since the caller read it)."""
    with client.post(
        f"/api/v1/matches/{match_id}/{decision}",
        json=body,
        name=f"/api/v1/matches/{{id}}/{decision}",
        catch_response=True,
    ) as response:
        if response.status_code >= 400:
            problem = response.text[:300]
            response.failure(f"{response.status_code} {problem}")


def _listing(family: tuple[str, str, str, str], *, side: str) -> dict:
    sector, code, sold, wanted = family
    marker = uuid.uuid4().hex[:6]
    title, verb = (sold, "Производим и поставляем") if side == "offer" else (wanted, "Закупаем")
    return {
        "kind": "goods",
        "title": f"{title} {marker}",
        "description": f"{verb}: {title.lower()}, партия {marker}",
        "sector": sector,
        "product_codes": [code],
        "quantity": random.choice((10, 20, 50, 120)),
        "unit": "шт.",
    }


class Company(HttpUser):
    weight = 1
    wait_time = between(1, 4)

    def on_start(self) -> None:
        self.maker = random.random() < 0.5  # a Belarusian maker (offers) or a Smolensk buyer
        self.family = random.choice(FAMILIES)
        self.enterprise_id: str | None = None
        self.listings = 0
        self.login = f"load-{uuid.uuid4().hex[:12]}@example.{'by' if self.maker else 'ru'}"
        self.client.post(
            "/api/v1/auth/register",
            json={"email": self.login, "password": PASSWORD},
            name="/api/v1/auth/register",
        )
        self._confirm_address()
        signed_in = self.client.post(
            "/api/v1/auth/token",
            data={"username": self.login, "password": PASSWORD},
            name="/api/v1/auth/token",
        )
        if signed_in.status_code != 200:
            return
        self.client.headers["Authorization"] = f"Bearer {signed_in.json()['access_token']}"
        self._register_enterprise()

    def _confirm_address(self) -> None:
        started = time.perf_counter()
        link = _inbox.link_to(self.login, "/confirm", timeout=CONFIRMATION_WAIT_SECONDS)
        events.request.fire(
            request_type="EMAIL",
            name="account confirmation",
            response_time=(time.perf_counter() - started) * 1000,
            response_length=0,
            exception=None if link else TimeoutError("no confirmation email"),
            context={},
        )
        if link:
            token = link.split("?token=", 1)[1]
            self.client.post(
                "/api/v1/auth/confirm", json={"token": token}, name="/api/v1/auth/confirm"
            )

    def _register_enterprise(self) -> None:
        marker = uuid.uuid4().hex[:6]
        city = random.choice(("Могилёв", "Гомель", "Орша")) if self.maker else "Смоленск"
        profile = enterprise_profile(
            marker, name="ООО «Нагрузка»", city=city, sectors=[self.family[0]], email=self.login
        )
        registered = self.client.post(
            "/api/v1/enterprises", json=profile, name="/api/v1/enterprises"
        )
        if registered.status_code == 201:
            self.enterprise_id = registered.json()["id"]
            self.publish()

    @task(2)
    def publish(self) -> None:
        if self.enterprise_id is None or self.listings >= MAX_LISTINGS:
            return self.browse()
        side = "offer" if self.maker else "need"
        self.client.post(
            f"/api/v1/enterprises/{self.enterprise_id}/{side}s",
            json=_listing(self.family, side=side),
            name=f"/api/v1/enterprises/{{id}}/{side}s",
        )
        self.listings += 1

    @task(4)
    def answer_suggestions(self) -> None:
        if self.enterprise_id is None:
            return
        page = self.client.get(
            f"/api/v1/enterprises/{self.enterprise_id}/suggestions",
            name="/api/v1/enterprises/{id}/suggestions",
        )
        if page.status_code != 200:
            return
        for match in page.json()["items"]:
            mine = "offer" if match["offer_enterprise_id"] == self.enterprise_id else "need"
            if match["status"] == "approved" and match[f"{mine}_answer"] is None:
                answer = "declined" if random.random() < 0.15 else "interested"
                decide(self.client, match["id"], "respond", {"answer": answer})

    @task(3)
    def browse(self) -> None:
        other = "needs" if self.maker else "offers"
        self.client.get(
            f"/api/v1/{other}",
            params={"sector": self.family[0], "limit": 20},
            name=f"/api/v1/{other}?sector",
        )


class Reviewer(HttpUser):
    """The demo agency account; several reviewers each take the items whose id falls to them."""

    fixed_count = 2
    wait_time = between(0.5, 2)
    _numbers = count()

    def on_start(self) -> None:
        self.number = next(Reviewer._numbers) % Reviewer.fixed_count
        signed_in = self.client.post(
            "/api/v1/auth/token",
            data={"username": AGENCY[0], "password": AGENCY[1]},
            name="/api/v1/auth/token (agency)",
        )
        if signed_in.status_code == 200:
            self.client.headers["Authorization"] = f"Bearer {signed_in.json()['access_token']}"

    def _my_share(self, path: str, *, params: dict, name: str) -> list[dict]:
        """This reviewer's items of the queue's first page (none when the queue did not answer)."""
        queue = self.client.get(path, params=params, name=name)
        if queue.status_code != 200:
            return []
        items = queue.json()["items"]
        return [i for i in items if uuid.UUID(i["id"]).int % Reviewer.fixed_count == self.number]

    @task(1)
    def verify_pending(self) -> None:
        pending = {"status": "pending", "sort": "created_at", "limit": 50}
        name = "/api/v1/enterprises?status=pending"
        for enterprise in self._my_share("/api/v1/enterprises", params=pending, name=name):
            self.client.post(
                f"/api/v1/enterprises/{enterprise['id']}/verify",
                name="/api/v1/enterprises/{id}/verify",
            )

    @task(2)
    def review_proposed(self) -> None:
        proposed = {"status": "proposed", "sort": "age", "limit": 20}
        name = "/api/v1/matches?status=proposed"
        for match in self._my_share("/api/v1/matches", params=proposed, name=name):
            self.client.get(f"/api/v1/matches/{match['id']}", name="/api/v1/matches/{id}")
            if random.random() < 0.1:
                decide(self.client, match["id"], "reject", {"reason": "Объёмы не совпадают"})
            else:
                decide(self.client, match["id"], "approve", {})
