"""What an electricity factor code means: channel (device number), quantity, phase -- as configurable data.

HJ 212-2017 has no codes for voltage, power, power factor or kWh per meter, and the 2025 tables were not at hand
(see HJ212.md §7), so the meaning of a code comes from a :class:`FactorProfile` chosen per device.  A profile is
a list of rules; a rule's ``pattern`` is either a literal code (``i33201``) or a template with fixed-width digit
placeholders ``{channel:N}`` and ``{param:N}`` (``ea3001{channel:2}{param:2}``), matched by slicing (no regex).
``{param}`` picks an entry of the rule's ``params`` table.

Every meaning carries a ``confidence``: ``documented`` (in a standard), ``inferred`` (read off sample packets),
``guess`` (placeholder until a document says otherwise).  Codes no rule knows come back with ``quantity=None``:
store them as received and show them to the operator.

Built-in profiles (:data:`BUILTIN_PROFILES`):

* ``hj212-2025-electric`` -- ST=44 ``d2PPNN`` (production facility) / ``d3PPNN`` (treatment facility), PP the
  parameter, NN the device number.  **This layout is inferred** from examples quoted second-hand from HJ 212-2025
  (``d20105-Rtd=220.20;…;d20405-Rtd=0.24``): PP 01-03 phase voltages and 04 current are *inferred*; PP 05-09
  (power, energy, power factor, reactive) are *guesses*.  Check against the 2025 text (Appendix B) before use.
  Also HJ 212-2017 Table B.10 i33200 (current) and i33201 (cumulative kWh), *documented*.
* ``vendor-ea3001`` -- ``ea3001NNPP`` of one vendor's terminals (ST=80): NN facility number, PP 01-09 from the
  consuming code's comment (*inferred*); 10-16 look like ~220 V voltages in the one sample (*guess*, no phase).
* ``generic-ele`` -- ``eleNN`` switch states (chenqi92/alltobs-hj212 README; *inferred*).

Profiles load from / dump to plain dicts (JSON) with :meth:`FactorProfile.from_dict` / :meth:`~FactorProfile.to_dict`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from hj212.message import CP

__all__ = [
    "Quantity",
    "Meaning",
    "FactorRule",
    "FactorProfile",
    "FactorMatch",
    "MappedValue",
    "map_factors",
    "get_profile",
    "BUILTIN_PROFILES",
]

CONFIDENCES = ("documented", "inferred", "guess")


class Quantity(Enum):
    """Electrical quantities, with the unit in the name."""

    ACTIVE_POWER_KW = "active_power_kw"
    ENERGY_KWH = "energy_kwh"
    CURRENT_A = "current_a"
    VOLTAGE_V = "voltage_v"
    POWER_FACTOR = "power_factor"
    SWITCH_STATE = "switch_state"
    REACTIVE_POWER_KVAR = "reactive_power_kvar"
    REACTIVE_ENERGY_KVARH = "reactive_energy_kvarh"


@dataclass(frozen=True, slots=True)
class Meaning:
    """What one code (or one ``{param}`` value) measures."""

    quantity: Quantity
    phase: str | None = None  # "A", "B", "C" where known
    confidence: str = "documented"
    note: str = ""

    def __post_init__(self) -> None:
        if self.confidence not in CONFIDENCES:
            raise ValueError(f"confidence must be one of {CONFIDENCES}, got {self.confidence!r}")

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> Meaning:
        try:
            quantity = Quantity(d["quantity"])
        except KeyError:
            raise ValueError(f"meaning {dict(d)!r} has no 'quantity'") from None
        except ValueError:
            raise ValueError(f"unknown quantity {d['quantity']!r}; one of {[q.value for q in Quantity]}") from None
        return cls(quantity, d.get("phase"), d.get("confidence", "documented"), d.get("note", ""))

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"quantity": self.quantity.value}
        if self.phase is not None:
            d["phase"] = self.phase
        d["confidence"] = self.confidence
        if self.note:
            d["note"] = self.note
        return d


@dataclass(frozen=True, slots=True)
class FactorMatch:
    """Result of matching a code: channel (device number) if the rule gives one, meaning if known."""

    channel: int | None
    meaning: Meaning | None
    group: str | None


def _compile(pattern: str) -> tuple[tuple[str, int, int], ...]:
    """Template -> ((kind, start, width), ...) with kind "lit:<text>", "channel" or "param"."""
    parts: list[tuple[str, int, int]] = []
    pos = i = 0
    while i < len(pattern):
        open_ = pattern.find("{", i)
        if open_ < 0:
            open_ = len(pattern)
        if open_ > i:
            parts.append((f"lit:{pattern[i:open_]}", pos, open_ - i))
            pos += open_ - i
        if open_ == len(pattern):
            break
        close = pattern.find("}", open_)
        name, _, width = pattern[open_ + 1 : close].partition(":")
        if close < 0 or name not in ("channel", "param") or not width.isdigit() or int(width) < 1:
            raise ValueError(f"bad placeholder in pattern {pattern!r}: use {{channel:N}} or {{param:N}}")
        parts.append((name, pos, int(width)))
        pos += int(width)
        i = close + 1
    return tuple(parts)


@dataclass(frozen=True)
class FactorRule:
    """One rule: a literal code or a template, and what it means.

    Without ``{param}`` the rule's own ``meaning`` applies; with it, ``params[<digits>]``.  ``channel`` fixes the
    channel for rules without ``{channel}``.  ``group`` tells apart codes that share channel numbers
    (production vs treatment facility).
    """

    pattern: str
    meaning: Meaning | None = None
    params: Mapping[str, Meaning] = field(default_factory=dict)
    channel: int | None = None
    group: str | None = None
    _parts: tuple[tuple[str, int, int], ...] = field(init=False, repr=False, compare=False)
    _length: int = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        parts = _compile(self.pattern)
        kinds = [kind for kind, _, _ in parts]
        if "param" in kinds and not self.params:
            raise ValueError(f"rule {self.pattern!r} has {{param}} but no params table")
        if "param" not in kinds and self.meaning is None:
            raise ValueError(f"rule {self.pattern!r} needs a meaning")
        if "channel" in kinds and self.channel is not None:
            raise ValueError(f"rule {self.pattern!r} has both {{channel}} and a fixed channel")
        object.__setattr__(self, "_parts", parts)
        object.__setattr__(self, "_length", sum(width for _, _, width in parts))

    def match(self, code: str) -> FactorMatch | None:
        if len(code) != self._length:
            return None
        channel, param = self.channel, None
        for kind, start, width in self._parts:
            piece = code[start : start + width]
            if kind.startswith("lit:"):
                if piece != kind[4:]:
                    return None
            elif not (piece.isascii() and piece.isdigit()):
                return None
            elif kind == "channel":
                channel = int(piece)
            else:
                param = piece
        meaning = self.meaning if param is None else self.params.get(param)
        return FactorMatch(channel, meaning, self.group)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> FactorRule:
        if "pattern" not in d:
            raise ValueError(f"rule {dict(d)!r} has no 'pattern'")
        meaning = Meaning.from_dict(d) if "quantity" in d else None
        params = {str(k): Meaning.from_dict(v) for k, v in d.get("params", {}).items()}
        return cls(d["pattern"], meaning, params, d.get("channel"), d.get("group"))

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"pattern": self.pattern}
        if self.meaning is not None:
            d.update(self.meaning.to_dict())
        if self.params:
            d["params"] = {k: v.to_dict() for k, v in self.params.items()}
        if self.channel is not None:
            d["channel"] = self.channel
        if self.group is not None:
            d["group"] = self.group
        return d


_NO_MATCH = FactorMatch(None, None, None)


@dataclass(frozen=True)
class FactorProfile:
    """A named list of rules; the first rule that matches a code wins."""

    name: str
    description: str
    rules: tuple[FactorRule, ...]
    _cache: dict[str, FactorMatch] = field(default_factory=dict, init=False, repr=False, compare=False)

    def match(self, code: str) -> FactorMatch:
        """Channel/meaning of ``code``; ``FactorMatch(None, None, None)`` when no rule matches."""
        found = self._cache.get(code)
        if found is None:
            found = next((m for rule in self.rules if (m := rule.match(code)) is not None), _NO_MATCH)
            if len(self._cache) < 10_000:  # bounded: codes come from the network
                self._cache[code] = found
        return found

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> FactorProfile:
        """Load ``{"name": ..., "description": ..., "rules": [{"pattern": ..., ...}, ...]}`` (e.g. from JSON)."""
        try:
            name = d["name"]
            rules = tuple(FactorRule.from_dict(r) for r in d["rules"])
        except KeyError as exc:
            raise ValueError(f"factor profile needs {exc.args[0]!r}") from None
        return cls(name, d.get("description", ""), rules)

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "description": self.description, "rules": [r.to_dict() for r in self.rules]}


@dataclass(frozen=True, slots=True)
class MappedValue:
    """One field of one factor, with its meaning (``quantity`` None: unknown code, keep as received)."""

    code: str
    channel: int | None
    quantity: Quantity | None
    field: str
    value: str
    phase: str | None = None
    group: str | None = None


def map_factors(profile: FactorProfile, cp: CP) -> list[MappedValue]:
    """Every ``code-Field=value`` of ``cp``, in packet order, with what ``profile`` says the code means."""
    out: list[MappedValue] = []
    for code, fields in cp.factors.items():
        m = profile.match(code)
        quantity = None if m.meaning is None else m.meaning.quantity
        phase = None if m.meaning is None else m.meaning.phase
        for name, value in fields.items():
            out.append(MappedValue(code, m.channel, quantity, name, value, phase, m.group))
    return out


# -- built-in profiles (data) -----------------------------------------------------------------------------------
_D_CODE_PARAMS: dict[str, Any] = {
    "01": {"quantity": "voltage_v", "phase": "A", "confidence": "inferred", "note": "~220 V in the 2025 examples"},
    "02": {"quantity": "voltage_v", "phase": "B", "confidence": "inferred", "note": "~220 V in the 2025 examples"},
    "03": {"quantity": "voltage_v", "phase": "C", "confidence": "inferred", "note": "~220 V in the 2025 examples"},
    "04": {"quantity": "current_a", "confidence": "inferred", "note": "0.24 / 0.04 in the 2025 examples"},
    "05": {"quantity": "active_power_kw", "confidence": "guess"},
    "06": {"quantity": "energy_kwh", "confidence": "guess"},
    "07": {"quantity": "power_factor", "confidence": "guess"},
    "08": {"quantity": "reactive_power_kvar", "confidence": "guess"},
    "09": {"quantity": "reactive_energy_kvarh", "confidence": "guess"},
}

_EA3001_PARAMS: dict[str, Any] = {
    "01": {"quantity": "current_a", "phase": "A", "confidence": "inferred", "note": "A相电流"},
    "02": {"quantity": "current_a", "phase": "B", "confidence": "inferred", "note": "B相电流"},
    "03": {"quantity": "current_a", "phase": "C", "confidence": "inferred", "note": "C相电流"},
    "04": {"quantity": "current_a", "confidence": "inferred", "note": "单相电流"},
    "05": {"quantity": "active_power_kw", "confidence": "inferred", "note": "总有功功率"},
    "06": {"quantity": "reactive_power_kvar", "confidence": "inferred", "note": "总无功功率"},
    "07": {"quantity": "energy_kwh", "confidence": "inferred", "note": "总有功电量"},
    "08": {"quantity": "reactive_energy_kvarh", "confidence": "inferred", "note": "总无功电量"},
    "09": {"quantity": "power_factor", "confidence": "inferred", "note": "功率因数"},
    **{
        f"{pp:02d}": {"quantity": "voltage_v", "confidence": "guess", "note": "~220 V in the one sample; undocumented"}
        for pp in range(10, 17)
    },
}

_BUILTIN_DATA: tuple[dict[str, Any], ...] = (
    {
        "name": "hj212-2025-electric",
        "description": "HJ 212-2025 ST=44 electricity monitoring, d2PPNN production / d3PPNN treatment facility "
        "(layout INFERRED from second-hand examples; PP 05-09 are GUESSES)",
        "rules": [
            {"pattern": "d2{param:2}{channel:2}", "group": "production", "params": _D_CODE_PARAMS},
            {"pattern": "d3{param:2}{channel:2}", "group": "treatment", "params": _D_CODE_PARAMS},
            {"pattern": "i33200", "quantity": "current_a", "channel": 0, "note": "HJ 212-2017 Table B.10"},
            {"pattern": "i33201", "quantity": "energy_kwh", "channel": 0, "note": "HJ 212-2017 Table B.10"},
        ],
    },
    {
        "name": "vendor-ea3001",
        "description": "vendor terminals (ST=80) sending ea3001NNPP: NN facility number, PP parameter",
        "rules": [{"pattern": "ea3001{channel:2}{param:2}", "group": "facility", "params": _EA3001_PARAMS}],
    },
    {
        "name": "generic-ele",
        "description": "ad-hoc eleNN switch states (alltobs-hj212 README)",
        "rules": [{"pattern": "ele{channel:2}", "quantity": "switch_state", "confidence": "inferred"}],
    },
)

#: name -> profile for the profiles above.
BUILTIN_PROFILES: dict[str, FactorProfile] = {d["name"]: FactorProfile.from_dict(d) for d in _BUILTIN_DATA}


def get_profile(name: str) -> FactorProfile:
    """A built-in profile by name; ``KeyError`` lists the known names."""
    try:
        return BUILTIN_PROFILES[name]
    except KeyError:
        raise KeyError(f"no factor profile {name!r}; built-in: {sorted(BUILTIN_PROFILES)}") from None
