// The SDK's Resource module (modules/files/resource): read-only data built into the app, e.g.
// DER certificates listed under the manifest's "resources" (or "data").
declare module 'Resource' {
  /** A host buffer in flash: usable wherever the SDK takes bytes (SecureSocket certificate). */
  export interface ResourceBuffer {
    readonly byteLength: number;
    slice(begin: number, end?: number): ArrayBuffer;
  }
  const Resource: {
    new (path: string): ResourceBuffer;
    exists(path: string): boolean;
  };
  export default Resource;
}
