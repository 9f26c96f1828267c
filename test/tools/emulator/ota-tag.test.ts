// C-OTA-3: the emulator's firmware server reads the info tag of the image it ships and fills
// type/ver/build in downlink/ota/json (and the x-fw-* headers) as Blynk.Cloud does; an image
// without a tag gets an offer of url and size only. A device whose `firmware` is a firmwareTag()
// object sends in info/mcu exactly what its tag says, so the cloud's check and the device's
// "same version and build" check agree.
import { jest } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encodeFirmwareTag, firmwareTag } from '../../../src/blynk/firmware-tag';
import { runCommand } from '../../../tools/emulator/cli-commands';
import { scanTags } from '../../../tools/tag/parse';
import { cleanupNodeDevices, flashDir, nodeDevice, startOnline } from '../../support/node-device';
import { waitFor } from '../../support/wait';
import { TOKEN, cleanup, device, emulator, nextMessage } from './helpers';

jest.setTimeout(30_000);
afterEach(async () => {
  cleanupNodeDevices();
  await cleanup();
});

const FW = { version: '1.3.0', type: 'TMPL1', build: 'Dec  1 2026 08:05:09' };
const body = (n: number, seed: number): Buffer => Buffer.from(Array.from({ length: n }, (_, i) => ((i * 29 + seed) & 0xff) === 0x62 ? 0x61 : (i * 29 + seed) & 0xff));
const tagged = (fw: typeof FW, n = 4000): Buffer => Buffer.concat([body(n, 1), Buffer.from(encodeFirmwareTag(fw)), body(500, 2)]);

describe('C-OTA-3 offers from the image\'s tag', () => {
  test('a tagged image: type, ver and build from the tag, in the offer and in the x-fw-* headers', async () => {
    const emu = await emulator();
    const c = await device(emu, emu.uri());
    const image = tagged(FW);
    const got = nextMessage(c, 'downlink/ota/json');
    const { json, image: hosted } = await emu.pushOta(TOKEN, { image: { data: image } });
    expect(JSON.parse((await got).payload.toString())).toEqual({ url: hosted!.url, size: image.length, type: 'TMPL1', ver: '1.3.0', build: FW.build });
    expect(JSON.parse(json)).toMatchObject({ type: 'TMPL1' });
    expect(hosted!.tag).toEqual({ type: 'TMPL1', ver: '1.3.0', build: FW.build });
    expect(hosted!.headers).toMatchObject({ 'x-fw-type': 'TMPL1', 'x-fw-ver': '1.3.0', 'x-fw-build': FW.build });
  });

  test('an untagged image: url and size only, as Blynk.Cloud sends when it finds no tag', async () => {
    const emu = await emulator();
    const c = await device(emu, emu.uri());
    const image = body(3000, 3);
    const got = nextMessage(c, 'downlink/ota/json');
    const { image: hosted } = await emu.pushOta(TOKEN, { image: { data: image } });
    expect(JSON.parse((await got).payload.toString())).toEqual({ url: hosted!.url, size: image.length });
    expect(hosted!.tag).toBeUndefined();
    expect(hosted!.tagProblems).toEqual(['no Blynk info tag']);
    expect(Object.keys(hosted!.headers).filter((h) => h.startsWith('x-fw-'))).toEqual([]);
  });

  test('two tags that disagree: treated as untagged, and the reason is kept', async () => {
    const emu = await emulator();
    await device(emu, emu.uri());
    const image = Buffer.concat([tagged(FW), Buffer.from(encodeFirmwareTag({ ...FW, version: '1.4.0' }))]);
    const { json, image: hosted } = await emu.pushOta(TOKEN, { image: { data: image } });
    expect(Object.keys(JSON.parse(json))).toEqual(['url', 'size']);
    expect(hosted!.tagProblems.join()).toMatch(/two tags disagree/);
  });

  test('values given to pushOta override the tag (offers no real package would produce, for tests)', async () => {
    const emu = await emulator();
    await device(emu, emu.uri());
    const { json } = await emu.pushOta(TOKEN, { image: { data: tagged(FW) }, ver: '9.9.9' });
    expect(JSON.parse(json)).toMatchObject({ type: 'TMPL1', ver: '9.9.9', build: FW.build });
  });

  test('the CLI\'s ota command says what the tag holds, or that there is none', async () => {
    const emu = await emulator();
    await device(emu, emu.uri());
    const dir = await mkdtemp(join(tmpdir(), 'blynk-ota-cli-'));
    try {
      await writeFile(join(dir, 'fw.bin'), tagged(FW));
      await writeFile(join(dir, 'raw.bin'), body(100, 4));
      expect(await runCommand(emu, `ota ${join(dir, 'fw.bin')}`)).toMatch(/^sent downlink\/ota\/json \{"url":.*\ntag: mcu 1\.3\.0, fw-type TMPL1, build Dec {2}1 2026 08:05:09$/);
      expect(await runCommand(emu, `ota ${join(dir, 'raw.bin')}`)).toMatch(/^sent downlink\/ota\/json \{"url":"[^"]+","size":100\}\nuntagged \(no Blynk info tag\): the offer has no type, ver or build unless given$/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('C-OTA-3 info/mcu equals the tag', () => {
  test('a device on firmwareTag() values: info/mcu is its tag; its own image is "current", a newer tagged one is downloaded', async () => {
    const emu = await emulator();
    const running = firmwareTag({ version: '1.3.0', type: 'TMPLtagged' });
    const dir = flashDir();
    const d = nodeDevice({ token: TOKEN, templateId: 'TMPLtagged', firmware: running, server: emu.uri() }, { otaPath: join(dir, 'fw.bin') });
    await startOnline(d);
    await emu.waitUntil(() => emu.device(TOKEN).infoMcu !== undefined);
    const info = emu.device(TOKEN).infoMcu!.json!;
    const tag = scanTags(new Uint8Array(running.tag)).tags[0]!.values;
    expect({ ver: info.ver, type: info.type, build: info.build }).toEqual({ ver: tag.mcu, type: tag['fw-type'], build: tag.build });

    // The image it runs, shipped again: the offer (from the tag) is what info/mcu says, so nothing to do.
    const phases: string[] = [];
    d.device.on('ota', (p) => phases.push(p.phase));
    const same = await emu.pushOta(TOKEN, { image: { data: Buffer.concat([body(2000, 5), Buffer.from(running.tag)]) } });
    await waitFor(() => d.logs.some((l) => l.includes('firmware 1.3.0 offered, which is what runs')), 'the device to see it runs that firmware');
    expect(same.image!.downloads).toEqual([]);

    // A newer build of the same version is a different firmware: downloaded and applied.
    const next = firmwareTag({ version: '1.3.0', type: 'TMPLtagged', build: 'Dec 31 2026 23:00:00' });
    const newer = await emu.pushOta(TOKEN, { image: { data: Buffer.concat([body(2000, 6), Buffer.from(next.tag)]) } });
    await waitFor(() => d.reboots === 1, 'the reboot into the newer build');
    expect(phases).toEqual(['downloading', 'verifying', 'done']);
    expect(newer.image!.downloads.length).toBe(1);
  });
});

describe('the console', () => {
  test('help shows how to address a datastream whose name has a space, and that form works', async () => {
    const emu = await emulator();
    const c = await device(emu, emu.uri());
    await c.subscribeAsync('downlink/#');
    const help = await runCommand(emu, 'help');
    const example = /(ds "Set Temperature" 40)/.exec(help)?.[1];
    expect(example).toBe('ds "Set Temperature" 40');
    const got = nextMessage(c, 'downlink/ds/Set Temperature');
    expect(await runCommand(emu, example!)).toBe('sent');
    expect((await got).payload.toString()).toBe('40');
    expect(emu.datastream(TOKEN, 'Set Temperature')).toBe('40');
  });
});
