"""What the gateway sends on to a service is the route the client was admitted to: a path
parameter cannot climb out of its segment into another route of the service."""

from __future__ import annotations


def test_an_enterprise_id_of_two_dots_does_not_turn_into_the_search_of_all_needs(gateway):
    response = gateway.get("/api/v1/enterprises/%2E%2E/needs")

    assert 400 <= response.status_code < 500, response.text
    assert response.headers["content-type"].startswith("application/problem+json")


def test_a_question_mark_inside_an_enterprise_id_stays_in_the_id(gateway):
    response = gateway.get("/api/v1/enterprises/x%3Flimit=1")

    assert response.status_code in (404, 422), response.text


def test_the_query_string_reaches_the_service_as_the_client_wrote_it(gateway):
    refused = gateway.get("/api/v1/enterprises", params={"limit": "0"})
    searched = gateway.get(
        "/api/v1/enterprises", params={"limit": "1", "q": "ООО «Ромашка» & сыновья"}
    )

    assert refused.status_code == 422, refused.text
    assert searched.status_code == 200, searched.text
