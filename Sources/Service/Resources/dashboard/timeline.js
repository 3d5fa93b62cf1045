// Tonight per site: one row per telescope from sunset to sunrise, with what was observed
// (done, or not done and why), what is running, what comes next and what is planned, over the
// sky's phases; and the same in words for screen readers and small screens.
import { h, fill } from "./dom.js";
import { exposure, localTime, telescopeLabel, time } from "./format.js";

/** What became of each planned request and what else was observed, for one telescope. */
function blocksFor(telescope, plan, observations, followUpRequests, now) {
  const blocks = [];
  const observedRequests = new Set();
  for (const observation of observations) {
    observedRequests.add(observation.request_id);
    const followUp = followUpRequests.has(observation.request_id);
    const status = observation.outcome === "completed" ? (followUp ? "follow-up" : "done") : "failed";
    const why = observation.reason ? ` (${observation.reason_code}: ${observation.reason})` : "";
    blocks.push({
      start: Date.parse(observation.started), end: Date.parse(observation.ended), status,
      label: observation.target_id, text: `${observation.target_id} ${observation.outcome}${why}, ${time(observation.started)}–${time(observation.ended)} UTC`,
    });
  }
  let next = null;
  const running = telescope?.current_request_id;
  for (const entry of plan?.entries ?? []) {
    if (observedRequests.has(entry.request_id)) continue;
    const start = Date.parse(entry.start);
    const end = Date.parse(entry.end);
    let status = "planned";
    if (entry.request_id === running) status = "running";
    else if (end < now) continue; // passed without an observation: the plan moved on (a re-plan says why)
    else if (!next && start >= now - 60_000) next = status = "next";
    const filters = `${entry.filter} ${entry.exposure_s} s × ${entry.count}`;
    blocks.push({ start, end, status, label: entry.target_name, text: `${entry.target_name}, ${filters}, ${time(entry.start)}–${time(entry.end)} UTC (${status})` });
  }
  if (running && !blocks.some((block) => block.status === "running") && telescope.doing) {
    const started = Date.parse(telescope.doing.started);
    const seconds = telescope.doing.exposures.reduce((sum, spec) => sum + spec.exposure_s * spec.count, 0);
    blocks.push({
      start: started, end: Math.max(now, started + seconds * 1000), status: "running", label: telescope.doing.target_name ?? running,
      text: `${telescope.doing.target_name ?? running} ${telescope.doing.exposures.map(exposure).join(", ")} (running)`,
    });
  }
  return blocks.sort((a, b) => a.start - b.start);
}

/** A sentence per telescope: what is done, running, next. */
function summary(label, blocks) {
  const done = blocks.filter((b) => b.status === "done" || b.status === "follow-up").length;
  const failed = blocks.filter((b) => b.status === "failed").length;
  const running = blocks.find((b) => b.status === "running");
  const next = blocks.find((b) => b.status === "next");
  const planned = blocks.filter((b) => b.status === "planned" || b.status === "next").length;
  const parts = [`${done} done`];
  if (failed) parts.push(`${failed} not done`);
  if (running) parts.push(`running ${running.label}`);
  if (next) parts.push(`next ${next.label} at ${time(next.start)}`);
  parts.push(`${planned} to come`);
  return h("li", {}, h("strong", {}, label), ": ", parts.join(", "));
}

function hourTicks(start, end) {
  const ticks = [];
  const hour = 3_600_000;
  for (let t = Math.ceil(start / hour) * hour; t <= end; t += hour) ticks.push(t);
  return ticks;
}

function siteTimeline(site, state, now) {
  const night = site.night;
  if (!night?.sunset || !night?.sunrise) {
    return h("article", { class: "timeline" }, h("h3", {}, site.name), h("p", { class: "empty" }, "No night at this site today."));
  }
  const start = Date.parse(night.sunset);
  const end = Date.parse(night.sunrise);
  const span = end - start;
  const fraction = (t) => (Math.min(Math.max(t, start), end) - start) / span;
  const x = (t) => `${(fraction(t) * 100).toFixed(3)}%`;
  const width = (a, b) => `${(((Math.min(b, end) - Math.max(a, start)) / span) * 100).toFixed(3)}%`;
  const telescopes = [...state.telescopes.values()].filter((t) => t.site_id === site.id);
  const followUpRequests = new Set(state.followUps.flatMap((f) => f.assignments.map((leg) => leg.assignment.request_id)));
  const rows = [];
  const sentences = [];
  for (const telescope of telescopes) {
    const id = telescope.telescope_id;
    const label = telescopeLabel(id, site.id);
    const observations = (state.observations.get(id) ?? []).filter((o) => Date.parse(o.ended) >= start && Date.parse(o.started) <= end);
    const blocks = blocksFor(telescope, state.plans.get(id), observations, followUpRequests, now).filter((b) => b.end >= start && b.start <= end);
    sentences.push(summary(label, blocks));
    rows.push(h("div", { class: "row", dataset: { telescope: id } },
      h("span", { class: "row-label", title: id }, label),
      h("div", { class: "track" },
        blocks.map((block) => h("span", {
          class: `block ${block.status}`, style: `left:${x(block.start)};width:max(3px, ${width(block.start, block.end)})`, title: block.text,
        })))));
  }
  const dusk = night.astronomical_dusk ? Date.parse(night.astronomical_dusk) : start;
  const dawn = night.astronomical_dawn ? Date.parse(night.astronomical_dawn) : end;
  const nowInside = now >= start && now <= end;
  const titleId = `timeline-${site.id}-title`;
  return h("article", { class: "timeline", dataset: { site: site.id }, "aria-labelledby": titleId },
    h("header", { class: "timeline-head" },
      h("h3", { id: titleId }, site.name),
      h("p", {}, `Night of ${night.local_date}: sunset ${time(night.sunset)}, dark ${time(night.astronomical_dusk)}–${time(night.astronomical_dawn)}, sunrise ${time(night.sunrise)} UTC`,
        h("span", { class: "local" }, ` (local ${localTime(night.sunset, site.time_zone)}–${localTime(night.sunrise, site.time_zone)})`))),
    h("div", { class: "chart", "aria-hidden": "true" },
      h("div", { class: "row sky" },
        h("span", { class: "row-label" }, "UTC"),
        h("div", { class: "track" },
          h("span", { class: "twilight", style: `left:0;width:${width(start, dusk)}` }),
          h("span", { class: "dark", style: `left:${x(dusk)};width:${width(dusk, dawn)}` }),
          h("span", { class: "twilight", style: `left:${x(dawn)};width:${width(dawn, end)}` }),
          hourTicks(start, end).map((t) => h("span", { class: "tick", style: `left:${x(t)}` }, time(t).slice(0, 2))))),
      rows,
      nowInside ? h("div", { class: "now-line", style: `--at:${fraction(now).toFixed(5)}` }, h("span", {}, "now")) : null),
    h("ul", { class: "timeline-words" }, sentences));
}

/** Draws every site's timeline. */
export function renderTimelines(state, now) {
  if (!state.network) return;
  fill(document.getElementById("timelines"), state.network.sites.map((site) => siteTimeline(site, state, now)));
}
