/**
 * Request routing for the node API (DESIGN.md §5): request targets parsed by a total function (nothing a
 * client sends can make it throw: issue 24 item 1) and `:param` routes matched against the path.
 */
import type { Route } from "./http.js";

export interface CompiledRoute extends Route {
  re: RegExp;
  names: string[];
}

export function compile(r: Route): CompiledRoute {
  const names: string[] = [];
  const re = new RegExp(
    `^${r.path.replace(/:([a-zA-Z]+)/g, (_, n: string) => {
      names.push(n);
      return "([^/]+)";
    })}$`,
  );
  return { ...r, re, names };
}

/**
 * The path and query of an HTTP request target, or null when it is not one a client of this API sends.
 * Total: never throws, whatever the bytes (`new URL` throws on targets such as `//`, which arrive raw).
 * Accepts origin-form (`/v1/status?x=1`) and absolute-form (`http://host/v1/status`); the fragment is dropped.
 */
export function parseRequestTarget(
  raw: string | undefined,
): { pathname: string; query: URLSearchParams } | null {
  let target = raw ?? "/";
  if (/^https?:\/\//i.test(target)) {
    // absolute-form: keep what follows the authority
    const slash = target.indexOf("/", target.indexOf("//") + 2);
    target = slash < 0 ? "/" : target.slice(slash);
  }
  if (!target.startsWith("/")) return null;
  const hashAt = target.indexOf("#");
  if (hashAt >= 0) target = target.slice(0, hashAt);
  const q = target.indexOf("?");
  const pathname = q < 0 ? target : target.slice(0, q);
  // URLSearchParams never throws: bad escapes in the query are kept as they are.
  return { pathname, query: new URLSearchParams(q < 0 ? "" : target.slice(q + 1)) };
}

/** `decodeURIComponent`, or null for a malformed escape (which it would throw on). */
function decodePathPart(s: string): string | null {
  try {
    return decodeURIComponent(s);
  } catch {
    return null;
  }
}

export function findRoute(
  routes: CompiledRoute[],
  method: string,
  path: string,
): [CompiledRoute, Record<string, string>] | "method" | "bad-escape" | undefined {
  let pathMatched = false;
  for (const r of routes) {
    const m = r.re.exec(path);
    if (!m) continue;
    pathMatched = true;
    if (r.method !== method) continue;
    const params: Record<string, string> = {};
    for (let i = 0; i < r.names.length; i++) {
      const value = decodePathPart(m[i + 1] as string);
      if (value === null) return "bad-escape";
      params[r.names[i] as string] = value;
    }
    return [r, params];
  }
  return pathMatched ? "method" : undefined;
}
