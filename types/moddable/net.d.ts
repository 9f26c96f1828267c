// The SDK's net module (modules/network/net): network status.
declare module 'net' {
  const Net: {
    /** "IP": the station's address, empty/undefined while there is none. */
    get(what: 'IP' | 'SSID' | 'MAC'): string | undefined;
  };
  export default Net;
}
