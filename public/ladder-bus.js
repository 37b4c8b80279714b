// The trace steps of this page's own connections (wiretap.js openTap's onStep), from the
// panels that open the taps to the pictures that draw them (ladder.js). A picture mounted
// after its panel's first steps still gets them: the latest are kept and handed over first.

const KEEP = 4000;
/** @type {any[]} */
const recent = [];
/** @type {Set<(step: any) => void>} */
const listeners = new Set();

/** Hands one step to every picture on the page. */
export function publishStep(step) {
  recent.push(step);
  if (recent.length > KEEP) recent.splice(0, recent.length - KEEP / 2);
  for (const listener of listeners) listener(step);
}

/** Calls `listener` with the steps so far, then with each new one; returns the stop. */
export function onSteps(listener) {
  for (const step of recent) listener(step);
  listeners.add(listener);
  return () => listeners.delete(listener);
}
