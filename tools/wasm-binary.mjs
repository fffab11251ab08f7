// Writing pieces of a wasm binary, for the build tools that rewrite sections
// (tools/minify-imports.mjs, tools/order-functions.mjs, tools/prune-shims.mjs).

/** `n` as an unsigned LEB128. */
export function uleb(n) {
  const out = [];
  do {
    let byte = n & 0x7f;
    n = Math.floor(n / 128);
    if (n) byte |= 0x80;
    out.push(byte);
  } while (n);
  return Buffer.from(out);
}

/** `n` (a 32-bit integer) as a signed LEB128, e.g. an `i32.const` operand. */
export function sleb(n) {
  const out = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && !(byte & 0x40)) || (n === -1 && (byte & 0x40))) {
      out.push(byte);
      return Buffer.from(out);
    }
    out.push(byte | 0x80);
  }
}

/** A wasm name: its UTF-8 length, then its bytes. */
export function name(s) {
  const bytes = Buffer.from(s, 'utf8');
  return Buffer.concat([uleb(bytes.length), bytes]);
}
