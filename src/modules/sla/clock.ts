/**
 * "Now" for SLA clocks and statistics. Production reads the system time; tests fix or move it
 * (`useFixedClock`) instead of faking timers globally, so sockets, pools and jest keep real time.
 */
export interface Clock {
  now(): Date;
}

const systemClock: Clock = { now: () => new Date() };
let current: Clock = systemClock;

export const clock: Clock = {
  now: () => current.now(),
};

/** A clock that stays at `at` until moved; returned so a test can `set` or `advance` it. */
export function useFixedClock(at: Date | string): { set(at: Date | string): void; advance(ms: number): void } {
  let time = new Date(at).getTime();
  current = { now: () => new Date(time) };
  return {
    set: (next) => {
      time = new Date(next).getTime();
    },
    advance: (ms) => {
      time += ms;
    },
  };
}

export function useSystemClock(): void {
  current = systemClock;
}
