/** A one-line progress bar on stderr, drawn only when stderr is a terminal (never in logs/pipes). */

/** Draws `[####....] done/total tiles · backend`; all methods are no-ops off a TTY. */
export function progressReporter(stream: NodeJS.WriteStream) {
  const tty = stream.isTTY === true;
  let shown = false;
  return {
    update(done: number, total: number, backend: string): void {
      if (!tty) return;
      const width = 30;
      const fill = Math.round((done / Math.max(1, total)) * width);
      stream.write(`\r[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${done}/${total} tiles · ${backend}`);
      shown = true;
    },
    /** Erases the bar (before another message, or on failure). */
    clear(): void {
      if (tty && shown) stream.write('\r\x1b[K');
      shown = false;
    },
    /** Ends the bar with a newline so it stays visible. */
    done(): void {
      if (tty && shown) stream.write('\n');
      shown = false;
    },
  };
}
