// Fakes of the SDK's classic Socket and SecureSocket with the behaviour the HAL relies on:
// all-or-nothing writes that throw when the send buffer is full, reads only inside callback 2,
// close() throwing once the SDK released the socket.
import type { SecureOptions, SocketLike, SocketMessage } from '../../../../hal/moddable/types';

export class FakeSocket implements SocketLike {
  static instances: FakeSocket[] = [];
  static throwOnCreate: string | undefined;

  callback: (message: SocketMessage, value?: number) => void = () => {};
  free = 1024;
  readonly sent: number[] = [];
  writes = 0;
  closed = 0;
  released = false; // the SDK freed it: close() throws
  writeError: string | undefined;
  private available: Uint8Array = new Uint8Array(0);
  private inCallback2 = false;

  constructor(readonly options: { host: string; port: number }) {
    if (FakeSocket.throwOnCreate) throw new Error(FakeSocket.throwOnCreate);
    FakeSocket.instances.push(this);
  }

  static last(): FakeSocket {
    return FakeSocket.instances[FakeSocket.instances.length - 1]!;
  }

  read(): number;
  read(type: typeof ArrayBuffer, count?: number): ArrayBuffer | undefined;
  read(type?: typeof ArrayBuffer, count?: number): number | ArrayBuffer | undefined {
    if (!this.inCallback2) throw new Error('read outside callback 2');
    if (type === undefined) return this.available.length;
    if (this.available.length === 0) return undefined;
    const n = Math.min(count ?? this.available.length, this.available.length);
    const out = this.available.slice(0, n).buffer;
    this.available = this.available.subarray(n);
    return out;
  }

  write(): number;
  write(...data: (ArrayBuffer | ArrayBufferView | string | number)[]): void;
  write(...data: (ArrayBuffer | ArrayBufferView | string | number)[]): number | void {
    if (this.closed || this.released) throw new Error('write on closed socket');
    if (data.length === 0) return this.free;
    if (this.writeError) throw new Error(this.writeError);
    const bytes: number[] = [];
    for (const d of data) {
      if (typeof d === 'number') bytes.push(d & 255);
      else if (typeof d === 'string') bytes.push(...new TextEncoder().encode(d));
      else if (d instanceof ArrayBuffer) bytes.push(...new Uint8Array(d));
      else bytes.push(...new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
    }
    if (bytes.length > this.free) throw new Error("can't write all data");
    this.free -= bytes.length;
    this.sent.push(...bytes);
    this.writes++;
  }

  close(): void {
    if (this.closed || this.released) throw new Error('close on closed socket');
    this.closed++;
  }

  // ---- test drivers (what the SDK would do) ----
  connect(): void {
    this.callback(1);
  }
  receive(bytes: Uint8Array | number[]): void {
    this.available = Uint8Array.from(bytes);
    this.inCallback2 = true;
    try {
      this.callback(2, this.available.length);
    } finally {
      this.inCallback2 = false;
      this.available = new Uint8Array(0); // unread bytes are lost, as on the simulator
    }
  }
  writable(free: number): void {
    this.free = free;
    this.callback(3, free);
  }
  disconnect(): void {
    this.callback(-1);
    this.released = true;
  }
  error(code?: number): void {
    this.callback(-2, code);
    this.released = true;
  }
  takeSent(): Uint8Array {
    const out = Uint8Array.from(this.sent);
    this.sent.length = 0;
    return out;
  }
}

/** A SecureSocket: TCP events arrive on `sock` (which it owns); tests finish the handshake. */
export class FakeSecureSocket extends FakeSocket {
  static secureInstances: FakeSecureSocket[] = [];
  static throwOnSecure: string | undefined;
  readonly sock: FakeSocket;
  readonly secure: SecureOptions | undefined;
  tcpConnected = false;

  constructor(options: { host: string; port?: number; sock?: SocketLike; secure?: SecureOptions }) {
    const sock = (options.sock as FakeSocket | undefined) ?? new FakeSocket({ host: options.host, port: options.port ?? 443 });
    if (FakeSecureSocket.throwOnSecure) {
      sock.close();
      throw new Error(FakeSecureSocket.throwOnSecure);
    }
    super({ host: options.host, port: options.port ?? 443 });
    FakeSocket.instances.pop(); // only the TCP socket counts as a socket
    FakeSecureSocket.secureInstances.push(this);
    this.sock = sock;
    this.secure = options.secure;
    sock.callback = (message) => {
      if (message === 1) this.tcpConnected = true;
      else if (message < 0) {
        this.callback(message);
        this.close();
      }
    };
  }

  static lastSecure(): FakeSecureSocket {
    return FakeSecureSocket.secureInstances[FakeSecureSocket.secureInstances.length - 1]!;
  }

  override close(): void {
    if (this.closed) return; // SecureSocket.close tolerates repeats
    this.closed++;
  }

  /** The handshake finished: SecureSocket reports 1. */
  handshake(): void {
    this.callback(1);
  }
  /** The handshake failed (e.g. certificate not trusted): SecureSocket reports -2 and closes. */
  rejectHandshake(): void {
    this.callback(-2);
    this.close();
  }
}

export function resetSockets(): void {
  FakeSocket.instances = [];
  FakeSocket.throwOnCreate = undefined;
  FakeSecureSocket.secureInstances = [];
  FakeSecureSocket.throwOnSecure = undefined;
}
