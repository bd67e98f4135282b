"""HTTP: send a command to a connected terminal; read the commands sent and their 9011/9012 results."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Query, status
from fbjd_core.db import SessionDep

from fbjd_ingest.access import Reader, Writer
from fbjd_ingest.commands import repository
from fbjd_ingest.commands.schemas import CommandIn, CommandList, CommandOut
from fbjd_ingest.commands.service import builder_for, command_out
from fbjd_ingest.devices.routes import visible_device
from fbjd_ingest.devices.service import to_info
from fbjd_ingest.errors import DeviceNotConnected
from fbjd_ingest.runtime import RuntimeDep

__all__ = ["router"]

router = APIRouter(prefix="/devices/{mn}/commands", tags=["commands"])

_INTERVAL_FIELDS = {"set_rtd_interval": "rtd_interval_s", "set_min_interval": "min_interval_s"}


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=CommandOut,
    summary="Send a command to the connected terminal (409 when it is not connected)",
    responses={409: {"description": "the terminal has no open connection to this ingest process"}},
)
async def send_command(
    mn: str, command: CommandIn, session: SessionDep, principal: Writer, runtime: RuntimeDep
) -> CommandOut:
    device = await visible_device(session, principal, mn)
    link = runtime.dispatcher.link_for(mn)
    if link is None:
        raise DeviceNotConnected(
            f"terminal {mn} is not connected (last seen {device.last_seen or 'never'}); "
            "commands can only be sent while it is connected — try again when it is online"
        )
    field = _INTERVAL_FIELDS.get(command.action)
    if field is not None:  # the device record holds the intended interval; the command row shows if it took
        setattr(device, field, command.seconds if field == "rtd_interval_s" else (command.minutes or 0) * 60)
        await session.commit()
        runtime.directory.put(to_info(device))
    result, outcome = await runtime.dispatcher.submit(
        link, builder_for(command, link), origin="operator", requested_by=principal.subject
    )
    if command.wait_s > 0:
        try:
            await asyncio.wait_for(asyncio.shield(outcome), command.wait_s)
        except TimeoutError:
            pass
        await runtime.dispatcher.drain_updates()
    row = await repository.by_qn(session, mn=mn, qn=result.qn)
    assert row is not None  # inserted before the command was sent
    await session.refresh(row)
    return command_out(row)


@router.get("", response_model=CommandList, summary="Commands sent to a terminal, newest first, with results")
async def list_commands(
    mn: str, session: SessionDep, principal: Reader, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> CommandList:
    await visible_device(session, principal, mn)
    rows = await repository.recent(session, mn=mn, limit=limit)
    return CommandList(mn=mn, items=[command_out(row) for row in rows])
