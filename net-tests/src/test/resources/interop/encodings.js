'use strict';
// Node's answers for EncodingsTest. Reads the cases in the file named by the first argument, one per line,
// and prints one answer line per case, in order, each starting with "= ":
//   D <encoding> <hex>,<hex>,...  the StringDecoder's output for each chunk, then end()'s, comma-separated
//   E <encoding> <units>          Buffer.from(text, encoding) in hex
//   T <encoding> <hex>            buf.toString(encoding)
// Text travels as UTF-16 units, four hex digits each, so that lone surrogates survive.
const fs = require('fs');
const { StringDecoder } = require('string_decoder');

const units = (s) => Array.from({ length: s.length }, (_, i) => s.charCodeAt(i).toString(16).padStart(4, '0')).join('');
const text = (hex) => String.fromCharCode(...(hex.match(/.{4}/g) || []).map((u) => parseInt(u, 16)));

for (const line of fs.readFileSync(process.argv[2], 'latin1').split('\n')) {
  if (line === '') continue;
  const [kind, encoding, data = ''] = line.split(' ');
  if (kind === 'D') {
    const decoder = new StringDecoder(encoding);
    const out = data.split(',').map((hex) => units(decoder.write(Buffer.from(hex, 'hex'))));
    out.push(units(decoder.end()));
    console.log('= ' + out.join(','));
  } else if (kind === 'T') {
    console.log('= ' + units(Buffer.from(data, 'hex').toString(encoding)));
  } else {
    console.log('= ' + Buffer.from(text(data), encoding).toString('hex'));
  }
}
