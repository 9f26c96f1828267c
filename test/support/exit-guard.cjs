// Loaded by the summary reporter, so in Jest's own process (where the tests run in band on a
// 2-core machine). When the event loop has run dry, a socket still registered with Node is one
// no test closed; one that Node can no longer close makes the process spin for ever at exit,
// after every test passed (a CI run timed out that way). Name it and end the run failed instead.
// An idle socket left open is only named: Node closes that one itself.
// The other way to hang after the last test: something a test left running (a server, a child
// process, a timer) keeps the loop alive. armAfterRun() (the reporter calls it when the run is
// complete) gives the process a minute to end; then it names what is still there and exits 1.
const net = require('node:net');

const AFTER_RUN_MS = Number(process.env.EXIT_GUARD_AFTER_RUN_MS || 60000);

function armAfterRun() {
  const t = setTimeout(() => {
    const names = process.getActiveResourcesInfo();
    process.stderr.write(`\nexit guard: the run ended ${AFTER_RUN_MS} ms ago but the process is still alive, kept by: ${names.join(', ')}\n`);
    process.exit(1);
  }, AFTER_RUN_MS);
  t.unref(); // never what keeps the process alive
}

function describeSocket(s) {
  const where = s.remotePort !== undefined ? ` ${s.localAddress}:${s.localPort} -> ${s.remoteAddress}:${s.remotePort}` : '';
  const handle = s._handle ? ` over ${s._handle.constructor.name}${s._handle.fd >= 0 ? ` fd ${s._handle.fd}` : ''}` : '';
  return `${s.constructor.name}${where}${handle} (destroyed ${s.destroyed}, ${s.server ? 'accepted by a server' : 'opened by a client'})`;
}

// _getActiveHandles() lists only ref'd handles, yet Node waits at exit for every handle to close:
// remember the sockets unref()'d (by a test, or by http's agent for an idle keep-alive socket)
// until they close, so that one Node cannot close is found too.
const unrefd = new Set();
const unref = net.Socket.prototype.unref;
net.Socket.prototype.unref = function (...args) {
  if (!unrefd.has(this)) {
    unrefd.add(this);
    this.once('close', () => unrefd.delete(this));
  }
  return unref.apply(this, args);
};

process.once('beforeExit', () => {
  const stdio = new Set([process.stdin, process.stdout, process.stderr]);
  const left = process._getActiveHandles().filter((h) => h instanceof net.Socket && !stdio.has(h));
  // Destroyed yet still registered: Node lost track of closing it, and would wait for ever.
  const stuck = [...new Set([...left, ...unrefd])].filter((s) => s.destroyed && !stdio.has(s));
  // Open but idle (nothing keeps the loop alive): a leak, which Node still closes at exit.
  for (const s of left) if (!s.destroyed) process.stderr.write(`exit guard: note: a socket was left open (Node closes it now): ${describeSocket(s)}\n`);
  if (stuck.length === 0) return;
  process.stderr.write(`\nexit guard: the run left ${stuck.length} socket(s) that Node cannot close, which would keep this process from ending:\n`);
  for (const s of stuck) process.stderr.write(`  ${describeSocket(s)}\n`);
  process.exit(1);
});

module.exports = { armAfterRun };
