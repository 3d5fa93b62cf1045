// The newest frames with their previews and quality, and the review buttons: approve, or flag
// with a note, for an observer; shown disabled, with the reason, to anyone else.
import { h, fill } from "./dom.js";
import { number, timeSeconds } from "./format.js";

const cards = new Map(); // frame id → its card, kept so a half-written note survives updates
const previews = new Map(); // frame id → object URL

function qualityList(frame) {
  const q = frame.quality;
  if (!q) return h("p", { class: "quality pending" }, "Quality: not measured yet");
  if (q.status !== "measured") return h("p", { class: "quality problem" }, `Quality: ${q.status}${q.problem ? ` — ${q.problem}` : ""}`);
  const items = [
    ["FWHM", q.fwhm_arcsec != null ? `${number(q.fwhm_arcsec, 2)}″` : null],
    ["Depth (5σ)", q.limiting_mag_5sigma != null ? `${number(q.limiting_mag_5sigma, 1)} mag` : null],
    ["Background", q.background_adu != null ? `${number(q.background_adu, 0)} ADU` : null],
    ["Sources", q.source_count],
    ["Transparency", q.transparency != null ? `${number(q.transparency * 100, 0)}%` : null],
    ["Ellipticity", q.ellipticity != null ? number(q.ellipticity, 2) : null],
  ].filter(([, value]) => value !== null && value !== undefined);
  return h("dl", { class: "quality" }, items.map(([name, value]) => h("div", {}, h("dt", {}, name), h("dd", {}, String(value)))));
}

function reviewLine(frame) {
  const review = frame.review;
  if (!review) return h("p", { class: "review-state", dataset: { decision: "none" } }, "Not reviewed");
  const decision = review.decision === "flagged" ? "Flagged" : "Approved";
  return h("p", { class: "review-state", dataset: { decision: review.decision } },
    h("strong", {}, decision), ` by ${review.reviewer} at ${timeSeconds(review.reviewed_at)} UTC`, review.note ? h("q", {}, review.note) : null);
}

function makeCard(frame, context) {
  const titleId = `frame-${CSS.escape(frame.id)}-title`;
  const statusId = `frame-${CSS.escape(frame.id)}-status`;
  const noteId = `frame-${CSS.escape(frame.id)}-note`;
  const canReview = context.session?.review?.allowed === true;
  const image = h("img", { alt: `Preview of frame ${frame.id}`, width: 256, height: 256, decoding: "async" });
  const status = h("p", { class: "review-status", id: statusId, role: "status" });
  const note = h("textarea", { id: noteId, name: "note", rows: 2, required: true, maxlength: 500, placeholder: "e.g. satellite trail across the target" });
  const flagForm = h("form", { class: "flag-form", hidden: true },
    h("label", { for: noteId }, "What is wrong with this frame?"), note,
    h("div", { class: "actions" },
      h("button", { type: "submit", class: "button danger" }, "Flag frame"),
      h("button", { type: "button", class: "button", onclick: () => { flagForm.hidden = true; flagButton.focus(); } }, "Cancel")));
  const described = canReview ? statusId : `review-access ${statusId}`;
  const approveButton = h("button", { type: "button", class: "button approve", disabled: !canReview, "aria-describedby": described }, "Approve");
  const flagButton = h("button", { type: "button", class: "button flag", disabled: !canReview, "aria-describedby": described, "aria-expanded": "false" }, "Flag…");

  const send = async (decision, text) => {
    status.textContent = decision === "flagged" ? "Flagging…" : "Approving…";
    try {
      const review = await context.api.post("/api/reviews", { frame_id: frame.id, decision, note: text });
      const current = context.frame(frame.id) ?? frame;
      current.review = review;
      status.textContent = decision === "flagged" ? "Flagged." : "Approved.";
      flagForm.hidden = true;
      flagButton.setAttribute("aria-expanded", "false");
      updateCard(card, current, context);
    } catch (error) {
      status.textContent = `Not saved: ${error.message}`;
    }
  };
  approveButton.addEventListener("click", () => send("approved", ""));
  flagButton.addEventListener("click", () => {
    flagForm.hidden = !flagForm.hidden;
    flagButton.setAttribute("aria-expanded", String(!flagForm.hidden));
    if (!flagForm.hidden) note.focus();
  });
  flagForm.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = note.value.trim();
    if (!text) {
      status.textContent = "A flag needs a note saying what is wrong.";
      note.focus();
      return;
    }
    send("flagged", text);
  });

  const where = [frame.telescope_id, `${frame.filter} ${number(frame.exposure_s, frame.exposure_s % 1 ? 1 : 0)} s`, frame.airmass ? `airmass ${number(frame.airmass, 2)}` : null];
  const card = h("article", { class: "frame", dataset: { frame: frame.id }, "aria-labelledby": titleId },
    h("button", { type: "button", class: "preview", title: "Open the preview full size", onclick: () => openFull(frame, context) }, image),
    h("div", { class: "frame-body" },
      h("h3", { id: titleId, class: "frame-title" }, context.targetOf(frame) ?? frame.observation_id),
      h("p", { class: "frame-meta" }, where.filter(Boolean).join(" · "), h("br"), `${timeSeconds(frame.started)} UTC · `, h("span", { class: "frame-id" }, frame.id)),
      h("div", { class: "quality-slot" }, qualityList(frame)),
      h("div", { class: "review-slot" }, reviewLine(frame)),
      h("div", { class: "review-actions" }, approveButton, flagButton),
      flagForm, status));
  loadPreview(frame, image, context);
  return card;
}

function updateCard(card, frame, context) {
  fill(card.querySelector(".quality-slot"), qualityList(frame));
  fill(card.querySelector(".review-slot"), reviewLine(frame));
  const canReview = context.session?.review?.allowed === true;
  for (const button of card.querySelectorAll(".review-actions button")) button.disabled = !canReview;
  const title = context.targetOf(frame);
  if (title) card.querySelector(".frame-title").textContent = title;
}

async function loadPreview(frame, image, context) {
  if (!frame.preview_url) return;
  try {
    let url = previews.get(frame.id);
    if (!url) {
      url = await context.api.objectURL(`${frame.preview_url}?size=256`);
      previews.set(frame.id, url);
    }
    image.src = url;
  } catch (error) {
    image.alt = `No preview: ${error.message}`;
  }
}

async function openFull(frame, context) {
  if (!frame.preview_url) return;
  const tab = window.open("", "_blank");
  try {
    const url = await context.api.objectURL(`${frame.preview_url}?size=1024`);
    if (tab) tab.location.href = url;
  } catch (error) {
    if (tab) tab.close();
  }
}

/** Draws the frames, newest first, updating the cards already shown in place. */
export function renderFrames(state, context) {
  const grid = document.getElementById("frame-grid");
  const access = document.getElementById("review-access");
  const review = state.session?.review;
  access.textContent = review?.allowed
    ? "You may approve or flag frames."
    : `Reviewing is off: ${review?.reason ?? "it needs a token with the observer role"}.`;
  access.dataset.allowed = String(review?.allowed === true);
  if (!state.framesLoaded) return;
  const wanted = new Set(state.frames.map((frame) => frame.id));
  for (const [id, card] of cards) {
    if (!wanted.has(id)) {
      card.remove();
      cards.delete(id);
      const url = previews.get(id);
      if (url) URL.revokeObjectURL(url);
      previews.delete(id);
    }
  }
  for (const child of [...grid.children]) if (!child.dataset.frame) child.remove();
  if (!state.frames.length) {
    grid.append(h("p", { class: "empty" }, "No frame with pixels yet tonight."));
    return;
  }
  let previous = null;
  for (const frame of state.frames) {
    let card = cards.get(frame.id);
    if (card) updateCard(card, frame, context);
    else {
      card = makeCard(frame, context);
      cards.set(frame.id, card);
    }
    const expected = previous ? previous.nextElementSibling : grid.firstElementChild;
    if (card !== expected) grid.insertBefore(card, expected);
    previous = card;
  }
}

/** Forgets every card (after signing in as someone else, whose role may differ). */
export function resetFrames() {
  for (const card of cards.values()) card.remove();
  cards.clear();
  for (const url of previews.values()) URL.revokeObjectURL(url);
  previews.clear();
}
