'use strict';
// One side of an interop conversation with loomnet (net-tests, dev.loomnet.tests.interop). LoomPeer.java is
// the same program written with loomnet: same modes, same output lines, so that a transcript printed here
// and one recorded there can be compared line for line.
//
//   node peer.js MODE ROLE ENDPOINT [SIZE]
//
// MODE     send    write SIZE random bytes, then end(); read the echo, the trailer and the tail (see echo)
//                  and print "check ok" at 'end' if all of them are right
//          echo    allowHalfOpen: true; echo every byte; at 'end' write "sha HEX COUNT\n", then a 1 MiB tail
//                  (byte k is k % 251) from write callbacks, then end(): the half-open side keeps writing
//                  after END, and after its 'end' listener returned
//          reset   write 1 MiB and never end; at the peer's first byte, resetAndDestroy() (TCP only)
//          sink    read; write one byte "k" once the whole 1 MiB of reset is in, so that the reset
//                  finds nothing unread here (see early)
//          early   read; write one byte "k" at the first chunk, so that the reset usually arrives behind
//                  data not read yet. Node's client then often reports 'end' instead of ECONNRESET:
//                  libuv (uv__stream_io) takes POLLHUP after a partial read for the end of the stream
//          pieces  write UTF-8 text in pieces that split characters, one piece per byte "k" received,
//                  then end()
//          text    setEncoding('utf8'); print each chunk's code points; answer each with "k"
// ROLE     listen  serve one connection (the server closes at once, so the process exits after it)
//          connect connect to ENDPOINT
// ENDPOINT tcp:PORT (127.0.0.1), tcp6:PORT (::1), unix:PATH; PORT 0 to listen on an ephemeral port
//
// Output, one line each: "listening PORT|PATH"; "event connect|ready|data|end|finish"; "event error CODE
// SYSCALL"; "address LOCAL LOCALFAMILY REMOTE REMOTEFAMILY" and "ports LOCAL REMOTE" once connected;
// "bytes READ WRITTEN" then "event close HADERROR" at 'close'; "check ok" or "check FAIL why";
// "received COUNT HEX"; "text U+XXXX ...". Every line goes through console.log, which writes to a pipe
// synchronously on Linux, so the lines are in event order.

const net = require('net');
const crypto = require('crypto');

const [mode, role, endpoint, sizeArg] = process.argv.slice(2);
const size = Number(sizeArg || 0);
const TAIL = 1 << 20;
const RESET_BYTES = 1 << 20;
const CHUNK = 64 * 1024;
// The same pieces as LoomPeer.PIECES: characters of 2, 3 and 4 bytes split across pieces, malformed
// bytes inside a piece and across a boundary, and an incomplete character at the end of the stream.
const PIECES = ['61e3', '818262f09f', '988063e2', '82ac64c3', 'a967e38141', '68e381', '42ff69', '6ae381']
    .map(hex => Buffer.from(hex, 'hex'));

function log(line) {
  console.log(line);
}

function sha(buffer) {
  return crypto.createHash('sha256').update(buffer).digest('hex');
}

function tail() {
  const b = Buffer.alloc(TAIL);
  for (let k = 0; k < TAIL; k++) b[k] = k % 251;
  return b;
}

function codePoints(text) {
  return [...text].map(c => 'U+' + c.codePointAt(0).toString(16).toUpperCase().padStart(4, '0')).join(' ');
}

function addresses(socket) {
  log('address ' + socket.localAddress + ' ' + socket.localFamily + ' ' + socket.remoteAddress + ' '
      + socket.remoteFamily);
  log('ports ' + socket.localPort + ' ' + socket.remotePort);
}

function record(socket, client) {
  if (client) {
    socket.on('connect', () => {
      log('event connect');
      addresses(socket);
    });
    socket.on('ready', () => log('event ready'));
  } else {
    addresses(socket);
  }
  socket.on('data', () => log('event data'));
  socket.on('end', () => log('event end'));
  socket.on('finish', () => log('event finish'));
  socket.on('error', e => log('event error ' + e.code + ' ' + e.syscall));
  socket.on('close', hadError => {
    log('bytes ' + socket.bytesRead + ' ' + socket.bytesWritten);
    log('event close ' + hadError);
  });
}

// What send expects back: its own bytes, "sha HEX SIZE\n", then the tail.
function check(received, sent) {
  if (received.length < size || sha(received.subarray(0, size)) !== sha(sent)) return 'check FAIL echo';
  const nl = received.indexOf(10, size);
  if (nl < 0) return 'check FAIL no trailer';
  const trailer = received.toString('latin1', size, nl);
  if (trailer !== 'sha ' + sha(sent) + ' ' + size) return 'check FAIL trailer ' + trailer;
  const rest = received.subarray(nl + 1);
  if (!rest.equals(tail())) return 'check FAIL tail of ' + rest.length + ' bytes';
  return 'check ok';
}

const modes = {
  send(socket) {
    const data = crypto.randomBytes(size);
    const received = [];
    socket.on('data', d => received.push(d));
    socket.on('end', () => log(check(Buffer.concat(received), data)));
    let off = 0;
    (function pump() {
      while (off < size) {
        const chunk = data.subarray(off, Math.min(off + CHUNK, size));
        off += chunk.length;
        if (!socket.write(chunk)) {
          socket.once('drain', pump);
          return;
        }
      }
      socket.end();
    })();
  },
  echo(socket) {
    const hash = crypto.createHash('sha256');
    let count = 0;
    socket.on('data', d => {
      hash.update(d);
      count += d.length;
      if (!socket.write(d)) {
        socket.pause();
        socket.once('drain', () => socket.resume());
      }
    });
    socket.on('end', () => {
      const hex = hash.digest('hex');
      log('received ' + count + ' ' + hex);
      // The tail goes out in 64 KiB pieces, each from the previous write's callback, so after this
      // listener has returned: only a half-open socket still writes then (without allowHalfOpen, Node ends
      // the socket when 'end' returns, and these writes fail).
      const rest = tail();
      let off = 0;
      const more = err => {
        if (err) return;
        if (off < TAIL) {
          const piece = rest.subarray(off, off + CHUNK);
          off += piece.length;
          socket.write(piece, more);
        } else {
          socket.end();
        }
      };
      socket.write('sha ' + hex + ' ' + count + '\n', more);
    });
  },
  reset(socket) {
    socket.write(crypto.randomBytes(RESET_BYTES));
    socket.once('data', () => socket.resetAndDestroy());
  },
  sink(socket) {
    let count = 0;
    socket.on('data', d => {
      count += d.length;
      if (count === RESET_BYTES) socket.write('k');
    });
  },
  early(socket) {
    socket.once('data', () => socket.write('k'));
  },
  pieces(socket) {
    let next = 0;
    const send = () => {
      if (next < PIECES.length) {
        socket.write(PIECES[next++]);
      } else if (next++ === PIECES.length) {
        socket.end();
      }
    };
    socket.on('data', send);        // one "k" per piece; a late one after the end is ignored
    send();
  },
  text(socket) {
    socket.setEncoding('utf8');
    socket.on('data', text => {
      log('text ' + codePoints(text));
      socket.write('k');
    });
  },
};

const run = modes[mode];
if (!run || (role !== 'listen' && role !== 'connect')) {
  console.error('usage: node peer.js send|echo|reset|sink|early|pieces|text listen|connect tcp:PORT|tcp6:PORT|unix:PATH [SIZE]');
  process.exit(2);
}
const halfOpen = mode === 'echo';
const [kind, where] = [endpoint.slice(0, endpoint.indexOf(':')), endpoint.slice(endpoint.indexOf(':') + 1)];
const address = kind === 'unix' ? { path: where } : { port: Number(where), host: kind === 'tcp6' ? '::1' : '127.0.0.1' };

if (role === 'listen') {
  const server = net.createServer({ allowHalfOpen: halfOpen }, socket => {
    server.close();                  // one connection: the process exits when it closes
    record(socket, false);
    run(socket);
  });
  server.listen(address, () => {
    const a = server.address();
    log('listening ' + (typeof a === 'string' ? a : a.port));
  });
} else {
  const socket = net.connect({ ...address, allowHalfOpen: halfOpen });
  record(socket, true);
  socket.once('connect', () => run(socket));
}
