"""Registry JSON → the province's items, in the field names of its interface. Pure.

The push interface (附件3) fixes the names of the ids — psId, productorEquipId, treatmentId,
treatmentAmmeterId — and the sync carries the same ids so the pushed records join the province's
intermediate database. The other names follow the interface's style (camelCase; kW as numeric strings);
categories and industries are sent in Chinese exactly as the acceptance form and the province's 行业类别 list
write them. Five kinds of item:

| kind | id | what |
|---|---|---|
| enterprise | psId | 排污单位: name, region, industry (行业类别), category, location, credit code, progress dates |
| productorEquip | productorEquipId | 生产设施 |
| treatment | treatmentId | 治理设施 |
| ammeter | ammeterId | 监测点位 (测点): facility, role, rated power, threshold, judgement time, MN; a treatment |
| | | point carries treatmentAmmeterIds (its main/standby group, as in the push) |
| relation | relationId | 生产设施 ↔ 治理设施 |
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fbjd_bridge.province.payload import kw_text
from fbjd_bridge.registry_sync.client import RegistrySnapshot

__all__ = ["KINDS", "ProvinceItem", "province_items"]

KINDS = ("enterprise", "productorEquip", "treatment", "ammeter", "relation")

# The registry's point roles (re-declared: the registry's package is not imported).
_AMMETER_TYPES = {"total_line": "总进线", "production": "生产", "treatment": "治污", "integrated": "产治一体"}


@dataclass(frozen=True, slots=True)
class ProvinceItem:
    kind: str
    item_id: str
    ps_id: str
    body: dict[str, Any]


def _kw(value: float | None, field: str) -> str | None:
    return None if value is None else kw_text(value, field=field)


def _enterprise(e: dict[str, Any], counties: dict[str, str]) -> ProvinceItem:
    body = {
        "psId": e["ps_id"],
        "psName": e["name"],
        "regionCode": e["county_code"],
        "regionName": counties.get(e["county_code"]),
        "address": e["address"],
        "longitude": e["longitude"],
        "latitude": e["latitude"],
        "creditCode": e["credit_code"],
        "permitNo": e.get("permit_no"),
        "industry": e["industry"],
        "category": e["category"],
        "is300MWPowerPlant": e.get("is_300mw_power_plant", False),
        "legalPerson": e.get("legal_representative"),
        "envContactName": e.get("env_contact_name"),
        "envContactPhone": e.get("env_contact_phone"),
        "operatorName": e.get("operator_name"),
        "stage": e.get("stage"),
        "installDate": e.get("install_date"),
        "networkDate": e.get("network_date"),
        "acceptanceDate": e.get("acceptance_date"),
    }
    return ProvinceItem("enterprise", e["ps_id"], e["ps_id"], body)


def _facility(f: dict[str, Any]) -> ProvinceItem:
    production = f["kind"] == "production"
    kind, id_field, name_field = (
        ("productorEquip", "productorEquipId", "productorEquipName")
        if production
        else ("treatment", "treatmentId", "treatmentName")
    )
    body = {
        id_field: str(f["id"]),
        name_field: f["name"],
        "psId": f["ps_id"],
        "process": f.get("process"),
        "ratedPower": _kw(f.get("rated_kw"), "ratedPower"),
    }
    return ProvinceItem(kind, str(f["id"]), f["ps_id"], body)


def _groups(topology: dict[str, Any]) -> dict[str, list[str]]:
    """Point id → the main/standby group it belongs to (treatment points only)."""
    groups: dict[str, list[str]] = {}
    for requirement in topology.get("treatment_requirements", []):
        for group in requirement["groups"]:
            members = [str(p) for p in group]
            groups.update(dict.fromkeys(members, members))
    return groups


def _ammeter(p: dict[str, Any], kinds: dict[str, str], groups: dict[str, list[str]]) -> ProvinceItem:
    facility = None if p.get("facility_id") is None else str(p["facility_id"])
    body = {
        "ammeterId": str(p["id"]),
        "ammeterName": p["name"],
        "psId": p["ps_id"],
        "equipId": facility,
        "equipType": None if facility is None else kinds.get(facility),
        "ammeterType": _AMMETER_TYPES.get(p["role"], p["role"]),
        "ratedPower": _kw(p.get("rated_kw"), "ratedPower"),
        "threshold": _kw(p.get("threshold_kw"), "threshold"),
        "thresholdTime": p.get("judgement_minutes"),
        "mn": p.get("mn"),
        "factorCode": p.get("factor_code"),
        "treatmentAmmeterIds": ",".join(groups[str(p["id"])]) if str(p["id"]) in groups else None,
    }
    return ProvinceItem("ammeter", str(p["id"]), p["ps_id"], body)


def _relation(link: dict[str, Any]) -> ProvinceItem:
    body = {
        "relationId": str(link["id"]),
        "psId": link["ps_id"],
        "productorEquipId": str(link["production_facility_id"]),
        "treatmentId": str(link["treatment_facility_id"]),
    }
    return ProvinceItem("relation", str(link["id"]), link["ps_id"], body)


def province_items(snapshot: RegistrySnapshot) -> list[ProvinceItem]:
    items: list[ProvinceItem] = []
    for enterprise in snapshot.enterprises:
        items.append(_enterprise(enterprise, snapshot.counties))
        topology = snapshot.topologies.get(enterprise["ps_id"], {})
        facilities = topology.get("facilities", [])
        kinds = {str(f["id"]): ("productorEquip" if f["kind"] == "production" else "treatment") for f in facilities}
        groups = _groups(topology)
        items.extend(_facility(f) for f in facilities)
        items.extend(_ammeter(p, kinds, groups) for p in topology.get("points", []))
        items.extend(_relation(link) for link in topology.get("links", []))
    return items
