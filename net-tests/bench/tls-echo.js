'use strict';
// The TLS benchmark's Node peer: tls.createServer + socket.pipe(socket).
// usage: node tls-echo.js PORT CERT_PEM KEY_PEM
const tls = require('tls');
const fs = require('fs');

const [port, certFile, keyFile] = [parseInt(process.argv[2], 10), process.argv[3], process.argv[4]];
let secure = 0, reused = 0, failed = 0;
const server = tls.createServer({ key: fs.readFileSync(keyFile), cert: fs.readFileSync(certFile) }, (socket) => {
  secure++;
  if (socket.isSessionReused()) reused++;
  socket.setNoDelay(true);
  socket.on('error', () => socket.destroy());
  socket.pipe(socket);
});
server.on('tlsClientError', () => failed++);
server.listen({ port, host: '127.0.0.1', backlog: 4096 }, () => {
  console.log(`READY server=node-tls node=${process.version} port=${port} pid=${process.pid}`);
});
const stop = () => {
  console.log(`STATS secure=${secure} reused=${reused} tls_client_errors=${failed}`);
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
