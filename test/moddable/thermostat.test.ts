// The example app's pure parts (examples/thermostat/thermostat.js and settings.js) run as they are
// under Node: the room model and its hysteresis, and reading mcconfig's settings. The wiring to
// the device (main.js) runs in the simulator test.
import { maskToken } from '../../src/util/secrets';
import { Thermostat, SETPOINT_MAX, SETPOINT_MIN } from '../../examples/thermostat/thermostat.js';
import { CONFIG_KEYS, ROOT_CAS, readSettings, summary } from '../../examples/thermostat/settings.js';
import { TOKEN } from '../support/tokens';

describe('Thermostat', () => {
  test('off: never heats, the room drifts to the outside temperature', () => {
    const t = new Thermostat({ temperature: 20, ambient: 10 });
    for (let i = 0; i < 1000; i++) expect(t.step(5)).toBe(false);
    expect(t.heating).toBe(false);
    expect(t.reading).toBe(10);
  });

  test('on: heats up to the setpoint and then holds it within the hysteresis', () => {
    const t = new Thermostat({ temperature: 18, setpoint: 21, ambient: 16, hysteresis: 0.5 });
    expect(t.setPower(true)).toBe(true);
    expect(t.heating).toBe(true); // switched on at once: 18 is below 21 - 0.5
    expect(t.setPower(true)).toBe(false);
    let switches = 0;
    for (let i = 0; i < 2000; i++) if (t.step(1)) switches++;
    expect(switches).toBeGreaterThan(2);
    // After settling, the room stays in the band (one step of overshoot at most).
    for (let i = 0; i < 500; i++) {
      t.step(1);
      expect(t.temperature).toBeGreaterThan(21 - 0.5 - 0.1);
      expect(t.temperature).toBeLessThan(21 + 0.5 + 0.1);
    }
  });

  test('turning the power off stops the heater at once', () => {
    const t = new Thermostat({ temperature: 15 });
    t.setPower(true);
    expect(t.heating).toBe(true);
    t.setPower(false);
    expect(t.heating).toBe(false);
  });

  test('setpoint: clamped to the accepted range; anything not a number is refused', () => {
    const t = new Thermostat();
    expect(t.setSetpoint(23.5)).toBe(23.5);
    expect(t.setSetpoint(80)).toBe(SETPOINT_MAX);
    expect(t.setSetpoint(-4)).toBe(SETPOINT_MIN);
    expect(t.setSetpoint(Number.NaN)).toBeUndefined();
    expect(t.setpoint).toBe(SETPOINT_MIN);
  });

  test('a higher setpoint while on starts heating without waiting for the next step', () => {
    const t = new Thermostat({ temperature: 21, setpoint: 21 });
    t.setPower(true);
    expect(t.heating).toBe(false);
    t.setSetpoint(25);
    expect(t.heating).toBe(true);
  });
});

describe('settings from mcconfig', () => {
  const base = { token: TOKEN, template: 'TMPL1234abcd' };

  test('defaults: public root CAs, default server, version 1.0.0, every 5 s', () => {
    const s = readSettings(base);
    expect(s).toEqual({
      token: TOKEN, template: 'TMPL1234abcd', server: undefined, version: '1.0.0',
      certificates: ROOT_CAS, period: 5, ssid: undefined, password: undefined,
    });
    expect(ROOT_CAS).toEqual(['isrg-root-x1.der', 'amazon-root-ca-1.der', 'digicert-global-root-g2.der']);
  });

  test('everything set (mcconfig passes strings)', () => {
    const s = readSettings({ ...base, server: 'mqtt://127.0.0.1:1883', version: '2.1.0', ca: 'local.der', period: '1', ssid: 'home', password: 'pw' });
    expect(s.server).toBe('mqtt://127.0.0.1:1883');
    expect(s.version).toBe('2.1.0');
    expect(s.certificates).toEqual(['local.der']); // a private CA replaces the public roots
    expect(s.period).toBe(1);
    expect([s.ssid, s.password]).toEqual(['home', 'pw']);
  });

  test('missing token or template: one message naming the mcconfig arguments', () => {
    expect(() => readSettings({})).toThrow('missing settings: add token=<device auth token> template=<template id, e.g. TMPL1234abcd> to the mcconfig command');
    expect(() => readSettings({ token: TOKEN, template: '' })).toThrow(/template=/);
    expect(() => readSettings({ ...base, period: '0.5' })).toThrow(/period/);
  });

  test('errors and the summary line never show the token (only its last 4 characters)', () => {
    let message = '';
    try {
      readSettings({ token: TOKEN, template: 'TMPL1', period: 'x' });
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).not.toBe('');
    expect(message).not.toContain(TOKEN);
    const line = summary(readSettings(base), maskToken);
    expect(line).not.toContain(TOKEN);
    expect(line).toContain(`token ****${TOKEN.slice(-4)}`);
  });

  test('CONFIG_KEYS lists what readSettings reads', () => {
    const read: string[] = [];
    const spy = new Proxy({ ...base, period: '5' }, { get: (o, k: string) => (read.push(k), (o as Record<string, unknown>)[k]) });
    readSettings(spy);
    expect([...new Set(read)].sort()).toEqual([...CONFIG_KEYS].sort());
  });
});
