// The sending side of `npm run bench:node`, in its own process (forked by node.ts, so it does
// not share the receiver's CPU time or heap): a minimal MQTT server on 127.0.0.1 that accepts
// one client at a time (CONNACK 0, SUBACK, PINGRESP), counts the client's PUBLISHes, and on
// the parent's "go" pushes `count` downlink/ds/... PUBLISHes as fast as the socket takes them
// (write until the socket says it is full, then wait for 'drain'). The stream is one block of
// whole packets, built once and written again and again, so sending costs almost nothing.
//
// IPC: parent -> { op: 'go', count } | { op: 'quit' }; child -> { op: 'listening', port }
// | { op: 'connected' } | { op: 'sent', count, ms } | { op: 'uplinks', count }.
import * as net from 'node:net';
import { connack, decodeClientPacket, pingresp, publish, suback } from '../broker/server-codec';
import { NAMES, valueOf } from './node-stream';

const BLOCK_TARGET = 64 * 1024;

/** A block of whole PUBLISH packets, about 64 KB, and how many it holds. */
function block(): { bytes: Buffer; messages: number } {
  const parts: Uint8Array[] = [];
  let n = 0;
  let i = 0;
  while (n < BLOCK_TARGET) {
    const p = publish(`downlink/ds/${NAMES[i % NAMES.length]!}`, valueOf(i));
    parts.push(p);
    n += p.length;
    i++;
  }
  // A multiple of NAMES.length, so every block starts with the same datastream.
  while (i % NAMES.length !== 0) {
    parts.push(publish(`downlink/ds/${NAMES[i % NAMES.length]!}`, valueOf(i)));
    i++;
  }
  return { bytes: Buffer.concat(parts), messages: i };
}

const send = (m: unknown): void => {
  process.send?.(m);
};

function serve(): void {
  const { bytes, messages } = block();
  let client: net.Socket | undefined;
  let uplinks = 0;
  // A deep send buffer, so the pump writes many blocks per turn instead of one per 'drain'.
  const server = net.createServer({ highWaterMark: 1 << 20 }, (socket) => {
    client?.destroy();
    client = socket;
    uplinks = 0;
    socket.setNoDelay(true);
    socket.on('error', () => {});
    let pending: Buffer = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      pending = pending.length === 0 ? chunk : Buffer.concat([pending, chunk]);
      for (;;) {
        const r = decodeClientPacket(pending);
        if (!r) break;
        const [p, used] = r;
        pending = pending.subarray(used);
        if (p.type === 'connect') {
          socket.write(connack(0));
          send({ op: 'connected' });
        } else if (p.type === 'subscribe') socket.write(suback(p.id, p.subs.map((s) => Math.min(s.qos, 1))));
        else if (p.type === 'pingreq') socket.write(pingresp());
        else if (p.type === 'publish') uplinks++;
      }
    });
  });
  server.listen(0, '127.0.0.1', () => send({ op: 'listening', port: (server.address() as net.AddressInfo).port, block_messages: messages, block_bytes: bytes.length }));

  process.on('message', (m: { op: string; count?: number }) => {
    if (m.op === 'quit') {
      client?.destroy();
      server.close();
      process.exit(0);
    }
    if (m.op === 'uplinks') send({ op: 'uplinks', count: uplinks });
    if (m.op !== 'go' || !client) return;
    const socket = client;
    const blocks = Math.ceil((m.count ?? 0) / messages);
    let left = blocks;
    const t0 = performance.now();
    const pump = (): void => {
      while (left > 0) {
        left--;
        if (!socket.write(bytes)) {
          socket.once('drain', pump);
          return;
        }
      }
      send({ op: 'sent', count: blocks * messages, ms: performance.now() - t0 });
    };
    pump();
  });
}

serve();
