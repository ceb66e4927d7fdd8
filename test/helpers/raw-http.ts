import { connect } from "node:net";

/**
 * Sends `text` as raw bytes on a fresh TCP connection to `url`'s host and port and resolves with whatever the
 * server answered before closing (or after `timeoutMs`). For requests `fetch` refuses to send (`GET //`,
 * broken escapes, odd upgrade targets): what an attacker's socket can do.
 */
export function rawHttp(url: string, text: string, timeoutMs = 5_000): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: hostname, port: Number(port) }, () => socket.write(text));
    const done = () => {
      clearTimeout(timer);
      socket.destroy();
      resolve(Buffer.concat(chunks).toString("latin1"));
    };
    const timer = setTimeout(done, timeoutMs);
    socket.on("data", (c) => {
      chunks.push(c);
      // One complete response is all these tests read.
      if (/\r\n\r\n/.test(Buffer.concat(chunks).toString("latin1"))) setTimeout(done, 50);
    });
    socket.on("error", done);
    socket.on("close", done);
  });
}

/** The status code of a raw HTTP response text, or 0 when there was none (connection closed). */
export function statusOf(response: string): number {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(response);
  return m ? Number(m[1]) : 0;
}
