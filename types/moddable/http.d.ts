// The SDK's classic HTTP client (modules/network/http), only the client parts the HAL uses.
declare module 'http' {
  import type { SecureOptions } from 'securesocket';

  export interface RequestOptions {
    host: string;
    port?: number;
    path?: string;
    method?: string;
    /** Flat list: name, value, name, value... */
    headers?: string[];
    /** A socket class: SecureSocket for https (default: Socket). */
    Socket?: new (...args: never[]) => unknown;
    secure?: SecureOptions;
  }

  /**
   * Callback messages, with `this` = the request:
   *  1 status (value = code), 2 one header (value = lower-case name, etc = value),
   *  3 all headers, 4 a body fragment (value = byte count: read it with `read` inside the call),
   *  5 body complete, -2 error (also when the connection drops before the body is complete).
   */
  export type RequestMessage = -2 | 0 | 1 | 2 | 3 | 4 | 5;

  export class Request {
    constructor(options: RequestOptions);
    /** Assigned by the owner; `message` is a RequestMessage. */
    callback: (message: number, value?: unknown, etc?: unknown) => unknown;
    /** The socket (or SecureSocket) underneath; its callback drives the request. */
    socket?: { callback: (message: number, value?: number) => void };
    read(type: typeof ArrayBuffer, count?: number): ArrayBuffer | undefined;
    read(type: null, count?: number): number | undefined;
    close(): void;
    static readonly status: 1;
    static readonly header: 2;
    static readonly headersComplete: 3;
    static readonly responseFragment: 4;
    static readonly responseComplete: 5;
    static readonly error: -2;
  }
}
