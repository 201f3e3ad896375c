import { randomBytes } from 'node:crypto';
import type { Pull, PullEvent } from '../../contract/local-models';
import { errorMessage } from '../../fs/errors';
import type { ServerAddress } from './http';
import { type PullProgress, pullOllamaModel } from './ollama';

/** Ollama reports progress many times a second; followers get at most this many updates a second per pull. */
const UPDATES_PER_SECOND = 5;
/** Finished pulls stay listed this long, so a dashboard that comes back sees how they ended. */
const KEEP_FINISHED_MS = 10 * 60 * 1000;

interface Running {
  pull: Pull;
  /** Numbers the pull's events, so a follower's SSE ids grow. */
  sequence: number;
  controller: AbortController;
  followers: Set<(event: PullEvent) => void>;
  /** An update held back until the next slot, when one is pending. */
  timer?: NodeJS.Timeout | undefined;
  finishedAt?: number;
}

/**
 * Model downloads, owned by the server rather than the page that started them: a pull goes on when the dashboard
 * navigates away or closes, is listed again when it comes back, can be followed from anywhere and cancelled.
 */
export class Pulls {
  private readonly pulls = new Map<string, Running>();

  /**
   * `onFinished` runs once a pull ends in any way (the provider's model list has changed, or may have); `redact`
   * takes keys out of a server's error before anyone sees it.
   */
  constructor(
    private readonly onFinished: (providerId: string) => void,
    private readonly redact: (text: string) => string,
  ) {}

  /** Starts pulling `model`, unless a pull of it from this provider is running already: then that one. */
  start(providerId: string, server: ServerAddress, model: string): Pull {
    this.prune();
    const same = [...this.pulls.values()].find(
      (p) => p.pull.provider === providerId && p.pull.model === model && p.pull.state === 'running',
    );
    if (same) return same.pull;
    const running: Running = {
      pull: {
        id: `pull_${randomBytes(6).toString('hex')}`,
        provider: providerId,
        model,
        state: 'running',
        status: 'starting',
        startedAt: new Date().toISOString(),
      },
      sequence: 0,
      controller: new AbortController(),
      followers: new Set(),
    };
    this.pulls.set(running.pull.id, running);
    void pullOllamaModel(server, model, running.controller.signal, (progress) => this.progress(running, progress))
      .then(() => this.finish(running, { state: 'done', status: 'success' }))
      .catch((error: unknown) =>
        this.finish(
          running,
          running.controller.signal.aborted
            ? { state: 'cancelled', status: 'cancelled' }
            : { state: 'failed', status: 'failed', error: this.redact(errorMessage(error)) },
        ),
      );
    return running.pull;
  }

  /** The provider's pulls, running and recently finished, oldest first. */
  list(providerId: string): Pull[] {
    this.prune();
    return [...this.pulls.values()].filter((p) => p.pull.provider === providerId).map((p) => p.pull);
  }

  get(providerId: string, pullId: string): Pull | undefined {
    const running = this.pulls.get(pullId);
    return running?.pull.provider === providerId ? running.pull : undefined;
  }

  /** Sends the pull as it is now, then each update until it finishes; returns how to stop following. */
  follow(pullId: string, send: (event: PullEvent) => void): () => void {
    const running = this.pulls.get(pullId);
    if (!running) return () => undefined;
    send(this.event(running));
    if (running.pull.state !== 'running') return () => undefined;
    running.followers.add(send);
    return () => running.followers.delete(send);
  }

  cancel(pullId: string): void {
    this.pulls.get(pullId)?.controller.abort();
  }

  /** Stops every running pull (the server is shutting down). */
  close(): void {
    for (const running of this.pulls.values()) {
      clearTimeout(running.timer);
      running.controller.abort();
    }
  }

  private progress(running: Running, progress: PullProgress): void {
    const statusChanged = progress.status !== running.pull.status;
    running.pull = { ...running.pull, status: progress.status, completed: progress.completed, total: progress.total };
    // A new step (another layer, verifying, writing) is shown at once; byte counts of one step are spaced out.
    if (statusChanged) this.publish(running);
    else running.timer ??= setTimeout(() => this.publish(running), 1000 / UPDATES_PER_SECOND);
  }

  private finish(running: Running, end: Pick<Pull, 'state' | 'status' | 'error'>): void {
    running.pull = { ...running.pull, ...end };
    running.finishedAt = Date.now();
    this.publish(running);
    running.followers.clear();
    this.onFinished(running.pull.provider);
  }

  private publish(running: Running): void {
    clearTimeout(running.timer);
    running.timer = undefined;
    const event = this.event(running);
    for (const send of running.followers) send(event);
  }

  private event(running: Running): PullEvent {
    running.sequence += 1;
    return { id: running.sequence, type: 'pull.progress', pull: running.pull };
  }

  private prune(): void {
    const now = Date.now();
    for (const [id, running] of this.pulls)
      if (running.finishedAt !== undefined && now - running.finishedAt > KEEP_FINISHED_MS) this.pulls.delete(id);
  }
}
