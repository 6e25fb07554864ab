"""The web application's client of the public API tells the person's input from an outage: a
request it cannot even send as HTTP (a query too long for a URL, a header value with a control
character) is the input's fault, refused with a 400, never shown as "the platform is down"; a
gateway that cannot be reached is an outage."""

from __future__ import annotations

import httpx
import pytest

from web.adapters.gateway_client import ApiProblem, ApiUnavailable, GatewayClient


def _client(answer) -> GatewayClient:
    return GatewayClient("http://gateway.test", timeout=5, transport=httpx.MockTransport(answer))


def _empty_object(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={})


async def test_a_query_too_long_for_a_url_is_refused_as_the_inputs_fault():
    client = _client(_empty_object)
    with pytest.raises(ApiProblem) as refused:
        await client.request("GET", "/matches", params={"q": "x" * 70_000})
    await client.close()

    assert refused.value.status == 400 and not isinstance(refused.value, ApiUnavailable)


async def test_a_gateway_that_cannot_be_reached_is_an_outage():
    def refused(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused", request=request)

    client = _client(refused)
    with pytest.raises(ApiUnavailable) as down:
        await client.request("GET", "/matches")
    await client.close()

    assert down.value.status == 503


async def test_an_error_of_an_item_of_a_list_names_the_list_the_page_has_a_field_for():
    def refused(request: httpx.Request) -> httpx.Response:
        errors = [
            {"field": "body.certifications.3", "reason": "at most 100 characters"},
            {"field": "body.email", "reason": "not a valid email address"},
            {"field": "", "reason": "the body is not an object"},
        ]
        return httpx.Response(422, json={"title": "Invalid", "errors": errors})

    client = _client(refused)
    with pytest.raises(ApiProblem) as problem:
        await client.request("PATCH", "/enterprises/1", json={})
    await client.close()

    assert [e["field"] for e in problem.value.errors] == ["certifications", "email", ""]
