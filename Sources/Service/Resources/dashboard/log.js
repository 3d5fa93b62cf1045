// The log: every event of the stream in a line of words, newest first.
import { h } from "./dom.js";
import { exposure, timeSeconds, words } from "./format.js";

const LIMIT = 150;

/** A line of words for an event; `null` for events too frequent to list one by one. */
export function describe(type, data) {
  switch (type) {
    case "telescope.state":
      return `${data.telescope_id}: ${words(data.from)} → ${words(data.to)}${data.reason ? ` (${data.reason})` : ""}`;
    case "observation.started":
      return `${data.telescope_id} started ${data.request_id}`;
    case "observation.ended":
      return `${data.telescope_id} ${data.outcome} ${data.target_id}${data.reason ? `: ${data.reason}` : ""} (${data.frame_ids.length} frames)`;
    case "frame.written":
      return `${data.telescope_id} wrote ${data.id} (${exposure({ filter: data.filter, exposure_s: data.exposure_s, count: 1 })}${data.has_file ? "" : ", modelled"})`;
    case "frame.measured":
      return data.quality.status === "measured"
        ? `${data.frame_id} measured${data.quality.fwhm_arcsec != null ? `: FWHM ${data.quality.fwhm_arcsec.toFixed(2)}″` : ""}`
        : `${data.frame_id} ${data.quality.status}${data.quality.problem ? `: ${data.quality.problem}` : ""}`;
    case "plan.made":
    case "plan.restored":
      return `Plan ${type === "plan.made" ? "made" : "restored"} for ${data.telescope_id}: ${data.entries.length} observations (${data.ranked_by})`;
    case "planning.failed":
      return `Planning failed for ${data.subject}: ${data.reason}`;
    case "alert.accepted":
      return `Alert ${data.alert_id} accepted`;
    case "alert.ignored":
      return `Alert ${data.alert_id} ignored: ${data.reason}`;
    case "assignment.made":
      return `Follow-up of ${data.alert_id} assigned to ${data.telescope_id}: ${data.reason}`;
    case "assignment.accepted":
      return `${data.telescope_id} accepted ${data.assignment_id}`;
    case "assignment.refused":
      return `${data.telescope_id} refused ${data.assignment_id}: ${data.reason}`;
    case "assignment.changed":
      return `${data.assignment_id} ${words(data.state)}${data.reason ? `: ${data.reason}` : ""}`;
    case "telescope.fault":
      return `${data.telescope_id} fault on ${data.device}: ${data.detail}`;
    case "telescope.recovered":
      return `${data.telescope_id} recovered: ${data.detail}`;
    case "telescope.safety":
      return `${data.telescope_id} safety: ${data.detail}`;
    case "report.written":
      return `Report written for ${data.scope}, night of ${data.night}`;
    case "report.failed":
      return `Report for ${data.scope} failed: ${data.reason}`;
    case "request.state":
      return `Observer's request ${data.request_id} (group ${data.request_group_id}): ${data.state.toLowerCase().replaceAll("_", " ")}`;
    default:
      return `${type}`;
  }
}

const SEVERITY = {
  "telescope.fault": "bad", "planning.failed": "bad", "report.failed": "bad", "assignment.refused": "warn", "alert.ignored": "warn",
  "telescope.safety": "warn", "alert.accepted": "alert", "assignment.made": "alert", "report.written": "good", "telescope.recovered": "good",
};

/** Adds an event to the top of the log. */
export function logEvent(type, event, reportLink) {
  const list = document.getElementById("events");
  const text = describe(type, event.data);
  const item = h("li", { dataset: { type, severity: SEVERITY[type] ?? "info" } },
    h("time", { datetime: event.at }, timeSeconds(event.at)), " ",
    h("span", { class: "text" }, text),
    type === "report.written" && reportLink ? [" ", reportLink(event.data)] : null);
  list.prepend(item);
  while (list.children.length > LIMIT) list.lastElementChild.remove();
}
