"""What the public OpenAPI document says about each route of the table: who may call it, the
errors the door itself answers, and request and response examples with the design's field names."""

from __future__ import annotations

import re
from typing import Any

from gateway.domain.access import Access
from gateway.entrypoints import query_parameters
from gateway.entrypoints.routes import Route

SECURITY_SCHEME = "OAuth2"
_QUERY_PARAMETERS = query_parameters.load()  # read once, when the route table is turned into routes
_PATH_PARAMETER = re.compile(r"{(\w+)}")
_ENTERPRISE_ID = "3f2b8c1e-8d4a-4f7e-9a51-6b0d2c9e7a10"
_LISTING_ID = "9c4e2a77-1b3d-4c5e-8f60-2a7b9d1e4c33"

_ENTERPRISE = {
    "name": "ОАО «Могилёвлифтмаш»",
    "country": "BY",
    "region": "mogilev_oblast",
    "city": "Могилёв",
    "unp": "700068951",
    "sectors": ["elevators"],
    "description": "Пассажирские и грузовые лифты, до 200 шт. в год для жилищного фонда.",
    "languages": ["ru", "be"],
    "size": "large",
    "certifications": ["ISO 9001", "EAC"],
    "contact_person": "Иван Петров",
    "email": "sales@liftmash.example.by",
    "phone": "+375222000000",
    "personal_data_consent": True,
}
_OFFER = {
    "kind": "goods",
    "title": "Пассажирские лифты 400-1000 кг для жилых домов",
    "description": "Поставка, монтаж и сервис; сроки от 90 дней.",
    "sector": "elevators",
    "product_codes": ["842810"],
    "quantity": 200,
    "unit": "pcs",
    "regions": ["smolensk_oblast", "mogilev_oblast"],
    "certifications": ["EAC"],
    "valid_until": "2027-12-31",
}
_NEED = {
    "kind": "goods",
    "title": "Замена 120 пассажирских лифтов в многоквартирных домах",
    "description": "Программа капитального ремонта 2027 года, Смоленск.",
    "sector": "elevators",
    "product_codes": ["842810"],
    "quantity": 120,
    "unit": "pcs",
    "regions": ["smolensk_oblast"],
    "certifications": ["EAC"],
    "valid_until": "2027-06-30",
}

REQUEST_EXAMPLES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/enterprises"): {"belarusian lift maker": _ENTERPRISE},
    ("PATCH", "/enterprises/{enterprise_id}"): {
        "new description and phone": {
            "description": "Лифты и эскалаторы; сервис по всей Смоленской области.",
            "phone": "+375222000001",
        }
    },
    ("POST", "/enterprises/{enterprise_id}/suspend"): {
        "with a reason": {"reason": "Контакты не отвечают три месяца."}
    },
    ("POST", "/enterprises/{enterprise_id}/offers"): {"lifts on offer": _OFFER},
    ("POST", "/enterprises/{enterprise_id}/needs"): {"lifts needed": _NEED},
    ("PATCH", "/offers/{listing_id}"): {
        "more capacity": {"quantity": 250},
        "close it": {"status": "closed"},
    },
    ("PATCH", "/needs/{listing_id}"): {
        "fewer lifts": {"quantity": 100},
        "reopen it": {"status": "active"},
    },
    ("POST", "/matches/{match_id}/approve"): {
        "approve": {"note": "Профиль поставщика проверен, сертификаты EAC есть."}
    },
    ("POST", "/matches/{match_id}/reject"): {
        "reject with a reason": {"reason": "Поставщик не работает с жилищным фондом."}
    },
    ("POST", "/matches/{match_id}/respond"): {
        "interested": {"answer": "interested"},
        "declined": {"answer": "declined"},
    },
    ("POST", "/matches/{match_id}/close"): {
        "a contract was signed": {"outcome": "Договор поставки 120 лифтов подписан."}
    },
    ("PUT", "/enterprises/{enterprise_id}/notification-preferences"): {
        "emails in Belarusian, no reminders": {
            "suggestions": "immediate",
            "unsubscribed": False,
            "language": "be",
            "reminders": False,
        },
        "a daily digest in the enterprise's own language": {
            "suggestions": "daily",
            "language": None,
        },
    },
    ("POST", "/contact-confirmations"): {
        "the token of the emailed link": {
            "token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI1YjBmM2E1MiJ9.c2lnbmF0dXJl"
        }
    },
}

_RESPONSE_EXAMPLES: dict[tuple[str, str], Any] = {
    ("GET", "/sectors"): {
        "version": "2026.1",
        "items": [
            {
                "id": "elevators",
                "names": {
                    "ru": "Лифты и подъёмное оборудование",
                    "be": "Ліфты і пад'ёмнае абсталяванне",
                    "en": "Elevators and lifting equipment",
                },
            }
        ],
    },
    ("POST", "/enterprises"): {
        "id": _ENTERPRISE_ID,
        **_ENTERPRISE,
        "status": "pending",
        "version": 1,
    },
    ("GET", "/enterprises/{enterprise_id}"): {
        "id": _ENTERPRISE_ID,
        **{
            k: v
            for k, v in _ENTERPRISE.items()
            if k not in ("contact_person", "email", "phone", "personal_data_consent")
        },
        "status": "verified",
        "version": 2,
    },
    ("GET", "/enterprises"): {
        "items": [
            {
                "id": _ENTERPRISE_ID,
                "name": _ENTERPRISE["name"],
                "country": "BY",
                "status": "verified",
            }
        ],
        "total": 1,
        "next_cursor": None,
    },
    ("POST", "/enterprises/{enterprise_id}/offers"): {
        "id": _LISTING_ID,
        "enterprise_id": _ENTERPRISE_ID,
        **_OFFER,
        "status": "active",
    },
    ("POST", "/enterprises/{enterprise_id}/needs"): {
        "id": _LISTING_ID,
        "enterprise_id": _ENTERPRISE_ID,
        **_NEED,
        "status": "active",
    },
    ("GET", "/matches/{match_id}"): {
        "id": "5a1f0e2d-6c3b-4a98-b7e6-d5c4b3a29180",
        "offer_id": _LISTING_ID,
        "need_id": "0b7c6d5e-4f3a-4b2c-9d1e-8f7a6b5c4d3e",
        "score": 0.87,
        "status": "proposed",
        "components": [
            {"name": "sector", "value": 1.0, "weight": 0.3},
            {"name": "geography", "value": 0.9, "weight": 0.15},
        ],
        "reasons": {
            "ru": ["Оба в отрасли «Лифты»", "Могилёв — Смоленск: соседние регионы через границу"],
            "en": [
                "Both in the elevators sector",
                "Mogilev - Smolensk: neighbouring regions across the border",
            ],
        },
        "history": [{"status": "proposed", "by": "matcher", "at": "2026-11-25T10:00:00Z"}],
    },
}

_PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
_DOOR_RESPONSES = {
    "429": {
        "description": "Too many requests from this account or address; see Retry-After",
        "content": _PROBLEM,
    },
    "503": {
        "description": "The service behind this route is unavailable; see Retry-After",
        "content": _PROBLEM,
    },
}
_SIGNED_IN_RESPONSES = {"401": {"description": "No valid access token", "content": _PROBLEM}}
_ROLE_RESPONSES = {
    "403": {
        "description": "Your role, or whose enterprise it is, does not allow this",
        "content": _PROBLEM,
    }
}

# Bodies a mail provider sends as a form, not JSON: RFC 8058's one-click unsubscribe.
FORM_BODIES: dict[tuple[str, str], dict[str, Any]] = {
    ("POST", "/unsubscribe"): {
        "required": True,
        "content": {
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "required": ["List-Unsubscribe"],
                    "properties": {"List-Unsubscribe": {"const": "One-Click"}},
                },
                "examples": {"one click (RFC 8058)": {"value": {"List-Unsubscribe": "One-Click"}}},
            }
        },
    },
}

PROBLEM_SCHEMA = {
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"field": {"type": "string"}, "reason": {"type": "string"}},
            },
        },
    },
}


def route_openapi(route: Route) -> dict[str, Any]:
    extra: dict[str, Any] = {
        "x-access": str(route.access),
        "security": _security(route.access),
        "responses": _responses(route),
    }
    parameters = [_path_parameter(name) for name in _PATH_PARAMETER.findall(route.path)]
    parameters += _QUERY_PARAMETERS.get(f"{route.method} {route.path}", [])
    if parameters:
        extra["parameters"] = parameters
    examples = REQUEST_EXAMPLES.get((route.method, route.path))
    if (route.method, route.path) in FORM_BODIES:
        extra["requestBody"] = FORM_BODIES[(route.method, route.path)]
    elif examples is not None:
        extra["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"type": "object"},
                    "examples": {name: {"value": value} for name, value in examples.items()},
                }
            },
        }
    return extra


def access_openapi(access: Access) -> dict[str, Any]:
    """For a route the gateway answers itself: who may call it, as the table's routes show it."""
    return {"x-access": str(access), "security": _security(access)}


def access_responses(access: Access) -> dict[int | str, dict[str, Any]]:
    """The refusals of the door for a route the gateway answers itself."""
    responses: dict[int | str, dict[str, Any]] = dict(PROBLEM_RESPONSES)
    if access is not Access.ANYONE:
        responses |= _SIGNED_IN_RESPONSES
    if access not in (Access.ANYONE, Access.SIGNED_IN):
        responses |= _ROLE_RESPONSES
    return responses


def _path_parameter(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "path",
        "required": True,
        "schema": {"type": "string", "format": "uuid"},
    }


def _security(access: Access) -> list[dict]:
    if access is Access.ANYONE:
        return [{}, {SECURITY_SCHEME: []}]  # a token is optional; with one, the owner sees more
    return [{SECURITY_SCHEME: []}]


def _responses(route: Route) -> dict[str, Any]:
    success: dict[str, Any] = {"description": route.summary}
    example = _RESPONSE_EXAMPLES.get((route.method, route.path))
    if example is not None:
        success["content"] = {"application/json": {"example": example}}
    # Services answer other errors (404, 409, 422, ...) as problem details too.
    responses = {
        str(route.status_code): success,
        **_DOOR_RESPONSES,
        "default": {"description": "An error, as problem details", "content": _PROBLEM},
    }
    if route.access is not Access.ANYONE:
        responses |= _SIGNED_IN_RESPONSES
    if route.access not in (Access.ANYONE, Access.SIGNED_IN):
        responses |= _ROLE_RESPONSES
    return responses


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    "default": {"description": "An error, as problem details", "content": _PROBLEM},
    429: _DOOR_RESPONSES["429"],
}
