// The SDK's crypt module (modules/crypt/digest), only Digest.
declare module 'crypt' {
  export class Digest {
    /** Throws "crypt: unsupported digest" for unknown names. */
    constructor(type: 'MD5' | 'SHA1' | 'SHA256' | 'SHA384' | 'SHA512');
    write(data: ArrayBuffer | ArrayBufferView | string): void;
    /** The digest; the object cannot be written afterwards. */
    close(): ArrayBuffer;
    reset(): void;
  }
}
