"use strict";
// The dashboard reads the API and follows the live event stream; no build step.
const state = { token: localStorage.getItem("starling.token") || "", telescopes: new Map() };

function headers() { return state.token ? { Authorization: "Bearer " + state.token } : {}; }

async function api(path) {
  const response = await fetch(path, { headers: headers() });
  if (response.status === 401) { document.getElementById("access").hidden = false; throw new Error("a token is needed"); }
  if (!response.ok) throw new Error((await response.json()).error.message);
  return response.json();
}

function render() {
  const body = document.querySelector("#telescopes tbody");
  body.replaceChildren(...[...state.telescopes.values()].map((t) => {
    const row = document.createElement("tr");
    row.className = ["idle", "slewing", "exposing", "reading-out"].includes(t.state) ? "open" : t.state;
    for (const text of [t.telescope_id, t.site_id, t.state, t.enclosure, t.weather + (t.weather_reasons.length ? ": " + t.weather_reasons.join(", ") : ""), t.current_request_id || ""]) {
      const cell = document.createElement("td"); cell.textContent = text; row.append(cell);
    }
    return row;
  }));
}

function note(type, text) {
  const item = document.createElement("li");
  item.textContent = `${type}: ${text}`;
  const list = document.getElementById("events");
  list.prepend(item);
  while (list.children.length > 200) list.lastChild.remove();
}

function follow() {
  const url = "/api/events" + (state.token ? "?access_token=" + encodeURIComponent(state.token) : "");
  const source = new EventSource(url);
  const badge = document.getElementById("connection");
  source.onopen = () => { badge.textContent = "live"; badge.className = "badge live"; };
  source.onerror = () => { badge.textContent = "reconnecting…"; badge.className = "badge"; };
  source.addEventListener("telescope.state", (message) => {
    const event = JSON.parse(message.data);
    const known = state.telescopes.get(event.data.telescope_id);
    if (known) { known.state = event.data.to; render(); }
    document.getElementById("clock").textContent = event.at;
    note("state", `${event.data.telescope_id} ${event.data.from} → ${event.data.to}`);
  });
  for (const type of ["assignment.made", "observation.ended", "alert.accepted", "report.written"]) {
    source.addEventListener(type, (message) => note(type, JSON.stringify(JSON.parse(message.data).data).slice(0, 160)));
  }
}

async function start() {
  try {
    for (const t of await api("/api/telescopes")) state.telescopes.set(t.telescope_id, t);
    render();
    follow();
  } catch (error) {
    document.getElementById("connection").textContent = error.message;
  }
}

document.getElementById("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  state.token = document.getElementById("token").value.trim();
  localStorage.setItem("starling.token", state.token);
  document.getElementById("access").hidden = true;
  start();
});
start();
