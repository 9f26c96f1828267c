// A WebSocket client codec (RFC 6455) for MQTT over ws/wss: the upgrade handshake with
// subprotocol "mqtt", then masked binary frames out and a streaming frame parser in.
//
// Why not the SDK's `websocket` Client: it expects every frame to be whole within one socket
// read (a frame split across TCP segments, or over wss any frame above ~1 KB since SecureSocket
// hands out at most 1024 bytes per callback, corrupts the stream), it writes each frame with one
// all-or-nothing socket write (a frame larger than the free send buffer, 1024 bytes on the
// simulator, can never be sent) and it does not pass on "writable" events (no back-pressure).
// MQTT is a byte stream, so payload bytes are passed on as they arrive, whatever the framing.

import { encodeText } from '../text';

export interface WsSink {
  /** The upgrade succeeded. */
  open(): void;
  /** Payload bytes of data frames; valid during the call. */
  data(view: Uint8Array): void;
  /** Bytes to send (a pong). */
  send(bytes: Uint8Array): void;
  /** The server sent a close frame (`code` when it gave one). */
  closed(code: number | undefined): void;
  /** The handshake was refused or a frame was invalid. */
  fail(detail: string): void;
}

export interface WsDeps {
  /** [0, 1) for the key and the masks. */
  random(): number;
  /** SHA-1, to check Sec-WebSocket-Accept; without it the check is skipped. */
  sha1?: (bytes: Uint8Array) => Uint8Array;
}

const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
const MAX_RESPONSE_HEAD = 8192;
const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

export function base64(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out += B64[(n >> 18) & 63]! + B64[(n >> 12) & 63]!;
    out += i + 1 < bytes.length ? B64[(n >> 6) & 63]! : '=';
    out += i + 2 < bytes.length ? B64[n & 63]! : '=';
  }
  return out;
}

function latin1(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

export class WsCodec {
  private readonly key: string;
  private state: 'handshake' | 'frames' | 'failed' = 'handshake';
  private head: Uint8Array = new Uint8Array(0); // response head collected so far
  // frame parser
  private readonly fh = new Uint8Array(14);
  private fhLength = 0;
  private remaining = 0; // payload bytes left in the current frame
  private opcode = 0;
  private mask: Uint8Array | undefined;
  private maskIndex = 0;
  private control: number[] | undefined;

  constructor(
    private readonly host: string,
    private readonly port: number,
    private readonly path: string,
    private readonly secure: boolean,
    private readonly deps: WsDeps,
  ) {
    const nonce = new Uint8Array(16);
    for (let i = 0; i < 16; i++) nonce[i] = Math.floor(deps.random() * 256) & 255;
    this.key = base64(nonce);
  }

  /** The HTTP upgrade request. */
  request(): Uint8Array {
    const host = this.host.includes(':') ? `[${this.host}]` : this.host;
    const defaultPort = this.secure ? 443 : 80;
    const lines = [
      `GET ${this.path || '/'} HTTP/1.1`,
      `Host: ${this.port === defaultPort ? host : `${host}:${this.port}`}`,
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${this.key}`,
      'Sec-WebSocket-Version: 13',
      'Sec-WebSocket-Protocol: mqtt',
      '',
      '',
    ];
    return encodeText(lines.join('\r\n'));
  }

  /** One masked binary frame carrying `payload` (copied: masking needs a copy anyway). */
  frame(payload: Uint8Array, opcode = 2): Uint8Array {
    const n = payload.byteLength;
    const headLength = n < 126 ? 2 : n < 65536 ? 4 : 10;
    const out = new Uint8Array(headLength + 4 + n);
    out[0] = 0x80 | opcode;
    if (n < 126) out[1] = 0x80 | n;
    else if (n < 65536) {
      out[1] = 0x80 | 126;
      out[2] = n >> 8;
      out[3] = n & 255;
    } else {
      out[1] = 0x80 | 127;
      const high = Math.floor(n / 0x100000000);
      for (let i = 0; i < 4; i++) out[2 + i] = (high >>> (24 - 8 * i)) & 255;
      for (let i = 0; i < 4; i++) out[6 + i] = (n >>> (24 - 8 * i)) & 255;
    }
    const m = headLength;
    for (let i = 0; i < 4; i++) out[m + i] = Math.floor(this.deps.random() * 256) & 255;
    for (let i = 0; i < n; i++) out[m + 4 + i] = payload[i]! ^ out[m + (i & 3)]!;
    return out;
  }

  /** A close frame (1000: normal closure). */
  closeFrame(code = 1000): Uint8Array {
    return this.frame(Uint8Array.of(code >> 8, code & 255), 8);
  }

  /** Feed bytes from the stream. */
  receive(bytes: Uint8Array, sink: WsSink): void {
    if (this.state === 'failed') return;
    let offset = 0;
    if (this.state === 'handshake') {
      offset = this.handshake(bytes, sink);
      if (offset < 0) return;
    }
    this.frames(bytes, offset, sink);
  }

  /** Returns where frames start in `bytes`, or -1 (need more, or failed). */
  private handshake(bytes: Uint8Array, sink: WsSink): number {
    const before = this.head.length;
    const joined = new Uint8Array(before + bytes.length);
    joined.set(this.head);
    joined.set(bytes, before);
    let end = -1;
    for (let i = Math.max(0, before - 3); i + 3 < joined.length; i++) {
      if (joined[i] === 13 && joined[i + 1] === 10 && joined[i + 2] === 13 && joined[i + 3] === 10) {
        end = i;
        break;
      }
    }
    if (end < 0) {
      if (joined.length > MAX_RESPONSE_HEAD) this.failWith(sink, 'WebSocket upgrade response too long');
      else this.head = joined;
      return -1;
    }
    this.head = new Uint8Array(0);
    const problem = this.checkResponse(latin1(joined.subarray(0, end)));
    if (problem) {
      this.failWith(sink, problem);
      return -1;
    }
    this.state = 'frames';
    sink.open();
    return end + 4 - before;
  }

  private checkResponse(head: string): string | undefined {
    const lines = head.split('\r\n');
    const status = lines[0] ?? '';
    const code = /^HTTP\/1\.[01] (\d{3})/.exec(status)?.[1];
    if (code !== '101') return `WebSocket upgrade refused: ${status.slice(0, 80)}`;
    const headers = new Map<string, string>();
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
    }
    if ((headers.get('upgrade') ?? '').toLowerCase() !== 'websocket') return 'WebSocket upgrade: no "Upgrade: websocket"';
    if (!(headers.get('connection') ?? '').toLowerCase().includes('upgrade')) return 'WebSocket upgrade: no "Connection: Upgrade"';
    const protocol = headers.get('sec-websocket-protocol');
    if (protocol !== undefined && protocol.toLowerCase() !== 'mqtt') return `WebSocket upgrade: server chose subprotocol "${protocol}"`;
    if (this.deps.sha1) {
      const expected = base64(this.deps.sha1(encodeText(this.key + GUID)));
      if (headers.get('sec-websocket-accept') !== expected) return 'WebSocket upgrade: wrong Sec-WebSocket-Accept';
    }
    return undefined;
  }

  private frames(bytes: Uint8Array, offset: number, sink: WsSink): void {
    while (offset < bytes.length && this.state === 'frames') {
      if (this.remaining === 0 && this.control === undefined) {
        offset = this.header(bytes, offset, sink);
        continue;
      }
      const n = Math.min(this.remaining, bytes.length - offset);
      const chunk = bytes.subarray(offset, offset + n);
      offset += n;
      this.remaining -= n;
      if (this.mask) for (let i = 0; i < n; i++) chunk[i] = chunk[i]! ^ this.mask[this.maskIndex++ & 3]!;
      if (this.control) {
        for (let i = 0; i < n; i++) this.control.push(chunk[i]!);
        if (this.remaining === 0) this.controlDone(sink);
      } else if (n > 0) sink.data(chunk);
    }
  }

  /** Consumes frame-header bytes; starts the payload when the header is complete. */
  private header(bytes: Uint8Array, offset: number, sink: WsSink): number {
    const fh = this.fh;
    while (offset < bytes.length) {
      fh[this.fhLength++] = bytes[offset++]!;
      if (this.fhLength < 2) continue;
      const len7 = fh[1]! & 0x7f;
      const need = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0) + (fh[1]! & 0x80 ? 4 : 0);
      if (this.fhLength < need) continue;
      this.fhLength = 0;
      const fin = (fh[0]! & 0x80) !== 0;
      this.opcode = fh[0]! & 0x0f;
      let length = len7;
      let p = 2;
      if (len7 === 126) {
        length = (fh[2]! << 8) | fh[3]!;
        p = 4;
      } else if (len7 === 127) {
        const high = ((fh[2]! << 24) >>> 0) + (fh[3]! << 16) + (fh[4]! << 8) + fh[5]!;
        if (high >= 0x200000) return this.failAt(sink, 'WebSocket frame too long', bytes.length);
        length = high * 0x100000000 + ((fh[6]! << 24) >>> 0) + (fh[7]! << 16) + (fh[8]! << 8) + fh[9]!;
        p = 10;
      }
      this.mask = fh[1]! & 0x80 ? fh.slice(p, p + 4) : undefined;
      this.maskIndex = 0;
      if (fh[0]! & 0x70) return this.failAt(sink, 'WebSocket frame with reserved bits set', bytes.length);
      if (this.opcode >= 8) {
        if (this.opcode > 10 || !fin || length > 125) return this.failAt(sink, `invalid WebSocket control frame (opcode ${this.opcode})`, bytes.length);
        this.control = [];
        this.remaining = length;
        if (length === 0) this.controlDone(sink);
      } else if (this.opcode > 2) {
        return this.failAt(sink, `unknown WebSocket opcode ${this.opcode}`, bytes.length);
      } else this.remaining = length;
      return offset;
    }
    return offset;
  }

  private controlDone(sink: WsSink): void {
    const payload = Uint8Array.from(this.control!);
    this.control = undefined;
    if (this.opcode === 9) sink.send(this.frame(payload, 10));
    else if (this.opcode === 8) {
      this.state = 'failed'; // nothing more is read after a close frame
      sink.closed(payload.length >= 2 ? (payload[0]! << 8) | payload[1]! : undefined);
    }
    // 10 (pong): nothing to do
  }

  private failAt(sink: WsSink, detail: string, end: number): number {
    this.failWith(sink, detail);
    return end;
  }

  private failWith(sink: WsSink, detail: string): void {
    this.state = 'failed';
    sink.fail(detail);
  }
}
