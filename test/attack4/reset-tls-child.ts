// Run by reset-tls.test.ts in its own process, with the exit guard loaded (a handle Node can no
// longer close ends it with 1 instead of spinning). A TLS server socket is reset through
// resetSocket(), as the hostile cloud and the HAL transport tests do: `ended` after the TLS side
// has begun its shutdown (tls.end()), `fresh` before. Prints what the client saw; then the
// process ends by itself.
import type { AddressInfo } from 'node:net';
import tls from 'node:tls';
import { makeTestPki } from '../../tools/certs';
import { resetSocket } from '../../tools/net/reset';

const mode = process.argv[2];
const pki = await makeTestPki();
const server = tls.createServer({ key: pki.keyPem, cert: pki.certPem }, (t) => {
  server.close();
  t.on('error', () => undefined);
  t.on('close', () => process.stdout.write('server socket closed\n'));
  if (mode === 'ended') t.end();
  resetSocket(t);
});
server.listen(0, '127.0.0.1', () => {
  const c = tls.connect({ port: (server.address() as AddressInfo).port, host: '127.0.0.1', ca: pki.caPem, servername: 'localhost' });
  let saw = 'closed';
  c.on('error', (e: NodeJS.ErrnoException) => (saw = String(e.code)));
  c.on('end', () => c.end());
  c.on('close', () => process.stdout.write(`client ${saw}\n`));
});
