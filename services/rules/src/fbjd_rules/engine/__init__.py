"""The evaluation core (sans-IO): readings and topology in, abnormal stretches out.

`evaluate(EvaluationInput)` is the one entry; `build_series` turns a point's readings into power;
the model types mirror the registry's topology and obligations.
"""

from fbjd_rules.engine.evaluate import EvaluationInput, EvaluationResult, StretchesResult, evaluate, stretches
from fbjd_rules.engine.model import (
    ControlAction,
    ControlSpan,
    Facility,
    FacilityKind,
    Point,
    PointRole,
    Topology,
    TopologyVersion,
    Window,
)
from fbjd_rules.engine.params import DEFAULT_PARAMS, RuleParams, grade_for
from fbjd_rules.engine.records import Abnormal, AbnormalType, EvidencePoint, record_id
from fbjd_rules.engine.series import DataAnomaly, PointSeries, build_series, nominal_interval
from fbjd_rules.engine.treatment import StretchKind, TreatmentStretch

__all__ = [
    "DEFAULT_PARAMS",
    "Abnormal",
    "AbnormalType",
    "ControlAction",
    "ControlSpan",
    "DataAnomaly",
    "EvaluationInput",
    "EvaluationResult",
    "EvidencePoint",
    "Facility",
    "FacilityKind",
    "Point",
    "PointRole",
    "PointSeries",
    "RuleParams",
    "StretchKind",
    "StretchesResult",
    "Topology",
    "TopologyVersion",
    "TreatmentStretch",
    "Window",
    "build_series",
    "evaluate",
    "grade_for",
    "nominal_interval",
    "record_id",
    "stretches",
]
