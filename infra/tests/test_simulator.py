"""The DTU simulator against a small real HJ 212 center (asyncio TCP + the hj212 codec), in accelerated time."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import itertools
import logging
import os
import sys
from collections.abc import AsyncIterator, Callable
from datetime import datetime, timedelta

import httpx
import pytest
from fbjd_core.time import CST
from fbjd_infra.simulators.clock import SimClock, ts_of_local
from fbjd_infra.simulators.dtu import Simulation
from fbjd_infra.simulators.fleet import TerminalSpec, build_fleet
from fbjd_infra.simulators.packets import PacketBuilder, meter_codes
from fbjd_infra.simulators.plant import MeterRole, Plant, Schedule
from fbjd_infra.simulators.register import device_payload, register_fleet
from fbjd_infra.simulators.terminal import Terminal, TerminalOptions
from hj212 import commands
from hj212.factors import Quantity, get_profile, map_factors
from hj212.frame import Frame, FrameDecoder, parse_frame
from hj212.message import Message, encode, parse_message, parse_time
from hj212.versions import Version

SPEED = 1200.0  # 20 simulated minutes per real second
MONDAY_0750 = datetime(2026, 3, 2, 7, 50, tzinfo=CST)
FAST = TerminalOptions(ack_timeout_s=2.0, reconnect_delay_s=0.05, reconnect_max_s=0.2)


class Center:
    """A minimal HJ 212 center: decodes with the shared codec, records every message, answers 9014 (or not)."""

    def __init__(self) -> None:
        self.received: list[tuple[int, Message]] = []  # (connection number, message)
        self.frame_errors: list[Exception] = []
        self.writers: dict[str, asyncio.StreamWriter] = {}
        self.should_ack: Callable[[Message], bool] = lambda _m: True
        self._connections = itertools.count(1)
        self._server: asyncio.Server | None = None
        self.port = 0

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._client, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        assert self._server is not None
        self._server.close()
        for writer in self.writers.values():
            writer.close()
        await self._server.wait_closed()

    async def _client(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        number = next(self._connections)
        decoder = FrameDecoder()
        try:
            while data := await reader.read(65536):
                decoder.feed(data)
                for event in decoder.events():
                    if not isinstance(event, Frame):
                        self.frame_errors.append(event)
                        continue
                    message = parse_message(event.segment)
                    self.received.append((number, message))
                    self.writers[message.mn or ""] = writer
                    if message.cn not in ("9011", "9012") and message.needs_reply and self.should_ack(message):
                        writer.write(encode(commands.data_ack(message)))
        except ConnectionError:
            pass
        finally:
            writer.close()

    def data(self, cn: str = "2051", mn: str | None = None) -> list[Message]:
        return [m for _n, m in self.received if m.cn == cn and (mn is None or m.mn == mn)]

    def send(self, mn: str, message: Message) -> None:
        self.writers[mn].write(encode(message))


@pytest.fixture
async def center() -> AsyncIterator[Center]:
    server = Center()
    await server.start()
    yield server
    await server.stop()


async def until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.02)


@contextlib.asynccontextmanager
async def running(*terminals: Terminal) -> AsyncIterator[None]:
    tasks = [asyncio.create_task(t.run()) for t in terminals]
    try:
        yield
    finally:
        for task in tasks:
            task.cancel()
        # Bounded: a terminal task slow to unwind (seen in CI: a history replay being cancelled) must not hold the
        # test until pytest-timeout; what it asserted has been asserted by then.
        await asyncio.wait(tasks, timeout=5)


def terminal(
    spec: TerminalSpec,
    center: Center,
    *,
    speed: float = SPEED,
    options: TerminalOptions = FAST,
    start: datetime = MONDAY_0750,
) -> Terminal:
    return Terminal(spec, host="127.0.0.1", port=center.port, clock=SimClock(start=start, speed=speed), options=options)


def continuous(spec: TerminalSpec) -> TerminalSpec:
    """The same terminal on a 24/7 production schedule, without switchovers (predictable treatment meters)."""
    plant = dataclasses.replace(spec.plant, schedule=Schedule.CONTINUOUS, switchovers_per_day=0.0)
    return dataclasses.replace(spec, plant=plant)


def values(message: Message, spec: TerminalSpec, role: MeterRole, quantity: Quantity, field: str) -> float | None:
    meter = next((m for m in spec.plant.meters if m.role is role), None)
    if meter is None:
        return None
    return float(message.cp.factors[meter_codes(spec.profile, meter)[quantity]][field])


def merged(messages: list[Message]) -> dict[str, Message]:
    """Minute packets by DataTime, split parts merged (as a center stores them)."""
    out: dict[str, Message] = {}
    for m in messages:
        key = m.cp.params["DataTime"]
        if key in out:
            out[key] = dataclasses.replace(
                m, cp=dataclasses.replace(m.cp, factors={**out[key].cp.factors, **m.cp.factors})
            )
        else:
            out[key] = m
    return out


async def test_minute_packets_decode_with_good_crc_st_cn_flag_and_period_start_datatime(center: Center) -> None:
    fleet = build_fleet(3, seed=7)  # index 2 is a 2025 terminal, the others 2017
    terminals = [terminal(spec, center) for spec in fleet]
    async with running(*terminals):
        await until(lambda: all(len(merged(center.data(mn=s.mn))) >= 20 for s in fleet))
    assert center.frame_errors == []  # every frame the simulator wrote had a correct length and CRC
    for spec, term in zip(fleet, terminals, strict=True):
        packets = center.data(mn=spec.mn)
        expected_flag = 9 if spec.version is Version.HJ212_2025 else 5
        for m in packets:
            assert m.st == "44" and m.cn == "2051" and m.pw == spec.password and m.warnings == ()
            assert m.flag is not None and m.flag & ~2 == expected_flag  # D bit only on split packets
            assert m.version is spec.version
            assert (m.pnum is not None) == m.is_split
            mapped = map_factors(get_profile(spec.profile), m.cp)
            assert mapped and all(v.quantity is not None for v in mapped)  # ingest can map every code
        times = sorted(parse_time(t) for t in merged(packets))
        assert times[0].second == 0 and times[0].minute % 1 == 0
        assert all(b - a == timedelta(seconds=spec.interval_s) for a, b in itertools.pairwise(times))
        assert term.stats.acked >= len(packets) - 1 and term.stats.resent == 0


async def test_energy_registers_never_go_back_and_integrate_the_power(center: Center) -> None:
    spec = continuous(build_fleet(1, seed=11)[0])
    async with running(terminal(spec, center)):
        await until(lambda: len(merged(center.data())) >= 40)
    # The last minute may be cut between its split parts when the terminal stops: judge the complete ones.
    minutes = [m for _t, m in sorted(merged(center.data()).items())][:-1]
    for meter in spec.plant.meters:
        code = meter_codes(spec.profile, meter)[Quantity.ENERGY_KWH]
        power = meter_codes(spec.profile, meter)[Quantity.ACTIVE_POWER_KW]
        registers = [float(m.cp.factors[code]["Max"]) for m in minutes]
        assert all(b >= a for a, b in itertools.pairwise(registers)), meter.key
        assert registers[-1] > registers[0]
        for m in minutes[1:]:  # the first period may start mid-way
            used = float(m.cp.factors[code]["Cou"])
            expected = float(m.cp.factors[power]["Avg"]) * spec.interval_s / 3600
            assert used == pytest.approx(expected, rel=0.02, abs=0.002), meter.key


async def test_an_injected_violation_shows_production_on_and_treatment_off_for_at_least_15_minutes(
    center: Center,
) -> None:
    spec = continuous(build_fleet(1, seed=3)[0])
    term = terminal(spec, center)
    start = ts_of_local(datetime(2026, 3, 2, 8, 0))
    term.plant.inject_violation(start, 25 * 60)
    async with running(term):
        await until(lambda: len(merged(center.data())) >= 45)
    production = spec.plant.meter(MeterRole.PRODUCTION)
    assert production is not None
    treatment = [m for m in spec.plant.meters if m.role in (MeterRole.TREATMENT_MAIN, MeterRole.TREATMENT_STANDBY)]
    abnormal = []
    for _t, m in sorted(merged(center.data()).items()):
        prod = values(m, spec, MeterRole.PRODUCTION, Quantity.ACTIVE_POWER_KW, "Avg")
        treat = [float(m.cp.factors[meter_codes(spec.profile, t)[Quantity.ACTIVE_POWER_KW]]["Avg"]) for t in treatment]
        abnormal.append(
            prod is not None
            and prod > production.threshold_kw
            and all(p < t.threshold_kw for p, t in zip(treat, treatment, strict=True))
        )
    longest = max(len(list(run)) for on, run in itertools.groupby(abnormal) if on)
    assert longest >= 15  # minutes of 1-minute data
    assert abnormal[0] is False and abnormal[-1] is False  # treatment ran before and after


async def test_after_an_outage_the_backlog_is_resent_on_a_new_connection(center: Center) -> None:
    spec = build_fleet(1, seed=5)[0]
    term = terminal(spec, center)
    async with running(term):
        await until(lambda: len(center.data()) >= 3)
        await term.outage(12 * 60)  # 12 simulated minutes: 1.2 s
        assert not term.connected
        await until(lambda: term.backlog >= 5)
        backlog = term.backlog
        await until(lambda: term.connected and term.backlog == 0)
    assert term.stats.outages == 1 and term.stats.connects >= 2
    by_time = merged(center.data())
    times = sorted(parse_time(t) for t in by_time)
    assert all(b - a == timedelta(minutes=1) for a, b in itertools.pairwise(times))  # no gap
    after = [m.cp.params["DataTime"] for n, m in center.received if n >= 2 and m.cn == "2051"]
    assert len(set(after)) >= backlog
    assert after != sorted(after)  # the fresh packet went first, then the history: out of order


async def test_after_a_power_loss_the_terminal_reports_its_power_on_first_and_measured_nothing_while_off(
    center: Center,
) -> None:
    """数采仪断电 for 12 simulated minutes: no minute of it exists; on return the first packet is CN 2081 with
    RestartTime = the power-on (no earlier than the last data), then the data goes on."""
    spec = build_fleet(1, seed=5)[0]
    term = terminal(spec, center)
    async with running(term):
        await until(lambda: len(center.data()) >= 3)
        await term.outage(12 * 60, power_loss=True)
        assert not term.connected and term.powered_off
        await until(lambda: len(center.data("2081")) >= 1 and len(center.data()) >= 20)
    assert term.stats.power_losses == 1 and term.bursts == [] and len(term.power_losses) == 1
    (restart,) = center.data("2081")
    assert restart.st == "44" and restart.needs_reply
    power_on = parse_time(restart.cp.params["RestartTime"])
    assert parse_time(restart.cp.params["DataTime"]) >= power_on
    first_after = next(i for i, (n, _m) in enumerate(center.received) if n >= 2)
    assert center.received[first_after][1].cn == "2081"  # before any data of the new connection
    times = sorted(parse_time(t) for t in merged(center.data()))
    gaps = [(a, b) for a, b in itertools.pairwise(times) if b - a > timedelta(minutes=1)]
    assert len(gaps) == 1 and gaps[0][1] - gaps[0][0] >= timedelta(minutes=11)  # nothing measured while off
    assert gaps[0][0] < power_on < gaps[0][1] + timedelta(minutes=1)  # in the first period measured again


async def test_a_power_loss_is_drawn_only_away_from_injected_violations(center: Center) -> None:
    spec = build_fleet(1, seed=5)[0]
    term = terminal(spec, center)
    term.plant.catch_up(MONDAY_0750.timestamp())
    now = MONDAY_0750.timestamp()
    assert term.quiet_around(now, now + 600) is not any(term.plant.violation(now - 1800 + 60 * i) for i in range(0, 71))


async def test_unanswered_packets_are_resent_with_the_same_qn(center: Center) -> None:
    seen: dict[str, int] = {}

    def ack_on_third_try(m: Message) -> bool:
        seen[m.qn or ""] = seen.get(m.qn or "", 0) + 1
        return seen[m.qn or ""] >= 3

    center.should_ack = ack_on_third_try
    spec = build_fleet(1, seed=9)[0]
    term = terminal(spec, center, speed=60, options=dataclasses.replace(FAST, ack_timeout_s=0.3))
    async with running(term):
        await until(lambda: term.stats.acked >= 2)
    first_two = list(seen.values())[:2]
    assert all(n >= 3 for n in first_two)  # the same QN sent again until answered (3 with a prompt center)
    assert term.stats.resent >= 4 and term.stats.unacked == 0


async def command(
    center: Center, spec: TerminalSpec, cn: str, build: Callable[..., Message], *args: object, pw: str | None = None
) -> tuple[Message, list[Message]]:
    """Send a center command; wait for its 9012 (or a final 9011); return it and everything with its QN."""
    request = build(*args, now=datetime.now(), st="44", pw=pw or spec.password, mn=spec.mn, version=spec.version)
    center.send(spec.mn, request)

    def answers() -> list[Message]:
        return [m for _n, m in center.received if m.qn == request.qn]

    def finished() -> bool:
        found = answers()
        return any(m.cn == "9012" for m in found) or any(
            m.cn == "9011" and m.cp.params.get("QnRtn") != "1" for m in found
        )

    await until(finished)
    assert request.cn == cn
    return request, answers()


async def test_1062_sets_the_realtime_interval_answered_with_9011_then_9012(center: Center) -> None:
    spec = build_fleet(1, seed=13, version=Version.HJ212_2025)[0]
    term = terminal(spec, center, speed=240, options=dataclasses.replace(FAST, realtime=True))
    async with running(term):
        await until(lambda: len(center.data("2011")) >= 3)
        request, answers = await command(center, spec, "1062", commands.set_rtd_interval, 120)
        assert [m.cn for m in answers] == ["9011", "9012"]
        assert answers[0].cp.params == {"QnRtn": "1"} and answers[1].cp.params == {"ExeRtn": "1"}
        assert [(m.st, m.flag, m.mn) for m in answers] == [("91", 8, spec.mn)] * 2
        assert term.rtd_interval_s == 120
        before = len(center.data("2011"))
        await until(lambda: len(center.data("2011")) >= before + 3)
    times = [parse_time(m.cp.params["DataTime"]) for m in center.data("2011")[before:]]
    assert all(b - a == timedelta(seconds=120) for a, b in itertools.pairwise(times))
    assert all(t.second == 0 and t.minute % 2 == 0 for t in times)


async def test_1064_sets_the_minute_interval(center: Center) -> None:
    spec = build_fleet(1, seed=17)[0]
    term = terminal(spec, center)
    async with running(term):
        await until(lambda: len(merged(center.data())) >= 2)
        _request, answers = await command(center, spec, "1064", commands.set_min_interval, 5)
        assert [m.cn for m in answers] == ["9011", "9012"] and answers[1].cp.params["ExeRtn"] == "1"
        before = len(merged(center.data()))
        await until(lambda: len(merged(center.data())) >= before + 3)
    times = sorted(parse_time(t) for t in merged(center.data()))[before:]
    assert all(b - a == timedelta(minutes=5) for a, b in itertools.pairwise(times))


async def test_1012_sets_the_clock_and_1011_reads_it(center: Center) -> None:
    spec = build_fleet(1, seed=19)[0]
    term = terminal(spec, center, speed=60, start=datetime.now(CST))
    async with running(term):
        await until(lambda: spec.mn in center.writers)  # it has sent its first packet
        target = datetime(2030, 1, 1, 12, 0, 0)
        _r, answers = await command(center, spec, "1012", commands.set_time, target)
        assert [(m.cn, m.cp.params) for m in answers] == [("9011", {"QnRtn": "1"}), ("9012", {"ExeRtn": "1"})]
        _r, answers = await command(center, spec, "1011", commands.get_time)
        assert [m.cn for m in answers] == ["9011", "1011", "9012"]
        reported = parse_time(answers[1].cp.params["SystemTime"])
        assert 0 <= (reported - target).total_seconds() < 60  # 60x: a second of real time is a minute
        # its data is stamped with the new time from then on
        await until(lambda: center.data()[-1].cp.params["DataTime"].startswith("2030"))


async def test_a_clock_set_slightly_back_never_repeats_a_period(center: Center) -> None:
    spec = build_fleet(1, seed=47)[0]
    term = terminal(spec, center, speed=SPEED)
    async with running(term):
        await until(lambda: len(center.data()) >= 5)
        behind = term.clock.local() - timedelta(minutes=4)
        _r, answers = await command(center, spec, "1012", commands.set_time, behind)
        assert answers[-1].cp.params == {"ExeRtn": "1"}
        count = len(center.data())
        await until(lambda: len(center.data()) >= count + 8)
    parts = [(m.cp.params["DataTime"], m.pno) for m in center.data()]
    assert len(parts) == len(set(parts))  # no period reported twice
    parsed = sorted({parse_time(t) for t, _pno in parts})
    assert all(b - a == timedelta(minutes=1) for a, b in itertools.pairwise(parsed))  # and none skipped


async def test_history_request_answers_9011_the_stored_periods_then_9012(center: Center) -> None:
    spec = build_fleet(1, seed=23)[0]
    term = terminal(spec, center)
    async with running(term):
        await until(lambda: len(merged(center.data())) >= 12)
        stored = sorted(merged(center.data()))
        begin, end = parse_time(stored[2]), parse_time(stored[6])
        request, answers = await command(center, spec, "2051", commands.get_minute_data, begin, end)
        assert [m.cn for m in answers] == ["9011", "9012"] and answers[-1].cp.params["ExeRtn"] == "1"
        received = [m for _n, m in center.received]
        first = next(i for i, m in enumerate(received) if m.qn == request.qn and m.cn == "9011")
        last = next(i for i, m in enumerate(received) if m.qn == request.qn and m.cn == "9012")
        replayed = [m for m in received[first:last] if m.cn == "2051" and m.cp.params["DataTime"] <= stored[6]]
        assert sorted(m.cp.params["DataTime"] for m in merged(replayed).values()) == stored[2:7]
        assert all(m.qn != request.qn for m in replayed)  # each data packet has its own QN
        _r, none = await command(
            center, spec, "2061", commands.get_hour_data, datetime(2020, 1, 1), datetime(2020, 1, 2)
        )
        assert none[-1].cn == "9012" and none[-1].cp.params["ExeRtn"] == "100"


async def test_unknown_command_and_wrong_password_are_refused_in_9011(center: Center) -> None:
    spec = build_fleet(1, seed=29)[0]
    async with running(terminal(spec, center)):
        await until(lambda: len(center.data()) >= 1)
        unknown = dataclasses.replace(
            commands.get_time(now=datetime.now(), st="44", pw=spec.password, mn=spec.mn, version=spec.version),
            cn="3011",
        )
        _r, answers = await command(center, spec, "3011", lambda **_kw: unknown)
        assert [(m.cn, m.cp.params) for m in answers] == [("9011", {"QnRtn": "8"})]
        _r, answers = await command(center, spec, "1000", commands.set_timeout_retries, 5, 3, pw="wrong")
        assert [(m.cn, m.cp.params) for m in answers] == [("9011", {"QnRtn": "3"})]


async def test_simulation_summary_counts_every_terminal(center: Center, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="fbjd_infra.simulators.dtu")
    fleet = build_fleet(4, seed=31)
    simulation = Simulation(
        fleet, host="127.0.0.1", port=center.port, clock=SimClock(start=MONDAY_0750, speed=SPEED), options=FAST
    )
    stats = await simulation.run(duration_s=2.0, summary_every_s=0.5)
    summary = simulation.summary()
    assert summary["terminals"] == 4 and summary["connected"] == 0  # all closed at the end
    assert stats.sent >= 4 * 10 and stats.acked >= stats.sent - 8
    assert {m.mn for m in center.data()} == {s.mn for s in fleet}
    lines = [r for r in caplog.records if r.getMessage() == "simulator"]  # the periodic one-line summary
    assert len(lines) >= 2
    assert all(hasattr(r, name) for r in lines for name in ("sent", "acked", "resent", "backlog", "connected"))
    assert lines[-1].connected == 4  # type: ignore[attr-defined]


def test_packets_too_long_for_one_frame_are_split_with_pnum_pno() -> None:
    spec = next(s for s in build_fleet(40, seed=41) if len(s.plant.meters) == 4 and s.profile == "vendor-ea3001")
    plant = Plant(spec.plant)
    start = ts_of_local(datetime(2026, 3, 2, 10, 0))
    plant.catch_up(start)
    record = plant.close_period(start, start + 60)
    builder = PacketBuilder(spec.mn, spec.password, spec.version, spec.profile, spec.plant.meters)
    messages = builder.period("2051", record, datetime(2026, 3, 2, 10, 1))
    assert len(messages) == 2
    decoded = [parse_message(parse_frame(encode(m)).segment) for m in messages]
    assert [(m.pnum, m.pno, m.flag) for m in decoded] == [(2, 1, 7), (2, 2, 7)]  # Flag 7 = 2017 + D + A
    assert len({m.qn for m in decoded}) == 2  # each part its own QN (and its own 9014)
    assert {m.cp.params["DataTime"] for m in decoded} == {"20260302100000"}
    all_codes = {c for meter in spec.plant.meters for c in meter_codes(spec.profile, meter).values()}
    assert set(decoded[0].cp.factors) | set(decoded[1].cp.factors) == all_codes
    assert not set(decoded[0].cp.factors) & set(decoded[1].cp.factors)


def test_rollover_registers_wrap_but_consumption_stays_exact() -> None:
    spec = continuous(build_fleet(1, seed=43, rollover=True)[0])
    meter = spec.plant.meters[0]
    plant = Plant(dataclasses.replace(spec.plant, meters=(dataclasses.replace(meter, initial_kwh=999_990.0),)))
    start = ts_of_local(datetime(2026, 3, 2, 10, 0))
    plant.catch_up(start)
    records = [plant.close_period(start + 60 * i, start + 60 * (i + 1)) for i in range(10)]
    ends = [r.meters[meter.key].energy_end for r in records]
    assert ends[-1] < ends[0]  # the register wrapped past 999999.99
    assert all(r.meters[meter.key].energy_used > 0 for r in records)


def test_cli_runs_terminals_against_a_center_and_logs_a_summary() -> None:
    async def scenario() -> tuple[int, str, Center]:
        center = Center()
        await center.start()
        env = {**os.environ, "FBJD_LOG_LEVEL": "INFO"}
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "fbjd_infra.cli",
            "simulate",
            "--terminals",
            "2",
            "--speed",
            "600",
            "--duration",
            "3",
            "--port",
            str(center.port),
            "--seed",
            "1",
            "--violations",
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.STDOUT,
            env=env,
        )
        out, _ = await proc.communicate()
        await center.stop()
        return proc.returncode or 0, out.decode(), center

    code, output, center = asyncio.run(scenario())
    assert code == 0, output
    assert "simulation stopped" in output and "acked=" in output
    assert len({m.mn for m in center.data()}) == 2 and center.frame_errors == []


async def test_registration_retries_until_the_gateway_answers_and_accepts_409() -> None:
    fleet = build_fleet(3, seed=37)
    calls: list[str] = []
    created: dict[str, dict[str, object]] = {}

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        if len(calls) <= 2:
            return httpx.Response(503)  # the gateway is still starting
        if request.url.path == "/api/auth/token":
            assert b"grant_type=password" in request.content and b"username=admin" in request.content
            return httpx.Response(200, json={"access_token": "t0k", "token_type": "bearer"})
        assert request.headers["authorization"] == "Bearer t0k"
        body = httpx.Request("POST", "/", content=request.content).read()
        payload = __import__("json").loads(body)
        if payload["mn"] == fleet[1].mn:
            return httpx.Response(409, json={"detail": "exists"})
        created[payload["mn"]] = payload
        return httpx.Response(201, json=payload)

    count = await register_fleet(
        "http://gw", fleet, password="pw", retry_s=0.01, transport=httpx.MockTransport(handler)
    )
    assert count == 2
    assert created[fleet[0].mn] == device_payload(fleet[0])
    payload = device_payload(fleet[0])
    assert len(str(payload["mn"])) == 24 and str(payload["mn"]).isupper()
    assert len(str(payload["ps_id"])) == 32 and str(payload["ps_id"]).islower()
    assert calls[:2] == ["/api/auth/token", "/api/auth/token"]


def test_demo_fleet_is_deterministic_and_maps_every_meter() -> None:
    first, again = build_fleet(12, seed=212), build_fleet(12, seed=212)
    assert [s.to_dict() for s in first] == [s.to_dict() for s in again]
    assert len({s.mn for s in first}) == 12 and len({s.ps_id for s in first}) == 12
    assert {s.version for s in first} == {Version.HJ212_2017, Version.HJ212_2025}
    for spec in first:
        for meter in spec.plant.meters:
            codes = meter_codes(spec.profile, meter)
            assert Quantity.ENERGY_KWH in codes
            if meter.role is not MeterRole.TOTAL:
                assert Quantity.ACTIVE_POWER_KW in codes
            profile = get_profile(spec.profile)
            assert all(profile.match(code).meaning is not None for code in codes.values())
