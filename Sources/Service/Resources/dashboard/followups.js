// Alerts as they arrive and what the network does about them: each assignment's telescope,
// state and reason, and how soon the first frame followed the notice.
import { h, fill } from "./dom.js";
import { duration, position, time, timeSeconds, words } from "./format.js";

function title(alert) {
  const name = [alert.mission, alert.notice_type].filter(Boolean).join(" ");
  return name || alert.event_id || alert.id;
}

function legRow(leg) {
  const a = leg.assignment;
  const outcomes = leg.observations.map((o) => (o.reason ? `${o.outcome} (${o.reason})` : o.outcome));
  return h("tr", { dataset: { assignment: a.id, state: a.state } },
    h("th", { scope: "row", "data-label": "Telescope" }, a.telescope_id),
    h("td", { "data-label": "State" }, h("span", { class: "state-chip", dataset: { state: a.state } }, words(a.state))),
    h("td", { "data-label": "Why", class: "reason" }, a.reason, outcomes.length ? h("span", { class: "outcomes" }, ` — ${outcomes.join("; ")}`) : null),
    h("td", { "data-label": "Exposures" }, a.exposures.join(", ")),
    h("td", { "data-label": "First frame" }, leg.first_frame_at ? `${timeSeconds(leg.first_frame_at)} UTC` : `planned ${time(a.planned_start)}`),
    h("td", { "data-label": "After the alert", class: "delay" }, leg.seconds_from_alert_to_first_frame != null ? duration(leg.seconds_from_alert_to_first_frame) : "–"));
}

function card(followUp) {
  const alert = followUp.alert;
  const where = alert.ra_deg != null ? `${position(alert.ra_deg, alert.dec_deg)}${alert.error_radius_deg != null ? ` ± ${(alert.error_radius_deg * 60).toFixed(1)}′` : ""}` : alert.has_sky_map ? "sky map" : null;
  const delay = followUp.seconds_from_alert_to_first_frame;
  const titleId = `alert-${CSS.escape(alert.id)}-title`;
  return h("article", { class: "follow-up", dataset: { alert: alert.id, status: alert.status }, "aria-labelledby": titleId },
    h("header", {},
      h("h3", { id: titleId }, title(alert), alert.is_retraction ? h("span", { class: "tag retraction" }, "retraction") : null),
      h("span", { class: "status-chip", dataset: { status: alert.status } }, alert.status)),
    h("p", { class: "alert-meta" },
      `received ${timeSeconds(alert.received_at)} UTC`,
      alert.event_time ? ` · event ${timeSeconds(alert.event_time)}` : "",
      alert.event_id ? ` · ${alert.event_id}` : "",
      where ? ` · ${where}` : ""),
    delay != null ? h("p", { class: "first-light" }, h("strong", {}, duration(delay)), " from the notice to the first frame") : null,
    alert.note ? h("p", { class: "note" }, alert.note) : null,
    followUp.assignments.length
      ? h("table", { class: "legs" },
          h("caption", { class: "visually-hidden" }, `Assignments for ${title(alert)}`),
          h("thead", {}, h("tr", {}, ["Telescope", "State", "Why", "Exposures", "First frame", "After the alert"].map((c) => h("th", { scope: "col" }, c)))),
          h("tbody", {}, followUp.assignments.map(legRow)))
      : h("p", { class: "empty" }, alert.status === "received" ? "Being decided…" : "No telescope assigned."));
}

/** Draws the follow-ups, newest first. */
export function renderFollowUps(state) {
  const container = document.getElementById("follow-up-list");
  if (!state.followUpsLoaded) return;
  if (!state.followUps.length) {
    fill(container, h("p", { class: "empty" }, "No alert in the last day. Alerts arrive through the watched folder, VOEvent brokers and the API."));
    return;
  }
  fill(container, state.followUps.map(card));
}
