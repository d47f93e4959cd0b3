/** Waiting in the viewer's browser tests. */

/** Polls `ok` every 50 ms; throws naming `what` after `ms`. */
export async function until(ok: () => boolean, what: string, ms = 90_000): Promise<void> {
  const t0 = performance.now();
  while (!ok()) {
    if (performance.now() - t0 > ms) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
