// Types of settings.js, for the Node tests (test/moddable/thermostat.test.ts).
export declare const ROOT_CAS: readonly string[];
export declare const CONFIG_KEYS: readonly string[];

export interface Settings {
  token: string;
  template: string;
  server: string | undefined;
  version: string;
  certificates: readonly string[];
  period: number;
  ssid: string | undefined;
  password: string | undefined;
}

export declare function readSettings(config: Readonly<Record<string, unknown>>): Settings;
export declare function summary(settings: Settings, mask: (token: string) => string): string;
