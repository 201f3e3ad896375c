import type { Socket } from 'node:net';

/**
 * Joins two connections byte for byte until both directions have ended. Both must allow half-open: when one side
 * ends, the other's writing side is ended and its reading side goes on, so a client that shuts down its sending
 * half still gets the whole answer. An error, a reset or `idleTimeoutMs` without traffic on either side destroys both.
 */
export function splice(a: Socket, b: Socket, idleTimeoutMs?: number): void {
  a.pipe(b);
  b.pipe(a);
  for (const [self, other] of [
    [a, b],
    [b, a],
  ] as const) {
    self.on('error', () => other.destroy());
    // Closed without having read to the end: destroyed or reset, so nothing more can pass either way. After a clean
    // end, `other` has been ended by pipe and closes by itself once its last bytes are out.
    self.on('close', () => {
      if (!self.readableEnded) other.destroy();
    });
    if (idleTimeoutMs !== undefined) {
      self.setTimeout(idleTimeoutMs, () => {
        self.destroy();
        other.destroy();
      });
    }
  }
}
