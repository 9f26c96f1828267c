// HAL options for the ESP32 (examples/thermostat/manifest.json maps "thermostat/platform" here on esp32).
// - Wi-Fi: manifest_net's setup/network joins config.ssid with the ECMA-419 Wi-Fi module before
//   main runs; the HAL watches the same module and rejoins after a drop.
// - Blynk.Air: the classic "ota" module writes the next OTA partition; "flash" tells its size.
// - Restart: esp_restart through FFI, declared under platforms.esp32.ffi in examples/thermostat/manifest.json.
import WiFi from 'embedded:network/interface/wifi';
import OTA from 'ota';
import Flash from 'flash';
import FFI from 'mc/ffi';

export function platformOptions(settings) {
  return {
    wifi: { ecma419: WiFi, ...(settings.ssid ? { ssid: settings.ssid, password: settings.password } : {}) },
    ota: { OTA, Flash },
    restart: () => new FFI().esp_restart(),
  };
}
