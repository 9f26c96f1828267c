// The SDK's preference module (modules/files/preference): ESP32 NVS, a JSON file on the simulator.
declare module 'preference' {
  export type PreferenceValue = boolean | number | string | ArrayBuffer;
  const Preference: {
    /** ESP32: domain and key at most 15 characters, values at most 4000 bytes; commits to flash;
     *  throws ("nvs set fail", "unsupported type") on failure. Values must be an ArrayBuffer, not a view. */
    set(domain: string, key: string, value: PreferenceValue): void;
    get(domain: string, key: string): PreferenceValue | undefined;
    delete(domain: string, key: string): void;
    keys(domain: string): string[];
  };
  export default Preference;
}
