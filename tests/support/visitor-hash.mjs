// The edge's visitor hash and salt sealing, recomputed outside it, so a test can open the
// salts stored on disk and search storage and logs for the hashes its own requests produced
// (crates/aggregate/src/visitor.rs). Both are checked against values pinned in the Rust tests.
import { createDecipheriv, hkdfSync } from 'node:crypto';

const MASK = (1n << 64n) - 1n;
const rotl = (x, bits) => ((x << BigInt(bits)) | (x >> BigInt(64 - bits))) & MASK;
const u64le = (bytes, at) => {
  let value = 0n;
  for (let i = 7; i >= 0; i--) value = (value << 8n) | BigInt(bytes[at + i]);
  return value;
};
const le64 = (value) => {
  const bytes = Buffer.alloc(8);
  bytes.writeBigUInt64LE(value);
  return bytes;
};

/** SipHash-c-d of `message` (a Buffer) under the 16-byte `key`, as a BigInt. */
function sipHash(key, message, { c, d }) {
  const k0 = u64le(key, 0);
  const k1 = u64le(key, 8);
  const v = [k0 ^ 0x736f6d6570736575n, k1 ^ 0x646f72616e646f6dn, k0 ^ 0x6c7967656e657261n, k1 ^ 0x7465646279746573n];
  const round = () => {
    v[0] = (v[0] + v[1]) & MASK; v[1] = rotl(v[1], 13); v[1] ^= v[0]; v[0] = rotl(v[0], 32);
    v[2] = (v[2] + v[3]) & MASK; v[3] = rotl(v[3], 16); v[3] ^= v[2];
    v[0] = (v[0] + v[3]) & MASK; v[3] = rotl(v[3], 21); v[3] ^= v[0];
    v[2] = (v[2] + v[1]) & MASK; v[1] = rotl(v[1], 17); v[1] ^= v[2]; v[2] = rotl(v[2], 32);
  };
  const rounds = (n) => { for (let i = 0; i < n; i++) round(); };
  const whole = message.length - (message.length % 8);
  let last = BigInt(message.length & 0xff) << 56n;
  for (let i = whole; i < message.length; i++) last |= BigInt(message[i]) << BigInt(8 * (i - whole));
  for (let at = 0; at <= whole; at += 8) {
    const m = at < whole ? u64le(message, at) : last;
    v[3] ^= m;
    rounds(c);
    v[0] ^= m;
  }
  v[2] ^= 0xffn;
  rounds(d);
  return v[0] ^ v[1] ^ v[2] ^ v[3];
}

/** The visitor hash of (`salt`, `site`, `ip`, `userAgent`), as a BigInt: SipHash-1-3. */
export function visitorHash(salt, site, ip, userAgent) {
  const parts = [site, ip, userAgent].flatMap((field) => {
    const bytes = Buffer.from(field, 'utf8');
    return [le64(BigInt(bytes.length)), bytes];
  });
  return sipHash(salt, Buffer.concat(parts), { c: 1, d: 3 });
}

/**
 * The salt stored as `sealed` by the shard whose Durable Object id is `shard`, for the day
 * numbered `day` (days since the Unix epoch), under the `SALT_KEY` secret `saltKey`.
 */
export function unsealSalt(sealed, saltKey, shard, day) {
  const key = Buffer.from(hkdfSync('sha256', Buffer.from(saltKey), Buffer.alloc(0), Buffer.from('tacit salt sealing v1'), 32));
  const [nonce, encrypted, tag] = [sealed.subarray(0, 12), sealed.subarray(12, 28), sealed.subarray(28)];
  const decipher = createDecipheriv('chacha20-poly1305', key, nonce, { authTagLength: 16 });
  decipher.setAAD(Buffer.from(`${shard}/${day}`), { plaintextLength: encrypted.length });
  decipher.setAuthTag(tag);
  return Buffer.concat([decipher.update(encrypted), decipher.final()]);
}

/** Every form a 64-bit hash could be written in: raw bytes both ways round, hex, decimal. */
export function hashForms(hash) {
  const le = le64(hash);
  const be = Buffer.from(le).reverse();
  const hex = [be.toString('hex'), le.toString('hex')].flatMap((text) => [text, text.toUpperCase()]);
  return [le, be, ...hex.map((text) => Buffer.from(text)), Buffer.from(hash.toString())];
}
