// The SDK's TLS certificate manager (modules/crypt/ssl/ssl_cert.js, specifier "ssl/cert", part of
// modules/crypt/tls.json). Internal to the SDK but stable; its static register() adds a CA that
// every later TLS session trusts, which is how several CAs can be trusted at once
// (SecureSocket's `certificate` option takes one).
declare module 'ssl/cert' {
  const CertificateManager: {
    /** Trust this DER CA in all later sessions (duplicates are ignored; no date check here).
     *  The CA needs a SubjectKeyIdentifier. */
    register(der: ArrayBuffer | ArrayBufferView | { readonly byteLength: number }): void;
  };
  export default CertificateManager;
}
