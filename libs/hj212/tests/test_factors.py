import json
from pathlib import Path

import pytest
from hj212 import (
    BUILTIN_PROFILES,
    CP,
    FactorProfile,
    MappedValue,
    Quantity,
    build_frame,
    get_profile,
    map_factors,
    parse_frame,
    parse_message,
)

DATA = Path(__file__).parent / "data"

# Shape of the vendor ea3001 packet of HJ212.md §7 (the public copy is abridged, so this one is built here).
EA3001_SEGMENT = (
    "QN=20190708113607000;ST=80;CN=2011;PW=123456;MN=0010931004HBYDTEST000002;Flag=5;CP=&&DataTime=20190708113607;"
    "ea30010101-Rtd=0.99,ea30010101-Flag=N;ea30010105-Rtd=0.21,ea30010105-Flag=N;ea30010107-Rtd=1234.5,ea30010107-Flag=N;"
    "ea30010209-Rtd=0.98,ea30010209-Flag=J;ea30010210-Rtd=220.1,ea30010210-Flag=N&&"
)


def by_code(values: list[MappedValue], field: str = "Rtd") -> dict[str, MappedValue]:
    return {v.code: v for v in values if v.field == field}


def test_hj212_2025_d_codes_production_and_treatment_facilities() -> None:
    cp = parse_message(
        "QN=20250101000000000;ST=44;CN=2011;PW=123456;MN=010000A8900016F000169DC0;Flag=9;CP=&&DataTime=20250101000000;"
        "d20105-Rtd=220.20;d20205-Rtd=220.90;d20305-Rtd=221.10;d20405-Rtd=0.24;d30106-Rtd=220.20;d30406-Rtd=0.04&&"
    ).cp
    values = by_code(map_factors(get_profile("hj212-2025-electric"), cp))
    assert values["d20105"] == MappedValue("d20105", 5, Quantity.VOLTAGE_V, "Rtd", "220.20", "A", "production")
    assert values["d20405"] == MappedValue("d20405", 5, Quantity.CURRENT_A, "Rtd", "0.24", None, "production")
    assert values["d30406"] == MappedValue("d30406", 6, Quantity.CURRENT_A, "Rtd", "0.04", None, "treatment")


def test_2025_layout_is_marked_inferred_and_power_codes_are_marked_guesses() -> None:
    profile = get_profile("hj212-2025-electric")
    assert "INFERRED" in profile.description and "GUESS" in profile.description
    confidence = {pp: profile.match(f"d2{pp}01").meaning.confidence for pp in ("01", "04", "05", "06", "09")}  # type: ignore[union-attr]
    assert confidence == {"01": "inferred", "04": "inferred", "05": "guess", "06": "guess", "09": "guess"}


def test_2017_wastewater_plant_electricity_info_codes_are_exact_rules() -> None:
    match = get_profile("hj212-2025-electric").match("i33201")
    assert match.meaning is not None and match.meaning.quantity is Quantity.ENERGY_KWH
    assert match.meaning.confidence == "documented" and match.channel == 0


def test_vendor_ea3001_codes() -> None:
    frame = parse_frame(build_frame(EA3001_SEGMENT))
    values = map_factors(get_profile("vendor-ea3001"), parse_message(frame.segment).cp)
    rtd = by_code(values)
    assert (rtd["ea30010101"].channel, rtd["ea30010101"].quantity, rtd["ea30010101"].phase) == (
        1,
        Quantity.CURRENT_A,
        "A",
    )
    assert rtd["ea30010105"].quantity is Quantity.ACTIVE_POWER_KW
    assert rtd["ea30010107"].quantity is Quantity.ENERGY_KWH
    assert (rtd["ea30010209"].channel, rtd["ea30010209"].quantity) == (2, Quantity.POWER_FACTOR)
    assert rtd["ea30010210"].quantity is Quantity.VOLTAGE_V
    assert by_code(values, "Flag")["ea30010209"].value == "J"


def test_generic_ele_switches_from_the_alltobs_sample() -> None:
    raw = (DATA / "alltobs_switch_codes.txt").read_bytes().strip()
    values = map_factors(get_profile("generic-ele"), parse_message(parse_frame(raw).segment).cp)
    assert [(v.code, v.channel, v.quantity, v.value) for v in values] == [
        ("ele01", 1, Quantity.SWITCH_STATE, "1"),
        ("ele02", 2, Quantity.SWITCH_STATE, "0"),
    ]


def test_unmapped_codes_come_back_with_quantity_none_and_every_field() -> None:
    cp = CP({}, {"a21005": {"Rtd": "0.00", "Flag": "N"}, "d29905": {"Rtd": "1"}, "ea3001xx07": {"Rtd": "2"}})
    values = map_factors(get_profile("hj212-2025-electric"), cp)
    assert [(v.code, v.field, v.channel, v.quantity) for v in values] == [
        ("a21005", "Rtd", None, None),
        ("a21005", "Flag", None, None),
        ("d29905", "Rtd", 5, None),  # layout known, parameter 99 not
        ("ea3001xx07", "Rtd", None, None),
    ]


def test_operator_profile_from_json_with_exact_and_pattern_rules() -> None:
    config = json.loads(
        """{"name": "site-42", "description": "meter wiring of site 42", "rules": [
             {"pattern": "e30101", "quantity": "current_a", "channel": 1, "note": "lift pump 1 (Table B.5)"},
             {"pattern": "m{channel:1}kw", "quantity": "active_power_kw", "confidence": "inferred"},
             {"pattern": "v{channel:2}{param:1}", "params": {"1": {"quantity": "voltage_v", "phase": "A"}}}
           ]}"""
    )
    profile = FactorProfile.from_dict(config)
    cp = CP({}, {"e30101": {"Rtd": "3.2"}, "m3kw": {"Rtd": "7"}, "v121": {"Rtd": "230"}, "v122": {"Rtd": "231"}})
    got = [(v.code, v.channel, v.quantity, v.phase) for v in map_factors(profile, cp)]
    assert got == [
        ("e30101", 1, Quantity.CURRENT_A, None),
        ("m3kw", 3, Quantity.ACTIVE_POWER_KW, None),
        ("v121", 12, Quantity.VOLTAGE_V, "A"),
        ("v122", 12, None, None),
    ]


@pytest.mark.parametrize("name", sorted(BUILTIN_PROFILES))
def test_profiles_round_trip_through_json(name: str) -> None:
    profile = BUILTIN_PROFILES[name]
    assert FactorProfile.from_dict(json.loads(json.dumps(profile.to_dict(), ensure_ascii=False))) == profile


@pytest.mark.parametrize(
    "rule",
    [
        {"pattern": "x{channel:2}", "quantity": "watts"},
        {"pattern": "x{chan:2}", "quantity": "current_a"},
        {"pattern": "x{channel:0}", "quantity": "current_a"},
        {"pattern": "x{param:2}", "quantity": "current_a"},
        {"pattern": "x01"},
        {"quantity": "current_a"},
        {"pattern": "x{channel:2}", "quantity": "current_a", "channel": 3},
        {"pattern": "x", "quantity": "current_a", "confidence": "certain"},
    ],
)
def test_bad_profile_configuration_is_a_value_error(rule: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        FactorProfile.from_dict({"name": "bad", "rules": [rule]})


def test_unknown_profile_name_lists_the_built_in_ones() -> None:
    with pytest.raises(KeyError, match="vendor-ea3001"):
        get_profile("nope")
