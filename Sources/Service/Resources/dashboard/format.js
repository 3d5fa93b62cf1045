// How the dashboard writes times, durations and numbers. Every instant the API gives is UTC;
// a site's local time is shown beside it where people plan by it.

const utcTime = new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
const utcSeconds = new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
const utcDate = new Intl.DateTimeFormat("en-CA", { timeZone: "UTC", year: "numeric", month: "2-digit", day: "2-digit" });
const localFormats = new Map();

/** "21:14" (UTC). */
export function time(instant) {
  return instant ? utcTime.format(new Date(instant)) : "–";
}

/** "21:14:05" (UTC). */
export function timeSeconds(instant) {
  return instant ? utcSeconds.format(new Date(instant)) : "–";
}

/** "2026-11-23". */
export function date(instant) {
  return instant ? utcDate.format(new Date(instant)) : "–";
}

/** "21:14" in a site's time zone. */
export function localTime(instant, timeZone) {
  if (!instant) return "–";
  let format = localFormats.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    localFormats.set(timeZone, format);
  }
  return format.format(new Date(instant));
}

/** "45 s", "3 min 20 s", "2 h 05 min". */
export function duration(seconds) {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return "–";
  const sign = seconds < 0 ? "−" : "";
  let s = Math.round(Math.abs(seconds));
  if (s < 60) return `${sign}${s} s`;
  if (s < 3600) return `${sign}${Math.floor(s / 60)} min${s % 60 ? ` ${s % 60} s` : ""}`;
  const hours = Math.floor(s / 3600);
  s -= hours * 3600;
  return `${sign}${hours} h ${String(Math.floor(s / 60)).padStart(2, "0")} min`;
}

/** An exposure line: "r 60 s × 3". */
export function exposure(spec) {
  const seconds = Number.isInteger(spec.exposure_s) ? spec.exposure_s : spec.exposure_s.toFixed(1);
  return `${spec.filter} ${seconds} s${spec.count > 1 ? ` × ${spec.count}` : ""}`;
}

/** A number with a fixed count of decimals, or "–". */
export function number(value, decimals = 1) {
  return value === null || value === undefined || !Number.isFinite(value) ? "–" : value.toFixed(decimals);
}

/** Right ascension in hours and declination in degrees, sexagesimal, as observers read them. */
export function position(raDeg, decDeg) {
  if (raDeg === null || raDeg === undefined || decDeg === null || decDeg === undefined) return "–";
  const sexagesimal = (value, width) => {
    const whole = Math.floor(value);
    const minutes = Math.floor((value - whole) * 60);
    const seconds = Math.round(((value - whole) * 60 - minutes) * 60);
    return `${String(whole).padStart(width, "0")}:${String(minutes).padStart(2, "0")}:${String(Math.min(seconds, 59)).padStart(2, "0")}`;
  };
  const sign = decDeg < 0 ? "−" : "+";
  return `${sexagesimal(((raDeg % 360) + 360) % 360 / 15, 2)} ${sign}${sexagesimal(Math.abs(decDeg), 2)}`;
}

/** "la-palma-1m-a" → a shorter label where the site is already named: "1m-a". */
export function telescopeLabel(telescopeId, siteId) {
  return siteId && telescopeId.startsWith(siteId + "-") ? telescopeId.slice(siteId.length + 1) : telescopeId;
}

/** A state or cause as words: "reading-out" → "reading out". */
export function words(code) {
  return String(code ?? "").replaceAll("-", " ");
}
