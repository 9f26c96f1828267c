// Blynk.Air inside XS: HTTP downloads and the OTA writer are the parent's (Node's http client and
// its file "partition"); responses and body chunks come back as events.
import type { HttpClient, HttpRequest, HttpRequestEvents, HttpResponseHead, OtaWriter } from '../interfaces';
import { type Channel, json } from './channel';
import { Call, Event, Status } from './protocol';
import { decodeText } from '../text';

interface Head {
  status: number;
  length?: number;
  headers: Record<string, string>;
}

export class BridgeHttpClient implements HttpClient {
  private readonly live = new Map<number, HttpRequestEvents>();
  private nextRef = 1;

  constructor(private readonly channel: Channel) {
    channel.on(Event.RESPONSE, (ref, body) => {
      const h = json(body) as Head;
      const head: HttpResponseHead = {
        status: h.status,
        length: h.length,
        header: (name) => h.headers[name.toLowerCase()],
      };
      this.live.get(ref)?.onResponse(head);
    });
    channel.on(Event.BODY, (ref, body) => this.live.get(ref)?.onData(body));
    channel.on(Event.DONE, (ref) => this.end(ref)?.onDone());
    channel.on(Event.FAILED, (ref, body) => this.end(ref)?.onError(decodeText(body)));
  }

  get(url: string, events: HttpRequestEvents): HttpRequest {
    const ref = this.nextRef++;
    this.live.set(ref, events);
    this.channel.callText(Call.HTTP_GET, ref, url);
    return {
      abort: () => {
        if (this.live.delete(ref)) this.channel.call(Call.HTTP_ABORT, ref);
      },
    };
  }

  private end(ref: number): HttpRequestEvents | undefined {
    const events = this.live.get(ref);
    this.live.delete(ref);
    return events;
  }
}

/** OtaWriter methods may throw: an error answer becomes an Error with the parent's message. */
export class BridgeOtaWriter implements OtaWriter {
  constructor(private readonly channel: Channel) {}

  capacity(): number {
    return Number(this.op('capacity'));
  }

  begin(size: number): void {
    this.op('begin', size);
  }

  write(chunk: Uint8Array): void {
    const a = this.channel.call(Call.OTA_WRITE, 0, chunk);
    if (a.status !== Status.OK) throw new Error(decodeText(a.body));
  }

  complete(): void {
    this.op('complete');
  }

  abort(): void {
    try {
      this.op('abort');
    } catch {
      // abort never throws (the OtaWriter contract); the parent has logged it
    }
  }

  private op(op: string, size?: number): unknown {
    const a = this.channel.callJson(Call.OTA, 0, size === undefined ? { op } : { op, size });
    if (a.status !== Status.OK) throw new Error(decodeText(a.body));
    return a.body.length > 0 ? json(a.body) : undefined;
  }
}
