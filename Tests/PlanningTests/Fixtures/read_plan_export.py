"""Reads a plan export back with the format's own parser, or with a faithful port of the
receiving tool's reader, and prints what it understood as JSON (for PlanExportTests).

    python3 read_plan_export.py csv|ical|nina|esl|esq FILE

Exit 2 with a message on stderr when a parser is missing (the test then skips), 1 when
the file does not parse.
"""
import csv
import json
import re
import sys
import xml.etree.ElementTree as ET
from datetime import datetime, timezone


def read_csv(path):
    # RFC 4180 as Python's csv module reads it (newline='' so quoted line breaks survive).
    with open(path, newline="", encoding="utf-8") as handle:
        return {"rows": list(csv.DictReader(handle, strict=True))}


def read_ical(path):
    try:
        import icalendar
    except ImportError:
        print("the icalendar package is not installed (pip install icalendar)", file=sys.stderr)
        sys.exit(2)
    with open(path, "rb") as handle:
        calendar = icalendar.Calendar.from_ical(handle.read())
    events = []
    for event in calendar.walk("VEVENT"):
        start, end, stamp = event.decoded("DTSTART"), event.decoded("DTEND"), event.decoded("DTSTAMP")
        for value in (start, end, stamp):
            if value.tzinfo is None or value.utcoffset().total_seconds() != 0:
                raise ValueError(f"{event.get('UID')}: a time that is not UTC")
        geo = event.get("GEO")
        events.append({
            "uid": str(event.get("UID")),
            "start": start.timestamp(), "end": end.timestamp(), "stamp": stamp.timestamp(),
            "summary": str(event.get("SUMMARY")), "location": str(event.get("LOCATION")),
            "latitude": geo.latitude, "longitude": geo.longitude,
            "description": str(event.get("DESCRIPTION")),
            "categories": [str(c) for c in event.get("CATEGORIES").cats],
        })
    return {"version": str(calendar.get("VERSION")), "prodid": str(calendar.get("PRODID")), "events": events}


# N.I.N.A.'s AstroUtil.DMSToDegrees, ported line by line: the sign is negative when the text
# holds a '-', then the first three runs of digits and points are degrees, minutes, seconds.
def nina_dms_to_degrees(text):
    text = text.strip()
    sign = -1.0 if "-" in text else 1.0
    matches = re.findall(r"[0-9\.]+", text)
    degrees = float(matches[0]) if len(matches) > 0 else 0.0
    minutes = float(matches[1]) if len(matches) > 1 else 0.0
    seconds = float(matches[2]) if len(matches) > 2 else 0.0
    return sign * (degrees + minutes / 60 + seconds / 3600)


def read_nina(path):
    # Target Scheduler's CsvTargetLoader (tcpalmer/nina.plugin.targetscheduler,
    # Controls/Utils/CsvTargetLoader.cs): CsvHelper with headers lower-cased and trimmed;
    # a "familiar name" column means Telescopius' format, else the plugin's own format.
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle, strict=True)
        header = [name.lower().strip() for name in next(reader)]
        if "familiar name" in header:
            raise ValueError("read as Telescopius' format, not Target Scheduler's")
        targets = []
        for values in reader:
            row = dict(zip(header, values))
            if "name" not in row:
                continue
            rotation = float(row["rotation"]) % 360 if row.get("rotation", "").strip() else 0.0
            roi = min(100.0, max(1.0, float(row["roi"]))) if row.get("roi", "").strip() else 100.0
            targets.append({
                "name": row["name"], "ra_deg": nina_dms_to_degrees(row["ra"]) * 15, "dec_deg": nina_dms_to_degrees(row["dec"]),
                "rotation": rotation, "roi": roi, "type": row.get("type"),
            })
    return {"header": header, "targets": targets}


# KStars' Capture module (kstars/ekos/capture/sequencequeue.cpp, SequenceQueue::load): these
# children of the root set options; every other child is read as a capture job.
ESQ_OPTIONS = {"Observer", "GuideDeviation", "CCD", "FilterWheel", "GuideStartDeviation", "Autofocus", "HFRCheck",
               "RefocusOnTemperatureDelta", "RefocusEveryN", "RefocusOnMeridianFlip", "MeridianFlip"}


def read_esq(path):
    root = ET.parse(path).getroot()
    if root.tag != "SequenceQueue":
        raise ValueError(f"root element {root.tag}, not SequenceQueue")
    if float(root.get("version")) < 2.0:
        raise ValueError("KStars refuses sequence files below version 2.0")
    jobs, others = [], []
    for child in root:
        if child.tag in ESQ_OPTIONS:
            continue
        if child.tag != "Job":
            others.append(child.tag)
            continue
        text = {element.tag: (element.text or "") for element in child}
        jobs.append({
            "exposure_s": float(text["Exposure"]), "filter": text.get("Filter"), "type": text.get("Type"),
            "count": int(text["Count"]), "delay_s": float(text.get("Delay", "0")), "target": text.get("TargetName"),
            "encoding": text.get("Encoding"),
        })
    return {"version": root.get("version"), "observer": root.findtext("Observer"), "jobs": jobs, "not_jobs": others}


def read_esl(path):
    # KStars' scheduler (kstars/ekos/scheduler/schedulerutils.cpp, SchedulerUtils::createJob).
    root = ET.parse(path).getroot()
    if root.tag != "SchedulerList":
        raise ValueError(f"root element {root.tag}, not SchedulerList")
    jobs = []
    for job in root.findall("Job"):
        startup = job.find("StartupCondition/Condition")
        at = startup.get("value")
        # Qt::ISODate reads a trailing Z as UTC; fromisoformat does the same.
        start = datetime.fromisoformat(at.replace("Z", "+00:00"))
        if not at.endswith("Z") or start.utcoffset().total_seconds() != 0:
            raise ValueError(f"startup time {at} is not UTC")
        constraints = {c.text: c.get("value") for c in job.findall("Constraints/Constraint")}
        sequence = job.findtext("Sequence")
        jobs.append({
            "name": job.findtext("Name"), "group": job.findtext("Group"),
            "ra_hours": float(job.findtext("Coordinates/J2000RA")), "dec_deg": float(job.findtext("Coordinates/J2000DE")),
            "position_angle": float(job.findtext("PositionAngle")), "sequence": sequence,
            "startup": startup.text, "start": start.timestamp(),
            "minimum_altitude_deg": float(constraints["MinimumAltitude"]) if constraints.get("MinimumAltitude") else None,
            "moon_separation_deg": float(constraints["MoonSeparation"]) if constraints.get("MoonSeparation") else None,
            "flags": sorted(name for name, value in constraints.items() if value is None),
            "completion": job.findtext("CompletionCondition/Condition"),
            "steps": [step.text for step in job.findall("Steps/Step")],
            "sequence_file": read_esq(sequence),
        })
    return {"version": root.get("version"), "jobs": jobs}


if __name__ == "__main__":
    kind, path = sys.argv[1], sys.argv[2]
    reader = {"csv": read_csv, "ical": read_ical, "nina": read_nina, "esl": read_esl, "esq": read_esq}[kind]
    try:
        result = reader(path)
    except SystemExit:
        raise
    except Exception as error:  # a file that does not parse: say why, exit 1
        print(f"{path}: {type(error).__name__}: {error}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps(result))
