import { systemClock, type Clock } from '../app/ports.ts';

/**
 * The clock a function judges time by: the system's on AWS; on the local stack, the stack's own clock (a simulated
 * one, e.g. `thidua clock set`) when it installs one, so a link's expiry and an upload's stamp agree with the
 * schedules that fire on that clock. Kept on `globalThis` so that every copy of this module in the process (the
 * stack's and the handlers', however they were loaded) sees the same clock.
 */
const INSTALLED = Symbol.for('thidua.localClock');
type Holder = { [INSTALLED]?: Clock };

/** Read at every `now()`: a handler may keep the returned clock at module load and still follow the stack's. */
export function currentClock(): Clock {
  return { now: () => ((globalThis as Holder)[INSTALLED] ?? systemClock).now() };
}

/** Locally only: the stack installs its clock at start and removes it when it stops (returns the remover). */
export function installClock(clock: Clock): () => void {
  (globalThis as Holder)[INSTALLED] = clock;
  return () => {
    if ((globalThis as Holder)[INSTALLED] === clock) delete (globalThis as Holder)[INSTALLED];
  };
}
