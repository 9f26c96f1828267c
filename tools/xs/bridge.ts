// The Node end of the bridge: serves the calls of the HAL inside XS (hal/xs) with a Node HAL
// (real sockets, timers, files) and delivers that HAL's events back to XS in batches.
// The protocol is described in hal/xs/protocol.ts.
import type { HttpRequest, LogLevel, Transport, TimerHandle } from '../../hal/interfaces';
import type { NodeHal } from '../../hal/node';
import { ANSWER_HEADER, BATCH_HEADER, Call, CALL_HEADER, Event, frame, LEVELS, readU32, Status, writeF64, writeU32 } from '../../hal/xs/protocol';
import type { XsWorker } from './worker';

export interface BridgeOptions {
  /** Handed to the app inside XS as hal.params (JSON). */
  params?: Record<string, unknown>;
  /** Seed of the XS side's Random (xsnap's own Math.random is the same sequence every run). */
  seed?: number;
  /** Log lines written inside XS. */
  onLog?: (level: LogLevel, message: string) => void;
  /** Messages the app posts (hal.post). */
  onMessage?: (message: unknown) => void;
  /** XS failed while handling events (an exception escaped, or the worker died). */
  onError?: (error: Error) => void;
}

const text = (b: Uint8Array, start = 0): string => Buffer.from(b.buffer, b.byteOffset + start, b.length - start).toString('utf8');
const utf8 = (s: string): Uint8Array => Buffer.from(s, 'utf8');

export class BridgeServer {
  private readonly transports = new Map<number, Transport>();
  private readonly timers = new Map<number, TimerHandle>();
  private readonly requests = new Map<number, HttpRequest>();
  private queue: Uint8Array[] = [];
  private queued = 0;
  private flushing: Promise<void> | undefined;
  private scheduled = false;
  private failed = false;
  /** Event batches delivered and calls served (for tests and the bench). */
  readonly stats = { batches: 0, events: 0, calls: 0 };

  constructor(
    private readonly worker: XsWorker,
    private readonly hal: NodeHal,
    private readonly options: BridgeOptions = {},
  ) {
    worker.onCommand = (request) => this.handle(request);
    hal.network.onChange((up) => this.push(Event.NETWORK, 0, Uint8Array.of(up ? 1 : 0)));
  }

  /** Transports XS has open (or opening, or closing). */
  get openTransports(): number {
    return this.transports.size;
  }

  /** Pending XS timers. */
  get pendingTimers(): number {
    return this.timers.size;
  }

  /** Ask the app to stop (its hal.onStop handlers run). */
  stop(): Promise<void> {
    this.push(Event.STOP, 0);
    return this.idle();
  }

  /** Send a request to the app's hal.onRequest handler and return its JSON answer. */
  async query(value: unknown): Promise<unknown> {
    await this.idle();
    const reply = await this.worker.command(this.batch([frame(Event.QUERY, 0, utf8(JSON.stringify(value)))]));
    return reply.bytes.length > 0 ? JSON.parse(text(reply.bytes)) : undefined;
  }

  /** Resolves when every queued event has been delivered. */
  async idle(): Promise<void> {
    while (this.flushing || this.queue.length > 0) {
      if (!this.flushing) this.flush();
      await this.flushing;
    }
  }

  /** Close everything the XS side left open on this HAL's side (the HAL's dispose does the rest). */
  dispose(): void {
    this.failed = true;
    for (const t of this.timers.values()) this.hal.timers.clear(t);
    this.timers.clear();
    for (const r of this.requests.values()) r.abort();
    this.requests.clear();
    this.queue = [];
  }

  // ---- events, Node -> XS ----

  push(op: number, ref: number, body?: Uint8Array): void {
    if (this.failed) return;
    this.queue.push(frame(op, ref, body));
    this.queued++;
    if (!this.scheduled && !this.flushing) {
      this.scheduled = true;
      setImmediate(() => {
        this.scheduled = false;
        this.flush();
      });
    }
  }

  private flush(): void {
    if (this.flushing || this.queue.length === 0 || this.failed) return;
    const events = this.queue;
    this.queue = [];
    this.flushing = this.worker
      .command(this.batch(events))
      .then(
        () => {
          this.stats.batches++;
          this.stats.events += events.length;
        },
        (e: Error) => {
          if (!this.worker.alive) this.failed = true;
          this.options.onError?.(e);
        },
      )
      .finally(() => {
        this.flushing = undefined;
        if (this.queue.length > 0) this.flush();
      });
  }

  private batch(events: Uint8Array[]): Uint8Array {
    let n = BATCH_HEADER;
    for (const e of events) n += 4 + e.length;
    const out = new Uint8Array(n);
    writeF64(out, 0, this.hal.clock.now());
    let pos = BATCH_HEADER;
    for (const e of events) {
      writeU32(out, pos, e.length);
      out.set(e, pos + 4);
      pos += 4 + e.length;
    }
    return out;
  }

  // ---- calls, XS -> Node ----

  private answer(status: number, body?: Uint8Array): Uint8Array {
    const out = new Uint8Array(ANSWER_HEADER + (body ? body.length : 0));
    out[0] = status;
    writeF64(out, 1, this.hal.clock.now());
    if (body) out.set(body, ANSWER_HEADER);
    return out;
  }

  private ok(body?: Uint8Array): Uint8Array {
    return this.answer(Status.OK, body);
  }

  /** Serve one call. Synchronous: every Node HAL method is. */
  handle(request: Uint8Array): Uint8Array {
    this.stats.calls++;
    if (request.length < CALL_HEADER) return this.answer(Status.ERROR, utf8('short call'));
    const op = request[0]!;
    const ref = readU32(request, 1);
    const body = request.subarray(CALL_HEADER);
    try {
      return this.serve(op, ref, body);
    } catch (e) {
      return this.answer(Status.ERROR, utf8(e instanceof Error ? e.message : String(e)));
    }
  }

  private serve(op: number, ref: number, body: Uint8Array): Uint8Array {
    const hal = this.hal;
    switch (op) {
      case Call.WRITE: {
        const t = this.transports.get(ref);
        return this.answer(t && t.write(body) ? Status.OK : Status.NO);
      }
      case Call.OPEN:
        this.open(ref, body);
        return this.ok();
      case Call.CLOSE:
        this.transports.get(ref)?.close();
        return this.ok();
      case Call.TIMER:
      case Call.REPEAT:
        this.timer(ref, Number(text(body)), op === Call.REPEAT);
        return this.ok();
      case Call.CLEAR: {
        hal.timers.clear(this.timers.get(ref));
        this.timers.delete(ref);
        return this.ok();
      }
      case Call.GET: {
        const v = hal.storage.get(text(body));
        return v ? this.ok(v) : this.answer(Status.NO);
      }
      case Call.SET: {
        const n = body[0] ?? 0;
        const key = text(body.subarray(1, 1 + n));
        return this.answer(hal.storage.set(key, body.slice(1 + n)) ? Status.OK : Status.NO);
      }
      case Call.DELETE:
        hal.storage.delete(text(body));
        return this.ok();
      case Call.LOG:
        this.options.onLog?.(LEVELS[body[0] ?? 1] ?? 'info', text(body, 1));
        return this.ok();
      case Call.REBOOT:
        hal.device.reboot();
        return this.ok();
      case Call.HTTP_GET:
        this.httpGet(ref, text(body));
        return this.ok();
      case Call.HTTP_ABORT:
        this.requests.get(ref)?.abort();
        this.requests.delete(ref);
        return this.ok();
      case Call.OTA:
        return this.ota(JSON.parse(text(body)) as { op: string; size?: number });
      case Call.OTA_WRITE:
        if (!hal.ota) return this.answer(Status.ERROR, utf8('no OTA writer on this host'));
        hal.ota.write(body);
        return this.ok();
      case Call.POST:
        this.options.onMessage?.(JSON.parse(text(body)));
        return this.ok();
      case Call.HELLO:
        return this.ok(
          utf8(
            JSON.stringify({
              params: this.options.params ?? {},
              networkUp: hal.network.isUp(),
              http: true,
              ota: hal.ota !== undefined,
              seed: this.options.seed ?? Math.floor(Math.random() * 2 ** 32),
            }),
          ),
        );
      default:
        return this.answer(Status.ERROR, utf8(`unknown call ${op}`));
    }
  }

  private open(ref: number, body: Uint8Array): void {
    const target = JSON.parse(text(body));
    const t = this.hal.transport.open(target, {
      onOpen: () => this.push(Event.OPENED, ref),
      onData: (bytes) => this.push(Event.DATA, ref, bytes), // frame() copies: the view is only valid now
      onDrain: () => this.push(Event.DRAIN, ref),
      onClose: (failure, detail) => {
        this.transports.delete(ref);
        this.push(Event.CLOSED, ref, utf8(JSON.stringify(detail === undefined ? { failure } : { failure, detail })));
      },
    });
    this.transports.set(ref, t);
  }

  private timer(ref: number, ms: number, repeat: boolean): void {
    const fire = (): void => {
      if (!repeat) this.timers.delete(ref);
      this.push(Event.FIRED, ref);
    };
    this.timers.set(ref, repeat ? this.hal.timers.repeat(fire, ms) : this.hal.timers.set(fire, ms));
  }

  private httpGet(ref: number, url: string): void {
    const end = (): void => void this.requests.delete(ref);
    const request = this.hal.http.get(url, {
      onResponse: (head) => {
        const headers: Record<string, string> = {};
        for (const name of ['content-length', 'content-type', 'x-md5', 'x-sha256', 'etag', 'location']) {
          const v = head.header(name);
          if (v !== undefined) headers[name] = v;
        }
        this.push(Event.RESPONSE, ref, utf8(JSON.stringify({ status: head.status, length: head.length, headers })));
      },
      onData: (chunk) => this.push(Event.BODY, ref, chunk),
      onDone: () => {
        end();
        this.push(Event.DONE, ref);
      },
      onError: (detail) => {
        end();
        this.push(Event.FAILED, ref, utf8(detail));
      },
    });
    this.requests.set(ref, request);
  }

  private ota(o: { op: string; size?: number }): Uint8Array {
    const ota = this.hal.ota;
    if (!ota) return this.answer(Status.ERROR, utf8('no OTA writer on this host'));
    switch (o.op) {
      case 'capacity':
        return this.ok(utf8(String(ota.capacity())));
      case 'begin':
        ota.begin(o.size ?? 0);
        return this.ok();
      case 'complete':
        ota.complete();
        return this.ok();
      case 'abort':
        ota.abort();
        return this.ok();
      default:
        return this.answer(Status.ERROR, utf8(`unknown OTA op ${o.op}`));
    }
  }
}
