"""Starling's MCP tools through the official Python `mcp` client (PyPI), as an assistant uses them.

Run by MCPClientTests.swift. Two transports:

    mcp_check.py http URL --token SECRET [--viewer-token SECRET] [--frame ID] [--night YYYY-MM-DD] [--site ID]
    mcp_check.py stdio STARLING --root DIR --db STORE --reports DIR [--token SECRET] [--viewer-token SECRET] [--night ...] [--site ...]

Each run lists the tools, resources and templates, checks every tool's input and output schema is a
valid JSON Schema, calls every tool (the client itself validates each result's structured content
against the tool's output schema; this script validates it again with jsonschema), reads a resource,
and tries a write with a viewer's token (which must be refused). It prints one JSON object on its last
line: what each call answered, for the Swift test to check. `missing` alone says what to install.
"""

import argparse
import asyncio
import json
import os
import sys


def missing_tools():
    """What is not installed, as a sentence fragment, or None."""
    absent = []
    for module in ("mcp", "jsonschema", "httpx2"):
        try:
            __import__(module)
        except ImportError:
            absent.append(module)
    return None if not absent else "missing from python3: " + ", ".join(absent) + " (scripts/install-deps --test)"


def describe(error):
    """An exception in words, through the task groups' exception groups to the causes."""
    inner = getattr(error, "exceptions", None)
    if inner:
        return "; ".join(describe(e) for e in inner)
    return f"{type(error).__name__}: {error}"


def structured(result):
    return result.structured_content if hasattr(result, "structured_content") else result.structuredContent


def text_of(result):
    return " ".join(getattr(block, "text", "") for block in result.content)


async def exercise(session, args, role_note):
    """Calls every tool; returns the report."""
    from jsonschema import validators

    report = {"transport": args.mode, "calls": {}, "schema_problems": []}
    init = await session.initialize()
    report["server"] = init.server_info.name if hasattr(init, "server_info") else init.serverInfo.name
    report["protocol_version"] = init.protocol_version if hasattr(init, "protocol_version") else init.protocolVersion
    listed = await session.list_tools()
    tools = {tool.name: tool for tool in listed.tools}
    report["tools"] = sorted(tools)
    schemas = {}
    for tool in listed.tools:
        input_schema = tool.input_schema if hasattr(tool, "input_schema") else tool.inputSchema
        output_schema = tool.output_schema if hasattr(tool, "output_schema") else tool.outputSchema
        for label, schema in (("input", input_schema), ("output", output_schema)):
            try:
                validators.validator_for(schema).check_schema(schema)
            except Exception as error:  # a schema that is not a schema
                report["schema_problems"].append(f"{tool.name} {label}: {error}")
        schemas[tool.name] = output_schema

    async def call(label, name, arguments):
        entry = {"tool": name}
        try:
            result = await session.call_tool(name, arguments)
        except Exception as error:  # the client refused the result (schema) or the protocol failed
            entry.update(exception=describe(error))
            report["calls"][label] = entry
            return None
        content = structured(result)
        is_error = bool(result.is_error if hasattr(result, "is_error") else result.isError)
        entry.update(is_error=is_error, text=text_of(result)[:400])
        if not is_error:
            validator = validators.validator_for(schemas[name])(schemas[name])
            problems = [f"{'/'.join(map(str, e.path))}: {e.message}" for e in validator.iter_errors(content)]
            entry.update(valid=not problems, problems=problems[:5], keys=sorted(content) if isinstance(content, dict) else None)
        report["calls"][label] = entry
        return content

    night = args.night
    site = args.site
    observability = await call("observability", "target_observability", {"site": site, "date": night, "name": "NGC 1068"})
    if observability:
        report["observability"] = {k: observability.get(k) for k in ("rise", "transit", "set", "transit_altitude_deg", "observable_hours", "observable")}
        report["observability"]["reasons"] = sorted({span["constraint"] for span in observability.get("not_observable", [])})
    await call("observability_by_position", "target_observability", {"site": site, "date": night, "ra": 40.6696, "dec": -0.0133, "track_step_minutes": 60})
    await call("observability_bad_site", "target_observability", {"site": "atlantis", "name": "NGC 1068"})
    await call("observability_bad_type", "target_observability", {"site": site, "name": "NGC 1068", "max_airmass": "two"})
    await call("observability_unknown_argument", "target_observability", {"site": site, "name": "NGC 1068", "exposure": 30})
    await call("observability_both_targets", "target_observability", {"site": site, "name": "NGC 1068", "ra": 10, "dec": 10})
    plan = await call("plan", "night_plan", {"site": site, "date": night, "max_entries": 5})
    if plan:
        report["plan_source"] = plan.get("source")
        report["plan_entries"] = sum(len(p["entries"]) for p in plan["plans"])
    network = await call("network", "network_status", {})
    if network:
        report["network_live"] = network.get("live")
        report["telescope_states"] = sorted({t.get("state") or "none" for s in network["sites"] for t in s["telescopes"]})
        telescope = network["sites"][0]["telescopes"][0]["id"]
        await call("telescope", "telescope_status", {"telescope": telescope})
    alerts = await call("alerts", "alerts_and_follow_ups", {"since": "2000-01-01T00:00:00Z", "until": "2100-01-01T00:00:00Z"})
    if alerts:
        report["alerts_total"] = alerts.get("total")
        if alerts["alerts"]:
            await call("alert", "alerts_and_follow_ups", {"alert_id": alerts["alerts"][0]["id"]})
    summary = await call("report", "night_report_summary", {"date": night, "site": site})
    if summary:
        report["report_planned"] = summary["totals"]["planned"]
    request = {"proposal": "STARLING-2026B-OPEN", "name": "NGC 1068", "filter": args.filter, "exposure_seconds": 120, "count": 3}
    draft = await call("submit_validate_only", "submit_observation_request", dict(request, validate_only=True))
    if draft:
        report["draft_state"] = draft["group"]["state"]
    submitted = await call("submit", "submit_observation_request", request)
    if submitted:
        group = submitted["group"]["id"]
        report["submitted_group"] = group
        await call("request_status", "observation_request_status", {"group_id": group})
        cancelled = await call("cancel", "cancel_observation_request", {"group_id": group})
        if cancelled:
            report["cancelled_state"] = cancelled["group"]["state"]
    else:
        await call("request_status", "observation_request_status", {"group_id": 1})
        await call("cancel", "cancel_observation_request", {"group_id": 1})
    await call("submit_bad_filter", "submit_observation_request", dict(request, filter="H-alpha-42", validate_only=True))
    if args.frame:
        await call("review", "review_frame", {"frame_id": args.frame, "decision": "flagged", "note": "satellite trail (MCP test)"})
    else:
        await call("review", "review_frame", {"frame_id": "no-such-frame", "decision": "approved"})
    await call("review_flag_without_note", "review_frame", {"frame_id": args.frame or "no-such-frame", "decision": "flagged"})
    await call("unknown_tool", "point_the_laser", {})

    resources = await session.list_resources()
    templates = await session.list_resource_templates()
    report["resources"] = [str(r.uri) for r in resources.resources][:50]
    report["templates"] = [t.uri_template if hasattr(t, "uri_template") else t.uriTemplate for t in templates.resource_templates]
    for label, kind in (("read_report", "report.md"), ("read_plan", "/plans/")):
        uri = next((uri for uri in report["resources"] if kind in uri), None)
        if uri:
            contents = await session.read_resource(uri)
            first = contents.contents[0]
            report[label] = {"uri": uri, "mime_type": getattr(first, "mime_type", None), "length": len(getattr(first, "text", "") or "")}
    try:
        await session.read_resource("starling://plans/not-a-date/nobody")
        report["bad_resource"] = "answered"
    except Exception as error:
        report["bad_resource"] = f"refused: {describe(error)}"[:200]
    return report


async def refused_write(open_session, args):
    """A viewer's token may read but not write."""
    async with open_session(args.viewer_token) as session:
        await session.initialize()
        result = await session.call_tool("submit_observation_request", {
            "proposal": "STARLING-2026B-OPEN", "name": "NGC 1068", "filter": args.filter, "exposure_seconds": 60, "validate_only": True})
        review = await session.call_tool("review_frame", {"frame_id": args.frame or "no-such-frame", "decision": "approved"})
        read = await session.call_tool("target_observability", {"site": args.site, "date": args.night, "name": "M31"})
        return {
            "submit": {"is_error": bool(result.is_error), "text": text_of(result)[:300]},
            "review": {"is_error": bool(review.is_error), "text": text_of(review)[:300]},
            "read": {"is_error": bool(read.is_error)},
        }


def http_sessions(url):
    import contextlib

    import httpx2
    from mcp import ClientSession
    from mcp.client.streamable_http import streamable_http_client

    @contextlib.asynccontextmanager
    async def open_session(token):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        async with httpx2.AsyncClient(headers=headers, timeout=httpx2.Timeout(120)) as client:
            async with streamable_http_client(url, http_client=client) as (read, write):
                async with ClientSession(read, write) as session:
                    yield session

    return open_session


def stdio_sessions(args):
    import contextlib

    from mcp import ClientSession, StdioServerParameters
    from mcp.client.stdio import stdio_client

    @contextlib.asynccontextmanager
    async def open_session(token):
        env = {"PATH": os.environ.get("PATH", ""), "HOME": os.environ.get("HOME", "/tmp")}
        if token:
            env["STARLING_TOKEN"] = token
        parameters = StdioServerParameters(
            command=args.starling, args=["mcp", "--db", args.db, "--reports", args.reports, "--log-level", "warning"], env=env, cwd=args.root)
        async with stdio_client(parameters, errlog=sys.stderr) as (read, write):
            async with ClientSession(read, write) as session:
                yield session

    return open_session


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["http", "stdio", "missing"])
    parser.add_argument("target", nargs="?")
    parser.add_argument("--token")
    parser.add_argument("--viewer-token")
    parser.add_argument("--frame")
    parser.add_argument("--night", default="2026-11-23")
    parser.add_argument("--site", default="la-palma")
    parser.add_argument("--filter", default="r")
    parser.add_argument("--root")
    parser.add_argument("--db")
    parser.add_argument("--reports")
    args = parser.parse_args()
    if args.mode == "missing":
        print(missing_tools() or "")
        return
    if args.mode == "http":
        open_session = http_sessions(args.target)
    else:
        args.starling = args.target
        open_session = stdio_sessions(args)
    async with open_session(args.token) as session:
        report = await exercise(session, args, None)
    if args.viewer_token:
        report["viewer"] = await refused_write(open_session, args)
    try:
        async with open_session(None) as session:
            await session.initialize()
            anonymous = await session.call_tool("review_frame", {"frame_id": args.frame or "no-such-frame", "decision": "approved"})
            report["anonymous_review"] = {"is_error": bool(anonymous.is_error), "text": text_of(anonymous)[:300]}
    except Exception as error:  # over HTTP with --read-access token, a caller without a token is refused (401)
        report["anonymous_review"] = {"refused": describe(error)[:300]}
    if args.mode == "http":
        import httpx2

        async with httpx2.AsyncClient() as client:
            response = await client.post(args.target, json={"jsonrpc": "2.0", "id": 1, "method": "tools/list"},
                                         headers={"Accept": "application/json, text/event-stream"})
            report["anonymous_http_status"] = response.status_code
    print(json.dumps(report, sort_keys=True))


if __name__ == "__main__":
    asyncio.run(main())
