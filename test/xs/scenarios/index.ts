// The scenarios, by name: one jest test each (test/xs/scenarios.test.ts), run inside XS.
import { apiDownlinks, apiOta, apiRequests, apiUplinks } from './api';
import { environment } from './environment';
import { bootUsesStoredEndpoint, redirectStoredFirst, redirectTornWrite } from './redirect';
import { malformedCloses, oversizeIn, oversizeOut } from './limits';
import { happyPath, keepalive, reconnectBackoff } from './session';
import { utf8Uplink } from './utf8';
import { utf8Downlink } from './utf8-downlink';
import { fail } from './assert';
import { tokenLeaks } from './device';
import { provisionCycle } from './provision';
import { policyCases } from './policies';
import { hostileCases, XS_HOSTILE_CASES } from './hostile';

/** Every scenario also fails if the token showed up unmasked in a log line or an error (C-SECRETS). */
function noLeaks(scenario: () => void | Promise<void>): () => Promise<void> {
  return async () => {
    tokenLeaks.length = 0;
    await scenario();
    if (tokenLeaks.length > 0) fail(`the auth token leaked: ${tokenLeaks[0]}`);
  };
}

const LIST: Record<string, () => void | Promise<void>> = {
  'environment: no Node or browser globals': environment,
  'happy path: CONNECT fields, SUBSCRIBE + info/mcu pipelined': happyPath,
  'keepalive: pings every 45 s, dead link at 1.5 x': keepalive,
  'reconnect: backoff within its bounds, with jitter': reconnectBackoff,
  'redirect: stored in flash before the new transport opens': redirectStoredFirst,
  'redirect: a torn flash write keeps the old record': redirectTornWrite,
  'redirect: boot uses the stored endpoint': bootUsesStoredEndpoint,
  'limits: oversize uplink refused': oversizeOut,
  'limits: oversize downlink dropped and counted': oversizeIn,
  'limits: malformed packets close the connection': malformedCloses,
  'utf8: non-ASCII datastream names keep their byte lengths': () => utf8Uplink(),
  'utf8: a leading U+FEFF stays in topics and values; malformed values become U+FFFD': utf8Downlink,
  'api: uplinks, exact topics and payloads': apiUplinks,
  'api: downlinks reach their handlers; ping acknowledged': apiDownlinks,
  'api: request/reply promises and a timeout': apiRequests,
  'api: Blynk.Air update, digests checked, reboot': apiOta,
  'provision: config mode, configured, online, reconfigure, wrong token (703)': provisionCycle,
  'policies: reconnect, redirect and OTA, the same cases as jest': policyCases,
  [`hostile: ${XS_HOSTILE_CASES} generated cases against the hostile mock cloud`]: hostileCases,
};

export const SCENARIOS: Record<string, () => Promise<void>> = {};
for (const [name, scenario] of Object.entries(LIST)) SCENARIOS[name] = noLeaks(scenario);
