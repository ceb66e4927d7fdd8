/**
 * Binds a handler to a route of the API contract (`core/api/contract.ts`): method and path come from the
 * contract's `"METHOD /path"` key, the handler's `params` are the path's `:names`, and what it returns is
 * type-checked against the contract's response body — so the node cannot answer a shape the client does
 * not expect without a compile error.
 */
import type { ApiRoute, MethodOf, ParamsOf, ResponseOf } from "../../core/api/contract.js";
import type { ApiRequest, Route } from "./http.js";

/** A request to route `R`: `params` typed from its path; `body` is untrusted JSON the handler validates. */
export interface ContractRequest<R extends ApiRoute> extends Omit<ApiRequest, "params"> {
  params: ParamsOf<R>;
}

/** A handler's answer: the contract's response body, with a status when not 200. */
export interface ContractReply<R extends ApiRoute> {
  status?: number;
  json: ResponseOf<R>;
}

export type ContractHandler<R extends ApiRoute> = (
  req: ContractRequest<R>,
) => ContractReply<R> | Promise<ContractReply<R>>;

/**
 * A router entry for contract route `R` (e.g. `"GET /v1/txs/:hash"`); `options` are the router's other
 * per-route settings, passed through.
 */
export function contractRoute<R extends ApiRoute>(
  route: R,
  handler: ContractHandler<R>,
  options: Omit<Route, "method" | "path" | "admin" | "handler"> = {},
): Route {
  const space = route.indexOf(" ");
  const method = route.slice(0, space) as MethodOf<R>;
  const path = route.slice(space + 1);
  return {
    ...options,
    method,
    path,
    // SECURITY: every `/admin/` route needs the bearer token; derived from the path, so a new admin route
    // cannot be added without it.
    admin: path.startsWith("/admin/"),
    // The router fills one param per `:name` of the path it matched, which is exactly ParamsOf<R>.
    handler: (req) => handler(req as ContractRequest<R>),
  };
}
