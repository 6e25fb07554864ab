"""The registry's HTTP shapes: what a request may carry and what each audience may see."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field, StringConstraints

from registry.domain.enterprise import Enterprise

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Digits = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^\d+$", max_length=15)]
Language = Literal["ru", "be", "en"]
Size = Literal["micro", "small", "medium", "large"]


class EnterpriseIn(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
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
            ]
        },
    )

    name: Text
    country: Literal["RU", "BY"]
    region: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    city: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
    inn: Digits | None = None
    ogrn: Digits | None = None
    unp: Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^[0-9A-Za-z]{9}$")] | None = None
    sectors: Annotated[list[str], Field(min_length=1, max_length=5)]
    description: Annotated[str, StringConstraints(max_length=5000)] = ""
    languages: Annotated[list[Language], Field(min_length=1, max_length=3)] = ["ru"]
    size: Size = "small"
    certifications: Annotated[list[Annotated[str, StringConstraints(max_length=100)]], Field(max_length=30)] = []
    contact_person: Text
    email: EmailStr
    phone: Annotated[str, StringConstraints(pattern=r"^\+?[0-9 ()-]{7,20}$")] | None = None
    personal_data_consent: bool


class EnterprisePublic(BaseModel):
    """What anyone may see: no contact person, email or phone."""

    id: uuid.UUID
    name: str
    country: str
    region: str
    city: str
    inn: str | None
    ogrn: str | None
    unp: str | None
    sectors: list[str]
    description: str
    languages: list[str]
    size: str
    certifications: list[str]
    status: str
    version: int
    created_at: datetime | None
    verified_at: datetime | None

    @classmethod
    def of(cls, enterprise: Enterprise) -> EnterprisePublic:
        return cls.model_validate(enterprise, from_attributes=True)


class EnterprisePrivate(EnterprisePublic):
    """What the owner and the agency see."""

    contact_person: str
    email: str
    phone: str | None
    personal_data_consent: bool
    verified_by: str | None


class EnterprisePage(BaseModel):
    items: list[EnterprisePrivate | EnterprisePublic]
    total: int
    next_cursor: str | None
