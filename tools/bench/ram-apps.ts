// The two minimal apps bench:ram compares, written into a temporary directory at run time:
//   runtime  this runtime (the blynk-moddable bundle, preloaded as on the ESP32): connect, one
//            onWrite handler, one value a second
//   sdk      the Moddable SDK's stock MQTT client ($MODDABLE/modules/network/mqtt, as its
//            mqttbasic / mqttsecure examples use it): connect, subscribe downlink/#, one
//            onMessage handler making the value string, one publish a second
// Same fixed heaps (manifest.json's ESP32 sizes, no growth), same emulator, same TLS settings.
// Once online both run the same measuring phase: after 3 s, a forced GC every 50 ms for 4 s,
// so each once-a-second instruments sample is at most 50 ms after a collection.
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export type Scheme = 'mqtt' | 'mqtts';
export type AppKind = 'runtime' | 'sdk' | 'steps';

export const CREATION = { static: 0, chunk: { initial: 65536, incremental: 0 }, heap: { initial: 4096, incremental: 0 }, stack: 768 };

const MEASURE = `
let measuring = false;
function measureLater() {
  if (measuring) return;
  measuring = true;
  Timer.set(() => {
    trace("[ram] measuring\\n");
    const gc = Timer.repeat(() => Debug.gc(), 50);
    Timer.set(() => {
      Timer.clear(gc);
      trace("[ram] done\\n");
    }, 4000);
  }, 3000);
}
`;

function runtimeMain(): string {
  return `import Preference from "preference";
import Timer from "timer";
import Debug from "debug";
import WiFi from "wifi";
import config from "mc/config";
import { BlynkDevice, createModdableHal, moddableModules } from "blynk";
${MEASURE}
const hal = createModdableHal(moddableModules({ Preference }), { wifi: { classic: WiFi }, ...(config.ca ? { tls: { certificates: [config.ca] } } : {}) });
const device = new BlynkDevice({ hal, token: config.token, templateId: "TMPLram00001", server: config.server, firmware: { version: "1.0.0" } });
let n = 0;
device.onWrite("Power", (value) => { n += value === "1" ? 1 : 0; });
device.on("online", () => { trace("[ram] online\\n"); measureLater(); });
device.on("error", (e) => trace(\`[ram] \${e.code}\\n\`));
Timer.repeat(() => { if (device.online) device.write("Temperature", 20 + (n % 10)); }, 1000);
device.start();
`;
}

// The runtime app again, built up in steps 2.5 s apart, each under forced collections, so the
// instruments show what each step keeps: the HAL, the device with its handler, online.
function stepsMain(): string {
  return `import Preference from "preference";
import Timer from "timer";
import Debug from "debug";
import WiFi from "wifi";
import config from "mc/config";
import { BlynkDevice, createModdableHal, moddableModules } from "blynk";

function step(name, next) {
  trace(\`[ram] step \${name}\\n\`);
  const gc = Timer.repeat(() => Debug.gc(), 50);
  Timer.set(() => { Timer.clear(gc); next(); }, 2500);
}
let hal, device, n = 0;
step("start", () => {
  hal = createModdableHal(moddableModules({ Preference }), { wifi: { classic: WiFi }, ...(config.ca ? { tls: { certificates: [config.ca] } } : {}) });
  step("hal", () => {
    device = new BlynkDevice({ hal, token: config.token, templateId: "TMPLram00001", server: config.server, firmware: { version: "1.0.0" } });
    device.onWrite("Power", (value) => { n += value === "1" ? 1 : 0; });
    step("device", () => {
      device.on("online", () => step("online", () => trace("[ram] done\\n")));
      device.start();
    });
  });
});
Timer.repeat(() => { if (device && device.online) device.write("Temperature", 20 + (n % 10)); }, 1000);
`;
}

function sdkMain(scheme: Scheme): string {
  const tls = scheme === 'mqtts';
  return `import Client from "mqtt";
import Timer from "timer";
import Debug from "debug";
import config from "mc/config";
${tls ? 'import SecureSocket from "securesocket";\nimport Resource from "Resource";' : ''}
${MEASURE}
const options = { host: config.host, port: Number(config.port), id: "ram-sdk", user: "device", password: config.token, timeout: 45_000 };
${tls ? 'options.Socket = SecureSocket;\noptions.secure = { protocolVersion: 0x0303, certificate: new Resource(config.ca) };' : ''}
const mqtt = new Client(options);
let ready = false;
let n = 0;
mqtt.onReady = function () {
  ready = true;
  this.subscribe("downlink/#");
  trace("[ram] online\\n");
  measureLater();
};
mqtt.onMessage = function (topic, body) {
  const value = String.fromArrayBuffer(body);
  if (topic === "downlink/ds/Power") n += value === "1" ? 1 : 0;
};
mqtt.onClose = function () { ready = false; trace("[ram] closed\\n"); };
Timer.repeat(() => { if (ready) mqtt.publish("ds/Temperature", String(20 + (n % 10))); }, 1000);
`;
}

/** Write the app's directory (named for it: mcconfig names the app after it); returns it. */
export function writeApp(o: { work: string; kind: AppKind; scheme: Scheme; bundleDir: string; caDer: Uint8Array; prefsDir: string }): string {
  const dir = path.join(o.work, `ram-${o.kind}-${o.scheme}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'emulator-ca.der'), o.caDer);
  writeFileSync(path.join(dir, 'main.js'), o.kind === 'runtime' ? runtimeMain() : o.kind === 'steps' ? stepsMain() : sdkMain(o.scheme));
  const include = ['$(MODDABLE)/examples/manifest_base.json', '$(MODDABLE)/examples/manifest_net.json'];
  const modules: Record<string, unknown> = { '*': ['./main', '$(MODULES)/base/debug/*'] };
  const preload = ['debug'];
  if (o.kind !== 'sdk') {
    // What the repository's manifest.json includes for the runtime bundle.
    include.push('$(MODDABLE)/modules/crypt/tls.json', '$(MODDABLE)/modules/network/http/manifest.json', '$(MODDABLE)/modules/files/preference/manifest.json');
    modules.blynk = path.join(o.bundleDir, 'blynk-moddable');
    preload.push('blynk');
  } else {
    include.push('$(MODDABLE)/modules/network/mqtt/manifest.json');
    if (o.scheme === 'mqtts') include.push('$(MODDABLE)/modules/crypt/tls.json');
  }
  const manifest = {
    include,
    modules,
    preload,
    data: { '*': ['./emulator-ca'] },
    creation: CREATION,
    config: { token: '', server: '', host: '', port: '', ca: '' },
    platforms: { lin: { config: { file: { root: `${o.prefsDir}/` } }, creation: CREATION } },
  };
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return dir;
}
