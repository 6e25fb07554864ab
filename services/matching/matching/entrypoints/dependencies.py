"""What matching's routes take from the request besides their parameters: the caller the gateway's
internal token names (and what the use cases need to know of it), a unit of work, the matcher."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from matching.service_layer.matcher import Matcher
from matching.service_layer.matches import Viewer
from matching.service_layer.unit_of_work import UnitOfWork
from servicekit.internal_token import Caller, current_caller


def unit_of_work(request: Request) -> UnitOfWork:
    return UnitOfWork(request.app.state.container.session_factory)


def matcher(request: Request) -> Matcher:
    return request.app.state.container.matcher


def viewer_of(caller: Caller) -> Viewer:
    return Viewer(
        actor=caller.account_id or caller.role,
        is_staff=caller.is_staff,
        enterprise_ids=caller.enterprise_ids,
    )


CallerDep = Annotated[Caller, Depends(current_caller)]
UowDep = Annotated[UnitOfWork, Depends(unit_of_work)]
MatcherDep = Annotated[Matcher, Depends(matcher)]
