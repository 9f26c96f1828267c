// A pass-through stream between a device's transport (TCP, TLS or WebSocket stream) and aedes.
// Why: one place that works for every transport to (1) watch the MQTT packets both ways with
// our own parser (PUBACKs to pings, DISCONNECT, downlinks as actually written) without relying
// on aedes internals, and (2) stall a connection like a network black hole.
import { Duplex } from 'node:stream';
import mqttPacket from 'mqtt-packet';
import type { Packet } from 'mqtt-packet';

export interface GateHooks {
  /** A packet the device sent, seen before aedes handles it. */
  inbound(packet: Packet): void;
  /** A packet written to the device. */
  outbound(packet: Packet): void;
  /** The device's side ended (FIN) or the transport closed. */
  ended(): void;
}

function sniffer(onPacket: (p: Packet) => void): (chunk: Buffer) => void {
  const parser = mqttPacket.parser({ protocolVersion: 4 });
  let broken = false;
  parser.on('packet', onPacket);
  // Malformed input is aedes' business; we only stop watching.
  parser.on('error', () => {
    broken = true;
  });
  return (chunk) => {
    if (!broken) parser.parse(chunk);
  };
}

export class Gate extends Duplex {
  private stalledNow = false;
  /** The broker side was destroyed during a stall: the device must not see it until resume. */
  private zombie = false;
  private inHeld: Buffer[] = [];
  private inEndHeld = false;
  private outHeld: Buffer[] = [];
  private readonly sniffIn: (chunk: Buffer) => void;
  private readonly sniffOut: (chunk: Buffer) => void;
  private endedOnce = false;

  constructor(private readonly raw: Duplex, private readonly hooks: GateHooks) {
    super({ allowHalfOpen: false });
    this.sniffIn = sniffer(hooks.inbound);
    this.sniffOut = sniffer(hooks.outbound);
    raw.on('data', (chunk: Buffer) => {
      if (this.stalledNow) {
        this.inHeld.push(chunk);
        return;
      }
      this.sniffIn(chunk);
      if (!this.push(chunk)) raw.pause();
    });
    raw.on('end', () => {
      this.noteEnded();
      if (this.stalledNow) this.inEndHeld = true;
      else this.push(null);
    });
    raw.on('error', (err) => {
      // A transport error (reset, TLS failure) means the device's side is gone too.
      this.noteEnded();
      if (!this.destroyed) this.destroy(err);
    });
    raw.on('close', () => {
      this.noteEnded();
      if (!this.destroyed) this.destroy();
    });
  }

  get stalled(): boolean {
    return this.stalledNow;
  }

  private noteEnded(): void {
    if (this.endedOnce) return;
    this.endedOnce = true;
    this.hooks.ended();
  }

  override _read(): void {
    if (!this.stalledNow) this.raw.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.stalledNow) {
      // Held like bytes in a dead network; aedes must not block on them.
      this.outHeld.push(chunk);
      cb();
      return;
    }
    this.sniffOut(chunk);
    if (this.raw.destroyed || !this.raw.writable) {
      cb();
      return;
    }
    this.raw.write(chunk, () => cb());
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (!this.stalledNow && !this.raw.destroyed) this.raw.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (this.stalledNow && !this.raw.destroyed) {
      // A black hole also swallows the close: keep the device's socket until resume() or its own close.
      this.zombie = true;
    } else {
      this.raw.destroy();
    }
    cb(err);
  }

  /** Stop both directions; bytes are held (not lost) until resume(). */
  stall(): void {
    this.stalledNow = true;
    // Keep reading the transport so a device that gives up and closes is still noticed.
    this.raw.resume();
  }

  /** End a stall: held bytes flow (or, if the broker closed meanwhile, the device now sees the close). */
  release(): void {
    if (!this.stalledNow) return;
    this.stalledNow = false;
    if (this.zombie) {
      this.raw.destroy();
      return;
    }
    const out = this.outHeld;
    this.outHeld = [];
    for (const chunk of out) {
      this.sniffOut(chunk);
      if (!this.raw.destroyed) this.raw.write(chunk);
    }
    const held = this.inHeld;
    this.inHeld = [];
    for (const chunk of held) {
      this.sniffIn(chunk);
      this.push(chunk);
    }
    if (this.inEndHeld) this.push(null);
  }

  /** Close the transport at once (server-side close). */
  kill(): void {
    this.zombie = false;
    this.stalledNow = false;
    this.raw.destroy();
    if (!this.destroyed) this.destroy();
  }
}
