// The SDK's classic TCP socket (modules/network/socket), only the parts the HAL uses.
declare module 'socket' {
  /** Callback messages: 1 connected, 2 bytes readable (value = count), 3 writable (value = free
   *  bytes), -1 disconnected by the peer, -2 error. */
  export type SocketMessage = 1 | 2 | 3 | -1 | -2;

  export interface SocketOptions {
    /** A host name or an IP literal; the socket resolves it itself. */
    host?: string;
    /** An IP address (lwIP only: the Linux simulator's socket accepts `host` only). */
    address?: string;
    port: number;
    noDelay?: boolean;
    keepalive?: { idle: number; interval: number; count: number };
  }

  /** What `write` accepts: bytes (a view or ArrayBuffer), a string (its UTF-8 bytes) or one byte. */
  export type SocketWriteData = ArrayBuffer | ArrayBufferView | string | number;

  export class Socket {
    constructor(options: SocketOptions);
    /** Set by the owner; called with `this` = the socket. */
    callback: (message: SocketMessage, value?: number) => void;
    /** Bytes available now (only valid inside callback message 2). */
    read(): number;
    /** All available bytes, or at most `count`; undefined when none are left. */
    read(type: typeof ArrayBuffer, count?: number): ArrayBuffer | undefined;
    read(type: typeof String, until?: number | string): string | undefined;
    /** One byte. */
    read(type: typeof Number): number | undefined;
    /** Skips bytes; returns how many. */
    read(type: null, count?: number): number;
    /** Free space in the send buffer. */
    write(): number;
    /** All-or-nothing: throws ("can't write all data") when the data does not fit the free space. */
    write(...data: SocketWriteData[]): void;
    /** Throws when the socket is already closed (e.g. after the peer disconnected). */
    close(): void;
  }
}
