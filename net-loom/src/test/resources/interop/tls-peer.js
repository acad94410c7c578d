'use strict';
// The Node side of the TLS interop tests (net-tests, dev.loomnet.loom.TlsNodeInteropTest).
//
//   node tls-peer.js ROLE PORT OPTIONS_JSON
//
// ROLE     server  tls.createServer on 127.0.0.1:PORT (0: ephemeral), serving CONNECTIONS connections (default 1)
//          client  tls.connect to 127.0.0.1:PORT, CONNECTIONS times in a row (the later ones with the first's
//                  session when "resume" is set)
//          starttls-server  net.createServer on 127.0.0.1:PORT; a connection's "STARTTLS\r\n" is answered
//                  "OK\r\n" in plaintext, then new tls.TLSSocket(socket, {isServer: true}); one connection
//          starttls-client  net.connect to 127.0.0.1:PORT, writes "STARTTLS\r\n", and at the answer
//                  tls.connect({socket})
// OPTIONS_JSON  Node's TLS options; "key", "cert", "ca", "crl" and the entries of "contexts" are file names read
//               here. Extra fields: "mode" ("echo": echo every byte, end at 'end'; "send": write SIZE random
//               bytes, end, hash what comes back; "halfopen": at 'end' write "after-end" then
//               end), "size", "connections", "resume", "contexts" ({servername: {key, cert}}, served through
//               SNICallback).
//
// Output lines: "listening PORT"; "secure JSON" (protocol, alpn, servername, authorized, authorizationError,
// reused, peer CN) at secureConnection/secureConnect; "tlsClientError CODE"; "error CODE MESSAGE";
// "end"; "sha SENT_HEX RECEIVED_HEX COUNT" (send mode); "closed".
const tls = require('tls');
const fs = require('fs');
const crypto = require('crypto');

const [role, portText, json] = process.argv.slice(2);
const opts = JSON.parse(json || '{}');
const file = (f) => fs.readFileSync(f);
for (const k of ['key', 'cert', 'ca', 'pfx', 'crl']) {
  if (opts[k]) opts[k] = file(opts[k]);
}
const mode = opts.mode || 'echo';
const size = opts.size || 0;
const connections = opts.connections || 1;
if (opts.contexts) {
  const contexts = {};
  for (const [name, c] of Object.entries(opts.contexts)) {
    contexts[name] = tls.createSecureContext({ key: file(c.key), cert: file(c.cert) });
  }
  opts.SNICallback = (servername, cb) => cb(null, contexts[servername]);
}

function info(s) {
  const peer = s.getPeerCertificate();
  return JSON.stringify({
    protocol: s.getProtocol(), alpn: s.alpnProtocol, servername: s.servername || null,
    authorized: s.authorized, authorizationError: s.authorizationError || null,
    reused: s.isSessionReused(), peerCN: peer && peer.subject ? peer.subject.CN : null,
  });
}

// Random 64 KiB blocks (the SHA-256 of what was sent is kept, so the bytes need not be reproducible).
function* blocks(total) {
  for (let left = total; left > 0;) {
    const block = crypto.randomBytes(Math.min(65536, left));
    left -= block.length;
    yield block;
  }
}

function report(s) {
  s.on('error', (e) => console.log('error ' + e.code + ' ' + e.message.split('\n')[0]));
  s.on('close', () => console.log('closed'));
}

function converse(s) {
  if (mode === 'echo') {
    s.on('data', (d) => s.write(d));
    s.on('end', () => { console.log('end'); s.end(); });
  } else if (mode === 'halfopen') {
    s.resume();
    s.on('end', () => { console.log('end'); s.end('after-end'); });
  } else if (mode === 'send') {
    const sent = crypto.createHash('sha256');
    const received = crypto.createHash('sha256');
    let count = 0;
    s.on('data', (d) => { received.update(d); count += d.length; });
    s.on('end', () => {
      console.log('end');
      console.log('sha ' + sent.digest('hex') + ' ' + received.digest('hex') + ' ' + count);
    });
    const it = blocks(size);
    const pump = () => {
      for (let r = it.next(); !r.done; r = it.next()) {
        sent.update(r.value);
        if (!s.write(r.value)) {
          s.once('drain', pump);
          return;
        }
      }
      s.end();
    };
    pump();
  }
}

if (role === 'starttls-server') {
  const net = require('net');
  const server = net.createServer((raw) => {
    raw.once('data', (d) => {
      console.log('plain ' + JSON.stringify(d.toString()));
      raw.write('OK\r\n');
      const s = new tls.TLSSocket(raw, { isServer: true, secureContext: tls.createSecureContext(opts) });
      s.on('secure', () => { console.log('secure ' + info(s)); converse(s); });
      report(s);
      server.close();
    });
  });
  server.listen(Number(portText), '127.0.0.1', () => console.log('listening ' + server.address().port));
} else if (role === 'starttls-client') {
  const net = require('net');
  const raw = net.connect(Number(portText), '127.0.0.1', () => raw.write('STARTTLS\r\n'));
  raw.once('data', (d) => {
    console.log('plain ' + JSON.stringify(d.toString()));
    const s = tls.connect({ ...opts, socket: raw }, () => {
      console.log('secure ' + info(s));
      converse(s);
    });
    report(s);
  });
} else if (role === 'server') {
  opts.allowHalfOpen = mode === 'halfopen';
  let served = 0;
  const server = tls.createServer(opts, (s) => {
    console.log('secure ' + info(s));
    report(s);
    converse(s);
    if (++served === connections) server.close();
  });
  server.on('tlsClientError', (e) => {
    console.log('tlsClientError ' + e.code);
    if (++served === connections) server.close();
  });
  server.listen(Number(portText), '127.0.0.1', () => console.log('listening ' + server.address().port));
} else {
  let session;
  const connectOnce = (n) => {
    const s = tls.connect({ ...opts, port: Number(portText), host: opts.host || '127.0.0.1',
      session: opts.resume ? session : undefined }, () => {
      console.log('secure ' + info(s));
      converse(s);
    });
    report(s);
    s.on('session', (data) => { session = data; });
    s.on('close', () => { if (n + 1 < connections) connectOnce(n + 1); });
  };
  connectOnce(0);
}
