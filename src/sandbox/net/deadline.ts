import { type NetRefusal, refuse } from './types';

/** setTimeout fires at once for anything longer (about 24.8 days), which would turn a huge limit into none. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The one time limit of an exchange (connecting, every redirect, the body), merged with the caller's cancellation. */
export class Deadline {
  readonly signal: AbortSignal;
  private readonly timer = new AbortController();
  private readonly handle: ReturnType<typeof setTimeout>;

  constructor(
    private readonly timeoutMs: number,
    private readonly caller: AbortSignal | undefined,
  ) {
    this.handle = setTimeout(() => this.timer.abort(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    this.signal = caller === undefined ? this.timer.signal : AbortSignal.any([caller, this.timer.signal]);
  }

  /** Why the exchange has to stop, once it has to. */
  stopped(): NetRefusal | undefined {
    if (this.caller?.aborted) return refuse('cancelled', 'the request was cancelled');
    if (this.timer.signal.aborted)
      return refuse(
        'timeout',
        `timed out after ${this.timeoutMs} ms (the limit covers connecting, redirects and reading the body)`,
      );
    return undefined;
  }

  /**
   * `promise`, or a rejection the moment the deadline passes. Every wait of an exchange goes through here, so the
   * limit holds even where undici or the resolver would not notice the abort (a stalled body, a slow DNS answer).
   */
  race<T>(promise: Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const onAbort = () => reject(this.signal.reason);
      if (this.signal.aborted) return onAbort();
      this.signal.addEventListener('abort', onAbort, { once: true });
      promise.then(resolve, reject).finally(() => this.signal.removeEventListener('abort', onAbort));
    });
  }

  clear(): void {
    clearTimeout(this.handle);
  }
}
