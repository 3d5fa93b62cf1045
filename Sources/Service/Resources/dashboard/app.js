// Starling's dashboard: reads the API, then follows the live event stream. Plain ES modules
// served by `starling serve`; no build step, nothing fetched from elsewhere.
import { API, APIError, LiveStream } from "./api.js";
import { h, fill, throttle } from "./dom.js";
import { date, timeSeconds } from "./format.js";
import { renderFollowUps } from "./followups.js";
import { renderFrames, resetFrames } from "./frames.js";
import { logEvent } from "./log.js";
import { renderNetwork } from "./network.js";
import { renderTimelines } from "./timeline.js";

const TOKEN_KEY = "starling.token";
const FRAME_LIMIT = 12;
const FOLLOW_UP_LIMIT = 20;

const state = {
  session: null,
  network: null,
  telescopes: new Map(), // telescope id → its state document
  plans: new Map(), // telescope id → tonight's latest plan
  observations: new Map(), // telescope id → tonight's observations, oldest first
  observationsById: new Map(),
  followUps: [],
  followUpsLoaded: false,
  frames: [], // newest first, only frames with pixels (a preview)
  framesLoaded: false,
  // The network's clock: an anchor (browser time, network time) and the rate between them
  // (1 on the wall clock; measured from the API's `now` under a simulated one).
  clock: { kind: null, anchor: null, samples: [], rate: null },
};

let api = new API(localStorage.getItem(TOKEN_KEY));
let stream = null;
/** Set while the stream is broken: when it is back, everything is read again. */
let catchUp = false;

// MARK: The clock

function clockNow() {
  const anchor = state.clock.anchor;
  if (!anchor) return new Date();
  const rate = state.clock.kind === "wall" ? 1 : state.clock.rate ?? 0;
  return new Date(anchor.network + (performance.now() - anchor.browser) * rate);
}

/** Takes the network's `now` from the API: the anchor, and a sample for the rate. */
function noteNetworkTime(instant, kind) {
  const network = Date.parse(instant);
  const browser = performance.now();
  state.clock.kind = kind;
  const samples = state.clock.samples;
  samples.push({ browser, network });
  while (samples.length > 2 && browser - samples[0].browser > 60_000) samples.shift();
  const first = samples[0];
  if (browser - first.browser > 1500) state.clock.rate = Math.max(0, (network - first.network) / (browser - first.browser));
  state.clock.anchor = { browser, network };
}

/** An event's instant moves the clock forward only (events replayed after a reconnect are older). */
function nudgeClock(instant) {
  const network = Date.parse(instant);
  if (!state.clock.anchor || network > clockNow().getTime()) state.clock.anchor = { browser: performance.now(), network };
}

function renderClock() {
  const now = clockNow();
  const kind = state.clock.kind;
  document.getElementById("clock-kind").textContent = kind === "simulated" ? "Simulated" : kind === "wall" ? "UTC" : "Clock";
  const time = document.getElementById("clock-time");
  time.textContent = state.clock.anchor ? `${date(now)} ${timeSeconds(now)} UTC` : "–";
  time.setAttribute("datetime", now.toISOString());
  const rate = state.clock.rate;
  document.getElementById("clock-rate").textContent = kind === "simulated" && rate ? `×${rate >= 10 ? Math.round(rate) : rate.toFixed(1)}` : "";
}

// MARK: Drawing

const dirty = new Set();
let frameRequested = false;

function redraw(...parts) {
  for (const part of parts) dirty.add(part);
  if (frameRequested) return;
  frameRequested = true;
  requestAnimationFrame(() => {
    frameRequested = false;
    const now = clockNow();
    const parts = new Set(dirty);
    dirty.clear();
    if (parts.has("network")) renderNetwork(state, now);
    if (parts.has("timeline")) renderTimelines(state, now);
    if (parts.has("follow-ups")) renderFollowUps(state);
    if (parts.has("frames")) renderFrames(state, frameContext);
  });
}

const frameContext = {
  get api() {
    return api;
  },
  get session() {
    return state.session;
  },
  frame: (id) => state.frames.find((frame) => frame.id === id),
  targetOf: (frame) => state.observationsById.get(frame.observation_id)?.target_id ?? null,
};

function showNotice(text) {
  const notice = document.getElementById("notice");
  notice.hidden = !text;
  notice.textContent = text ?? "";
}

function setConnection(status) {
  const element = document.getElementById("connection");
  element.dataset.state = status;
  const text = { live: "Live", connecting: "Connecting…", reconnecting: "Reconnecting…", "signed-out": "Signed out", offline: "Offline" }[status] ?? status;
  document.getElementById("connection-text").textContent = text;
  if (status === "live" && catchUp) {
    catchUp = false;
    loadAll(); // back after a break: catch up on whatever the server no longer holds for replay
  } else if (status === "reconnecting") {
    catchUp = true;
  }
}

// MARK: Reading the API

async function loadNetwork() {
  const network = await api.get("/api/network");
  state.network = network;
  noteNetworkTime(network.now, network.clock);
  redraw("network", "timeline");
}

async function loadTelescopes() {
  const telescopes = await api.get("/api/telescopes");
  state.telescopes = new Map(telescopes.map((t) => [t.telescope_id, t]));
  redraw("network", "timeline");
}

async function loadPlans() {
  const plans = await api.get("/api/plans");
  state.plans = new Map(plans.map((plan) => [plan.telescope_id, plan]));
  redraw("timeline");
}

/** Tonight's observations: from the earliest sunset to the latest sunrise of the sites' nights. */
async function loadObservations() {
  const nights = (state.network?.sites ?? []).map((site) => site.night).filter((night) => night?.sunset && night?.sunrise);
  if (!nights.length) return;
  const since = new Date(Math.min(...nights.map((n) => Date.parse(n.sunset)))).toISOString();
  const until = new Date(Math.max(...nights.map((n) => Date.parse(n.sunrise)))).toISOString();
  const observations = await api.all(`/api/observations?since=${since}&until=${until}&limit=1000`);
  state.observations = new Map();
  state.observationsById = new Map();
  for (const observation of observations) addObservation(observation);
  redraw("timeline", "frames");
}

function addObservation(observation) {
  if (state.observationsById.has(observation.id)) return;
  state.observationsById.set(observation.id, observation);
  const list = state.observations.get(observation.telescope_id) ?? [];
  list.push(observation);
  state.observations.set(observation.telescope_id, list);
}

async function loadFollowUps() {
  const page = await api.get(`/api/follow-ups?order=newest&limit=${FOLLOW_UP_LIMIT}`);
  state.followUps = page.items;
  state.followUpsLoaded = true;
  redraw("follow-ups", "timeline");
}

async function loadFrames() {
  const page = await api.get(`/api/frames?has_file=true&order=newest&limit=${FRAME_LIMIT}`);
  state.frames = page.items;
  state.framesLoaded = true;
  redraw("frames");
}

/**
 * Runs a load, showing what went wrong instead of throwing. Nothing is read without a session
 * that may read: a refresh still pending from before signing out would only be refused.
 */
function attempt(load) {
  if (state.session?.read?.allowed !== true) return Promise.resolve();
  return load().catch((error) => {
    if (error instanceof APIError && error.status === 401) return start();
    showNotice(`Could not read the network: ${error.message}`);
  });
}

async function loadAll() {
  await attempt(loadNetwork);
  await Promise.all([loadTelescopes, loadPlans, loadObservations, loadFollowUps, loadFrames].map(attempt));
}

const refreshTelescopes = throttle(() => attempt(loadTelescopes), 1000);
const refreshNetwork = throttle(() => attempt(loadNetwork), 3000);
const refreshFollowUps = throttle(() => attempt(loadFollowUps), 1000);
const refreshPlans = throttle(() => attempt(loadPlans), 2000);

// MARK: The live stream

function reportLink(data) {
  if (state.session?.read_access !== "open" || !data.url) return null;
  return h("a", { href: data.url, target: "_blank", rel: "noopener" }, "open the report");
}

function onEvent(type, event) {
  nudgeClock(event.at);
  logEvent(type, event, reportLink);
  const data = event.data;
  const telescope = data.telescope_id ? state.telescopes.get(data.telescope_id) : null;
  switch (type) {
    case "telescope.state":
      if (telescope) {
        telescope.state = data.to;
        telescope.state_since = data.at;
        telescope.state_reason = data.reason;
        if (["closed", "closing", "parked", "fault"].includes(data.to)) telescope.doing = null;
      }
      redraw("network");
      refreshTelescopes();
      break;
    case "observation.started":
      if (telescope) telescope.current_request_id = data.request_id;
      refreshTelescopes();
      redraw("timeline");
      break;
    case "observation.ended":
      addObservation(data);
      if (telescope && telescope.current_request_id === data.request_id) {
        telescope.current_request_id = null;
        telescope.doing = null;
      }
      if (state.followUps.some((f) => f.assignments.some((leg) => leg.assignment.request_id === data.request_id))) refreshFollowUps();
      refreshTelescopes();
      redraw("network", "timeline");
      break;
    case "plan.made":
    case "plan.restored": {
      const shown = state.plans.get(data.telescope_id);
      if (!shown || shown.night === data.night || data.night > shown.night) state.plans.set(data.telescope_id, data);
      redraw("timeline");
      break;
    }
    case "frame.written":
      if (data.preview_url && !state.frames.some((frame) => frame.id === data.id)) {
        state.frames.unshift(data);
        state.frames.length = Math.min(state.frames.length, FRAME_LIMIT);
        redraw("frames");
      }
      break;
    case "frame.measured": {
      const frame = state.frames.find((f) => f.id === data.frame_id);
      if (frame) {
        frame.quality = data.quality;
        redraw("frames");
      }
      break;
    }
    case "alert.accepted":
    case "alert.ignored":
    case "assignment.made":
    case "assignment.accepted":
    case "assignment.refused":
    case "assignment.changed":
      refreshFollowUps();
      if (type === "assignment.made") refreshPlans();
      break;
    case "telescope.fault":
    case "telescope.recovered":
    case "telescope.safety":
      refreshTelescopes();
      break;
    default:
      break;
  }
  refreshNetwork();
}

// MARK: Signing in

function renderAccount() {
  const session = state.session;
  const account = document.getElementById("account");
  if (!session) {
    fill(account);
    return;
  }
  const who = session.role ? h("span", { class: "who" }, h("span", { class: "role", dataset: { role: session.role } }, session.role), h("span", { class: "name" }, ` ${session.name}`)) : h("span", { class: "who" }, "Anonymous (open reading)");
  const action = api.token
    ? h("button", { type: "button", class: "button ghost", onclick: signOut }, "Sign out")
    : h("button", { type: "button", class: "button ghost", onclick: () => showSignIn("Sign in with a token to review frames.") }, "Sign in");
  fill(account, who, action);
}

function showSignIn(why, error) {
  const panel = document.getElementById("sign-in");
  panel.hidden = false;
  document.getElementById("sign-in-why").textContent = why;
  const errorLine = document.getElementById("token-error");
  errorLine.hidden = !error;
  errorLine.textContent = error ?? "";
  document.getElementById("token").focus();
}

function signOut() {
  localStorage.removeItem(TOKEN_KEY);
  api = new API("");
  restart();
}

function restart() {
  if (stream) stream.stop();
  stream = null;
  catchUp = false;
  state.session = null; // until the new token's session is read, nothing is (see attempt)
  resetFrames();
  start();
}

document.getElementById("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const token = document.getElementById("token").value.trim();
  if (!token) return;
  localStorage.setItem(TOKEN_KEY, token);
  api = new API(token);
  document.getElementById("token").value = "";
  restart();
});

async function start() {
  showNotice(null);
  try {
    state.session = await api.get("/api/session");
  } catch (error) {
    if (error instanceof APIError && error.status === 401) {
      localStorage.removeItem(TOKEN_KEY);
      api = new API("");
      state.session = null;
      renderAccount();
      setConnection("signed-out");
      document.body.dataset.access = "signed-out";
      showSignIn("This network needs an API token to read.", "That token is unknown or has been revoked.");
      return;
    }
    showNotice(`Could not reach the network: ${error.message}. Trying again in 5 s.`);
    setConnection("offline");
    setTimeout(start, 5000);
    return;
  }
  renderAccount();
  if (!state.session.read.allowed) {
    setConnection("signed-out");
    document.body.dataset.access = "signed-out";
    showSignIn("This network needs an API token to read.");
    return;
  }
  document.body.dataset.access = "reading";
  document.getElementById("sign-in").hidden = true;
  setConnection("connecting"); // not "signed out" while the API is read and the stream opens
  redraw("frames");
  await loadAll();
  stream = new LiveStream({ token: api.token, onEvent, onStatus: setConnection });
  stream.start();
}

setInterval(renderClock, 1000);
setInterval(() => redraw("network", "timeline"), 5000);
start();
