"""The pages, one module per area of the platform; each holds an APIRouter named `router`."""

from __future__ import annotations

from fastapi import APIRouter

from fbjd_web.pages import (
    acceptance,
    alarms,
    application,
    auth,
    bridge,
    control,
    devices,
    enterprises,
    maintenance,
    my,
    overview,
    points,
    self_audit,
    statistics,
    tasks,
    vendors,
)

__all__ = ["ROUTERS"]

ROUTERS: tuple[APIRouter, ...] = (
    auth.router,
    overview.router,
    alarms.router,
    tasks.router,
    my.router,
    enterprises.router,
    points.router,
    control.router,
    statistics.router,
    acceptance.router,
    application.router,
    devices.router,
    maintenance.router,
    bridge.router,
    self_audit.router,
    vendors.router,
)
