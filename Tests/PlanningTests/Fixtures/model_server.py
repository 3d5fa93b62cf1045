#!/usr/bin/env python3
"""A small OpenAI-compatible chat-completions server for the model-client tests.

Usage: model_server.py   (prints the port it listens on, then serves until killed)

The first path component chooses how it answers, e.g. POST /think/v1/chat/completions:
  reasoning_content, reasoning, think         a valid ranking, the trace in that field / in <think>
  stream-reasoning_content, stream-reasoning, stream-think   the same as Server-Sent Events
  slow                 waits 5 s before answering (the client times out first)
  truncated            finish_reason "length" in the middle of the JSON
  stream-truncated     a stream that stops without finish_reason or [DONE]
  malformed            a body that is not JSON
  bad-json             content that is not the JSON asked for
  unknown-id, missing-id, duplicate-id, by-name    near-misses the client mends: an id that
                       was never a candidate, one candidate left out, a repeated id, names for ids
  mostly-unknown, mostly-missing, repeat-id    too far from a ranking to mend
  assistant            a model calling tools, as `starling ask` uses one: target_observability, then
                       submit_observation_request (without validate_only or proposal), then words;
                       HTTP 400 unless the request offers both tools as OpenAI functions, with
                       tool_choice "required" on the first turn and "auto" after
  assistant-prose      answers in prose where a tool call is required (as a model whose chat
                       template has no tools does), then makes the call as JSON when asked under
                       the tool-call schema
  assistant-confused   calls a tool that does not exist and one with arguments that are not JSON,
                       then gives up in words
  scores               the answer as the schema asks: a score per candidate (two tied)
  structured           answers only a request carrying max_tokens and a response_format JSON
                       schema with one scored property per candidate (HTTP 400 otherwise)
  refuse               the model declines in words
  http-500             an HTTP 500 with an error body
The valid rankings reverse the candidate order, so a test can tell the model's order from the core's.
"""
import json
import os
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def candidate_ids(request):
    text = request["messages"][-1]["content"]
    line = next(line for line in text.splitlines() if line.startswith("Ids: "))
    return [i.strip() for i in line[len("Ids: "):].rstrip(".").split(",")]


def ranking(ids):
    return json.dumps({"ranking": [{"id": i, "reason": f"reason for {i}"} for i in reversed(ids)]})


def schema_problem(request, ids):
    """Why a request does not ask for the scores' schema, or None when it does."""
    if not isinstance(request.get("max_tokens"), int):
        return "no max_tokens"
    response_format = request.get("response_format") or {}
    if response_format.get("type") != "json_schema":
        return "no json_schema response_format"
    scores = response_format["json_schema"]["schema"]["properties"]["scores"]
    if sorted(scores["properties"]) != sorted(ids) or sorted(scores["required"]) != sorted(ids):
        return "the scores' properties are not the candidates' ids"
    entry = scores["properties"][ids[0]]
    if entry["properties"]["score"].get("maximum") != 10 or "maxLength" not in entry["properties"]["reason"]:
        return "a score is not bounded to 0-10 or a reason is unbounded"
    return None


def scores(ids):
    """Scores that put the candidates in reverse order, two of them tied (the tie keeps the core's order)."""
    n = len(ids)
    return json.dumps({"scores": {i: {"score": max(1, k), "reason": f"score for {i}"} for k, i in enumerate(ids)}})


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def send(self, status, body, content_type="application/json"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def completion(self, message, finish="stop"):
        return json.dumps({"id": "c1", "object": "chat.completion", "model": "qwq-32b",
                           "choices": [{"index": 0, "message": dict(role="assistant", **message), "finish_reason": finish}]})

    def stream(self, deltas, finish="stop", done=True):
        events = []
        for delta in deltas:
            events.append("data: " + json.dumps({"id": "c1", "object": "chat.completion.chunk",
                                                 "choices": [{"index": 0, "delta": delta, "finish_reason": None}]}))
        if finish:
            events.append("data: " + json.dumps({"id": "c1", "object": "chat.completion.chunk",
                                                 "choices": [{"index": 0, "delta": {}, "finish_reason": finish}]}))
        if done:
            events.append("data: [DONE]")
        return "\n\n".join(events) + "\n\n"

    def tool_calls(self, calls, content=""):
        message = {"content": content, "tool_calls": [
            {"id": f"call-{i}", "type": "function", "function": {"name": name, "arguments": arguments}}
            for i, (name, arguments) in enumerate(calls)]}
        return self.completion(message, finish="tool_calls")

    def assistant(self, scenario, request):
        response_format = request.get("response_format") or {}
        if scenario == "assistant-prose" and response_format.get("type") == "json_schema":
            schema = response_format["json_schema"]["schema"]
            names = sorted(choice["properties"]["tool"]["const"] for choice in schema["anyOf"])
            if names != ["submit_observation_request", "target_observability"] or request.get("tools"):
                self.send(400, json.dumps({"error": {"message": f"expected a tool-call schema over the two tools, got {names}"}}))
                return
            call = {"tool": "submit_observation_request", "arguments": {"name": "NGC 1068", "filter": "r", "exposure_seconds": 120, "count": 3}}
            self.send(200, self.completion({"content": json.dumps(call)}))
            return
        offered = sorted(t["function"]["name"] for t in request.get("tools", []) if t.get("type") == "function")
        if offered != ["submit_observation_request", "target_observability"]:
            self.send(400, json.dumps({"error": {"message": f"expected the two tools, got {offered}"}}))
            return
        answered = sum(1 for m in request["messages"] if m["role"] == "tool")
        expected_choice = "required" if answered == 0 else "auto"
        if request.get("tool_choice") != expected_choice:
            self.send(400, json.dumps({"error": {"message": f"tool_choice {request.get('tool_choice')!r}, expected {expected_choice!r}"}}))
            return
        if scenario == "assistant-prose":
            if answered == 0:
                self.send(200, self.completion({"content": "Observing NGC 1068 in the night sky can be a bit of a challenge."}))
            else:
                self.send(200, self.completion({"content": "Done."}))
        elif scenario == "assistant-confused":
            if answered == 0:
                self.send(200, self.tool_calls([("observe_now", "{}"), ("submit_observation_request", "NGC 1068 please")]))
            else:
                self.send(200, self.completion({"content": "I could not make that request."}))
        elif answered == 0:
            self.send(200, self.tool_calls([("target_observability", json.dumps({"name": "NGC 1068", "site": "siding-spring"}))]))
        elif answered == 1:
            arguments = {"name": "NGC 1068", "filter": "r", "exposure_seconds": 120, "count": 3}
            self.send(200, self.tool_calls([("submit_observation_request", json.dumps(arguments))], content="Checking the request."))
        else:
            self.send(200, self.completion({"content": "Here is the request: three 120-second exposures of NGC 1068 in r."}))

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        request = json.loads(self.rfile.read(length))
        scenario = self.path.strip("/").split("/")[0]
        if scenario.startswith("assistant"):
            self.assistant(scenario, request)
            return
        ids = candidate_ids(request)
        answer = ranking(ids)
        trace = "The first candidate transits at midnight; the Moon is far from the third."
        pieces = lambda text: [text[i:i + 7] for i in range(0, len(text), 7)]
        if scenario == "reasoning_content":
            self.send(200, self.completion({"content": answer, "reasoning_content": trace}))
        elif scenario == "reasoning":
            self.send(200, self.completion({"content": answer, "reasoning": trace}))
        elif scenario == "think":
            self.send(200, self.completion({"content": f"<think>\n{trace}\n</think>\n\n```json\n{answer}\n```"}))
        elif scenario.startswith("stream-") and scenario != "stream-truncated":
            field = scenario[len("stream-"):]
            if field == "think":
                deltas = [{"content": p} for p in pieces(f"<think>{trace}</think>{answer}")]
            else:
                deltas = [{field: p} for p in pieces(trace)] + [{"content": p} for p in pieces(answer)]
            self.send(200, self.stream(deltas), "text/event-stream")
        elif scenario == "stream-truncated":
            self.send(200, self.stream([{"content": p} for p in pieces(answer[:len(answer) // 2])], finish=None, done=False), "text/event-stream")
        elif scenario == "slow":
            time.sleep(5)
            self.send(200, self.completion({"content": answer}))
        elif scenario == "truncated":
            self.send(200, self.completion({"content": answer[:len(answer) // 2]}, finish="length"))
        elif scenario == "malformed":
            self.send(200, "<html>upstream error</html>", "text/html")
        elif scenario == "bad-json":
            self.send(200, self.completion({"content": "{\"ranking\": [{\"id\": \"" + ids[0] + "\", reason: oops}"}))
        elif scenario == "unknown-id":
            self.send(200, self.completion({"content": ranking(ids + ["ngc-does-not-exist"])}))
        elif scenario == "missing-id":
            self.send(200, self.completion({"content": ranking(ids[1:])}))
        elif scenario == "duplicate-id":
            self.send(200, self.completion({"content": ranking(ids + [ids[0]])}))
        elif scenario == "by-name":
            self.send(200, self.completion({"content": ranking([i.upper() for i in ids])}))
        elif scenario == "mostly-unknown":
            self.send(200, self.completion({"content": ranking(ids[:1] + ["ngc-x", "ngc-y"])}))
        elif scenario == "mostly-missing":
            self.send(200, self.completion({"content": ranking(ids[:1])}))
        elif scenario == "repeat-id":
            self.send(200, self.completion({"content": ranking(ids[:1] * 11)}))
        elif scenario == "scores":
            self.send(200, self.completion({"content": scores(ids)}))
        elif scenario == "structured":
            problem = schema_problem(request, ids)
            if problem:
                self.send(400, json.dumps({"error": {"message": problem, "type": "invalid_request_error"}}))
            else:
                self.send(200, self.completion({"content": answer}))
        elif scenario == "refuse":
            self.send(200, self.completion({"content": "I'm sorry, but I can't help with scheduling telescopes."}))
        elif scenario == "http-500":
            self.send(500, json.dumps({"error": {"message": "model overloaded", "type": "server_error"}}))
        else:
            self.send(404, json.dumps({"error": {"message": f"unknown scenario {scenario}"}}))


def exit_when_parent_goes():
    sys.stdin.read()  # returns at EOF: the test process has ended
    os._exit(0)


server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
threading.Thread(target=exit_when_parent_goes, daemon=True).start()
print(server.server_address[1], flush=True)
server.serve_forever()
