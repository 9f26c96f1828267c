// Run by exit-guard-unref.test.ts with the exit guard loaded: a server socket that was unref()'d
// (as an idle keep-alive socket of http's agent is) is ended, then reset at once (the EINVAL trap
// of tools/net/reset.ts). Node lists only ref'd handles in process._getActiveHandles(), yet it
// waits at exit for every handle, ref'd or not, to close.
const net = require('node:net');

const server = net.createServer((mine) => {
  server.close();
  mine.on('error', (e) => process.stdout.write(`error ${e.code}\n`));
  mine.unref();
  mine.end();
  mine.resetAndDestroy();
});
server.listen(0, '127.0.0.1', () => {
  const peer = net.connect(server.address().port, '127.0.0.1');
  peer.on('error', () => undefined);
  peer.on('end', () => peer.end());
});
