// Building the page from data: elements made with text nodes only (never innerHTML), so
// whatever an alert notice or a reason says is shown as text.

/**
 * Makes an element: `h("li", { class: "chip", "aria-label": "…" }, "text", child)`.
 * Attributes whose value is null, undefined or false are left out; `true` sets an empty one.
 * Children may be strings, numbers, elements, arrays of them, or null (skipped).
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      element.addEventListener(name.slice(2), value);
    } else if (name === "dataset") {
      Object.assign(element.dataset, value);
    } else {
      element.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : String(child));
  }
}

/** An SVG element (the timeline's). */
export function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== null && value !== undefined && value !== false) element.setAttribute(name, String(value));
  }
  append(element, children);
  return element;
}

/** Replaces a container's children, keeping the element (and its focus and scroll) in place. */
export function fill(container, ...children) {
  container.replaceChildren();
  append(container, children);
}

/**
 * Calls `action` at most once per `milliseconds`: at once if it has not run for that long,
 * else once at the end of the interval (so a steady stream of calls still runs it regularly).
 */
export function throttle(action, milliseconds) {
  let last = 0;
  let timer = null;
  return () => {
    if (timer) return;
    const wait = Math.max(0, last + milliseconds - Date.now());
    timer = setTimeout(() => {
      timer = null;
      last = Date.now();
      action();
    }, wait);
  };
}
