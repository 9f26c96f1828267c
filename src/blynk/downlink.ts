// Where each `downlink/...` topic goes (reference section 4). Datastream writes are looked up
// by their whole topic, so dispatching one to its handler allocates nothing but its value string. Handlers
// are application code: one that throws, or whose promise rejects, is reported (HANDLER_FAILED)
// and the connection is not affected (C-APP-1). onOta may answer with a boolean or a promise of
// one, awaited with a deadline; anything else declines the offer (C-OTA-2).

import type { Timers } from '../../hal/interfaces';
import { BlynkError, ErrorCode, err } from '../errors';
import type { Logger } from '../util/log';
import { callSafely, isThenable, settle, describeError } from '../util/safe';
import { utf8Decode } from '../util/utf8';
import type { Location } from './names';
import { parseOffer, type OtaOffer, type OtaUpdater } from './ota';
import { parseLocation, parseTime, type TimeInfo } from './replies';
import type { Requests } from './requests';

const DS = 'downlink/ds/';
const META = 'downlink/meta/';

export interface DownlinkHandlers {
  anyWrite?: (name: string, value: string) => void;
  meta?: (name: string, value: string) => void;
  time?: (time: TimeInfo) => void;
  location?: (location: Location) => void;
  reboot?: () => void;
  reconfigure?: () => void;
  diag?: (text: string) => void;
  /** Return false (or a promise of false) to decline the offer; true, nothing, or a promise of true accepts it. */
  ota?: (offer: OtaOffer) => boolean | void | Promise<boolean | void>;
  other?: (topic: string, text: string) => void;
}

export interface DownlinkContext {
  report(e: BlynkError): void;
  log: Logger;
  requests: Requests;
  ota: OtaUpdater | undefined;
  emitPing(): void;
  reboot(): void;
  timers: Timers;
  /** How long an asynchronous onOta may take to decide. */
  otaDecisionMs: number;
}

interface WriteHandler {
  name: string;
  fn: (value: string, name: string) => void;
}

/** Does `topic` start with `prefix`? Compared by char code: startsWith allocates on XS. */
function hasPrefix(topic: string, prefix: string): boolean {
  const n = prefix.length;
  if (topic.length <= n) return false;
  for (let i = 0; i < n; i++) if (topic.charCodeAt(i) !== prefix.charCodeAt(i)) return false;
  return true;
}

export class Downlinks {
  // Hot fields first (XS walks an object's properties). Keyed by the whole topic, holding the
  // name too: no slicing per message.
  private readonly writes = new Map<string, WriteHandler>();
  private readonly requests: Requests;
  private readonly ctx: DownlinkContext;
  private readonly handlers: DownlinkHandlers = {};
  /** An offer waiting for an asynchronous onOta. */
  private deciding = false;

  constructor(ctx: DownlinkContext) {
    this.requests = ctx.requests;
    this.ctx = ctx;
  }

  onWrite(name: string, fn: (value: string, name: string) => void): void {
    this.writes.set(DS + name, { name, fn });
  }

  offWrite(name: string): void {
    this.writes.delete(DS + name);
  }

  set<K extends keyof DownlinkHandlers>(kind: K, fn: DownlinkHandlers[K]): void {
    this.handlers[kind] = fn;
  }

  /**
   * The payload is `bytes[start, end)`. A write to a datastream with its own handler allocates
   * nothing here but its value string. This function holds no closures on purpose: XS makes the
   * environment for captured variables on every call, whichever branch runs.
   */
  dispatch(topic: string, bytes: Uint8Array, start: number, end: number): void {
    const own = this.writes.get(topic);
    if (own === undefined) {
      this.dispatchOther(topic, bytes, start, end);
      return;
    }
    const value = utf8Decode(bytes, start, end);
    let r: unknown;
    try {
      r = own.fn(value, own.name);
    } catch (e) {
      this.failed(topic, e);
    }
    if (r !== undefined && (typeof r === 'object' || typeof r === 'function')) this.watch(r, topic); // an async handler
    if (this.requests.waiting) this.requests.offer(topic, value);
  }

  /** An async handler's promise: its rejection is reported too. Kept out of dispatch(): a closure there would be an allocation per message on XS. */
  private watch(r: unknown, topic: string): void {
    settle(r, (e) => this.failed(topic, e));
  }

  private dispatchOther(topic: string, bytes: Uint8Array, start: number, end: number): void {
    const h = this.handlers;
    const waiting = this.requests.waiting;
    if (hasPrefix(topic, DS)) {
      if (!h.anyWrite && !waiting) return;
      const value = utf8Decode(bytes, start, end);
      if (h.anyWrite) this.call(topic, () => h.anyWrite!(topic.slice(DS.length), value));
      if (waiting) this.requests.offer(topic, value);
      return;
    }
    const text = utf8Decode(bytes, start, end);
    if (waiting) this.requests.offer(topic, text);
    switch (topic) {
      case 'downlink/ping':
        this.ctx.emitPing(); // the PUBACK went out already (C-SESSION-4)
        return;
      case 'downlink/reboot':
        if (h.reboot) this.call(topic, h.reboot);
        else this.ctx.reboot();
        return;
      case 'downlink/reconfigure':
        if (h.reconfigure) this.call(topic, h.reconfigure);
        else this.ctx.log.warn('the cloud asked to reconfigure (re-provision) this device; no handler is set');
        return;
      case 'downlink/diag':
        if (h.diag) this.call(topic, () => h.diag!(text));
        else this.ctx.log.info(`server says: ${text}`);
        return;
      case 'downlink/ota/json':
        this.otaOffer(text);
        return;
      case 'downlink/utc/all/json': {
        const t = parseTime(text);
        if (t instanceof BlynkError) this.ctx.report(t);
        else if (h.time) this.call(topic, () => h.time!(t));
        return;
      }
      case 'downlink/loc/all': {
        const l = parseLocation(text);
        if (l instanceof BlynkError) this.ctx.report(l);
        else if (h.location) this.call(topic, () => h.location!(l));
        return;
      }
      default:
        if (hasPrefix(topic, META)) {
          if (h.meta) this.call(topic, () => h.meta!(topic.slice(META.length), text));
        } else if (h.other) {
          this.call(topic, () => h.other!(topic, text));
        } else {
          this.ctx.log.debug(`no handler for ${topic}`);
        }
    }
  }

  private otaOffer(text: string): void {
    const ota = this.ctx.ota;
    const offer = parseOffer(text);
    if (offer instanceof BlynkError) {
      this.ctx.report(offer);
      return;
    }
    if (!ota) {
      this.ctx.log.info('a firmware update was offered; OTA is turned off');
      return;
    }
    if (ota.isCurrent(offer)) {
      this.ctx.log.info(`firmware ${offer.ver} offered, which is what runs: nothing to do`);
      return;
    }
    if (this.deciding || ota.busy) {
      this.ctx.report(err(ErrorCode.OTA_BUSY, 'an update is already being decided or running'));
      return;
    }
    const fn = this.handlers.ota;
    const control = ota.control; // start()/stop() while onOta decides: the connection is the application's
    if (!fn) return this.otaDecided(offer, true, control);
    let threw = false;
    const answer = callSafely(
      () => fn(offer),
      (e) => {
        threw = true;
        this.failed('downlink/ota/json', e);
      },
    );
    if (threw) return;
    if (!isThenable(answer)) return this.otaDecided(offer, answer, control);
    // Asynchronous: wait for the answer, at most otaDecisionMs; one offer at a time meanwhile.
    this.deciding = true;
    let done = false;
    const finish = (v: unknown) => {
      if (done) return;
      done = true;
      this.deciding = false;
      this.ctx.timers.clear(timer);
      this.otaDecided(offer, v, control);
    };
    const timer = this.ctx.timers.set(() => {
      if (done) return;
      done = true;
      this.deciding = false;
      this.ctx.report(err(ErrorCode.OTA_REJECTED, `onOta did not answer within ${this.ctx.otaDecisionMs} ms; the update is declined`));
    }, this.ctx.otaDecisionMs);
    answer.then(finish, () => finish(false)); // a rejection was reported by callSafely; it declines
  }

  private otaDecided(offer: OtaOffer, answer: unknown, control: number): void {
    if (answer === false) {
      this.ctx.log.info('firmware update declined by the application');
      return;
    }
    if (answer !== true && answer !== undefined) {
      this.ctx.report(err(ErrorCode.OTA_REJECTED, `onOta must answer true or false (or a promise of one), not ${typeof answer}; the update is declined`));
      return;
    }
    const e = this.ctx.ota!.start(offer, control);
    if (e) this.ctx.report(e);
  }

  /** Run application code; a throw or a rejection is reported. */
  private call(topic: string, fn: () => unknown): void {
    callSafely(fn, (e) => this.failed(topic, e));
  }

  private failed(topic: string, e: unknown): void {
    this.ctx.report(err(ErrorCode.HANDLER_FAILED, `the handler for ${topic} failed: ${describeError(e)}`));
  }
}
