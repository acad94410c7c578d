// The seed's second client (shared/seed/node-net-module.txt), line for line; the port is argv[2] instead
// of 8080. The host is left out, as in the seed, so it is 'localhost'.
var net = require('net');
var client = net.connect({port: Number(process.argv[2])}, function() {
  console.log('Connected to the server!');
});
client.on('data', function(data) {
  console.log(data.toString());
  client.end();
});
client.on('end', function() {
  console.log('Disconnected from the server');
});
