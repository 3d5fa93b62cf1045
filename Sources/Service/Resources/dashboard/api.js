// The dashboard's side of the HTTP API: JSON reads and writes with the token, images as
// object URLs (so no token goes into a URL the browser keeps), and the live event stream.

/** Every event type the stream carries (Sources/Service/Events/EventDocument.swift; a test keeps the two equal). */
export const EVENT_TYPES = [
  "telescope.state", "observation.started", "frame.written", "observation.ended", "assignment.accepted", "assignment.refused",
  "telescope.fault", "telescope.recovered", "telescope.safety", "plan.made", "plan.restored", "planning.failed", "alert.accepted",
  "alert.ignored", "assignment.made", "assignment.changed", "frame.measured", "report.written", "report.failed", "request.state",
];

/** A refusal from the API, with its status, code and message. */
export class APIError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export class API {
  constructor(token) {
    this.token = token || "";
  }

  headers(extra = {}) {
    return this.token ? { ...extra, Authorization: "Bearer " + this.token } : extra;
  }

  async request(method, path, body) {
    let response;
    try {
      response = await fetch(path, {
        method,
        headers: this.headers(body === undefined ? {} : { "Content-Type": "application/json" }),
        body: body === undefined ? undefined : JSON.stringify(body),
        cache: "no-store",
      });
    } catch (error) {
      throw new APIError(0, "unreachable", "the server cannot be reached");
    }
    if (!response.ok) {
      let detail = { code: "http-" + response.status, message: response.statusText };
      try {
        detail = (await response.json()).error ?? detail;
      } catch {
        // Not JSON (a proxy's page): keep the status line.
      }
      throw new APIError(response.status, detail.code, detail.message);
    }
    return response;
  }

  async get(path) {
    return (await this.request("GET", path)).json();
  }

  async post(path, body) {
    return (await this.request("POST", path, body)).json();
  }

  /** Every item of a paginated list, following `next_cursor` (at most `pages` pages). */
  async all(path, pages = 10) {
    const items = [];
    let cursor = null;
    for (let page = 0; page < pages; page++) {
      const separator = path.includes("?") ? "&" : "?";
      const result = await this.get(path + (cursor ? `${separator}cursor=${encodeURIComponent(cursor)}` : ""));
      items.push(...result.items);
      cursor = result.next_cursor;
      if (!cursor) break;
    }
    return items;
  }

  /** An image or file as an object URL (revoke it when done). */
  async objectURL(path) {
    const response = await this.request("GET", path);
    return URL.createObjectURL(await response.blob());
  }
}

/**
 * Follows `/api/events` with an EventSource. The browser reconnects by itself after a broken
 * connection, sending `Last-Event-ID`; when the server refuses (the stream is then closed),
 * this reconnects with a growing pause and passes the last id as `?last_event_id=`, so no
 * event is missed while the server still holds it.
 */
export class LiveStream {
  constructor({ token, onEvent, onStatus }) {
    this.token = token;
    this.onEvent = onEvent;
    this.onStatus = onStatus;
    this.lastEventId = null;
    this.failures = 0;
    this.source = null;
    this.timer = null;
  }

  start() {
    this.stop();
    const parameters = new URLSearchParams();
    if (this.token) parameters.set("access_token", this.token);
    if (this.lastEventId) parameters.set("last_event_id", this.lastEventId);
    const query = parameters.toString();
    const source = new EventSource("/api/events" + (query ? "?" + query : ""));
    this.source = source;
    this.onStatus(this.failures ? "reconnecting" : "connecting");
    source.onopen = () => {
      this.failures = 0;
      this.onStatus("live");
    };
    source.onerror = () => {
      if (source !== this.source) return;
      this.failures += 1;
      this.onStatus("reconnecting");
      if (source.readyState === EventSource.CLOSED) {
        const pause = Math.min(15000, 1000 * 2 ** Math.min(this.failures - 1, 4));
        this.timer = setTimeout(() => this.start(), pause);
      }
    };
    for (const type of EVENT_TYPES) {
      source.addEventListener(type, (message) => {
        if (message.lastEventId) this.lastEventId = message.lastEventId;
        let event;
        try {
          event = JSON.parse(message.data);
        } catch {
          return;
        }
        this.onEvent(type, event);
      });
    }
  }

  stop() {
    clearTimeout(this.timer);
    if (this.source) {
      this.source.onerror = null;
      this.source.close();
      this.source = null;
    }
  }
}
