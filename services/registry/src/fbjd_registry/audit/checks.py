"""The checks of the province's platform audit (附件4 §4), as pure functions of an enterprise's topology.

Four categories, as the audit form words them: points incomplete (测点不全), names unclear (命名不清),
correspondence inconsistent (对应关系不一致), thresholds missing (阈值缺失). Each finding names the entity it
concerns and says in Chinese what is wrong and what would be right.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable

from fbjd_registry.audit.naming import is_bare, node_part, normalise
from fbjd_registry.audit.schemas import Category, EntityRef, Finding, Severity
from fbjd_registry.facilities.schemas import FacilityOut
from fbjd_registry.points.schemas import PointOut
from fbjd_registry.topology.schemas import TopologyOut
from fbjd_registry.vocabulary import FacilityKind, PointRole

__all__ = ["run_checks"]

_PRODUCING_ROLES = {PointRole.PRODUCTION, PointRole.INTEGRATED}


def _facility(f: FacilityOut) -> EntityRef:
    return EntityRef(type="facility", id=str(f.id), name=f.name)


def _point(p: PointOut) -> EntityRef:
    return EntityRef(type="point", id=str(p.id), name=p.name)


def _finding(code: str, category: Category, severity: Severity, message: str, entity: EntityRef) -> Finding:
    return Finding(code=code, category=category, severity=severity, message=message, entity=entity)


class _View:
    """Indexes over one topology that several checks share."""

    def __init__(self, topology: TopologyOut) -> None:
        self.topology = topology
        self.facilities = {f.id: f for f in topology.facilities}
        self.points_of: dict[uuid.UUID, list[PointOut]] = defaultdict(list)
        for point in topology.points:
            if point.facility_id is not None:
                self.points_of[point.facility_id].append(point)
        self.treatments_of: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
        self.productions_of: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
        for link in topology.links:
            self.treatments_of[link.production_facility_id].add(link.treatment_facility_id)
            self.productions_of[link.treatment_facility_id].add(link.production_facility_id)


def _points_incomplete(view: _View, controlled: set[uuid.UUID]) -> Iterable[Finding]:
    cat, err = Category.POINTS_INCOMPLETE, Severity.ERROR
    for f in view.topology.facilities:
        own = view.points_of.get(f.id, [])
        if f.kind is FacilityKind.PRODUCTION:
            if f.needs_treatment and not view.treatments_of.get(f.id):
                msg = f"生产设施「{f.name}」需配套治污设施，但没有关联任何治污设施"
                yield _finding("production_without_treatment", cat, err, msg, _facility(f))
            if not any(p.role in _PRODUCING_ROLES for p in own):
                yield _finding("production_without_point", cat, err, f"生产设施「{f.name}」没有监测点位", _facility(f))
        elif not any(p.role is PointRole.TREATMENT for p in own):
            yield _finding("treatment_without_point", cat, err, f"治污设施「{f.name}」没有监测点位", _facility(f))
        if f.id in controlled and not own:
            msg = f"设施「{f.name}」列入一厂一策管控措施，但没有自己的监测点位，无法核查停产限产"
            yield _finding("controlled_facility_without_point", cat, err, msg, _facility(f))
    if not any(p.role is PointRole.TOTAL_LINE for p in view.topology.points):
        enterprise = view.topology.enterprise
        ref = EntityRef(type="enterprise", id=view.topology.ps_id, name="" if enterprise is None else enterprise.name)
        yield _finding("total_line_missing", cat, Severity.WARNING, "企业没有总进线监测点位", ref)


def _duplicates(names: Iterable[tuple[str, EntityRef]], code: str, what: str) -> Iterable[Finding]:
    seen: dict[str, list[tuple[str, EntityRef]]] = defaultdict(list)
    for name, ref in names:
        seen[normalise(name)].append((name, ref))
    for group in seen.values():
        if len(group) > 1:
            spelled = "、".join(f"「{name}」" for name, _ in group)
            for _, ref in group:
                msg = f"{what}名称重复：{spelled} 是同一个名称，请区分命名"
                yield _finding(code, Category.NAMES_UNCLEAR, Severity.ERROR, msg, ref)


def _point_name(view: _View, p: PointOut) -> Iterable[Finding]:
    cat, err = Category.NAMES_UNCLEAR, Severity.ERROR
    if is_bare(p.name):
        msg = f"测点名称「{p.name}」只是编号或代码，须写明设施和监测节点（如「喷雾干燥塔布袋除尘器-收尘风机」）"
        yield _finding("point_name_bare", cat, err, msg, _point(p))
        return
    if p.role is PointRole.TOTAL_LINE:
        if "进线" not in p.name and "总" not in p.name:
            msg = f"总进线测点名称「{p.name}」应写明是总进线（如「厂区总进线-1#变压器」）"
            yield _finding("total_line_name_unclear", cat, Severity.WARNING, msg, _point(p))
        return
    facility = view.facilities.get(p.facility_id) if p.facility_id is not None else None
    if facility is None:
        return
    node = node_part(p.name, facility.name)
    if node is None:
        msg = f"测点名称「{p.name}」未写明所属设施「{facility.name}」（应如「{facility.name}-引风机」）"
        yield _finding("point_name_missing_facility", cat, err, msg, _point(p))
    elif not node or is_bare(node):
        msg = f"测点名称「{p.name}」未写明监测节点（应如「{facility.name}-引风机」，而非设施名加编号）"
        yield _finding("point_name_missing_node", cat, err, msg, _point(p))


def _names_unclear(view: _View) -> Iterable[Finding]:
    for f in view.topology.facilities:
        if is_bare(f.name):
            msg = f"设施名称「{f.name}」只是编号或代码，须写明设施（如「1#烧成窑」「脱硫塔」）"
            yield _finding("facility_name_bare", Category.NAMES_UNCLEAR, Severity.ERROR, msg, _facility(f))
    yield from _duplicates(
        ((f.name, _facility(f)) for f in view.topology.facilities), "facility_name_duplicate", "设施"
    )
    yield from _duplicates(((p.name, _point(p)) for p in view.topology.points), "point_name_duplicate", "测点")
    for p in view.topology.points:
        yield from _point_name(view, p)


def _cycles(edges: dict[uuid.UUID, set[uuid.UUID]]) -> list[list[uuid.UUID]]:
    """Each elementary cycle found by a depth-first search, once (by its smallest node)."""
    found: dict[frozenset[uuid.UUID], list[uuid.UUID]] = {}

    def walk(start: uuid.UUID, node: uuid.UUID, path: list[uuid.UUID]) -> None:
        for nxt in sorted(edges.get(node, ())):
            if nxt == start:
                found.setdefault(frozenset(path), list(path))
            elif nxt not in path and nxt > start:
                walk(start, nxt, [*path, nxt])

    for start in sorted(edges):
        walk(start, start, [start])
    return list(found.values())


def _correspondence(view: _View) -> Iterable[Finding]:
    cat, err = Category.CORRESPONDENCE_INCONSISTENT, Severity.ERROR
    name = view.facilities
    for f in view.topology.facilities:
        if view.treatments_of.get(f.id) and view.productions_of.get(f.id):
            msg = f"设施「{f.name}」既作为生产设施关联了治污设施，又作为治污设施服务其他生产设施"
            yield _finding("facility_both_roles", cat, err, msg, _facility(f))
        if f.kind is FacilityKind.TREATMENT and not view.productions_of.get(f.id):
            msg = f"治污设施「{f.name}」没有对应任何生产设施（孤立的治污设施）"
            yield _finding("treatment_orphan", cat, err, msg, _facility(f))
    for link in view.topology.links:
        prod, treat = name.get(link.production_facility_id), name.get(link.treatment_facility_id)
        if prod is None or treat is None:
            continue
        if prod.kind is not FacilityKind.PRODUCTION or treat.kind is not FacilityKind.TREATMENT:
            msg = f"对应关系「{prod.name}→{treat.name}」两端的设施类型不对：应为生产设施→治污设施"
            ref = EntityRef(type="link", id=str(link.id), name=f"{prod.name}→{treat.name}")
            yield _finding("link_kind_mismatch", cat, err, msg, ref)
    for cycle in _cycles(view.treatments_of):
        names = [name[i].name if i in name else str(i) for i in cycle]
        msg = f"对应关系成环：{'→'.join([*names, names[0]])}"
        yield _finding("link_cycle", cat, err, msg, EntityRef(type="facility", id=str(cycle[0]), name=names[0]))
    for p in view.topology.points:
        facility = name.get(p.facility_id) if p.facility_id is not None else None
        if facility is None:
            continue  # total lines belong to no facility; a point always has one otherwise (foreign key)
        expected = FacilityKind.TREATMENT if p.role is PointRole.TREATMENT else FacilityKind.PRODUCTION
        if facility.kind is not expected:
            msg = f"测点「{p.name}」的类型与所属设施「{facility.name}」的类型不一致"
            yield _finding("point_role_mismatch", cat, err, msg, _point(p))


def _thresholds(view: _View) -> Iterable[Finding]:
    cat = Category.THRESHOLDS_MISSING
    for p in view.topology.points:
        if p.role is PointRole.TOTAL_LINE:
            continue
        if p.threshold_kw is None:
            msg = f"测点「{p.name}」没有启停阈值，无法判断设施是否运行"
            yield _finding("threshold_missing", cat, Severity.ERROR, msg, _point(p))
        if p.rated_kw is None:
            msg = f"测点「{p.name}」没有额定功率，无法核对阈值是否合理"
            yield _finding("rated_power_missing", cat, Severity.WARNING, msg, _point(p))


CHECKS: tuple[Callable[[_View], Iterable[Finding]], ...] = (_names_unclear, _correspondence, _thresholds)


def run_checks(topology: TopologyOut, *, controlled_facility_ids: set[uuid.UUID]) -> list[Finding]:
    """Every finding for one enterprise, in a stable order (category, code, entity)."""
    view = _View(topology)
    findings = list(_points_incomplete(view, controlled_facility_ids))
    for check in CHECKS:
        findings.extend(check(view))
    order = list(Category)
    return sorted(findings, key=lambda f: (order.index(f.category), f.code, f.entity.name, f.entity.id))
