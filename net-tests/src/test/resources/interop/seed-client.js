// The seed's first client.js (shared/seed/node-net-module.txt), line for line; the port is argv[2]
// instead of 8080.
var net = require('net');
var client = new net.Socket();
client.connect(Number(process.argv[2]), '127.0.0.1', function() {
  console.log('Connected');
  client.write('Hello from client');
});
client.on('data', function(data) {
  console.log('Received: ' + data);
  client.destroy(); // kill client after server's response
});
client.on('close', function() {
  console.log('Connection closed');
});
