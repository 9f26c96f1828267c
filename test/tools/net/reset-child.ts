// Run by reset.test.ts in its own process (a handle Node never closes would hang that process,
// not the suite): a server socket is ended, then reset at once; prints what happened, then
// lets the process end by itself.
import net from 'node:net';
import { resetSocket } from '../../../tools/net/reset';

const server = net.createServer((mine) => {
  mine.on('error', (e: NodeJS.ErrnoException) => process.stdout.write(`error ${e.code}\n`));
  mine.on('close', () => process.stdout.write('closed\n'));
  server.close(); // no new connections; the process may end once both sockets are gone
  mine.end();
  process.stdout.write(`shutdown pending ${mine.writableEnded && !mine.writableFinished}\n`);
  if (process.argv[2] === 'raw') mine.resetAndDestroy();
  else resetSocket(mine);
});
server.listen(0, '127.0.0.1', () => {
  const peer = net.connect((server.address() as net.AddressInfo).port, '127.0.0.1');
  peer.on('error', () => undefined);
  peer.on('end', () => peer.end());
});
