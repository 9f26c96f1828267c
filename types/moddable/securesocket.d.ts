// The SDK's classic TLS socket (modules/crypt/securesocket, manifest modules/crypt/tls.json).
declare module 'securesocket' {
  import type { Socket, SocketMessage, SocketOptions, SocketWriteData } from 'socket';


  /** A DER certificate: ArrayBuffer, a view, or a Resource / host buffer. */
  export type DerBuffer = ArrayBuffer | ArrayBufferView | { readonly byteLength: number };

  export interface SecureOptions {
    /** ONE trusted CA in DER. Registered per session; with `verify` its validity dates are
     *  checked against the clock when the socket is made (the constructor throws if invalid). */
    certificate?: DerBuffer;
    /** 0x303 = TLS 1.2 (no TLS 1.3). */
    protocolVersion?: number;
    /** Default true: verify the server chain against `certificate` and the resource CA store,
     *  the validity dates against Date.now(), and the name against `host` (SNI). */
    verify?: boolean;
    trace?: boolean;
    tls_max_fragment_length?: number;
    applicationLayerProtocolNegotiation?: string | string[];
    tls_server_name?: string;
  }

  export interface SecureSocketOptions extends Partial<SocketOptions> {
    /** Also the TLS server name (SNI, certificate name check). */
    host?: string;
    /** Use this (not yet connected) Socket instead of making one from host/port. */
    sock?: object;
    secure?: SecureOptions;
  }

  export default class SecureSocket {
    constructor(options: SecureSocketOptions);
    /** The TCP socket underneath (its callback belongs to the SecureSocket). */
    sock?: Socket;
    /** 1 after the TLS handshake, 2 plaintext readable, 3 writable (free minus TLS overhead),
     *  -1 / -2 gone (the SecureSocket closes itself right after). */
    callback: (message: SocketMessage, value?: number) => void;
    read(): number;
    read(type: typeof ArrayBuffer, count?: number): ArrayBuffer | undefined;
    read(type: null, count?: number): number;
    write(): number;
    write(...data: SocketWriteData[]): void;
    close(): void;
  }
}
