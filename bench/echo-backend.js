#!/usr/bin/env node
// Echo server used as the benchmark's backend: every byte received is written back.
// Usage: node bench/echo-backend.js [PORT=0] [HOST=127.0.0.1]   (prints "echo listening on HOST:PORT")
import net from 'node:net';

const port = Number(process.argv[2] ?? 0);
const host = process.argv[3] ?? '127.0.0.1';

const server = net.createServer({ allowHalfOpen: true }, (socket) => {
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  // pipe() ends our side after the peer's FIN, so half-closing clients still get every byte back.
  socket.pipe(socket);
});
server.on('error', (error) => {
  process.stderr.write(`echo-backend: ${error.message}\n`);
  process.exit(1);
});
server.listen(port, host, () => {
  const address = server.address();
  process.stdout.write(`echo listening on ${host}:${typeof address === 'object' && address ? address.port : port}\n`);
});
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(0));
