// Blynk.Air (C-OTA), the driver: `downlink/ota/json` offers an image; ota-policy.ts says
// whether to take it and how long it may take; this streams it over HTTP(S) into the OTA
// partition, verifies the length and the digest headers, then reboots into it. Any failure
// (the deadline and the minimum rate included) aborts the writer, is reported with a typed
// error, and leaves the device on the old firmware and back online, if this updater paused the
// connection and the application has not taken over since. One update at a time.

import { describeError } from '../util/safe';
import type { Digest, Hal, HttpRequest, HttpResponseHead, OtaWriter, TimerHandle } from '../../hal/interfaces';
import { BlynkError, ErrorCode, err } from '../errors';
import { equalBytes, fromBase64, fromHex, toHex } from '../util/encoding';
import { Md5 } from '../util/md5';
import { Sha256 } from '../util/sha256';
import { checkOffer, downloadDeadlineMs, safeUrl, windowMinimum, type OtaOffer, type OtaRules } from './ota-policy';

export type { OtaOffer } from './ota-policy';
export { parseOffer, safeUrl } from './ota-policy';

export type OtaPhase = 'downloading' | 'verifying' | 'done' | 'failed';

export interface OtaProgress {
  phase: OtaPhase;
  offer: OtaOffer;
  received: number;
  error?: BlynkError;
}

export interface OtaOptions extends OtaRules {
  /** Close the MQTT connection during the download to free memory (TLS twice is a lot for an ESP32). Default true. */
  disconnect: boolean;
  /** No data for this long fails the download. Default 30 s. */
  stallTimeoutMs: number;
  /** Wait after the image is complete before rebooting (lets logs and the clean disconnect go out). Default 500 ms. */
  rebootDelayMs: number;
  /** How long an asynchronous onOta may take to answer. Default 30 s. */
  decisionTimeoutMs: number;
}

export interface OtaHost {
  readonly firmware: { version: string; build: string; type: string };
  /** Hosts an image may come from while MQTT runs over TLS (the redirect allow-list). */
  readonly allowHosts: readonly string[];
  /** MQTT runs over TLS. */
  secure(): boolean;
  /** Stop MQTT cleanly (the download needs the memory), and bring it back. */
  pauseConnection(): void;
  resumeConnection(): void;
  progress(p: OtaProgress): void;
  report(e: BlynkError): void;
  info(message: string): void;
}

interface Run {
  offer: OtaOffer;
  request?: HttpRequest;
  writer?: OtaWriter;
  received: number;
  checks: Check[];
  /** This updater paused the connection and still owns that decision. */
  paused: boolean;
  stall?: TimerHandle;
  deadline?: TimerHandle;
  rate?: TimerHandle;
  windowStart: number;
}

interface Check {
  name: 'md5' | 'sha256';
  digest: Digest;
  expected: Uint8Array;
}

export class OtaUpdater {
  private readonly hal: Hal;
  private readonly host: OtaHost;
  private readonly opts: OtaOptions;
  private running: Run | undefined;
  private controls = 0;
  private off: string | undefined;

  constructor(hal: Hal, host: OtaHost, opts: OtaOptions) {
    this.hal = hal;
    this.host = host;
    this.opts = opts;
  }

  get busy(): boolean {
    return this.running !== undefined;
  }

  /** Start an update for `offer`. Returns an error if it cannot even start (and nothing changed). */
  start(offer: OtaOffer, controlAtOffer = this.control): BlynkError | null {
    const fw = this.host.firmware;
    if (this.off) return err(ErrorCode.OTA_REJECTED, `no updates: ${this.off}`);
    if (this.running) return err(ErrorCode.OTA_BUSY, 'an update is already running');
    const http = this.hal.http;
    const writer = this.hal.ota;
    if (!http || !writer) return err(ErrorCode.OTA_UNSUPPORTED, 'this device has no HTTP client or OTA writer');
    let capacity = 0;
    try {
      capacity = writer.capacity();
    } catch {
      capacity = 0;
    }
    const refused = checkOffer(offer, { firmwareType: fw.type, capacity, secure: this.host.secure(), allowHosts: this.host.allowHosts }, this.opts);
    if (refused) return refused;
    const run: Run = { offer, received: 0, checks: [], paused: false, windowStart: 0 };
    this.running = run;
    this.host.info(`OTA: downloading ${offer.ver ?? '?'} (${offer.size} bytes) from ${safeUrl(offer.url)}`);
    // Pause before telling anyone: a listener that calls stop() then owns the connection. If the
    // application called start() or stop() while onOta was deciding, it owns it already.
    if (this.opts.disconnect && controlAtOffer === this.control) {
      run.paused = true;
      this.host.pauseConnection();
    }
    this.host.progress({ phase: 'downloading', offer, received: 0 });
    if (this.running !== run) return null; // a listener disposed the device
    this.armStall();
    const deadline = downloadDeadlineMs(offer.size, this.opts);
    run.deadline = this.hal.timers.set(() => this.fail(err(ErrorCode.OTA_DOWNLOAD, `not done within the ${Math.round(deadline / 1000)} s deadline`)), deadline);
    this.armRate();
    try {
      run.request = http.get(offer.url, {
        onResponse: (head) => this.guard(() => this.response(head)),
        onData: (chunk) => this.guard(() => this.data(chunk)),
        onDone: () => this.guard(() => this.done()),
        onError: (detail) => this.guard(() => this.fail(err(ErrorCode.OTA_DOWNLOAD, `download failed: ${detail}`))),
      });
    } catch (e) {
      this.fail(err(ErrorCode.OTA_DOWNLOAD, `download could not start: ${describeError(e)}`));
    }
    return null;
  }

  /** Counts the application's start() and stop() calls (an offer remembers it while onOta decides). */
  get control(): number {
    return this.controls;
  }

  /** The application called start() or stop(): from now on the connection is its call, not ours. */
  appTookControl(): void {
    this.controls++;
    if (this.running) this.running.paused = false;
  }

  /** For good (the device is disposed): abort a running download without touching the connection, take no more offers. */
  shutdown(why: string): void {
    this.off = why;
    const run = this.running;
    if (!run) return;
    run.paused = false;
    this.fail(err(ErrorCode.OTA_DOWNLOAD, `download aborted: ${why}`));
  }

  /** A same-version offer is a no-op. */
  isCurrent(offer: OtaOffer): boolean {
    const fw = this.host.firmware;
    return offer.ver !== undefined && offer.ver === fw.version && (offer.build === undefined || offer.build === fw.build);
  }

  private guard(fn: () => void): void {
    if (!this.running) return;
    try {
      fn();
    } catch (e) {
      this.fail(err(ErrorCode.OTA_WRITE, `OTA failed: ${describeError(e)}`));
    }
  }

  private armStall(): void {
    const run = this.running;
    if (!run) return;
    this.hal.timers.clear(run.stall);
    run.stall = this.hal.timers.set(() => this.fail(err(ErrorCode.OTA_DOWNLOAD, `no data for ${this.opts.stallTimeoutMs} ms`)), this.opts.stallTimeoutMs);
  }

  // Every window must bring a minimum of bytes (ota-policy.ts): a trickle is cut after one window.
  private armRate(): void {
    const run = this.running;
    if (!run) return;
    run.windowStart = run.received;
    run.rate = this.hal.timers.set(() => {
      if (this.running !== run) return;
      const got = run.received - run.windowStart;
      const min = windowMinimum(this.opts);
      if (got < min) this.fail(err(ErrorCode.OTA_DOWNLOAD, `${got} bytes in ${this.opts.rateWindowMs / 1000} s, under the minimum of ${min}`));
      else this.armRate();
    }, this.opts.rateWindowMs);
  }

  private clearTimers(run: Run): void {
    this.hal.timers.clear(run.stall);
    this.hal.timers.clear(run.deadline);
    this.hal.timers.clear(run.rate);
  }

  private response(head: HttpResponseHead): void {
    const run = this.running!;
    if (head.status !== 200) {
      this.fail(err(ErrorCode.OTA_HTTP, `the server answered ${head.status}`, { status: head.status }));
      return;
    }
    if (head.length !== undefined && head.length !== run.offer.size) {
      this.fail(err(ErrorCode.OTA_DOWNLOAD, `Content-Length ${head.length} is not the offered size ${run.offer.size}`));
      return;
    }
    const md5 = head.header('x-md5');
    const sha = head.header('x-sha256');
    if (md5 !== undefined) {
      const expected = fromHex(md5);
      if (!expected || expected.length !== 16) return this.fail(err(ErrorCode.OTA_DIGEST, 'x-md5 is not a hex MD5'));
      run.checks.push({ name: 'md5', digest: this.digest('md5'), expected });
    }
    if (sha !== undefined) {
      const expected = fromBase64(sha) ?? undefined;
      const hex = expected?.length === 32 ? expected : fromHex(sha);
      if (!hex || hex.length !== 32) return this.fail(err(ErrorCode.OTA_DIGEST, 'x-sha256 is not a Base64 (or hex) SHA-256'));
      run.checks.push({ name: 'sha256', digest: this.digest('sha256'), expected: hex });
    }
    const writer = this.hal.ota!;
    writer.begin(run.offer.size); // throws -> guard -> OTA_WRITE
    run.writer = writer;
    this.armStall();
  }

  private digest(name: 'md5' | 'sha256'): Digest {
    const native = this.hal.digest?.(name);
    return native ?? (name === 'md5' ? new Md5() : new Sha256());
  }

  private data(chunk: Uint8Array): void {
    const run = this.running!;
    if (!run.writer) return this.fail(err(ErrorCode.OTA_DOWNLOAD, 'body before a response'));
    if (run.received + chunk.length > run.offer.size) {
      this.fail(err(ErrorCode.OTA_DOWNLOAD, `more than the offered ${run.offer.size} bytes`));
      return;
    }
    run.writer.write(chunk);
    for (const c of run.checks) c.digest.update(chunk);
    run.received += chunk.length;
    this.armStall();
  }

  private done(): void {
    const run = this.running!;
    if (run.received !== run.offer.size) {
      this.fail(err(ErrorCode.OTA_DOWNLOAD, `download ended after ${run.received} of ${run.offer.size} bytes`, { received: run.received }));
      return;
    }
    this.host.progress({ phase: 'verifying', offer: run.offer, received: run.received });
    for (const c of run.checks) {
      const got = c.digest.finish();
      if (!equalBytes(got, c.expected)) {
        this.fail(err(ErrorCode.OTA_DIGEST, `${c.name} mismatch: got ${toHex(got)}, expected ${toHex(c.expected)}`));
        return;
      }
    }
    run.writer!.complete(); // throws -> guard -> OTA_WRITE
    this.clearTimers(run);
    this.host.info(`OTA: image ${run.offer.ver ?? ''} verified (${run.checks.map((c) => c.name).join(', ') || 'length only'}); rebooting`);
    this.host.progress({ phase: 'done', offer: run.offer, received: run.received });
    this.running = undefined;
    this.hal.timers.set(() => this.hal.device.reboot(), this.opts.rebootDelayMs);
  }

  private fail(e: BlynkError): void {
    const run = this.running;
    if (!run) return;
    this.running = undefined;
    this.clearTimers(run);
    try {
      run.request?.abort();
    } catch {
      // the request is being dropped anyway
    }
    try {
      // Abort even if begin() was never reached: the writer's abort is idempotent, and after a
      // failed begin() there may still be a half-open partition to release.
      (run.writer ?? this.hal.ota)?.abort();
    } catch {
      // abort never throws by contract; a broken one must not stop the recovery
    }
    this.host.report(e);
    this.host.progress({ phase: 'failed', offer: run.offer, received: run.received, error: e });
    if (run.paused) this.host.resumeConnection();
  }
}
