// In-memory flash with fault injection: failed writes, torn writes (power cut while a record
// is being written), and power loss after a number of writes. Survives a simulated reboot:
// hand the same MockStorage to the next device instance.
import type { Storage } from '../interfaces';

export class MockStorage implements Storage {
  readonly records = new Map<string, Uint8Array>();
  /** Every successful or attempted set, in order (key, and whether it stuck). */
  readonly writes: { key: string; ok: boolean }[] = [];
  /** Called on every set attempt (for ordering checks against other HAL calls). */
  onWrite: ((key: string) => void) | undefined;
  /** The next N writes fail cleanly (return false, record unchanged). */
  failNext = 0;
  /** The next write is torn: the record is left holding only part of the new bytes. */
  tearNext = false;
  /** After this many more writes, power is lost: later writes vanish. -1: never. */
  powerLossAfter = -1;
  poweredOff = false;

  get(key: string): Uint8Array | undefined {
    const v = this.records.get(key);
    return v ? v.slice() : undefined;
  }

  set(key: string, value: Uint8Array): boolean {
    this.onWrite?.(key);
    if (key.length === 0 || key.length > 15 || value.length > 4000) return this.log(key, false);
    if (this.poweredOff) return this.log(key, false);
    if (this.failNext > 0) {
      this.failNext--;
      return this.log(key, false);
    }
    if (this.tearNext) {
      this.tearNext = false;
      this.records.set(key, value.slice(0, Math.floor(value.length / 2)));
      this.poweredOff = true; // a torn write means the power went: nothing after it sticks
      return this.log(key, false);
    }
    this.records.set(key, value.slice());
    if (this.powerLossAfter > 0 && --this.powerLossAfter === 0) this.poweredOff = true;
    return this.log(key, true);
  }

  delete(key: string): void {
    if (!this.poweredOff) this.records.delete(key);
  }

  /** Power comes back (a reboot): faults are cleared, records stay as they were. */
  powerOn(): void {
    this.poweredOff = false;
    this.powerLossAfter = -1;
    this.tearNext = false;
    this.failNext = 0;
  }

  private log(key: string, ok: boolean): boolean {
    this.writes.push({ key, ok });
    return ok;
  }
}
