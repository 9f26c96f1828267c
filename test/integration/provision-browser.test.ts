// C-PROVISION: the config-mode web page filled in and submitted in a real headless browser
// (Debian's chromium, driven by puppeteer-core) against the device's real HTTP server; the
// device then comes online at the emulator. One SKIP line when chromium is not installed.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import puppeteer, { type Browser } from 'puppeteer-core';
import { createNodeHal, type NodeHal } from '../../hal/node';
import { ConfigStore } from '../../src/provision/config-store';
import { Provisioner } from '../../src/provision/provisioner';
import { startEmulator, type Emulator } from '../../tools/emulator';
import { checkForTokens } from '../support/secrets-guard';
import { TOKEN } from '../support/tokens';
import { waitFor } from '../support/wait';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const describeBrowser = existsSync(CHROMIUM)
  ? describe
  : (process.stderr.write(`SKIP config-mode page in a browser: ${CHROMIUM} not installed (apt-get install chromium)\n`), describe.skip);

describeBrowser('the config-mode page in headless chromium', () => {
  let emu: Emulator;
  let browser: Browser;
  let hal: NodeHal;
  let prov: Provisioner;
  let profile: string;

  beforeAll(async () => {
    emu = await startEmulator({ tokens: [TOKEN] });
    profile = mkdtempSync(join(tmpdir(), 'blynk-chromium-'));
    browser = await puppeteer.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`],
    });
  }, 60_000);

  afterAll(async () => {
    prov?.stop();
    hal?.dispose();
    await browser?.close();
    await emu?.close();
    rmSync(profile, { recursive: true, force: true });
  });

  test('board info and the scan shown; a bad host refused on the page; then configured and online', async () => {
    hal = createNodeHal({ wifi: { networks: [{ ssid: 'Home', password: 'secret123', rssi: -50 }, { ssid: 'Upstairs', password: 'other-pass', rssi: -70 }] }, log: (_l, m) => checkForTokens('node HAL log', m) });
    prov = new Provisioner({ hal, templateId: 'TMPLweb', templateName: 'Thermostat', firmware: { version: '3.1.0' }, httpPort: 0, switchDelayMs: 100 });
    prov.start();
    await waitFor(() => (prov.status.httpPort ?? 0) > 0, 'config mode listening');
    const page = await browser.newPage();
    const external: string[] = [];
    page.on('request', (r) => {
      if (!r.url().startsWith(`http://127.0.0.1:${prov.status.httpPort}/`)) external.push(r.url());
    });
    await page.goto(`http://127.0.0.1:${prov.status.httpPort}/`, { waitUntil: 'networkidle0' });
    expect(await page.$eval('#board', (e) => e.textContent)).toContain('Thermostat (Blynk Thermostat-');
    expect(await page.$eval('#board', (e) => e.textContent)).toContain('firmware 3.1.0');
    const options = await page.$$eval('#net option', (os) => os.map((o) => (o as unknown as { value: string }).value));
    expect(options).toEqual(['', 'Home', 'Upstairs']);

    // Pick the network from the list; type the password and the token; a host that is not one.
    await page.select('#net', 'Home');
    expect(await page.$eval('#ssid', (e) => (e as unknown as { value: string }).value)).toBe('Home');
    await page.type('#pass', 'secret123');
    // A token of the wrong shape is stopped by the page itself (Edgent's pattern): nothing is sent.
    const configRequests: string[] = [];
    page.on('request', (r) => {
      if (r.url().includes('/config')) configRequests.push(r.url());
    });
    await page.type('#blynk', 'not-a-token!');
    expect(await page.$eval('#blynk', (e) => (e as unknown as { validity: { patternMismatch: boolean } }).validity.patternMismatch)).toBe(true);
    await page.click('#apply');
    // The page's submit handler (which says "Sending..." at once) did not run, and nothing went out.
    expect(await page.$eval('#result', (e) => e.textContent)).toBe('');
    expect(configRequests).toEqual([]);
    await page.$eval('#blynk', (e) => ((e as unknown as { value: string }).value = ''));
    await page.type('#blynk', TOKEN);
    expect(await page.$eval('#blynk', (e) => (e as unknown as { validity: { valid: boolean } }).validity.valid)).toBe(true);
    await page.$eval('#host', (e) => ((e as unknown as { value: string }).value = ''));
    await page.type('#host', 'not a host!');
    await page.click('#apply');
    await page.waitForFunction(() => /invalid/.test((globalThis as unknown as { document: { getElementById(i: string): { textContent: string } } }).document.getElementById('result').textContent));
    expect(await page.$eval('#result', (e) => [e.textContent, e.className])).toEqual(['Configuration invalid: the host is not a host name or IPv4 address', 'err']);
    expect(prov.state).toBe('configuring');
    expect(new ConfigStore(hal.storage).get()).toBeUndefined();

    // Fixed: the emulator's address. Submitted, the answer shown, the device online.
    await page.$eval('#host', (e) => ((e as unknown as { value: string }).value = ''));
    await page.type('#host', emu.uri('mqtt'));
    await page.click('#apply');
    await page.waitForFunction(() => /connect/.test((globalThis as unknown as { document: { getElementById(i: string): { textContent: string } } }).document.getElementById('result').textContent));
    expect(await page.$eval('#result', (e) => [e.textContent, e.className])).toEqual(['Trying to connect...', 'ok']);
    await waitFor(() => prov.state === 'running', 'the device online');
    await emu.waitUntil(() => emu.device(TOKEN).infoMcu?.json?.tmpl === 'TMPLweb');
    expect(new ConfigStore(hal.storage).get()).toMatchObject({ valid: true, config: { ssid: 'Home', token: TOKEN, host: emu.uri('mqtt') } });
    expect(external).toEqual([]); // no external resources (a favicon request would show here)
  }, 60_000);
});
