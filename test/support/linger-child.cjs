// Run by exit-guard.test.ts: the run is "complete" (armAfterRun), but a server a test forgot keeps
// the process alive (`linger`), or nothing does.
const net = require('node:net');
const { armAfterRun } = require('./exit-guard.cjs');

armAfterRun();
if (process.argv[2] === 'linger') net.createServer().listen(0, '127.0.0.1');
