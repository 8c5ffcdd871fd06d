// The emulator's accelerated clock: `speed` emulated seconds pass per real second, so a job that
// takes an hour on Together takes a second at speed 3600. State is computed from elapsed time
// when asked for (no timers run), so a stopped emulator leaves nothing behind.

export class EmulatorClock {
  constructor(
    readonly speed: number,
    private readonly realNow: () => number = Date.now,
  ) {
    if (!Number.isFinite(speed) || speed <= 0) throw new RangeError(`speed must be a positive number (got ${speed})`);
  }

  /** Real milliseconds since the epoch. */
  now(): number {
    return this.realNow();
  }

  /** Emulated seconds elapsed since the real instant `sinceMs`. */
  elapsed(sinceMs: number): number {
    return ((this.realNow() - sinceMs) / 1000) * this.speed;
  }

  /** The real instant at which `seconds` emulated seconds have passed since `sinceMs`. */
  realAt(sinceMs: number, seconds: number): number {
    return sinceMs + (seconds * 1000) / this.speed;
  }
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
