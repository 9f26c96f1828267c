// The network on a host is "up" unless a test or the demo says otherwise.
import type { Log, Network } from '../interfaces';
import { guard } from './log';

export class NodeNetwork implements Network {
  private listener: ((up: boolean) => void) | undefined;

  constructor(
    private up: boolean,
    private readonly log: Log,
  ) {}

  isUp(): boolean {
    return this.up;
  }

  onChange(listener: (up: boolean) => void): void {
    this.listener = listener;
  }

  /** Change the state; the listener hears about real changes only, synchronously. */
  set(up: boolean): void {
    if (up === this.up) return;
    this.up = up;
    const listener = this.listener;
    if (listener) guard(this.log, 'network listener', () => listener(up));
  }
}
