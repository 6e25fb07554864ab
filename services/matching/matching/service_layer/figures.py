"""The public figures of the home page."""

from __future__ import annotations

from matching.domain.figures import Figures
from matching.service_layer.unit_of_work import UnitOfWork


async def get_figures(*, uow: UnitOfWork) -> Figures:
    async with uow:
        return await uow.figures.get()
