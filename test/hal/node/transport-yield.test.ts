// The Node TCP transport under a flood: after 64 KB read in a row it lets the event loop go round
// before reading on, so the device's own timers (a write every 10 ms) are not held back by the
// up to 32 chunks Node would otherwise read per turn. Checked by order, not by time: something
// scheduled during the first chunk runs before much more of the flood has been delivered.
// (Left out: wss/ws, whose reading the ws package does.)
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import { createNodeHal } from '../../../hal/node';

it('lets an immediate scheduled during the first chunk run before more than 128 KB of a flood arrived', async () => {
  const flood = Buffer.alloc(16 << 20, 0x30);
  const server = net.createServer((socket) => {
    socket.on('error', () => {});
    socket.end(flood);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const hal = createNodeHal({ log: () => {} });
  try {
    let received = 0;
    let seenAtImmediate = -1;
    let closed: () => void = () => {};
    const done = new Promise<void>((r) => (closed = r));
    hal.transport.open(
      { scheme: 'mqtt', host: '127.0.0.1', port: (server.address() as AddressInfo).port, path: '' },
      {
        onOpen: () => {},
        onData: (bytes) => {
          if (received === 0) {
            // Hold the loop a while, so the kernel has much more of the flood ready to read.
            const until = Date.now() + 100;
            while (Date.now() < until);
            setImmediate(() => (seenAtImmediate = received));
          }
          received += bytes.length;
        },
        onDrain: () => {},
        onClose: () => closed(),
      },
    );
    await done;
    expect(received).toBe(flood.length); // nothing lost to the pauses
    expect(seenAtImmediate).toBeGreaterThan(0);
    // 64 KB and at most one more chunk (a read is at most 64 KB); without the pause Node goes on
    // reading whatever the kernel holds (about 200 KB here after the hold).
    expect(seenAtImmediate).toBeLessThanOrEqual(128 * 1024);
  } finally {
    hal.dispose();
    await new Promise<void>((r) => server.close(() => r()));
  }
});
