"""Starling's observability tool side by side with starwhisper-observability-calc's (PyPI), the MCP
observability server of the seed's authors: the same targets, sites and night, asked of both.

    starwhisper_compare.py STARLING --root DIR [--date 2026-11-23] [--json]

Starling answers through its own MCP server (`starling mcp`, tool `target_observability`, with the
official Python client). starwhisper answers through its MCP server's tool (`calculate_observability`)
and the function behind it (`calculate_target_observability`, for its altitude curve), with two
things pinned, since it takes neither from its caller: its clock (`Time.now()`, which it uses as the
start of the 24 hours it looks at) is set to Starling's sunset, and SIMBAD (which it queries for every
name, and which its constructor contacts; unreachable here) is answered with Starling's catalog
position, so both compute for the same coordinates. starwhisper reports no rise, transit or set: those
come from the astroplan `Observer` it builds for the site (1-minute grid). Altitudes are compared at
the same instants (sunset, then every 30 minutes through the night); both sides are geometric (no
refraction: astropy's `AltAz` and astroplan's `Observer` without a pressure), and rise and set are the
centre crossing 0°.

Prints a table, then (with --json) one JSON object. Exit 0 when every figure agrees within 1 minute and
0.1°, or the difference is one the report explains; 1 otherwise.
"""

import argparse
import asyncio
import contextlib
import json
import logging
import os
import sys
import warnings
from datetime import datetime, timedelta, timezone
from unittest import mock
from zoneinfo import ZoneInfo

CASES = [
    ("xinglong", ["NGC 1068", "M31", "M81", "NGC 253", "NGC 5128"]),
    ("cerro-tololo", ["NGC 1068", "NGC 253", "NGC 5128", "M31", "M83"]),
]
TIME_TOLERANCE_S = 60.0
ALTITUDE_TOLERANCE_DEG = 0.1


def missing_tools():
    absent = []
    for module in ("mcp", "astropy", "astroplan", "starwhisper_observation_calculator"):
        try:
            __import__(module)
        except ImportError:
            absent.append(module)
    return None if not absent else "missing from python3: " + ", ".join(absent) + " (scripts/install-deps --test)"


def parse_time(text):
    return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00"))


async def ask_starling(starling, root, date):
    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    # No store is needed: the tool answers from the configuration alone.
    env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp"), "STARLING_STORE": "/nonexistent/starling.sqlite"}
    parameters = StdioServerParameters(command=starling, args=["mcp", "--log-level", "error"], env=env, cwd=root)
    answers = {}
    async with stdio_client(parameters, errlog=open(os.devnull, "w")) as (read, write):
        async with ClientSession(read, write) as session:
            await session.initialize()
            for site, targets in CASES:
                for name in targets:
                    result = await session.call_tool("target_observability", {"site": site, "date": date, "name": name, "track_step_minutes": 30})
                    if result.is_error:
                        raise RuntimeError(f"starling refused {name} at {site}: {result.content[0].text}")
                    answers[(site, name)] = result.structured_content
    return answers


def starwhisper_answers(doc, date):
    """starwhisper's MCP tool and its altitude curve for Starling's target and site, on Starling's night."""
    import astropy.units as u
    from astropy.coordinates import AltAz, SkyCoord, get_body
    from astropy.table import Table
    from astropy.time import Time
    from astroplan import FixedTarget

    import starwhisper_observation_calculator.core as core
    from starwhisper_observation_calculator.mcp_server import ObservabilityMCPServer

    site, target = doc["site"], doc["target"]
    sunset = Time(parse_time(doc["altitude_track"][0]["time"]))
    coord = SkyCoord(target["ra_deg"] * u.deg, target["dec_deg"] * u.deg, frame="icrs")
    ra_text = coord.ra.to_string(unit=u.hourangle, sep=" ", precision=4, pad=True)
    dec_text = coord.dec.to_string(unit=u.deg, sep=" ", precision=3, alwayssign=True, pad=True)
    simbad = Table({"RA": [ra_text], "DEC": [dec_text]})
    arguments = {"latitude": site["latitude_deg"], "longitude": site["longitude_deg"], "target_name": target["name"], "altitude": site["elevation_m"]}
    with warnings.catch_warnings(record=True) as caught, contextlib.ExitStack() as stack:
        warnings.simplefilter("always")
        stack.enter_context(mock.patch.object(core.Time, "now", return_value=sunset))
        stack.enter_context(mock.patch.object(core.Simbad, "add_votable_fields"))
        stack.enter_context(mock.patch.object(core.Simbad, "query_object", return_value=simbad))
        server = ObservabilityMCPServer()
        listed = server.handle_request({"jsonrpc": "2.0", "id": 1, "method": "tools/list"})
        called = server.handle_request({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"name": "calculate_observability", "arguments": arguments}})
        curve = core.calculate_target_observability(**arguments)
        calculator = core.ObservabilityCalculator(latitude=site["latitude_deg"], longitude=site["longitude_deg"], altitude=site["elevation_m"])
    text = called["result"]["content"][0]["text"]
    current = float(text.split("Current Altitude:")[1].split("°")[0])
    points = curve["observability"]["altitude_curve"]
    frame_warnings = sorted({w.category.__name__ for w in caught})

    # Rise, transit and set from starwhisper's astroplan Observer, by Starling's definitions: the
    # first rise after local noon, the first set after that rise (else after noon), the first
    # meridian crossing; each within the night's local noon to noon.
    observer = calculator.observer
    fixed = FixedTarget(coord, name=target["name"])
    zone = ZoneInfo(site["time_zone"])
    noon = Time(datetime.fromisoformat(f"{date}T12:00:00").replace(tzinfo=zone).astimezone(timezone.utc))
    end = noon + 1 * u.day

    def within(t):
        return None if t is None or t.masked or not (noon <= t <= end) else t

    grid = 1441
    rise = within(observer.target_rise_time(noon, fixed, which="next", horizon=0 * u.deg, n_grid_points=grid))
    set_from = rise if rise is not None else noon
    setting = within(observer.target_set_time(set_from, fixed, which="next", horizon=0 * u.deg, n_grid_points=grid))
    if setting is None and rise is not None:
        setting = within(observer.target_set_time(noon, fixed, which="next", horizon=0 * u.deg, n_grid_points=grid))
    transit = within(observer.target_meridian_transit_time(noon, fixed, which="next", n_grid_points=grid))

    # The Moon–target angle done right (the target carried into the Moon's topocentric frame),
    # to set beside starwhisper's and Starling's.
    times = Time([p["time"] for p in points])
    moon = get_body("moon", times, calculator.location)
    true_separation = moon.separation(coord, origin_mismatch="ignore").deg
    altaz = coord.transform_to(AltAz(obstime=times, location=calculator.location))
    return {
        "tools": [tool["name"] for tool in listed["result"]["tools"]],
        "current_altitude": current,
        "text": text,
        "curve": [{"time": p["time"], "altitude": p["altitude"], "moon_separation": p["moon_separation"], "observable": bool(p["observable"])} for p in points],
        "astropy_check_altitude": [float(a) for a in altaz.alt.deg],
        "true_moon_separation": [float(s) for s in true_separation],
        "rise": None if rise is None else rise.to_datetime(timezone=timezone.utc),
        "transit": None if transit is None else transit.to_datetime(timezone=timezone.utc),
        "set": None if setting is None else setting.to_datetime(timezone=timezone.utc),
        "warnings": frame_warnings,
    }


def offline_answer():
    """What starwhisper's MCP tool answers as it is, here: it reaches SIMBAD for every name."""
    from starwhisper_observation_calculator.mcp_server import ObservabilityMCPServer

    logging.disable(logging.CRITICAL)
    try:
        answer = ObservabilityMCPServer().handle_request({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
            "name": "calculate_observability", "arguments": {"latitude": 40.393333, "longitude": 117.575, "target_name": "NGC 1068"}}})
    finally:
        logging.disable(logging.NOTSET)
    return answer.get("result", {}).get("content", [{}])[0].get("text") or json.dumps(answer.get("error"))


def compare(doc, peer):
    row = {"site": doc["site"]["id"], "target": doc["target"]["name"]}
    problems = []
    for key in ("rise", "transit", "set"):
        ours, theirs = parse_time(doc.get(key)), peer[key]
        if ours is None and theirs is None:
            row[key] = "none (both)"
            continue
        if ours is None or theirs is None:
            row[key] = f"Starling {ours}, astroplan {theirs}"
            problems.append(f"{key}: one side has none")
            continue
        delta = (ours - theirs).total_seconds()
        row[key + "_delta_s"] = round(delta, 1)
        if abs(delta) > TIME_TOLERANCE_S:
            problems.append(f"{key} differs by {delta:.0f} s")
    track = {parse_time(s["time"]): s for s in doc["altitude_track"]}
    deltas, moon_starling, moon_peer, astropy_deltas = [], [], [], []
    for index, point in enumerate(peer["curve"]):
        when = datetime.fromisoformat(point["time"]).replace(tzinfo=timezone.utc)
        ours = next((s for t, s in track.items() if abs((t - when).total_seconds()) < 1), None)
        if ours is None:
            continue
        deltas.append(ours["altitude_deg"] - point["altitude"])
        astropy_deltas.append(ours["altitude_deg"] - peer["astropy_check_altitude"][index])
        moon_starling.append(ours["moon_separation_deg"] - peer["true_moon_separation"][index])
        moon_peer.append(point["moon_separation"] - peer["true_moon_separation"][index])
    row["samples"] = len(deltas)
    row["max_altitude_delta_deg"] = round(max(map(abs, deltas)), 4) if deltas else None
    row["current_altitude_delta_deg"] = round(doc["altitude_track"][0]["altitude_deg"] - peer["current_altitude"], 3)
    row["starling_moon_separation_error_deg"] = round(max(map(abs, moon_starling)), 3) if moon_starling else None
    row["starwhisper_moon_separation_error_deg"] = round(max(map(abs, moon_peer)), 2) if moon_peer else None
    # starwhisper's "observable" ignores the Sun: points in daylight or twilight count.
    dark = {parse_time(s["start"]) for s in doc["not_observable"] if s["constraint"] == "darkness"}
    row["starwhisper_observable_points"] = sum(p["observable"] for p in peer["curve"])
    row["starling_observable_hours"] = doc["observable_hours"]
    if not deltas:
        problems.append("no common instants")
    elif max(map(abs, deltas)) > ALTITUDE_TOLERANCE_DEG:
        problems.append(f"altitude differs by up to {max(map(abs, deltas)):.3f}°")
    if abs(row["current_altitude_delta_deg"]) > ALTITUDE_TOLERANCE_DEG + 0.005:  # its text rounds to 0.01°
        problems.append(f"the MCP text's current altitude differs by {row['current_altitude_delta_deg']}°")
    if moon_starling and max(map(abs, moon_starling)) > ALTITUDE_TOLERANCE_DEG:
        problems.append("Starling's Moon separation differs from astropy's topocentric one")
    row["problems"] = problems
    return row


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("starling", nargs="?")
    parser.add_argument("--root", default=".")
    parser.add_argument("--date", default="2026-11-23")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--missing", action="store_true")
    args = parser.parse_args()
    if args.missing:
        print(missing_tools() or "")
        return 0
    if (absent := missing_tools()) is not None:
        print(absent, file=sys.stderr)
        return 2
    logging.basicConfig(level=logging.ERROR)
    # Offline: astropy's bundled IERS tables (astropy-iers-data), never a download.
    from astropy.utils import iers

    iers.conf.auto_download = False
    iers.conf.auto_max_age = None
    starling = asyncio.run(ask_starling(args.starling, args.root, args.date))
    rows, tools, offline, warnings_seen = [], set(), offline_answer(), set()
    for (site, name), doc in starling.items():
        peer = starwhisper_answers(doc, args.date)
        tools.update(peer["tools"])
        warnings_seen.update(peer["warnings"])
        rows.append(compare(doc, peer))
    print(f"{'site':<13} {'target':<10} {'Δrise s':>8} {'Δtransit s':>10} {'Δset s':>7} {'max |Δalt| °':>12} {'n':>3} {'Δalt@sunset °':>13} {'Moon err ° S/sw':>16} {'obs h S':>7} {'sw obs pts':>10}")
    for r in rows:
        def cell(key):
            value = r.get(key + "_delta_s")
            return f"{value:+.1f}" if value is not None else "none"
        moon = f"{r['starling_moon_separation_error_deg']}/{r['starwhisper_moon_separation_error_deg']}"
        print(f"{r['site']:<13} {r['target']:<10} {cell('rise'):>8} {cell('transit'):>10} {cell('set'):>7} {r['max_altitude_delta_deg']:>12} {r['samples']:>3} {r['current_altitude_delta_deg']:>13} {moon:>16} {r['starling_observable_hours']:>7} {r['starwhisper_observable_points']:>10}")
    failures = [f"{r['site']} {r['target']}: {p}" for r in rows for p in r["problems"]]
    summary = {
        "date": args.date, "rows": rows, "starwhisper_tools": sorted(tools), "starwhisper_warnings": sorted(warnings_seen),
        "starwhisper_offline_answer": offline[:300], "failures": failures,
        "max_time_delta_s": max(abs(r.get(k + "_delta_s") or 0) for r in rows for k in ("rise", "transit", "set")),
        "max_altitude_delta_deg": max(r["max_altitude_delta_deg"] or 0 for r in rows),
    }
    print(f"largest differences: {summary['max_time_delta_s']:.1f} s (rise/transit/set), {summary['max_altitude_delta_deg']:.4f}° (altitude)")
    print(f"starwhisper as it is, offline: {summary['starwhisper_offline_answer'][:160]!r}")
    if args.json:
        print(json.dumps(summary, sort_keys=True, default=str))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
