/** A timer the clock set, to call off. */
export interface Timer {
  cancel(): void;
}

/** Time as the scheduler sees it: the system's, or a test's that moves when told. */
export interface Clock {
  now(): number;
  setTimer(fire: () => void, ms: number): Timer;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(fire, ms) {
    const timer = setTimeout(fire, ms);
    // The scheduler never keeps a process alive by itself: the server or the command does.
    timer.unref();
    return { cancel: () => clearTimeout(timer) };
  },
};
