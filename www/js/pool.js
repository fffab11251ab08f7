// A small concurrency pool. Pure; tested by tests/www/pool.test.mjs.

/** Run `job(i)` for i in 0..n-1, at most `width` at once; resolves like
 * Promise.allSettled, in order. `onProgress(done)` is called every `every` jobs. */
export async function pool(n, width, job, onProgress = () => {}, every = 25) {
  const results = new Array(n);
  let next = 0;
  let done = 0;
  async function lane() {
    while (next < n) {
      const i = next++;
      try {
        results[i] = { status: 'fulfilled', value: await job(i) };
      } catch (reason) {
        results[i] = { status: 'rejected', reason };
      }
      done++;
      if (done % every === 0) onProgress(done);
    }
  }
  await Promise.all(Array.from({ length: Math.min(width, n) }, lane));
  return results;
}
