/**
 * Long synchronous-looking work (an import without a model: parsing, then the synchronous SQLite
 * store) awaits only promises that are already resolved, which run as microtasks: the event loop
 * would not run a timer, an IPC message or an HTTP request (Cancel, a search, progress on the
 * wire) until the work ended. Awaiting this lets the loop turn once every 50 ms.
 */
let lastBreath = 0;

export async function breathe(everyMs = 50): Promise<void> {
  const now = performance.now();
  if (now - lastBreath < everyMs) return;
  await new Promise<void>((resolve) => setImmediate(resolve));
  lastBreath = performance.now();
}
