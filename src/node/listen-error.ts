import { FastposError } from "../core/errors.js";

/**
 * A node could not bind one of its listeners (issue 24 item 9). These are operator errors — the port is
 * taken, the host is not an address of this machine, a privileged port — so the CLI answers them with exit
 * 1, one line naming the listener and the cause, and a hint naming the flag and config key to change,
 * never as a fastpos bug with a stack.
 */
export type ListenErrorType = {
  code: "NODE_PORT_IN_USE" | "NODE_BAD_LISTEN_HOST" | "NODE_LISTEN_DENIED" | "NODE_LISTEN_FAILED";
  listener: Listener;
  address: string;
  reason: string;
  hint: string;
};
export class ListenError extends FastposError<ListenErrorType> {}

export type Listener = "API" | "p2p";

const FLAG: Record<Listener, string> = {
  API: "--api-listen (api.listen in config.yaml)",
  p2p: "--p2p-listen (p2p.listen in config.yaml)",
};

/**
 * The typed form of an error from `server.listen` (or the host lookup before it) for `listener` bound to
 * `address` (`HOST:PORT`). Errors without a system error code are wrapped as NODE_LISTEN_FAILED.
 */
export function listenError(listener: Listener, address: string, err: unknown): ListenError {
  const e = err as NodeJS.ErrnoException;
  const reason = e?.message ?? String(err);
  const type = (code: ListenErrorType["code"], hint: string): ListenErrorType => ({
    code,
    listener,
    address,
    reason,
    hint,
  });
  const [host = "", port = ""] = address.split(":");
  switch (e?.code) {
    case "EADDRINUSE":
      return new ListenError(
        type(
          "NODE_PORT_IN_USE",
          `stop the process using port ${port} (e.g. another node: \`ss -ltnp | grep :${port}\`) or choose another port with ${FLAG[listener]}`,
        ),
        `cannot listen on ${address} (${listener}): the port is already in use`,
        { cause: err },
      );
    case "EADDRNOTAVAIL":
    case "ENOTFOUND":
    case "EAI_AGAIN":
    case "EAI_NONAME":
    case "EAI_FAIL":
      return new ListenError(
        type(
          "NODE_BAD_LISTEN_HOST",
          `use an address of this machine (127.0.0.1 for local use, 0.0.0.0 for all interfaces) with ${FLAG[listener]}`,
        ),
        `cannot listen on ${address} (${listener}): "${host}" is not an address of this machine (${e.code})`,
        { cause: err },
      );
    case "EACCES":
    case "EPERM":
      return new ListenError(
        type(
          "NODE_LISTEN_DENIED",
          `ports below 1024 need privileges; choose a higher port with ${FLAG[listener]}`,
        ),
        `cannot listen on ${address} (${listener}): permission denied`,
        { cause: err },
      );
    default:
      return new ListenError(
        type("NODE_LISTEN_FAILED", `check ${FLAG[listener]}`),
        `cannot listen on ${address} (${listener}): ${reason}`,
        { cause: err },
      );
  }
}
