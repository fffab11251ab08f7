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

/** A wasm name: its UTF-8 length, then its bytes. */
export function name(s) {
  const bytes = Buffer.from(s, 'utf8');
  return Buffer.concat([uleb(bytes.length), bytes]);
}
