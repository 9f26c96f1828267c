// Prints the demo as it happens: one line per event, who said it, and when.
import type { Emulator } from '../emulator';
import { maskToken } from '../../src/index';

const useColor = process.stdout.isTTY && !process.env.NO_COLOR;
const paint = (code: number, s: string) => (useColor ? `\u001b[${code}m${s}\u001b[0m` : s);
const WHO: Record<string, number> = { cloud: 36, device: 33, demo: 35, summary: 32, xs: 34 };

export class Narrator {
  private readonly t0 = Date.now();

  line(who: string, text: string): void {
    const t = ((Date.now() - this.t0) / 1000).toFixed(2).padStart(6);
    process.stdout.write(`${paint(90, t)}  ${paint(WHO[who] ?? 37, who.padEnd(7))} ${text}\n`);
  }

  /** Narrate what the emulator sees of a device. */
  watch(emu: Emulator): void {
    emu.on('event', (e: { type: string } & Record<string, any>) => {
      switch (e.type) {
        case 'connect':
          this.line('cloud', `CONNECT from ${maskToken(e.token)} on ${e.region} ${e.scheme} (keepalive ${e.keepalive} s, clean session)`);
          break;
        case 'authFailed':
          this.line('cloud', `CONNACK 4: unknown token ${maskToken(e.token)}`);
          break;
        case 'redirect':
          this.line('cloud', `downlink/redirect → ${e.uri}`);
          break;
        case 'uplink': {
          const r = e.record;
          const text = r.payload.toString('utf8').replace(/\u0000/g, '\\0');
          if (r.topic === 'ds/Temperature') break; // the device narrates its own reports
          this.line('cloud', `← ${r.topic}${text ? ` ${text}` : ''}`);
          break;
        }
        case 'downlink': {
          const r = e.record;
          if (r.topic === 'downlink/redirect' || r.topic === 'downlink/ota/json') break;
          this.line('cloud', `→ ${r.topic}${r.payload.length ? ` ${r.payload.toString('utf8')}` : ''}${r.qos ? ` (QoS ${r.qos})` : ''}`);
          break;
        }
        case 'pingAck':
          this.line('cloud', `PUBACK for downlink/ping after ${e.rttMs} ms`);
          break;
        case 'disconnect':
          if (e.token) this.line('cloud', `connection ${e.connId} closed (${e.reason})`);
          break;
        case 'otaResult':
          this.line('cloud', `firmware download ${e.record.outcome} (${e.record.bytesSent} bytes)`);
          break;
      }
    });
  }
}
