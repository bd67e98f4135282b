"""Who the simulated terminals are: MN, password, enterprise (psId, name, industry), protocol version, meters.

Everything is drawn from ``random.Random(f"{seed}:{index}")``, so the same seed gives the same fleet: ``fbjd run``
starts the simulator with ``--demo`` (a fixed seed) and finds the devices it registered the time before.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Any

from hj212.versions import Version

from fbjd_infra.simulators.packets import meter_codes
from fbjd_infra.simulators.plant import MeterRole, MeterSpec, PlantSpec, Schedule

__all__ = ["DEMO_SEED", "TerminalSpec", "build_fleet", "PROFILE_FOR_VERSION"]

#: The demo city's seed: change it and `fbjd run` registers a different city.
DEMO_SEED = 212
MN_PREFIX = "FB1D"  # hex, so MNs stay 24 hex characters, and simulated terminals are recognisable in logs

PROFILE_FOR_VERSION = {Version.HJ212_2025: "hj212-2025-electric", Version.HJ212_2017: "vendor-ea3001"}

_COUNTIES = (
    "运河区",
    "新华区",
    "沧县",
    "青县",
    "东光县",
    "海兴县",
    "盐山县",
    "肃宁县",
    "南皮县",
    "吴桥县",
    "献县",
    "孟村回族自治县",
    "泊头市",
    "任丘市",
    "黄骅市",
    "河间市",
)
_WORDS = (
    "恒达",
    "鑫源",
    "华鑫",
    "宏远",
    "金盛",
    "永安",
    "瑞丰",
    "东方",
    "利达",
    "盛世",
    "天成",
    "富华",
    "鼎盛",
    "隆兴",
    "中兴",
    "宏达",
    "润泽",
    "正大",
    "德胜",
    "汇丰",
    "长城",
    "渤海",
    "运通",
    "聚力",
)

# industry -> (schedule, production rated kW range, treatment share of production, facility names)
_INDUSTRIES: dict[str, tuple[Schedule, tuple[float, float], tuple[float, float], tuple[str, str]]] = {
    "钢铁": (Schedule.CONTINUOUS, (1500, 3000), (0.15, 0.25), ("轧钢加热炉", "布袋除尘器")),
    "玻璃": (Schedule.CONTINUOUS, (800, 1800), (0.15, 0.3), ("玻璃熔窑", "脱硝脱硫除尘一体化设施")),
    "焦化": (Schedule.CONTINUOUS, (900, 2000), (0.2, 0.3), ("焦炉", "焦炉烟气脱硫脱硝设施")),
    "化工": (Schedule.THREE_SHIFT, (300, 900), (0.15, 0.3), ("反应釜生产线", "RTO蓄热式焚烧炉")),
    "制药": (Schedule.THREE_SHIFT, (200, 600), (0.15, 0.3), ("合成车间", "活性炭吸附脱附设施")),
    "铸造": (Schedule.NIGHT, (400, 1200), (0.1, 0.2), ("中频感应电炉", "脉冲布袋除尘器")),
    "橡胶": (Schedule.TWO_SHIFT, (150, 450), (0.15, 0.3), ("密炼机", "UV光氧催化设施")),
    "塑料": (Schedule.TWO_SHIFT, (100, 350), (0.15, 0.3), ("挤出生产线", "活性炭吸附设施")),
    "工业涂装": (Schedule.DAY, (60, 220), (0.25, 0.45), ("喷涂线", "水旋喷淋+活性炭设施")),
    "包装印刷": (Schedule.DAY, (50, 200), (0.2, 0.4), ("印刷机组", "催化燃烧设施")),
    "新型建材": (Schedule.DAY, (120, 400), (0.15, 0.3), ("破碎筛分线", "袋式除尘器")),
}


@dataclass(frozen=True, slots=True)
class TerminalSpec:
    """One data transmission terminal (数采仪) and the enterprise it measures."""

    index: int
    mn: str
    password: str
    ps_id: str
    name: str  # enterprise name
    county: str
    industry: str
    version: Version
    profile: str
    plant: PlantSpec
    interval_s: int  # minute-data period (seconds of simulated time)
    rtd_interval_s: int
    clock_skew_s: float

    def to_dict(self) -> dict[str, Any]:
        """What `fbjd simulate --list` prints: enough to seed the registry with matching points."""
        return {
            "mn": self.mn,
            "ps_id": self.ps_id,
            "name": self.name,
            "county": self.county,
            "industry": self.industry,
            "version": self.version.value,
            "profile": self.profile,
            "schedule": self.plant.schedule.value,
            "min_interval_s": self.interval_s,
            "rtd_interval_s": self.rtd_interval_s,
            "meters": [
                {
                    "key": m.key,
                    "role": m.role.value,
                    "name": m.name,
                    "channel": m.channel,
                    "rated_kw": round(m.rated_kw, 1),
                    "threshold_kw": round(m.threshold_kw, 1),
                    "codes": {q.value: code for q, code in meter_codes(self.profile, m).items()},
                }
                for m in self.plant.meters
            ],
        }


def _hex(rng: random.Random, digits: int) -> str:
    return f"{rng.getrandbits(4 * digits):0{digits}x}"


def _meters(rng: random.Random, industry: str, *, rollover: bool) -> tuple[MeterSpec, ...]:
    _schedule, (lo, hi), (t_lo, t_hi), (prod_name, treat_name) = _INDUSTRIES[industry]
    prod_kw = round(rng.uniform(lo, hi), -1)
    treat_kw = round(prod_kw * rng.uniform(t_lo, t_hi), 1)
    roll = 999_999.99 if rollover else None
    meters = [
        MeterSpec(
            "production",
            MeterRole.PRODUCTION,
            1,
            prod_name,
            prod_kw,
            rng.uniform(0.02, 0.05),
            rng.uniform(0.6, 0.85),
            rng.uniform(0.86, 0.94),
            round(rng.uniform(5e3, 9e5), 2),
            roll,
        ),
        MeterSpec(
            "treatment-main",
            MeterRole.TREATMENT_MAIN,
            2,
            f"{treat_name}主风机",
            treat_kw,
            rng.uniform(0.005, 0.02),
            rng.uniform(0.7, 0.85),
            rng.uniform(0.85, 0.92),
            round(rng.uniform(1e3, 3e5), 2),
            roll,
            group="T1",
        ),
    ]
    if rng.random() < 0.7:
        meters.append(
            MeterSpec(
                "treatment-standby",
                MeterRole.TREATMENT_STANDBY,
                3,
                f"{treat_name}备用风机",
                treat_kw,
                rng.uniform(0.003, 0.01),
                rng.uniform(0.7, 0.85),
                rng.uniform(0.85, 0.92),
                round(rng.uniform(1e2, 5e4), 2),
                roll,
                group="T1",
            )
        )
    if rng.random() < 0.5:
        total_rated = (prod_kw + 2 * treat_kw) * 1.2
        meters.append(
            MeterSpec(
                "total",
                MeterRole.TOTAL,
                9,
                "总进线",
                total_rated,
                0.04,
                1.0,
                0.9,
                round(rng.uniform(1e4, 5e6), 2),
                roll,
            )
        )
    return tuple(meters)


def build_fleet(
    count: int,
    *,
    seed: int,
    version: Version | None = None,
    interval_s: int = 60,
    rtd_interval_s: int = 30,
    violations_per_day: float = 0.0,
    traps_per_day: float = 0.0,
    clock_skew: bool = False,
    rollover: bool = False,
) -> list[TerminalSpec]:
    """``count`` terminals.  ``version=None`` mixes the versions (two in three HJ 212-2017, the rest 2025)."""
    industries = sorted(_INDUSTRIES)
    fleet: list[TerminalSpec] = []
    for index in range(count):
        rng = random.Random(f"{seed}:{index}")
        mn = (MN_PREFIX + _hex(rng, 20)).upper()
        industry = industries[rng.randrange(len(industries))]
        county = _COUNTIES[rng.randrange(len(_COUNTIES))]
        word = _WORDS[rng.randrange(len(_WORDS))]
        short_county = county.removesuffix("回族自治县").removesuffix("县").removesuffix("区").removesuffix("市")
        name = (
            f"沧州市{short_county}{word}{industry}有限公司" if industry != "工业涂装" else f"沧州{word}机械制造有限公司"
        )
        ver = version or (Version.HJ212_2025 if index % 3 == 2 else Version.HJ212_2017)
        plant = PlantSpec(
            seed=f"{seed}:{index}:plant",
            schedule=_INDUSTRIES[industry][0],
            meters=_meters(rng, industry, rollover=rollover),
            treatment_lead_s=rng.uniform(3, 10) * 60,
            treatment_lag_s=rng.uniform(10, 30) * 60,
            switchovers_per_day=0.3,
            violations_per_day=violations_per_day,
            traps_per_day=traps_per_day,
        )
        skew = rng.choice((0.0, 0.0, 0.0, rng.uniform(-180, 180))) if clock_skew else 0.0
        fleet.append(
            TerminalSpec(
                index=index,
                mn=mn,
                password=f"{rng.randrange(10**6):06d}",
                ps_id=_hex(rng, 32),
                name=name,
                county=county,
                industry=industry,
                version=ver,
                profile=PROFILE_FOR_VERSION[ver],
                plant=plant,
                interval_s=interval_s,
                rtd_interval_s=rtd_interval_s,
                clock_skew_s=skew,
            )
        )
    return fleet
