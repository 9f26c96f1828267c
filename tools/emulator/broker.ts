// aedes configured as Blynk.Cloud: token auth (CONNACK 4), one connection per token,
// downlink-only subscriptions (SUBACK 0x80 otherwise), the packet size limit, uplink storage
// and replies, and downlinks addressed to one device only.
import { Aedes, type Client, type PublishPacket, type Subscription } from 'aedes';
import type { Duplex } from 'node:stream';
import type { Packet } from 'mqtt-packet';
import { Gate } from './gate';
import { Conn, ConnectionTable } from './connections';
import { DeviceState, applyUplink, type ReplyContext } from './state';
import type { EventHub } from './events';
import type { ListenerInfo, RedirectRule, Scheme } from './types';
import { maskToken } from './format';

/** Marks packets the emulator itself sends; everything else is never forwarded to a device. */
const EMULATOR_ID = '$blynk-emulator';
/** Delivered even without a subscription (reference section 4). */
const EXEMPT = new Set(['downlink/redirect', 'downlink/ota/json', 'downlink/diag']);

export interface BrokerConfig {
  maxPacketSize: number;
  requireSubscription: boolean;
  connectTimeoutMs: number;
  maxClientIdLength: number;
  redirect: readonly RedirectRule[];
  reply: ReplyContext;
  /** Listener URI for a redirect target. */
  listenerUri(region: string, scheme: Scheme, host: string): string | undefined;
}

export interface SendResult {
  /** False when dropped because the device has no matching subscription (QoS 0 only). */
  delivered: boolean;
  /** QoS 1: the packet id aedes used and the time until its PUBACK. */
  messageId?: number;
  rttMs?: number;
}

export interface SendOptions {
  qos?: 0 | 1;
  /** Deliver even without a matching subscription. */
  force?: boolean;
}

/** The MQTT size the limit applies to: variable header + payload of a PUBLISH (C-LIMITS-1). */
export function publishSize(topic: string, qos: number, payloadLength: number): number {
  return 2 + Buffer.byteLength(topic) + (qos > 0 ? 2 : 0) + payloadLength;
}

function validFilter(filter: string): boolean {
  return filter.startsWith('downlink/') && filter.endsWith('/#') && !filter.includes('+');
}

export class CloudBroker {
  readonly table = new ConnectionTable();
  readonly devices = new Map<string, DeviceState>();
  private readonly byClient = new WeakMap<Client, Conn>();
  private aedes?: Aedes;
  private nextConnId = 1;
  /** Connections (any token, CONNECT or not) whose device side is still open. */
  private readonly openSockets = new Set<Conn>();
  /** Highest openSockets.size seen: the strictest overlap figure for a single-device test. */
  maxConcurrentSockets = 0;

  constructor(private readonly cfg: BrokerConfig, private readonly hub: EventHub) {}

  async start(): Promise<void> {
    this.aedes = await Aedes.createBroker({
      connectTimeout: this.cfg.connectTimeoutMs,
      maxClientsIdLength: this.cfg.maxClientIdLength,
      preConnect: (client, packet, cb) => {
        const r = this.byClient.get(client)?.record;
        if (r) Object.assign(r, { clientId: packet.clientId, keepalive: packet.keepalive, clean: packet.clean, protocolVersion: packet.protocolVersion });
        cb(null, true);
      },
      authenticate: (client, username, password, done) => this.authenticate(client, username, password, done),
      authorizeSubscribe: (client, sub, cb) => this.authorizeSubscribe(client, sub, cb),
      authorizePublish: (client, packet, cb) => this.authorizePublish(client, packet, cb),
      authorizeForward: (_client, packet) => ((packet as { clientId?: string }).clientId === EMULATOR_ID ? packet : null),
    });
    this.aedes.on('clientReady', (client) => this.ready(client));
    this.aedes.on('keepaliveTimeout', (client) => this.byClient.get(client)?.setReason('keepalive-timeout'));
    const onError = (client: Client, err: Error) => {
      const c = this.byClient.get(client);
      if (!c) return;
      // An error after the device already went away is just how its close looked.
      if (c.record.endedAt !== undefined) c.setReason('client-closed', err.message);
      else c.setReason('protocol-error', err.message);
    };
    this.aedes.on('clientError', onError);
    this.aedes.on('connectionError', onError);
  }

  device(token: string): DeviceState {
    let st = this.devices.get(token);
    if (!st) {
      st = new DeviceState(token);
      this.devices.set(token, st);
    }
    return st;
  }

  /** A new MQTT byte stream from a listener. */
  handleStream(info: ListenerInfo, stream: Duplex, remotePort: number): void {
    const conn = new Conn({
      id: this.nextConnId++, region: info.region, scheme: info.scheme, remotePort,
      acceptedAt: Date.now(), subscriptions: [], stalled: false,
    });
    this.table.add(conn);
    this.openSockets.add(conn);
    this.maxConcurrentSockets = Math.max(this.maxConcurrentSockets, this.openSockets.size);
    conn.gate = new Gate(stream, {
      inbound: (p) => this.inbound(conn, p),
      outbound: (p) => this.outbound(conn, p),
      ended: () => {
        conn.record.endedAt ??= Date.now();
        this.openSockets.delete(conn);
      },
    });
    stream.on('close', () => this.closed(conn));
    this.hub.post({ type: 'accept', connId: conn.id, region: info.region, scheme: info.scheme, remotePort });
    const client = this.aedes!.handle(conn.gate);
    conn.client = client;
    this.byClient.set(client, conn);
  }

  private closed(conn: Conn): void {
    const r = conn.record;
    if (r.closedAt !== undefined) return;
    r.closedAt = Date.now();
    r.endedAt ??= r.closedAt;
    this.openSockets.delete(conn);
    r.stalled = false;
    conn.setReason('client-closed');
    conn.failAcks('connection closed before PUBACK');
    this.hub.post({ type: 'disconnect', connId: conn.id, ...(r.token !== undefined ? { token: r.token } : {}), reason: r.reason ?? 'client-closed', ...(r.detail ? { detail: r.detail } : {}) });
  }

  private authenticate(client: Client, username: string | undefined, password: Buffer | undefined, done: (err: (Error & { returnCode: number }) | null, ok: boolean | null) => void): void {
    const conn = this.byClient.get(client);
    if (!conn) return done(Object.assign(new Error('unknown connection'), { returnCode: 3 }), null);
    const r = conn.record;
    const token = password ? password.toString('utf8') : '';
    Object.assign(r, { token, username: username ?? '', connectAt: Date.now() });
    const st = this.device(token);
    const open = this.table.counting(token);
    st.maxConcurrent = Math.max(st.maxConcurrent, open.length);
    if (username !== 'device' || !st.known) {
      st.authFailures++;
      st.authFailureTimes.push(Date.now());
      r.returnCode = 4;
      conn.setReason('auth-failed', username !== 'device' ? `username "${username ?? ''}"` : 'unknown token');
      this.hub.post({ type: 'authFailed', token, username: username ?? '', connId: conn.id, region: r.region, scheme: r.scheme, count: st.authFailures });
      return done(Object.assign(new Error('bad user name or password'), { returnCode: 4 }), null);
    }
    // One connection per token (C-CONN-5): the newer one wins, as on the real cloud.
    for (const old of open) if (old !== conn) old.kill('replaced', `by connection #${conn.id}`);
    r.returnCode = 0;
    done(null, true);
  }

  private ready(client: Client): void {
    const conn = this.byClient.get(client);
    if (!conn || conn.token === undefined) return;
    const r = conn.record;
    this.hub.post({ type: 'connect', token: conn.token, connId: conn.id, region: r.region, scheme: r.scheme, clientId: r.clientId ?? '', keepalive: r.keepalive ?? 0, clean: r.clean ?? true });
    const rule = this.cfg.redirect.find((x) => x.from === r.region);
    if (!rule) return;
    const uri = this.cfg.listenerUri(rule.to, r.scheme, rule.host ?? '127.0.0.1');
    if (!uri) {
      this.hub.post({ type: 'warning', message: `redirect ${rule.from} -> ${rule.to}: region "${rule.to}" has no ${r.scheme} listener; not sent` });
      return;
    }
    this.redirect(conn, uri, rule.disconnect ?? false).catch((e: Error) => this.hub.post({ type: 'warning', message: `redirect not sent: ${e.message}` }));
  }

  async redirect(conn: Conn, uri: string, disconnect: boolean): Promise<void> {
    await this.send(conn, 'downlink/redirect', uri);
    this.hub.post({ type: 'redirect', token: conn.token ?? '', connId: conn.id, uri });
    if (disconnect && conn.live) conn.kill('redirect', uri);
  }

  private authorizeSubscribe(client: Client, sub: Subscription, cb: (err: Error | null, sub?: Subscription | null) => void): void {
    const conn = this.byClient.get(client);
    const granted = validFilter(sub.topic);
    const qos = Math.min(sub.qos, 1);
    conn?.record.subscriptions.push({ filter: sub.topic, qos, granted });
    if (conn) this.hub.post({ type: 'subscribe', token: conn.token ?? '', connId: conn.id, filter: sub.topic, qos, granted });
    cb(null, granted ? { ...sub, qos: qos as 0 | 1 } : null);
  }

  private authorizePublish(client: Client | null, packet: PublishPacket, cb: (err?: Error | null) => void): void {
    const conn = client ? this.byClient.get(client) : undefined;
    if (!client || !conn || conn.token === undefined) return cb(null);
    const token = conn.token;
    const payload = Buffer.isBuffer(packet.payload) ? Buffer.from(packet.payload) : Buffer.from(packet.payload ?? '');
    const size = publishSize(packet.topic, packet.qos, payload.length);
    const st = this.device(token);
    if (size > this.cfg.maxPacketSize) {
      const limit = this.cfg.maxPacketSize;
      st.oversize.push({ at: Date.now(), connId: conn.id, topic: packet.topic, size, limit });
      conn.setReason('oversize', `${packet.topic}: ${size} > ${limit} bytes`);
      this.hub.post({ type: 'oversize', token, connId: conn.id, topic: packet.topic, size, limit });
      return cb(new Error(`PUBLISH of ${size} bytes exceeds ${limit}`)); // aedes closes the connection
    }
    const retain = packet.retain;
    packet.retain = false; // never stored: nothing is retained on this cloud
    const will = packet === (client as Client & { will?: unknown }).will;
    const { kind, replies } = applyUplink(st, packet.topic, payload, this.cfg.reply);
    const record = { seq: this.hub.nextSeq(), at: Date.now(), connId: conn.id, topic: packet.topic, payload, qos: packet.qos, retain, kind, will };
    st.uplinks.push(record);
    this.hub.post({ type: 'uplink', token, connId: conn.id, record });
    for (const rep of replies) void this.send(conn, rep.topic, rep.payload).catch(() => undefined);
    cb(null);
  }

  private inbound(conn: Conn, p: Packet): void {
    if (p.cmd === 'disconnect') conn.setReason('client-disconnect');
    if (p.cmd !== 'puback' || p.messageId === undefined) return;
    const ack = conn.inflight.get(p.messageId);
    if (!ack) return;
    conn.inflight.delete(p.messageId);
    clearTimeout(ack.timer);
    const rttMs = Date.now() - ack.sentAt;
    if (ack.topic === 'downlink/ping' && conn.token !== undefined) {
      this.device(conn.token).pingsAcked++;
      this.hub.post({ type: 'pingAck', token: conn.token, connId: conn.id, messageId: p.messageId, rttMs });
    }
    ack.resolve({ messageId: p.messageId, rttMs });
  }

  private outbound(conn: Conn, p: Packet): void {
    if (p.cmd !== 'publish' || conn.token === undefined) return;
    const payload = Buffer.isBuffer(p.payload) ? p.payload : Buffer.from(p.payload);
    const record = { seq: this.hub.nextSeq(), at: Date.now(), connId: conn.id, topic: p.topic, payload, qos: p.qos, ...(p.messageId !== undefined ? { messageId: p.messageId } : {}) };
    if (p.qos > 0 && p.messageId !== undefined) {
      // Our QoS 1 downlinks are written in the order they were asked for: the id is learnt here.
      const i = conn.unsent.findIndex((u) => u.topic === p.topic);
      if (i >= 0) {
        const [u] = conn.unsent.splice(i, 1);
        conn.inflight.set(p.messageId, { ...u!.ack, topic: p.topic, sentAt: Date.now() });
      }
    }
    this.device(conn.token).downlinks.push(record);
    this.hub.post({ type: 'downlink', token: conn.token, connId: conn.id, record });
  }

  /**
   * Publish to one connection. QoS 0 resolves true once written (false if dropped for lack of
   * a subscription); QoS 1 resolves when the PUBACK arrives or rejects after `timeoutMs`.
   */
  send(conn: Conn, topic: string, payload: string | Uint8Array, opts: SendOptions & { timeoutMs?: number } = {}): Promise<SendResult> {
    const qos = opts.qos ?? 0;
    if (!conn.live || !conn.client) return Promise.reject(new Error(`connection #${conn.id} (${maskToken(conn.token)}) is not connected`));
    const exempt = EXEMPT.has(topic) || opts.force === true || !this.cfg.requireSubscription;
    if (!exempt && !conn.isSubscribed(topic)) {
      this.hub.post({ type: 'downlinkDropped', token: conn.token ?? '', connId: conn.id, topic, reason: 'not-subscribed' });
      return qos === 0 ? Promise.resolve({ delivered: false }) : Promise.reject(new Error(`${topic} not sent: ${maskToken(conn.token)} has no subscription matching it`));
    }
    const client = conn.client;
    const packet = { cmd: 'publish' as const, topic, payload: Buffer.from(payload), qos, retain: false, dup: false, clientId: EMULATOR_ID };
    if (qos === 0) return new Promise((resolve) => client.publish(packet, () => resolve({ delivered: true })));
    const ms = opts.timeoutMs ?? 5000;
    return new Promise<SendResult>((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = conn.unsent.findIndex((u) => u.ack === ack);
        if (i >= 0) conn.unsent.splice(i, 1);
        for (const [id, a] of conn.inflight) if (a.timer === timer) conn.inflight.delete(id);
        reject(new Error(`${topic} (QoS 1) to ${maskToken(conn.token)} not acknowledged within ${ms} ms`));
      }, ms);
      const ack = { topic, timer, resolve: (v: { messageId: number; rttMs: number }) => resolve({ delivered: true, ...v }), reject };
      conn.unsent.push({ topic, ack });
      client.publish(packet, () => undefined); // aedes calls this after the write; a callback is mandatory for QoS 1
    });
  }

  /** Before sockets go: every open connection closes for this reason. */
  beginClose(): void {
    for (const c of this.table.all()) {
      if (c.record.closedAt === undefined) c.setReason('emulator-closed');
      c.failAcks('emulator closed');
    }
  }

  close(): Promise<void> {
    this.beginClose();
    return new Promise((resolve) => (this.aedes ? this.aedes.close(() => resolve()) : resolve()));
  }
}
