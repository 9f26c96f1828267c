// An app for the bridge tests: a BlynkDevice inside XS on the bridged HAL. It reports what
// happens with hal.post, answers status requests, echoes writes to 'Power' back as 'PowerEcho',
// and stops on the host's request. Parameters come from runBridged({ params }).
import { BlynkDevice, createBridgeHal } from '../../../build/entries/xs-bridge';

const hal = createBridgeHal();
const p = hal.params as { token: string; server: string; keepalive?: number };
const device = new BlynkDevice({
  hal,
  token: p.token,
  templateId: 'TMPL0001',
  server: p.server,
  keepalive: p.keepalive,
  firmware: { version: '1.0.0', build: 'Nov 26 2026 10:00:00' },
});
device.on('online', (ep) => hal.post({ type: 'online', endpoint: `${ep.scheme}://${ep.host}:${ep.port}${ep.path}` }));
device.on('redirect', (r) => hal.post({ type: 'redirect', to: r.to, persisted: r.persisted }));
device.on('error', (e) => hal.post({ type: 'error', code: e.code, message: e.message }));
device.on('state', (s) => hal.post({ type: 'state', to: s.to }));
device.onWrite('Power', (value) => {
  hal.post({ type: 'write', name: 'Power', value });
  device.write('PowerEcho', value);
});
hal.onStop(() => device.stop());
hal.onRequest(() => ({
  state: device.state,
  online: device.online,
  endpoint: device.endpoint,
  stored: device.storedEndpoint,
  engine: typeof (globalThis as Record<string, unknown>).process === 'undefined' ? 'xs' : 'node',
}));
device.start();
