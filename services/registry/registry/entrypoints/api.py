"""The registry's HTTP routes: decode, call a use case, encode."""

from __future__ import annotations

import re
import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Depends, Header, HTTPException, Query, Request, Response
from pydantic import BaseModel

from registry.domain.actors import Caller
from registry.domain.enterprise import Enterprise
from registry.domain.errors import FieldError, InvalidInput
from registry.domain.listing import Listing, Side
from registry.domain.queries import ListingFilters, PageRequest
from registry.domain.reference import Reference
from registry.entrypoints.reference_documents import (
    CONDITIONAL,
    REFERENCE_RESPONSES,
    ReferenceDocuments,
)
from registry.entrypoints.schemas import (
    ALREADY_REGISTERED,
    INVALID,
    MANAGERS_ONLY,
    NOT_FOUND,
    NOT_NOW,
    STAFF_ONLY,
    STALE,
    TAGGED,
    TAGGED_CREATED,
    TOO_LARGE,
    UNAUTHORIZED,
    VERSIONED_WRITE_ERRORS,
    CitiesOut,
    CountryCode,
    EnterpriseIn,
    EnterprisePage,
    EnterprisePatch,
    EnterprisePrivate,
    EnterprisePublic,
    EnterpriseQuery,
    ListingIn,
    ListingOut,
    ListingPage,
    ListingPatch,
    ListingSearchQuery,
    ListingsOfEnterpriseQuery,
    PossibleDuplicate,
    PossibleDuplicates,
    RegionsOut,
    SectorsOut,
    SuspensionIn,
)
from registry.service_layer import enterprises as use_cases
from registry.service_layer import figures as figure_cases
from registry.service_layer import listings as listing_cases
from registry.service_layer.group_commit import GroupCommit
from registry.service_layer.listings import Publication
from registry.service_layer.unit_of_work import UnitOfWork
from servicekit.internal_token import current_caller
from servicekit.problems import problem_responses

router = APIRouter(responses=problem_responses(UNAUTHORIZED))
CallerDep = Annotated[Caller, Depends(current_caller)]


async def unit_of_work(request: Request) -> UnitOfWork:
    return UnitOfWork(request.app.state.container.session_factory)


async def publications(request: Request) -> GroupCommit[Publication, Listing]:
    return request.app.state.container.publications


async def reference_data(request: Request) -> Reference:
    return request.app.state.container.reference


async def reference_documents(request: Request) -> ReferenceDocuments:
    return request.app.state.container.reference_documents


UowDep = Annotated[UnitOfWork, Depends(unit_of_work)]
ReferenceDep = Annotated[Reference, Depends(reference_data)]
PublicationsDep = Annotated[GroupCommit[Publication, Listing], Depends(publications)]
DocumentsDep = Annotated[ReferenceDocuments, Depends(reference_documents)]
IfMatch = Annotated[
    str | None,
    Header(
        alias="If-Match",
        description='The version read (its ETag), as 3 or "3"; or send `version` in the body',
    ),
]
CountryFilter = Annotated[CountryCode | None, Query()]

_VERSION_TAG = re.compile(r'^(?:W/)?"?(\d{1,9})"?$')


def _expected_version(
    if_match: str | None, body_version: int | None, *, required: bool = True
) -> int | None:
    """The version the caller read: from If-Match or the body's `version`; they must agree."""
    header_version = None
    if if_match is not None:
        matched = _VERSION_TAG.match(if_match.strip())
        if not matched:
            raise InvalidInput(
                [FieldError("If-Match", f'{if_match!r} is not a version number such as "3"')]
            )
        header_version = int(matched.group(1))
    if header_version is not None and body_version is not None and header_version != body_version:
        raise InvalidInput(
            [
                FieldError(
                    "version", f"the body says {body_version} but If-Match says {header_version}"
                )
            ]
        )
    version = header_version if header_version is not None else body_version
    if version is None and required:
        raise HTTPException(
            428,
            "send the version you read, in If-Match or as `version` in the body; a stale one is "
            "refused with 409",
        )
    return version


def _versioned_changes(body: BaseModel, if_match: str | None) -> dict:
    """A PATCH's arguments to its use case: the `changes` it asks for, and the `expected_version`
    they were made to."""
    changes = body.model_dump(exclude_unset=True)
    expected = _expected_version(if_match, changes.pop("version", None))
    return {"changes": changes, "expected_version": expected}


async def enterprise_changes(body: EnterprisePatch, if_match: IfMatch = None) -> dict:
    return _versioned_changes(body, if_match)


async def listing_changes(body: ListingPatch, if_match: IfMatch = None) -> dict:
    return _versioned_changes(body, if_match)


# After the caller in each route, so that a call without a token is a 401 before anything else.
EnterpriseChanges = Annotated[dict, Depends(enterprise_changes)]
ListingChanges = Annotated[dict, Depends(listing_changes)]


def _tagged(response: Response, version: int) -> None:
    response.headers["ETag"] = f'"{version}"'


def _view(enterprise: Enterprise, caller: Caller) -> EnterprisePublic:
    return (
        EnterprisePrivate.of(enterprise)
        if caller.manages(enterprise)
        else EnterprisePublic.of(enterprise)
    )


# --- reference ---------------------------------------------------------------------------------


@router.get(
    "/sectors", response_model=SectorsOut, responses=REFERENCE_RESPONSES, openapi_extra=CONDITIONAL
)
async def list_sectors(caller: CallerDep, documents: DocumentsDep, request: Request):
    return documents.sectors.answer(request.headers.get("if-none-match"))


@router.get(
    "/regions", response_model=RegionsOut, responses=REFERENCE_RESPONSES, openapi_extra=CONDITIONAL
)
async def list_regions(caller: CallerDep, documents: DocumentsDep, request: Request):
    return documents.regions.answer(request.headers.get("if-none-match"))


@router.get(
    "/cities",
    response_model=CitiesOut,
    responses=REFERENCE_RESPONSES | problem_responses(INVALID),
    openapi_extra=CONDITIONAL,
)
async def list_cities(
    caller: CallerDep, documents: DocumentsDep, request: Request, country: CountryFilter = None
):
    return documents.cities_by_country[country].answer(request.headers.get("if-none-match"))


class CountryCounts(BaseModel):
    RU: int
    BY: int


class FiguresOut(BaseModel):
    enterprises: CountryCounts
    verified_enterprises: CountryCounts
    active_offers: int
    active_needs: int


@router.get("/figures", response_model=FiguresOut)
async def public_figures(caller: CallerDep, uow: UowDep, response: Response):
    """The home page's figures, for anyone; a minute old at most is fine."""
    figures = await figure_cases.get_figures(uow=uow)
    response.headers["Cache-Control"] = "public, max-age=60"
    return FiguresOut(
        enterprises=CountryCounts(**figures.enterprises),
        verified_enterprises=CountryCounts(**figures.verified_enterprises),
        active_offers=figures.active_offers,
        active_needs=figures.active_needs,
    )


# --- enterprises -------------------------------------------------------------------------------


@router.post(
    "/enterprises",
    status_code=201,
    response_model=EnterprisePrivate,
    responses=problem_responses(ALREADY_REGISTERED, TOO_LARGE, INVALID),
)
async def register_enterprise(
    body: EnterpriseIn, caller: CallerDep, uow: UowDep, reference: ReferenceDep
):
    enterprise = await use_cases.register_enterprise(
        uow=uow,
        reference=reference,
        owner_account_id=caller.account_id,
        vouched_email=caller.confirmed_email,
        **body.model_dump(),
    )
    return EnterprisePrivate.of(enterprise)


@router.get("/enterprises", response_model=EnterprisePage, responses=problem_responses(INVALID))
async def list_enterprises(
    caller: CallerDep, uow: UowDep, query: Annotated[EnterpriseQuery, Query()]
):
    page = await use_cases.get_page_of_enterprises(
        uow=uow, filters=query.filters(), page=query.page()
    )
    return EnterprisePage(
        items=[_view(e, caller) for e in page.items], total=page.total, next_cursor=page.next_cursor
    )


@router.get(
    "/enterprises/{enterprise_id}",
    response_model=EnterprisePrivate | EnterprisePublic,
    responses=TAGGED | problem_responses(NOT_FOUND, INVALID),
)
async def get_enterprise(
    enterprise_id: uuid.UUID, caller: CallerDep, uow: UowDep, response: Response
):
    enterprise = await use_cases.get_enterprise_or_raise(uow=uow, enterprise_id=enterprise_id)
    _tagged(response, enterprise.version)
    return _view(enterprise, caller)


@router.get(
    "/enterprises/{enterprise_id}/possible-duplicates",
    response_model=PossibleDuplicates,
    responses=problem_responses(STAFF_ONLY, NOT_FOUND, INVALID),
)
async def possible_duplicates(enterprise_id: uuid.UUID, caller: CallerDep, uow: UowDep):
    """For the agency: other enterprises sharing this one's legal id, mail domain or phone (at most
    20)."""
    found = await use_cases.get_all_possible_duplicates(
        uow=uow, caller=caller, enterprise_id=enterprise_id
    )
    return PossibleDuplicates(
        items=[PossibleDuplicate.of(other, reasons) for other, reasons in found]
    )


@router.patch(
    "/enterprises/{enterprise_id}",
    response_model=EnterprisePrivate,
    responses=TAGGED | problem_responses(*VERSIONED_WRITE_ERRORS),
)
async def change_enterprise(
    enterprise_id: uuid.UUID,
    caller: CallerDep,
    uow: UowDep,
    reference: ReferenceDep,
    response: Response,
    changes: EnterpriseChanges,
):
    enterprise = await use_cases.change_enterprise(
        uow=uow, reference=reference, caller=caller, enterprise_id=enterprise_id, **changes
    )
    _tagged(response, enterprise.version)
    return EnterprisePrivate.of(enterprise)


@router.delete(
    "/enterprises/{enterprise_id}",
    status_code=204,
    responses=problem_responses(MANAGERS_ONLY, NOT_FOUND, STALE, INVALID),
)
async def delete_enterprise(
    enterprise_id: uuid.UUID, caller: CallerDep, uow: UowDep, if_match: IfMatch = None
):
    expected = _expected_version(if_match, None, required=False)
    await use_cases.delete_enterprise(
        uow=uow, caller=caller, enterprise_id=enterprise_id, expected_version=expected
    )
    return Response(status_code=204)


@router.post(
    "/enterprises/{enterprise_id}/verify",
    response_model=EnterprisePrivate,
    responses=problem_responses(STAFF_ONLY, NOT_FOUND, NOT_NOW, INVALID),
)
async def verify_enterprise(enterprise_id: uuid.UUID, caller: CallerDep, uow: UowDep):
    enterprise = await use_cases.verify_enterprise(
        uow=uow,
        enterprise_id=enterprise_id,
        verified_by=caller.require_reviewer("verify enterprises"),
    )
    return EnterprisePrivate.of(enterprise)


@router.post(
    "/enterprises/{enterprise_id}/suspend",
    response_model=EnterprisePrivate,
    responses=problem_responses(STAFF_ONLY, NOT_FOUND, NOT_NOW, TOO_LARGE, INVALID),
)
async def suspend_enterprise(
    enterprise_id: uuid.UUID,
    caller: CallerDep,
    uow: UowDep,
    body: Annotated[SuspensionIn | None, Body()] = None,
):
    reason = body.reason if body else None
    return EnterprisePrivate.of(
        await use_cases.suspend_enterprise(
            uow=uow, caller=caller, enterprise_id=enterprise_id, reason=reason
        )
    )


@router.post(
    "/enterprises/{enterprise_id}/reinstate",
    response_model=EnterprisePrivate,
    responses=problem_responses(STAFF_ONLY, NOT_FOUND, NOT_NOW, INVALID),
)
async def reinstate_enterprise(enterprise_id: uuid.UUID, caller: CallerDep, uow: UowDep):
    return EnterprisePrivate.of(
        await use_cases.reinstate_enterprise(uow=uow, caller=caller, enterprise_id=enterprise_id)
    )


# --- offers and needs --------------------------------------------------------------------------


def _add_listing_routes(side: Side, plural: str) -> None:
    """The same routes for offers and for needs; a need's id under /offers is unknown (404)."""

    @router.post(
        f"/enterprises/{{enterprise_id}}/{plural}",
        status_code=201,
        response_model=ListingOut,
        responses=TAGGED_CREATED | problem_responses(MANAGERS_ONLY, NOT_FOUND, TOO_LARGE, INVALID),
        name=f"publish_{side}",
        summary=f"Publish an {side}" if side is Side.OFFER else f"Publish a {side}",
    )
    async def publish(
        enterprise_id: uuid.UUID,
        body: ListingIn,
        caller: CallerDep,
        publications: PublicationsDep,
        reference: ReferenceDep,
    ):
        listing = await listing_cases.publish_listing(
            publications=publications,
            reference=reference,
            caller=caller,
            enterprise_id=enterprise_id,
            side=side,
            **body.model_dump(),
        )
        # Encoded once here: the busiest write skips the response model's second validation.
        response = Response(
            ListingOut.of(listing, reference).model_dump_json(), 201, media_type="application/json"
        )
        _tagged(response, listing.version)
        return response

    @router.get(
        f"/enterprises/{{enterprise_id}}/{plural}",
        response_model=ListingPage,
        responses=problem_responses(NOT_FOUND, INVALID),
        name=f"{plural}_of_enterprise",
    )
    async def list_of_enterprise(
        enterprise_id: uuid.UUID,
        caller: CallerDep,
        uow: UowDep,
        reference: ReferenceDep,
        query: Annotated[ListingsOfEnterpriseQuery, Query()],
    ):
        filters = query.filters(side=side, enterprise_id=enterprise_id)
        return await _page(uow, reference, filters, query.page())

    @router.get(
        f"/{plural}",
        response_model=ListingPage,
        responses=problem_responses(INVALID),
        name=f"search_{plural}",
    )
    async def search(
        caller: CallerDep,
        uow: UowDep,
        reference: ReferenceDep,
        query: Annotated[ListingSearchQuery, Query()],
    ):
        return await _page(uow, reference, query.filters(side=side), query.page())

    @router.get(
        f"/{plural}/{{listing_id}}",
        response_model=ListingOut,
        responses=TAGGED | problem_responses(NOT_FOUND, INVALID),
        name=f"get_{side}",
    )
    async def get_one(
        listing_id: uuid.UUID,
        caller: CallerDep,
        uow: UowDep,
        reference: ReferenceDep,
        response: Response,
    ):
        listing = await listing_cases.get_listing_or_raise(
            uow=uow, listing_id=listing_id, side=side
        )
        _tagged(response, listing.version)
        return ListingOut.of(listing, reference)

    @router.patch(
        f"/{plural}/{{listing_id}}",
        response_model=ListingOut,
        responses=TAGGED | problem_responses(*VERSIONED_WRITE_ERRORS),
        name=f"change_{side}",
    )
    async def change(
        listing_id: uuid.UUID,
        caller: CallerDep,
        uow: UowDep,
        reference: ReferenceDep,
        response: Response,
        changes: ListingChanges,
    ):
        listing = await listing_cases.change_listing(
            uow=uow, reference=reference, caller=caller, listing_id=listing_id, side=side, **changes
        )
        _tagged(response, listing.version)
        return ListingOut.of(listing, reference)


async def _page(
    uow: UnitOfWork, reference: Reference, filters: ListingFilters, page: PageRequest
) -> ListingPage:
    found = await listing_cases.get_page_of_listings(uow=uow, filters=filters, page=page)
    return ListingPage(
        items=[ListingOut.of(listing, reference) for listing in found.items],
        total=found.total,
        next_cursor=found.next_cursor,
    )


_add_listing_routes(Side.OFFER, "offers")
_add_listing_routes(Side.NEED, "needs")
# FastAPI tries routes in order, at a cost for each one tried: publishing, the busiest, goes first.
router.routes.sort(
    key=lambda route: getattr(route, "name", None) not in {"publish_offer", "publish_need"}
)
