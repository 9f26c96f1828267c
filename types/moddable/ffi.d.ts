// Restart on ESP32: the SDK's way (examples/io/listener/httpserverota) is an FFI binding declared
// in the app manifest, ESP32 only (the simulator has no esp_restart):
//   "platforms": { "esp32": { "ffi": { "functions": { "esp_restart": { "arguments": [], "returns": "void" } } } } }
// then `new FFI().esp_restart()`. (The io "system" module's System.restart() needs the whole
// ECMA-419 io manifest, and on the simulator it never returns.)
declare module 'mc/ffi' {
  const FFI: {
    new (): {
      /** Present only when the manifest declares it under ffi.functions. */
      esp_restart(): void;
    };
  };
  export default FFI;
}
