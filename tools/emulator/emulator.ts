// The emulator's public face: start/close, listener URIs, state getters and commands.
// Everything here is thin over CloudBroker (MQTT), Listeners (network) and OtaServer (HTTP).
import { makeTestPki, type TestPki } from '../certs';
import { CloudBroker, type SendOptions, type SendResult } from './broker';
import type { Conn } from './connections';
import { EventHub } from './events';
import { maskToken } from './format';
import { Listeners } from './listeners';
import { OtaServer, type HostedImage, type OtaFailure, type OtaImageSpec } from './ota-server';
import { dsText, type DeviceState, type ReplyContext } from './state';
import type {
  ConnectionRecord, DeviceSeed, DownlinkRecord, DsValue, EmulatorOptions, ListenerInfo, PauseMode,
  RedirectRule, Scheme, TimezoneSpec, UplinkRecord,
} from './types';

export interface OtaPush {
  /** An image to host now (or one hosted before), or `url` to send as is. */
  image?: OtaImageSpec | HostedImage;
  url?: string;
  /** Defaults to the image's length. */
  size?: number;
  type?: string;
  ver?: string;
  build?: string;
}

export interface PauseOptions {
  scheme?: Scheme;
  mode?: PauseMode;
  /** What happens to connections already open on the paused listeners; default keep. */
  existing?: 'keep' | 'close' | 'stall';
}

const DEFAULT_TZ: TimezoneSpec = { name: 'UTC', rule: 'UTC0', offset: 0, dstOffset: 0 };

function isHosted(x: OtaImageSpec | HostedImage): x is HostedImage {
  return typeof (x as HostedImage).url === 'string' && typeof (x as HostedImage).id === 'number';
}

export class Emulator extends EventHub {
  readonly pki: TestPki;
  readonly maxPacketSize: number;
  private readonly broker: CloudBroker;
  private readonly net: Listeners;
  private readonly ota: OtaServer;
  private readonly reply: ReplyContext;
  private closing?: Promise<void>;
  private readonly redirectRules: readonly RedirectRule[];

  constructor(private readonly opts: EmulatorOptions, pki: TestPki) {
    super(opts.defaultTimeoutMs ?? 10_000);
    this.pki = pki;
    this.maxPacketSize = opts.maxPacketSize ?? 1024;
    const r = opts.redirect;
    this.redirectRules = r === undefined ? [] : Array.isArray(r) ? [...(r as RedirectRule[])] : [r as RedirectRule];
    this.reply = {
      now: opts.clock ?? Date.now,
      timezone: { ...DEFAULT_TZ, ...opts.timezone },
      location: opts.location ?? { lat: 50.45, lon: 30.52 },
    };
    this.broker = new CloudBroker({
      maxPacketSize: this.maxPacketSize,
      requireSubscription: opts.requireSubscription ?? true,
      connectTimeoutMs: opts.connectTimeoutMs ?? 30_000,
      maxClientIdLength: opts.maxClientIdLength ?? 64,
      redirect: this.redirectRules,
      reply: this.reply,
      listenerUri: (region, scheme, host) => {
        const l = this.net.find(region, scheme);
        return l && (host === 'localhost' ? l.localhostUri : l.uri);
      },
    }, this);
    this.net = new Listeners(pki, (info, stream, port) => this.broker.handleStream(info, stream, port), (message) => this.post({ type: 'warning', message }));
    this.ota = new OtaServer(pki, (kind, image, record) => this.post(kind === 'request'
      ? { type: 'otaRequest', imageId: image.id, url: image.url, record }
      : { type: 'otaResult', imageId: image.id, record }));
    for (const t of opts.tokens ?? []) this.addToken(t);
    for (const [t, seed] of Object.entries(opts.devices ?? {})) this.addToken(t, seed);
  }

  /** @internal use startEmulator() */
  async start(): Promise<void> {
    const regions = this.opts.regions ?? { global: {} };
    for (const r of this.redirectRules) {
      if (!(r.from in regions) || !(r.to in regions)) throw new Error(`redirect ${r.from} -> ${r.to}: unknown region`);
    }
    await this.broker.start();
    await this.net.start(regions);
  }

  // ---- listeners and TLS material ----

  /** The CA a device must trust for mqtts/wss/https. */
  get ca(): { pem: string; der: Uint8Array } {
    return { pem: this.pki.caPem, der: this.pki.caDer };
  }

  /** Every listener with its URIs. */
  endpoints(): ListenerInfo[] {
    return this.net.list();
  }

  endpoint(scheme: Scheme = 'mqtt', region = 'global'): ListenerInfo {
    const l = this.net.find(region, scheme);
    if (!l) throw new Error(`no ${scheme} listener in region "${region}"`);
    return l;
  }

  uri(scheme: Scheme = 'mqtt', region = 'global'): string {
    return this.endpoint(scheme, region).uri;
  }

  pauseListener(region: string, o: PauseOptions = {}): Promise<void> {
    const mode = o.mode ?? 'refuse';
    return this.net.pause(region, o.scheme, mode).then((ls) => {
      for (const l of ls) this.post({ type: 'listener', region: l.region, scheme: l.scheme, state: 'paused', mode });
      for (const c of this.broker.table.all()) {
        if (!c.live || c.record.region !== region || (o.scheme && c.record.scheme !== o.scheme)) continue;
        if (o.existing === 'close') c.kill('listener-outage');
        if (o.existing === 'stall') this.stallConn(c, true);
      }
    });
  }

  async resumeListener(region: string, scheme?: Scheme): Promise<void> {
    for (const l of await this.net.resume(region, scheme)) this.post({ type: 'listener', region: l.region, scheme: l.scheme, state: 'resumed' });
  }

  // ---- tokens and state ----

  addToken(token: string, seed?: DeviceSeed): void {
    const st = this.broker.device(token);
    st.known = true;
    if (seed) st.seed(seed);
  }

  /** Refuse future CONNECTs with this token (open connections stay). */
  removeToken(token: string): void {
    this.broker.device(token).known = false;
  }

  /** Tokens accepted at CONNECT. */
  tokens(): string[] {
    return [...this.broker.devices.values()].filter((d) => d.known).map((d) => d.token);
  }

  /** Everything remembered for a token (created empty if never seen). */
  device(token: string): DeviceState {
    return this.broker.device(token);
  }

  connections(token?: string): ConnectionRecord[] {
    return this.broker.table.records(token);
  }

  currentConnection(token: string): ConnectionRecord | undefined {
    return this.broker.table.current(token)?.record;
  }

  isConnected(token: string): boolean {
    return this.broker.table.current(token) !== undefined;
  }

  connectedTokens(): string[] {
    return [...new Set(this.broker.table.all().filter((c) => c.live).map((c) => c.token as string))];
  }

  maxConcurrent(token: string): number {
    return this.device(token).maxConcurrent;
  }

  /** Highest number of device connections open at once, all tokens, counted from socket accept. */
  maxConcurrentSockets(): number {
    return this.broker.maxConcurrentSockets;
  }

  authFailures(token: string): number {
    return this.device(token).authFailures;
  }

  pingsAcked(token: string): number {
    return this.device(token).pingsAcked;
  }

  uplinks(token: string, topic?: string): UplinkRecord[] {
    return this.device(token).uplinks.filter((u) => topic === undefined || u.topic === topic);
  }

  downlinks(token: string, topic?: string): DownlinkRecord[] {
    return this.device(token).downlinks.filter((d) => topic === undefined || d.topic === topic);
  }

  datastream(token: string, name: string): string | undefined {
    return this.device(token).datastreams.get(name);
  }

  setClock(clock: (() => number) | number): void {
    this.reply.now = typeof clock === 'number' ? () => clock : clock;
  }

  setTimezone(tz: Partial<TimezoneSpec>): void {
    this.reply.timezone = { ...this.reply.timezone, ...tz };
  }

  setLocation(lat: number, lon: number): void {
    this.reply.location = { lat, lon };
  }

  // ---- commands to a device (its current connection) ----

  private conn(token: string): Conn {
    const c = this.broker.table.current(token);
    if (!c) throw new Error(`device ${maskToken(token)} is not connected`);
    return c;
  }

  /** Any topic/payload/QoS (no size check: for oversize-downlink tests). QoS 1 resolves on PUBACK. */
  publish(token: string, topic: string, payload: string | Uint8Array, o: SendOptions & { timeoutMs?: number } = {}): Promise<SendResult> {
    return this.broker.send(this.conn(token), topic, payload, { timeoutMs: this.defaultTimeout, ...o });
  }

  private get defaultTimeout(): number {
    return this.opts.defaultTimeoutMs ?? 10_000;
  }

  /** `downlink/ds/<name>` (arrays NUL-joined); the cloud's value changes too. */
  writeDatastream(token: string, name: string, value: DsValue, o: SendOptions = {}): Promise<SendResult> {
    const text = dsText(value);
    this.device(token).datastreams.set(name, text);
    return this.broker.send(this.conn(token), `downlink/ds/${name}`, text, o);
  }

  /** Set a metadata value; with `push`, also send `downlink/meta/<name>`. */
  async setMeta(token: string, name: string, value: string, push = false): Promise<SendResult | undefined> {
    this.device(token).meta.set(name, value);
    return push ? this.broker.send(this.conn(token), `downlink/meta/${name}`, value) : undefined;
  }

  /** `downlink/ping` at QoS 1; resolves on the PUBACK, rejects after `timeoutMs`. */
  async ping(token: string, timeoutMs = this.defaultTimeout): Promise<{ messageId: number; rttMs: number }> {
    const r = await this.broker.send(this.conn(token), 'downlink/ping', '', { qos: 1, timeoutMs });
    return { messageId: r.messageId as number, rttMs: r.rttMs as number };
  }

  diag(token: string, text: string): Promise<SendResult> {
    return this.broker.send(this.conn(token), 'downlink/diag', text);
  }

  reboot(token: string): Promise<SendResult> {
    return this.broker.send(this.conn(token), 'downlink/reboot', '');
  }

  reconfigure(token: string): Promise<SendResult> {
    return this.broker.send(this.conn(token), 'downlink/reconfigure', '');
  }

  /** Send `downlink/redirect` with any URI (valid or not, for tests). */
  redirect(token: string, uri: string, o: { disconnect?: boolean } = {}): Promise<void> {
    return this.broker.redirect(this.conn(token), uri, o.disconnect ?? false);
  }

  /** Serve a firmware image; the URL is what `downlink/ota/json` carries. */
  hostOta(spec: OtaImageSpec): Promise<HostedImage> {
    return this.ota.host(spec);
  }

  otaImages(): HostedImage[] {
    return this.ota.list();
  }

  setOtaFailure(imageId: number, failure: OtaFailure | undefined): void {
    this.ota.setFailure(imageId, failure);
  }

  /**
   * `downlink/ota/json` `{url, size, type?, ver?, build?}`, hosting the image first if given. As
   * Blynk.Cloud does, type, ver and build come from the image's info tag (C-OTA-3), and an image
   * without one gets an offer of url and size only (Blynk's docs: those fields are there "only if
   * Blynk.Cloud can extract this information"). `type`/`ver`/`build` given here override the tag
   * (tests of offers the tag cannot produce).
   */
  async pushOta(token: string, p: OtaPush): Promise<{ json: string; image?: HostedImage }> {
    const conn = this.conn(token);
    let image: HostedImage | undefined;
    const given = Object.fromEntries(Object.entries({ type: p.type, ver: p.ver, build: p.build }).filter(([, v]) => v !== undefined)) as { type?: string; ver?: string; build?: string };
    if (p.image) {
      const fw: Record<string, string> = {};
      if (given.type) fw['x-fw-type'] = given.type;
      if (given.ver) fw['x-fw-ver'] = given.ver;
      if (given.build) fw['x-fw-build'] = given.build;
      image = isHosted(p.image) ? p.image : await this.ota.host({ ...p.image, headers: { ...fw, ...p.image.headers } });
    }
    const fields = { ...image?.tag, ...given };
    const url = p.url ?? image?.url;
    if (!url) throw new Error('pushOta needs an image or a url');
    const body: Record<string, unknown> = { url, size: p.size ?? image?.size ?? 0 };
    if (fields.type !== undefined) body.type = fields.type;
    if (fields.ver !== undefined) body.ver = fields.ver;
    if (fields.build !== undefined) body.build = fields.build;
    const json = JSON.stringify(body);
    await this.broker.send(conn, 'downlink/ota/json', json);
    return image ? { json, image } : { json };
  }

  /** Close the device's connection from the server side. False if it was not connected. */
  kick(token: string): boolean {
    const c = this.broker.table.current(token);
    c?.kill('kicked');
    return c !== undefined;
  }

  /** Stop reading from and writing to the device (a network black hole) until unstall(). */
  stall(token: string): void {
    this.stallConn(this.conn(token), true);
  }

  unstall(token: string): void {
    for (const c of this.broker.table.all()) if (c.token === token && c.record.stalled) this.stallConn(c, false);
  }

  private stallConn(c: Conn, on: boolean): void {
    if (on) c.gate.stall();
    else c.gate.release();
    c.record.stalled = on;
    this.post({ type: 'stall', connId: c.id, ...(c.token !== undefined ? { token: c.token } : {}), stalled: on });
  }

  /** Close every listener, socket and server; pending waits and pings reject. Idempotent. */
  override close(): Promise<void> {
    this.closing ??= (async () => {
      super.close();
      this.broker.beginClose();
      await this.net.close();
      await this.broker.close();
      await this.ota.close();
    })();
    return this.closing;
  }
}

export async function startEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const emu = new Emulator(options, options.pki ?? (await makeTestPki()));
  try {
    await emu.start();
  } catch (e) {
    await emu.close();
    throw e;
  }
  return emu;
}
