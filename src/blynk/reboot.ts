// `downlink/reboot` and the reboot after an update: a clean disconnect first (so the cloud sees
// a DISCONNECT, not a timeout), then the HAL's reboot; if the disconnect never completes, the
// reboot happens anyway after a few seconds. At most once. Made on the first request.

import type { Hal } from '../../hal/interfaces';
import type { BlynkClient } from './client';
import type { StateChange } from '../session/types';

export class Rebooter {
  private pending = false;
  private done = false;

  constructor(
    private readonly hal: Hal,
    private readonly client: BlynkClient,
  ) {}

  /** Told of every state change (by the device's core) once this exists. */
  stateChanged(s: StateChange): void {
    if (this.pending && s.to === 'stopped') this.now();
  }

  cleanly(): void {
    if (this.pending) return;
    this.client.log.warn('reboot requested by the cloud');
    this.pending = true;
    if (this.client.state === 'stopped') {
      this.now();
      return;
    }
    this.client.stop();
    this.hal.timers.set(() => this.now(), 3000);
  }

  private now(): void {
    if (this.done) return;
    this.done = true;
    this.hal.device.reboot();
  }
}
