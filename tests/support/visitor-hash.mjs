// The edge's visitor hash, recomputed outside it, so a test can search storage and logs for
// the hashes its own requests produced: SipHash-1-3 keyed by the day's salt over the
// length-prefixed site id, IP address and user agent (crates/core/src/visitor.rs).

const MASK = (1n << 64n) - 1n;
const rotl = (x, bits) => ((x << BigInt(bits)) | (x >> BigInt(64 - bits))) & MASK;
const u64le = (bytes, at) => {
  let value = 0n;
  for (let i = 7; i >= 0; i--) value = (value << 8n) | BigInt(bytes[at + i]);
  return value;
};

/** SipHash-1-3 of `message` (a Buffer) under the 16-byte `key`, as a BigInt. */
export function sipHash13(key, message) {
  const k0 = u64le(key, 0);
  const k1 = u64le(key, 8);
  const v = [k0 ^ 0x736f6d6570736575n, k1 ^ 0x646f72616e646f6dn, k0 ^ 0x6c7967656e657261n, k1 ^ 0x7465646279746573n];
  const round = () => {
    v[0] = (v[0] + v[1]) & MASK; v[1] = rotl(v[1], 13); v[1] ^= v[0]; v[0] = rotl(v[0], 32);
    v[2] = (v[2] + v[3]) & MASK; v[3] = rotl(v[3], 16); v[3] ^= v[2];
    v[0] = (v[0] + v[3]) & MASK; v[3] = rotl(v[3], 21); v[3] ^= v[0];
    v[2] = (v[2] + v[1]) & MASK; v[1] = rotl(v[1], 17); v[1] ^= v[2]; v[2] = rotl(v[2], 32);
  };
  const whole = message.length - (message.length % 8);
  for (let at = 0; at < whole; at += 8) {
    const m = u64le(message, at);
    v[3] ^= m;
    round();
    v[0] ^= m;
  }
  let last = BigInt(message.length & 0xff) << 56n;
  for (let i = whole; i < message.length; i++) last |= BigInt(message[i]) << BigInt(8 * (i - whole));
  v[3] ^= last;
  round();
  v[0] ^= last;
  v[2] ^= 0xffn;
  round();
  round();
  round();
  return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/** The visitor hash of (`salt`, `site`, `ip`, `userAgent`), as a BigInt. */
export function visitorHash(salt, site, ip, userAgent) {
  const parts = [];
  for (const field of [site, ip, userAgent]) {
    const bytes = Buffer.from(field, 'utf8');
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(bytes.length));
    parts.push(length, bytes);
  }
  return sipHash13(salt, Buffer.concat(parts));
}

/** Every form a 64-bit hash could be written in: raw bytes both ways round, hex, decimal. */
export function hashForms(hash) {
  const le = Buffer.alloc(8);
  le.writeBigUInt64LE(hash);
  const be = Buffer.alloc(8);
  be.writeBigUInt64BE(hash);
  const hex = [be.toString('hex'), le.toString('hex')].flatMap((text) => [text, text.toUpperCase()]);
  return [le, be, ...hex.map((text) => Buffer.from(text)), Buffer.from(hash.toString())];
}
