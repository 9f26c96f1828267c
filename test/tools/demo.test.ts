// `npm start` is the README's main command: it must keep working. Runs the demo end to end
// (both engines) and checks the story it tells.
import { spawnSync } from 'node:child_process';
import { checkForTokens } from '../support/secrets-guard';

function runDemo(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'tools/demo/main.ts', ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, NO_COLOR: '1' },
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

describe.each([['node', ['--node']], ['xs', []]] as const)('npm start (%s engine)', (engine, args) => {
  test('tells the whole session and ends by itself', () => {
    const { status, out } = runDemo([...args]);
    // By default the device really runs on the XS engine (the line comes from inside it).
    if (engine === 'xs') expect(out).toContain('running inside XS (no Node globals here: process undefined, Buffer undefined)');
    else expect(out).not.toContain('running inside XS');
    checkForTokens('demo output', out);
    expect(out).toContain('downlink/redirect →');
    expect(out).toMatch(/redirect to mqtts:\/\/127\.0\.0\.1:\d+ stored in flash/);
    expect(out).toContain('← info/mcu {"tmpl":"TMPLdemo0001","ver":"1.0.0"');
    expect(out).toContain('Power = 1: heater on');
    expect(out).toContain('PUBACK for downlink/ping');
    expect(out).toContain('identical to the shipped image');
    // C-OTA-3: the shipped image carries its info tag; the offer's fields come from it, and the
    // new firmware's info/mcu says the same.
    expect(out).toMatch(/its info tag at byte \d+: mcu "1\.1\.0", fw-type "TMPLdemo0001", build "[A-Z][a-z]{2} [ \d]\d \d{4} \d\d:\d\d:\d\d"/);
    expect(out).toMatch(/→ downlink\/ota\/json \{.*"type":"TMPLdemo0001","ver":"1\.1\.0","build":".+"\} \(type, ver, build read from the tag\)/);
    expect(out).toContain('info/mcu of the new firmware matches its tag (ver, type, build)');
    expect(out).toMatch(/summary +after the update: fra1 — straight to the stored endpoint/);
    expect(out).toMatch(/"ver":"1\.1\.0"/);
    expect(out).toContain('never two connections at once: true');
    expect(out).not.toMatch(/error|failed/i);
    expect(status).toBe(0);
  });
});
