import type { Clock, Timer } from '../../src/automation/clock';

/** A clock that moves only when told: timers fire, in order, as `advanceTo` passes their time. */
export class FakeClock implements Clock {
  private timers: { id: number; at: number; fire: () => void }[] = [];
  private nextId = 1;

  constructor(private time: number) {}

  now(): number {
    return this.time;
  }

  setTimer(fire: () => void, ms: number): Timer {
    const id = this.nextId++;
    this.timers.push({ id, at: this.time + ms, fire });
    return { cancel: () => (this.timers = this.timers.filter((t) => t.id !== id)) };
  }

  /** Moves to `time`, firing every timer due on the way (a timer set while firing fires too if it is due). */
  async advanceTo(time: number): Promise<void> {
    for (;;) {
      const due = this.timers.filter((t) => t.at <= time).sort((a, b) => a.at - b.at)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.time = Math.max(this.time, due.at);
      due.fire();
      // Lets what the timer started (a tick's enqueue, a run's start) take its first steps.
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.time = time;
  }

  pending(): number {
    return this.timers.length;
  }
}
