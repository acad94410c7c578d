// The seed's server.js (shared/seed/node-net-module.txt), line for line on stdout. Test changes, none of
// which prints on stdout:
// - the port is argv[2] (0 for an ephemeral port) instead of 8080, and "port N" goes to stderr once
//   listening, so that the clients know where to connect;
// - it listens on 127.0.0.1, not on every interface, so that the test stays on loopback. The second
//   client connects to 'localhost', as in the seed: 127.0.0.1 on the test machines (where localhost is
//   ::1 first, Node's and loomnet's autoSelectFamily both go on to 127.0.0.1);
// - "error CODE" and "close HADERROR" of each connection go to stderr, so that the test can tell a
//   conversation that ended with the client's FIN from one that ended with a reset, and wait for one
//   conversation to end before starting the next. The error listener is also what loomnet's SeedServer
//   adds: the first client destroys its socket with the echo possibly unread, the kernel then resets the
//   connection, and without a listener Node would exit on that 'error' (read ECONNRESET).
var net = require('net');
var server = net.createServer(function(connection) {
  console.log('client connected');
  connection.on('end', function() {
    console.log('client closed the connection');
  });
  connection.write('Hello World!\r\n');
  connection.pipe(connection);
  connection.on('error', function(e) { console.error('error ' + e.code); });
  connection.on('close', function(hadError) { console.error('close ' + hadError); });
});
server.listen(Number(process.argv[2]), '127.0.0.1', function() {
  console.log('server is listening');
  console.error('port ' + server.address().port);
});
