// Shared test helpers: mqtt.js plays the device; waits are bounded, never sleeps.
import { connectAsync, type IClientOptions, type IPublishPacket, type MqttClient } from 'mqtt';
import { makeTestPki, type TestPki } from '../../../tools/certs';
import { startEmulator, type Emulator, type EmulatorOptions } from '../../../tools/emulator';

export const TOKEN = 'emuTestToken_0123456789abcdefWXYZ';
export const TOKEN2 = 'emuTestToken_second_device_0000QRST';

let pki: Promise<TestPki> | undefined;
/** One PKI per test file: RSA key generation is the slow part of startEmulator. */
export function sharedPki(): Promise<TestPki> {
  pki ??= makeTestPki();
  return pki;
}

const emulators: Emulator[] = [];
const clients: MqttClient[] = [];

export async function emulator(options: EmulatorOptions = {}): Promise<Emulator> {
  const emu = await startEmulator({ tokens: [TOKEN, TOKEN2], pki: await sharedPki(), ...options });
  emulators.push(emu);
  return emu;
}

export function deviceOptions(emu: Emulator, token = TOKEN, extra: IClientOptions = {}): IClientOptions {
  return {
    username: 'device',
    password: token,
    clientId: '',
    clean: true,
    protocolVersion: 4,
    keepalive: 45,
    reconnectPeriod: 0, // the tests drive reconnects themselves
    connectTimeout: 5000,
    ca: emu.ca.pem,
    ...extra,
  };
}

/** Connect an mqtt.js "device"; it is ended after the test. */
export async function device(emu: Emulator, url: string, token = TOKEN, extra: IClientOptions = {}): Promise<MqttClient> {
  const c = await connectAsync(url, deviceOptions(emu, token, extra));
  clients.push(c);
  return c;
}

/** The error a refused connect produces (mqtt.js rejects connectAsync with it). */
export async function connectError(emu: Emulator, url: string, token: string, extra: IClientOptions = {}): Promise<Error & { code?: number | string }> {
  try {
    const c = await connectAsync(url, deviceOptions(emu, token, extra));
    clients.push(c);
  } catch (e) {
    return e as Error & { code?: number | string };
  }
  throw new Error('connect unexpectedly succeeded');
}

/** Rejects if `p` has not settled within `ms` (a generous safety net, not a timing assertion). */
export function within<T>(p: Promise<T>, what: string, ms = 8000): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const t = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
  });
  return Promise.race([p, t]).finally(() => clearTimeout(timer));
}

export interface Msg {
  topic: string;
  payload: Buffer;
  packet: IPublishPacket;
}

/** Next message on `topic` (exact) or any topic when omitted. */
export function nextMessage(c: MqttClient, topic?: string): Promise<Msg> {
  return within(new Promise<Msg>((resolve) => {
    const on = (t: string, payload: Buffer, packet: IPublishPacket) => {
      if (topic !== undefined && t !== topic) return;
      c.off('message', on);
      resolve({ topic: t, payload, packet });
    };
    c.on('message', on);
  }), `message on ${topic ?? 'any topic'}`);
}

/** Collect `n` messages whose topic starts with `prefix`. */
export function messages(c: MqttClient, prefix: string, n: number): Promise<Msg[]> {
  const got: Msg[] = [];
  return within(new Promise<Msg[]>((resolve) => {
    const on = (t: string, payload: Buffer, packet: IPublishPacket) => {
      if (!t.startsWith(prefix)) return;
      got.push({ topic: t, payload, packet });
      if (got.length === n) {
        c.off('message', on);
        resolve(got);
      }
    };
    c.on('message', on);
  }), `${n} messages under ${prefix}`);
}

/** SUBACK return codes for `filters` (mqtt.js rejects when any is 0x80; the packet is on the error). */
export async function suback(c: MqttClient, filters: string[]): Promise<number[]> {
  try {
    return (await c.subscribeAsync(filters)).map((g) => g.qos);
  } catch (e) {
    const granted = (e as { packet?: { granted?: number[] } }).packet?.granted;
    if (!granted) throw e;
    return granted;
  }
}

/** Resolves when the client's connection has closed. */
export function closed(c: MqttClient): Promise<void> {
  if (!c.connected && c.disconnected) return Promise.resolve();
  return within(new Promise<void>((resolve) => c.once('close', () => resolve())), 'client close');
}

export async function cleanup(): Promise<void> {
  await Promise.all(clients.splice(0).map((c) => c.endAsync(true).catch(() => undefined)));
  await Promise.all(emulators.splice(0).map((e) => e.close()));
}
