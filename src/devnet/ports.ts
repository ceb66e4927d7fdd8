import { createServer } from "node:net";

/**
 * Dynamic port allocation (DESIGN.md §6) so devnets and CI jobs run side by side: ask the OS for free
 * loopback ports by binding port 0. All sockets are held open until every port is chosen, so one call
 * never returns the same port twice.
 * NOTE: another process could still take a port between this call and the node binding it; nodes fail
 * loudly (EADDRINUSE) rather than silently sharing.
 */
export async function freePorts(count: number, host = "127.0.0.1"): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<import("node:net").Server>((resolve, reject) => {
          const s = createServer();
          s.unref();
          s.once("error", reject);
          s.listen(0, host, () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => {
    const a = s.address();
    return typeof a === "object" && a ? a.port : 0;
  });
  await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  return ports;
}
