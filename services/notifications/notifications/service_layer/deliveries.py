"""The delivery log the agency reads, and re-sending what died once its cause is fixed."""

from __future__ import annotations

from notifications.domain.deliveries import Delivery, DeliveryFilter
from notifications.service_layer.unit_of_work import UnitOfWork


async def get_page(
    *, uow: UnitOfWork, selection: DeliveryFilter, limit: int, offset: int
) -> tuple[list[Delivery], int]:
    """The deliveries selected, newest first, from `offset`; and how many are selected in all."""
    async with uow:
        return await uow.deliveries.get_page(selection, limit=limit, offset=offset)


async def get_counts_by_status(*, uow: UnitOfWork) -> dict[str, int]:
    async with uow:
        return await uow.deliveries.count_by_status()


async def resend_dead(*, uow: UnitOfWork, selection: DeliveryFilter) -> int:
    """Puts what is dead back in the queue, once the cause (a wrong address, a down server) is
    fixed."""
    async with uow:
        count = await uow.deliveries.resend_dead(selection)
        await uow.commit()
    return count
