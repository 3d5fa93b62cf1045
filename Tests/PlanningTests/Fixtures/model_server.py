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
  unknown-id, missing-id, duplicate-id    rankings with those faults
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
    table = json.loads(text[text.index("{"):])
    return [c["id"] for c in table["candidates"]]


def ranking(ids):
    return json.dumps({"ranking": [{"id": i, "reason": f"reason for {i}"} for i in reversed(ids)]})


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

    def do_POST(self):
        length = int(self.headers.get("Content-Length", "0"))
        request = json.loads(self.rfile.read(length))
        scenario = self.path.strip("/").split("/")[0]
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
            self.send(200, self.completion({"content": ranking(ids[:-1] + ["ngc-does-not-exist"])}))
        elif scenario == "missing-id":
            self.send(200, self.completion({"content": ranking(ids[1:])}))
        elif scenario == "duplicate-id":
            self.send(200, self.completion({"content": ranking(ids[:-1] + [ids[0]])}))
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
