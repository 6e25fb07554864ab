"""The public API's route table: every route under /api/v1, the service behind it, and who may
call it. The gateway's routes, its OpenAPI document and its authorization tests are all built
from this one table, so a route cannot exist without an access rule."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.domain.access import Access

__all__ = ["ROUTES", "Access", "Route"]


@dataclass(frozen=True)
class Route:
    method: str
    path: str  # public, under /api/v1
    service: str
    upstream_path: str  # the service's own path, with the same parameters
    access: Access
    summary: str
    tag: str
    status_code: int = 200
    # The write sets an enterprise's email: the caller's confirmed address goes with it.
    vouches_for_email: bool = False


ROUTES: tuple[Route, ...] = (
    Route("GET", "/sectors", "registry", "/sectors", Access.ANYONE, "The sector taxonomy", "reference"),
    Route("GET", "/regions", "registry", "/regions", Access.ANYONE, "The regions of Russia and Belarus, with their names", "reference"),
    Route("GET", "/cities", "registry", "/cities", Access.ANYONE, "The cities the platform knows, by country, for pickers", "reference"),
    Route("GET", "/figures/enterprises", "registry", "/figures", Access.ANYONE, "The home page's figures: enterprises by country, verified ones, open offers and needs", "reference"),
    Route("GET", "/figures/introductions", "matching", "/figures", Access.ANYONE, "The home page's figures: companies ever introduced, suggestions ever approved", "reference"),
    Route("POST", "/enterprises", "registry", "/enterprises", Access.COMPANY, "Register your enterprise (a company account; staff on a company's behalf)", "enterprises", 201,
          vouches_for_email=True),
    Route("GET", "/enterprises", "registry", "/enterprises", Access.ANYONE, "List and search enterprises (public fields)", "enterprises"),
    Route("GET", "/enterprises/{enterprise_id}", "registry", "/enterprises/{enterprise_id}", Access.ANYONE, "One enterprise", "enterprises"),
    Route("PATCH", "/enterprises/{enterprise_id}", "registry", "/enterprises/{enterprise_id}", Access.COMPANY, "Change your enterprise", "enterprises",
          vouches_for_email=True),
    Route("DELETE", "/enterprises/{enterprise_id}", "registry", "/enterprises/{enterprise_id}", Access.COMPANY, "Delete your enterprise", "enterprises"),
    Route("POST", "/enterprises/{enterprise_id}/verify", "registry", "/enterprises/{enterprise_id}/verify", Access.STAFF, "Verify an enterprise", "review"),
    Route("POST", "/enterprises/{enterprise_id}/suspend", "registry", "/enterprises/{enterprise_id}/suspend", Access.STAFF, "Suspend an enterprise, with a reason", "review"),
    Route("POST", "/enterprises/{enterprise_id}/reinstate", "registry", "/enterprises/{enterprise_id}/reinstate", Access.STAFF, "Lift an enterprise's suspension", "review"),
    Route("GET", "/enterprises/{enterprise_id}/possible-duplicates", "registry", "/enterprises/{enterprise_id}/possible-duplicates", Access.STAFF, "Enterprises that may be the same as this one", "review"),
    Route("POST", "/enterprises/{enterprise_id}/offers", "registry", "/enterprises/{enterprise_id}/offers", Access.COMPANY, "Publish an offer (supply)", "listings", 201),
    Route("GET", "/enterprises/{enterprise_id}/offers", "registry", "/enterprises/{enterprise_id}/offers", Access.ANYONE, "An enterprise's offers", "listings"),
    Route("POST", "/enterprises/{enterprise_id}/needs", "registry", "/enterprises/{enterprise_id}/needs", Access.COMPANY, "Publish a need (demand)", "listings", 201),
    Route("GET", "/enterprises/{enterprise_id}/needs", "registry", "/enterprises/{enterprise_id}/needs", Access.ANYONE, "An enterprise's needs", "listings"),
    Route("GET", "/offers", "registry", "/offers", Access.ANYONE, "Search offers", "listings"),
    Route("GET", "/needs", "registry", "/needs", Access.ANYONE, "Search needs", "listings"),
    Route("GET", "/offers/{listing_id}", "registry", "/offers/{listing_id}", Access.ANYONE, "One offer", "listings"),
    Route("PATCH", "/offers/{listing_id}", "registry", "/offers/{listing_id}", Access.COMPANY, "Change, close or reopen your offer", "listings"),
    Route("GET", "/needs/{listing_id}", "registry", "/needs/{listing_id}", Access.ANYONE, "One need", "listings"),
    Route("PATCH", "/needs/{listing_id}", "registry", "/needs/{listing_id}", Access.COMPANY, "Change, close or reopen your need", "listings"),
    Route("GET", "/matches", "matching", "/matches", Access.STAFF, "The review queue", "review"),
    Route("GET", "/matches/{match_id}", "matching", "/matches/{match_id}", Access.SIGNED_IN, "One match with its explanation", "review"),
    Route("POST", "/matches/{match_id}/approve", "matching", "/matches/{match_id}/approve", Access.STAFF, "Approve a proposed match", "review"),
    Route("POST", "/matches/{match_id}/reject", "matching", "/matches/{match_id}/reject", Access.STAFF, "Reject a proposed match, with a reason", "review"),
    Route("POST", "/matches/{match_id}/respond", "matching", "/matches/{match_id}/respond", Access.COMPANY, "Answer a suggestion: interested or declined", "suggestions"),
    Route("POST", "/matches/{match_id}/close", "matching", "/matches/{match_id}/close", Access.STAFF, "Close an introduced match with its outcome", "review"),
    Route("GET", "/enterprises/{enterprise_id}/suggestions", "matching", "/enterprises/{enterprise_id}/suggestions", Access.COMPANY, "Your partner suggestions", "suggestions"),
    Route("GET", "/enterprises/{enterprise_id}/partners", "registry", "/enterprises/{enterprise_id}/partners", Access.COMPANY, "Your partners after an introduction, with their contacts", "suggestions"),
    Route("GET", "/stats/funnel", "matching", "/stats/funnel", Access.STAFF, "The funnel: matches that reached each stage in a date range, by transitions", "review"),
    Route("GET", "/stats", "matching", "/stats", Access.STAFF, "The pipeline by sector, region, status and time", "review"),
    Route("GET", "/notifications", "notifications", "/deliveries", Access.STAFF, "The email delivery log", "notifications"),
    Route("POST", "/notifications/resend-dead", "notifications", "/deliveries/resend-dead", Access.ADMIN, "Send again what is dead, once the cause is fixed", "notifications"),
    Route("GET", "/enterprises/{enterprise_id}/notification-preferences", "notifications", "/preferences/{enterprise_id}", Access.COMPANY, "Your email preferences", "notifications"),
    Route("PUT", "/enterprises/{enterprise_id}/notification-preferences", "notifications", "/preferences/{enterprise_id}", Access.COMPANY, "Change your email preferences", "notifications"),
    Route("GET", "/unsubscribe", "notifications", "/unsubscribe", Access.ANYONE, "Unsubscribe through the signed link of an email", "notifications"),
    Route("POST", "/unsubscribe", "notifications", "/unsubscribe", Access.ANYONE, "One-click unsubscribe (RFC 8058) from an email's List-Unsubscribe address", "notifications"),
    Route("POST", "/contact-confirmations", "notifications", "/contact-confirmations", Access.ANYONE, "Confirm an enterprise's email address through the signed link it was sent", "notifications"),
)
