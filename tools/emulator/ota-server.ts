// Blynk.Air stand-in: serves firmware images over HTTP(S) on 127.0.0.1 with the headers the
// real cloud sends (Content-Length, x-md5 hex, x-sha256 base64), plus failure modes for tests.
import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { TestPki } from '../certs';
import { offerFields, scanTags } from '../tag/parse';
import type { OtaDownloadRecord } from './types';

/**
 * wrong-md5 / wrong-sha256 / wrong-digests: the header(s) carry the digest of other bytes.
 * no-digests: neither header (they are optional).
 * truncate: Content-Length announces the full size, the connection closes after `at` bytes (default half).
 * status: an HTTP error status (default 500), no image.
 * stall: headers and `after` bytes (default 0) are sent, then nothing until the client gives up.
 */
export type OtaFailure =
  | { kind: 'wrong-md5' }
  | { kind: 'wrong-sha256' }
  | { kind: 'wrong-digests' }
  | { kind: 'no-digests' }
  | { kind: 'truncate'; at?: number }
  | { kind: 'status'; status?: number }
  | { kind: 'stall'; after?: number };

export interface OtaImageSpec {
  /** The image bytes (a string is UTF-8), or `file` to read them from. */
  data?: Uint8Array | string;
  file?: string;
  /** Serve over HTTPS with the emulator's certificate (default HTTP). */
  https?: boolean;
  failure?: OtaFailure;
  /** Extra response headers, e.g. x-fw-type / x-fw-ver / x-fw-build. */
  headers?: Record<string, string>;
}

export interface HostedImage {
  id: number;
  url: string;
  https: boolean;
  size: number;
  data: Buffer;
  /** Digests of `data` as the headers carry them when correct. */
  md5Hex: string;
  sha256Base64: string;
  failure?: OtaFailure;
  headers: Record<string, string>;
  downloads: OtaDownloadRecord[];
  /**
   * What the image's Blynk info tag says, as the offer's fields (C-OTA-3); undefined when it has
   * no tag, or one Blynk.Air could not rely on (`tagProblems` says why).
   */
  tag?: { type: string; ver: string; build: string };
  tagProblems: string[];
}

/** The tag's offer fields and problems, read once when the image is hosted. */
function tagOf(data: Buffer): Pick<HostedImage, 'tag' | 'tagProblems'> {
  const fields = offerFields(data);
  const { tags, problems } = scanTags(data);
  const tagProblems = problems.map((p) => p.message);
  if (tags.length === 0 && problems.length === 0) tagProblems.push('no Blynk info tag');
  return fields ? { tag: fields, tagProblems } : { tagProblems };
}

export type OtaEventSink = (kind: 'request' | 'result', image: HostedImage, record: OtaDownloadRecord) => void;

interface Server {
  server: http.Server;
  port: number;
  sockets: Set<net.Socket>;
}

export class OtaServer {
  private readonly images = new Map<string, { image: HostedImage; key: string }>();
  private readonly servers = new Map<'http' | 'https', Promise<Server>>();
  private nextId = 1;

  constructor(private readonly pki: TestPki, private readonly sink: OtaEventSink) {}

  async host(spec: OtaImageSpec): Promise<HostedImage> {
    const data = spec.file !== undefined ? await readFile(spec.file) : Buffer.from(spec.data ?? '');
    const proto = spec.https ? 'https' : 'http';
    const srv = await this.server(proto);
    const id = this.nextId++;
    const key = randomBytes(8).toString('hex');
    const path = `/static/fw-${id}.bin`;
    const image: HostedImage = {
      id,
      url: `${proto}://127.0.0.1:${srv.port}${path}?token=${key}`,
      https: proto === 'https',
      size: data.length,
      data,
      md5Hex: createHash('md5').update(data).digest('hex'),
      sha256Base64: createHash('sha256').update(data).digest('base64'),
      ...(spec.failure ? { failure: spec.failure } : {}),
      headers: spec.headers ?? {},
      downloads: [],
      ...tagOf(data),
    };
    // Blynk's firmware server sends the tag's values as headers too (given headers win).
    if (image.tag) image.headers = { 'x-fw-type': image.tag.type, 'x-fw-ver': image.tag.ver, 'x-fw-build': image.tag.build, ...image.headers };
    this.images.set(path, { image, key });
    return image;
  }

  list(): HostedImage[] {
    return [...this.images.values()].map((x) => x.image);
  }

  /** Change (or clear) the failure mode of a hosted image. */
  setFailure(id: number, failure: OtaFailure | undefined): void {
    const entry = [...this.images.values()].find((x) => x.image.id === id);
    if (!entry) throw new Error(`no OTA image #${id}`);
    if (failure) entry.image.failure = failure;
    else delete entry.image.failure;
  }

  private server(proto: 'http' | 'https'): Promise<Server> {
    let p = this.servers.get(proto);
    if (!p) {
      p = this.start(proto);
      this.servers.set(proto, p);
    }
    return p;
  }

  private start(proto: 'http' | 'https'): Promise<Server> {
    const handler = (req: http.IncomingMessage, res: http.ServerResponse) => this.handle(proto === 'https', req, res);
    const server = proto === 'https'
      ? https.createServer({ cert: this.pki.certPem, key: this.pki.keyPem }, handler)
      : http.createServer(handler);
    const sockets = new Set<net.Socket>();
    server.on('connection', (s: net.Socket) => {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
    });
    server.on('tlsClientError', () => undefined);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve({ server, sockets, port: (server.address() as net.AddressInfo).port }));
    });
  }

  private handle(isHttps: boolean, req: http.IncomingMessage, res: http.ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const entry = this.images.get(url.pathname);
    if (!entry) return void res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found\n');
    if (url.searchParams.get('token') !== entry.key) return void res.writeHead(403, { 'Content-Type': 'text/plain' }).end('bad token\n');
    const { image } = entry;
    const record: OtaDownloadRecord = { imageId: image.id, at: Date.now(), method: req.method ?? 'GET', https: isHttps, status: 200, bytesSent: 0, outcome: 'pending' };
    image.downloads.push(record);
    this.sink('request', image, record);
    const finish = (outcome: OtaDownloadRecord['outcome']) => {
      if (record.outcome !== 'pending') return;
      record.outcome = outcome;
      this.sink('result', image, record);
    };
    const f = image.failure;
    if (f?.kind === 'status') {
      record.status = f.status ?? 500;
      res.writeHead(record.status, { 'Content-Type': 'text/plain' }).end(`error ${record.status}\n`);
      return finish('status');
    }
    const other = (algo: string, enc: 'hex' | 'base64') => createHash(algo).update(image.data).update('x').digest(enc);
    const headers: Record<string, string | number> = {
      'Content-Type': 'application/octet-stream',
      'Content-Length': image.size,
      ...image.headers,
    };
    if (f?.kind !== 'no-digests') {
      headers['x-md5'] = f?.kind === 'wrong-md5' || f?.kind === 'wrong-digests' ? other('md5', 'hex') : image.md5Hex;
      headers['x-sha256'] = f?.kind === 'wrong-sha256' || f?.kind === 'wrong-digests' ? other('sha256', 'base64') : image.sha256Base64;
    }
    res.writeHead(200, headers);
    if (req.method === 'HEAD') {
      res.end();
      return finish('complete');
    }
    res.on('close', () => finish(res.writableFinished ? 'complete' : 'aborted'));
    if (f?.kind === 'truncate') {
      const part = image.data.subarray(0, Math.min(f.at ?? Math.floor(image.size / 2), image.size));
      record.bytesSent = part.length;
      finish('truncated');
      // Declared full length, then close early: the client sees a short body.
      res.write(part, () => res.destroy());
      return;
    }
    if (f?.kind === 'stall') {
      const part = image.data.subarray(0, Math.min(f.after ?? 0, image.size));
      record.bytesSent = part.length;
      if (part.length > 0) res.write(part);
      else res.flushHeaders();
      finish('stalled');
      return; // held open until the client leaves or the emulator closes
    }
    record.bytesSent = image.size;
    res.end(image.data);
  }

  async close(): Promise<void> {
    const servers = await Promise.all(this.servers.values());
    this.servers.clear();
    await Promise.all(servers.map(({ server, sockets }) => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.close(() => resolve());
    })));
  }
}
