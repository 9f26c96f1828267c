// The app's manifest "config" (frozen; values given on the mcconfig command line are strings).
declare module 'mc/config' {
  const config: {
    readonly ssid?: string;
    readonly password?: string;
    readonly [key: string]: unknown;
  };
  export default config;
}
