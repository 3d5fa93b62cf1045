#!/usr/bin/env python3
"""Peers for PlanningBenchmark: astroplan's PriorityScheduler, and integer programs (pulp + CBC).

Usage: planning_peer.py INPUT.json   (written by PlanningBenchmark)

For each "plain" case: astroplan's PriorityScheduler on the same targets and constraints
(altitude >= 30 deg, airmass <= 2, astronomical night, Moon >= 20 deg; 300-s blocks; 5-minute
time resolution), timed; and the integer program of the same slotted problem (binary x[target,
slot] on the feasible pairs Starling exported, each target at most once, each slot at most
once, maximise the priority-weighted value), solved by CBC to optimality.

For each "realistic" case: the orienteering problem with time windows and sequence-dependent
transitions, as an integer program: y[i] visit, x[i,j] arcs (depot 0 and sink), continuous
exposure starts s[i] linked by big-M precedence, a binary choice among each target's
observable windows; maximise the cadence-weighted value; CBC with a 60-s limit.
Prints JSON.
"""
import json
import sys
import time
import warnings

warnings.simplefilter("ignore")


def plain_ip(case, slot_count):
    import pulp
    values = case["values"]
    prob = pulp.LpProblem("plain", pulp.LpMaximize)
    x = {}
    for i, slots in enumerate(case["feasible_slots"]):
        for q in slots:
            x[i, q] = pulp.LpVariable(f"x_{i}_{q}", cat="Binary")
    prob += pulp.lpSum(values[i] * v for (i, q), v in x.items())
    by_target, by_slot = {}, {}
    for (i, q), v in x.items():
        by_target.setdefault(i, []).append(v)
        by_slot.setdefault(q, []).append(v)
    for vs in by_target.values():
        prob += pulp.lpSum(vs) <= 1
    for vs in by_slot.values():
        prob += pulp.lpSum(vs) <= 1
    start = time.perf_counter()
    prob.solve(pulp.PULP_CBC_CMD(msg=0))
    elapsed = time.perf_counter() - start
    used = sum(1 for v in x.values() if v.value() and v.value() > 0.5)
    return pulp.value(prob.objective) or 0.0, elapsed, pulp.LpStatus[prob.status], used


def realistic_ip(case):
    import pulp
    n = len(case["values"])
    values, durations, windows = case["values"], case["durations"], case["windows"]
    tau, park, horizon = case["transitions"], case["from_park"], case["horizon_s"]
    nodes = [i for i in range(n) if windows[i]]
    earliest = {i: min(w[0] for w in windows[i]) for i in nodes}
    latest_start = {i: max(w[1] - durations[i] for w in windows[i]) for i in nodes}
    big = horizon + max(durations) + max(max(row) for row in tau) + 1
    prob = pulp.LpProblem("realistic", pulp.LpMaximize)
    y = {i: pulp.LpVariable(f"y_{i}", cat="Binary") for i in nodes}
    s = {i: pulp.LpVariable(f"s_{i}", lowBound=0, upBound=horizon) for i in nodes}
    arcs = {}
    for i in nodes:
        arcs[("start", i)] = pulp.LpVariable(f"a_start_{i}", cat="Binary")
        arcs[(i, "end")] = pulp.LpVariable(f"a_{i}_end", cat="Binary")
        for j in nodes:
            if i != j and earliest[i] + durations[i] + tau[i][j] <= latest_start[j]:
                arcs[(i, j)] = pulp.LpVariable(f"a_{i}_{j}", cat="Binary")
    prob += pulp.lpSum(values[i] * y[i] for i in nodes)
    prob += pulp.lpSum(arcs[("start", i)] for i in nodes) <= 1
    outgoing, incoming = {i: [] for i in nodes}, {i: [] for i in nodes}
    for (a, b), v in arcs.items():
        if a != "start":
            outgoing[a].append(v)
        if b != "end":
            incoming[b].append(v)
    for i in nodes:
        prob += pulp.lpSum(outgoing[i]) == y[i]
        prob += pulp.lpSum(incoming[i]) == y[i]
    for (a, b), v in arcs.items():
        if a == "start" or b == "end":
            continue
        prob += s[b] >= s[a] + durations[a] + tau[a][b] - big * (1 - v)
    for i in nodes:
        prob += s[i] >= park[i] - big * (1 - arcs[("start", i)])
        choices = [pulp.LpVariable(f"w_{i}_{k}", cat="Binary") for k in range(len(windows[i]))]
        prob += pulp.lpSum(choices) == y[i]
        prob += s[i] >= pulp.lpSum(w[0] * c for w, c in zip(windows[i], choices))
        prob += s[i] <= pulp.lpSum((w[1] - durations[i]) * c for w, c in zip(windows[i], choices)) + horizon * (1 - y[i])
    start = time.perf_counter()
    prob.solve(pulp.PULP_CBC_CMD(msg=0, timeLimit=case["time_limit_s"]))
    elapsed = time.perf_counter() - start
    value = sum(values[i] for i in nodes if y[i].value() and y[i].value() > 0.5)
    status = pulp.LpStatus[prob.status]
    if status == "Optimal" and elapsed >= case["time_limit_s"] - 1:
        status = "time limit (best found)"
    return value, elapsed, status, None


def astroplan_case(spec, case):
    import astropy.units as u
    from astroplan import (AirmassConstraint, AltitudeConstraint, AtNightConstraint, FixedTarget,
                           MoonSeparationConstraint, ObservingBlock, Observer, PriorityScheduler,
                           Schedule, Transitioner)
    from astropy.coordinates import EarthLocation, SkyCoord
    from astropy.time import Time
    from astropy.utils import iers
    iers.conf.auto_download = False
    iers.conf.auto_max_age = None
    iers.conf.iers_degraded_accuracy = "ignore"
    location = EarthLocation.from_geodetic(spec["longitude_deg"] * u.deg, spec["latitude_deg"] * u.deg, spec["height_m"] * u.m)
    observer = Observer(location=location)
    constraints = [AltitudeConstraint(30 * u.deg), AirmassConstraint(2), AtNightConstraint.twilight_astronomical(),
                   MoonSeparationConstraint(20 * u.deg)]
    values = case["values"]
    top = max(values)
    blocks = []
    for i, (ra, dec) in enumerate(zip(case["ra_deg"], case["dec_deg"])):
        target = FixedTarget(SkyCoord(ra * u.deg, dec * u.deg), name=f"t{i}")
        # astroplan: a lower priority number is scheduled first.
        blocks.append(ObservingBlock(target, 300 * u.s, top + 1 - values[i]))
    start_time, end_time = Time(spec["dusk_utc"]), Time(spec["dawn_utc"])
    scheduler = PriorityScheduler(constraints=constraints, observer=observer, transitioner=Transitioner(None),
                                  time_resolution=300 * u.s)
    schedule = Schedule(start_time, end_time)
    start = time.perf_counter()
    scheduler(blocks, schedule)
    elapsed = time.perf_counter() - start
    scheduled = [b for b in schedule.observing_blocks]
    value = sum(values[int(b.target.name[1:])] for b in scheduled)
    return elapsed, value, len(scheduled)


def main():
    spec = json.load(open(sys.argv[1]))
    out = {"cases": []}
    for case in spec["cases"]:
        result = {"kind": case["kind"], "count": case["count"]}
        try:
            if case["kind"] == "plain":
                value, seconds, status, used = plain_ip(case, len(spec["slot_starts_utc"]))
                result.update(ip_value=value, ip_seconds=seconds, ip_status=status, ip_slots_used=used)
                a_seconds, a_value, a_used = astroplan_case(spec, case)
                result.update(astroplan_seconds=a_seconds, astroplan_value=a_value, astroplan_slots_used=a_used)
            else:
                value, seconds, status, _ = realistic_ip(case)
                result.update(ip_value=value, ip_seconds=seconds, ip_status=status)
        except Exception as error:  # report, keep the other cases
            result["error"] = repr(error)
        print(json.dumps(result), file=sys.stderr, flush=True)
        out["cases"].append(result)
    print(json.dumps(out))


main()
