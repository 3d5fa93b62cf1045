// The network at a glance: per site, the sky (day, twilight, night), the weather, and every
// telescope's state with what it is doing or why it is closed.
import { h, fill } from "./dom.js";
import { duration, exposure, localTime, telescopeLabel, time, words } from "./format.js";

const CAUSES = {
  "operator-hold": "Held by an operator",
  fault: "Fault",
  daylight: "Daylight",
  weather: "Weather",
  "no-work-left": "No work left",
  waiting: "Waiting for work",
};

/** Where a site is in its day: `day`, `dusk`, `night` or `dawn`, with the next change. */
export function skyPhase(night, now) {
  if (!night || !night.sunset || !night.sunrise) return { phase: "day", label: "No night", next: null };
  const t = now.getTime();
  const at = (instant) => (instant ? Date.parse(instant) : null);
  const [sunset, dusk, dawn, sunrise] = [at(night.sunset), at(night.astronomical_dusk), at(night.astronomical_dawn), at(night.sunrise)];
  if (t < sunset) return { phase: "day", label: "Day", next: ["sunset", night.sunset] };
  if (dusk && t < dusk) return { phase: "dusk", label: "Evening twilight", next: ["dark from", night.astronomical_dusk] };
  if (dawn && t < dawn) return { phase: "night", label: "Night", next: ["dark until", night.astronomical_dawn] };
  if (t < sunrise) return { phase: "dawn", label: "Morning twilight", next: ["sunrise", night.sunrise] };
  return { phase: "day", label: "Day", next: null };
}

/** The site's weather from its telescopes' sensors. */
function siteWeather(telescopes) {
  const unsafe = telescopes.filter((t) => t.weather === "unsafe");
  if (unsafe.length) {
    const reasons = [...new Set(unsafe.flatMap((t) => t.weather_reasons))];
    return { state: "unsafe", text: "Weather unsafe", detail: reasons.join("; ") };
  }
  if (telescopes.some((t) => t.weather === "safe")) return { state: "safe", text: "Weather safe", detail: "" };
  return { state: "unknown", text: "Weather not read lately", detail: "closed telescopes read their sensors every few minutes" };
}

const WORKING = new Set(["slewing", "exposing", "reading-out"]);
const OPEN = new Set(["idle", "slewing", "exposing", "reading-out", "opening"]);

function telescopeItem(telescope, site, now) {
  const label = telescopeLabel(telescope.telescope_id, site.id);
  const since = telescope.state_since ? duration((now - Date.parse(telescope.state_since)) / 1000) : null;
  const lines = [];
  const doing = telescope.doing;
  if (doing) {
    const what = [doing.target_name ?? doing.request_id, ...doing.exposures.map(exposure)];
    lines.push(h("p", { class: "doing" },
      doing.kind === "follow-up" ? h("span", { class: "tag follow-up" }, "follow-up") : null,
      h("span", { class: "target" }, what.join(" · "))));
    if (doing.step && WORKING.has(telescope.state)) lines.push(h("p", { class: "step" }, doing.step));
  } else if (telescope.closed_because) {
    const cause = telescope.closed_because.cause;
    lines.push(h("p", { class: "why", dataset: { cause } },
      h("span", { class: "cause" }, CAUSES[cause] ?? words(cause)), " ", h("span", { class: "detail" }, telescope.closed_because.detail)));
  } else if (telescope.state_reason) {
    lines.push(h("p", { class: "step" }, telescope.state_reason));
  }
  const done = telescope.outcomes.completed ?? 0;
  const notDone = (telescope.outcomes.refused ?? 0) + (telescope.outcomes.aborted ?? 0) + (telescope.outcomes.failed ?? 0);
  const faults = telescope.faults.map((fault) => h("p", { class: "fault-line" }, `${fault.device}: ${fault.detail}`));
  return h("li", { class: "telescope", dataset: { telescope: telescope.telescope_id, state: telescope.state } },
    h("div", { class: "telescope-head" },
      h("span", { class: "telescope-name", title: telescope.telescope_id }, label),
      h("span", { class: "state-chip", dataset: { state: telescope.state }, title: since ? `${words(telescope.state)} for ${since}` : null }, words(telescope.state)),
      since ? h("span", { class: "since" }, `for ${since}`) : null),
    lines, faults,
    h("p", { class: "counts" }, `${done} done`, notDone ? ` · ${notDone} not done` : "", ` · ${telescope.queued} queued · ${telescope.frames_written} frames`));
}

function siteCard(site, telescopes, now) {
  const sky = skyPhase(site.night, now);
  const weather = siteWeather(telescopes);
  const open = telescopes.filter((t) => OPEN.has(t.state)).length;
  const titleId = `site-${site.id}-title`;
  return h("article", { class: "site", dataset: { site: site.id, phase: sky.phase }, "aria-labelledby": titleId },
    h("header", { class: "site-head" },
      h("div", {},
        h("h3", { id: titleId }, site.name),
        h("p", { class: "site-meta" }, `${site.id} · ${open} of ${telescopes.length} open`)),
      h("div", { class: "site-sky" },
        h("span", { class: "phase", dataset: { phase: sky.phase } }, sky.label),
        h("span", { class: "local" }, `${localTime(now, site.time_zone)} local`),
        sky.next ? h("span", { class: "next" }, `${sky.next[0]} ${localTime(sky.next[1], site.time_zone)} (${time(sky.next[1])} UTC)`) : null)),
    h("p", { class: "weather", dataset: { weather: weather.state } }, h("span", { class: "dot", "aria-hidden": "true" }), weather.text,
      weather.detail ? h("span", { class: "detail" }, ` — ${weather.detail}`) : null),
    h("ul", { class: "telescopes", "aria-label": `Telescopes at ${site.name}` }, telescopes.map((t) => telescopeItem(t, site, now))));
}

/** Draws the totals and every site's card. */
export function renderNetwork(state, now) {
  const totals = document.getElementById("totals");
  const counts = state.network?.counts;
  const telescopes = [...state.telescopes.values()];
  if (counts) {
    const open = telescopes.filter((t) => OPEN.has(t.state)).length;
    fill(totals,
      h("li", {}, h("strong", {}, `${open}/${telescopes.length}`), " open"),
      h("li", {}, h("strong", {}, counts.completed), " observed"),
      h("li", {}, h("strong", {}, counts.frames), " frames"),
      h("li", {}, h("strong", {}, counts.follow_ups), " follow-ups"),
      h("li", { class: counts.faults ? "alarm" : null }, h("strong", {}, counts.faults), " faults"));
  }
  const container = document.getElementById("sites");
  if (!state.network) return;
  fill(container, state.network.sites.map((site) => siteCard(site, telescopes.filter((t) => t.site_id === site.id), now)));
}
