// HAL options for the Linux simulator (examples/thermostat/manifest.json maps "thermostat/platform" here on lin).
// The simulator's Wi-Fi is the SDK's simulated classic "wifi" module; it has no OTA partition and
// no restart, so the HAL gets neither (a reboot request is logged and ignored). Preference keeps
// its values in config.file.root + "modpreferences.json" (/tmp/ by default).
import WiFi from 'wifi';

export function platformOptions(settings) {
  return {
    wifi: { classic: WiFi, ...(settings.ssid ? { ssid: settings.ssid, password: settings.password } : {}) },
  };
}
