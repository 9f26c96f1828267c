// Flash inside XS: the parent's storage (files with atomic replace, or memory) does the work.
import type { Storage } from '../interfaces';
import type { Channel } from './channel';
import { Call, Status } from './protocol';
import { encodeText } from '../text';

export class BridgeStorage implements Storage {
  constructor(private readonly channel: Channel) {}

  get(key: string): Uint8Array | undefined {
    const a = this.channel.callText(Call.GET, 0, key);
    return a.status === Status.OK ? a.body.slice() : undefined;
  }

  set(key: string, value: Uint8Array): boolean {
    const k = encodeText(key);
    if (k.length > 255) return false;
    const body = new Uint8Array(1 + k.length + value.length);
    body[0] = k.length;
    body.set(k, 1);
    body.set(value, 1 + k.length);
    return this.channel.call(Call.SET, 0, body).status === Status.OK;
  }

  delete(key: string): void {
    this.channel.callText(Call.DELETE, 0, key);
  }
}
