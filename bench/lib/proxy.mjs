// A TCP pass-through that counts bytes in both directions: what "bytes per task" means
// (HTTP request and response heads and bodies, SSE framing included; TCP/IP headers not).
import net from 'node:net';

export async function startCountingProxy(targetPort) {
  const counters = { up: 0, down: 0, connections: 0 };
  const sockets = new Set();
  const server = net.createServer((client) => {
    counters.connections++;
    const upstream = net.connect(targetPort, '127.0.0.1');
    // No Nagle on either leg: a proxy must not add its own delays to the latency figures.
    client.setNoDelay(true);
    upstream.setNoDelay(true);
    sockets.add(client);
    sockets.add(upstream);
    client.on('data', (d) => { counters.up += d.length; });
    upstream.on('data', (d) => { counters.down += d.length; });
    client.pipe(upstream);
    upstream.pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  return {
    port: server.address().port,
    snapshot: () => ({ ...counters }),
    async stop() {
      for (const s of sockets) s.destroy();
      await new Promise((r) => server.close(r));
    },
  };
}
