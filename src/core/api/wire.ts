/**
 * Type-level JSON encoding of the API (DESIGN.md §2: JSON is for humans and the API; amounts and heights
 * as decimal strings, bytes as 0x-hex). Types only.
 */

/** Any JSON value (what `JSON.parse` can return). */
export type JsonValue =
  | string
  | number
  | boolean
  | null
  | JsonValue[]
  | { readonly [key: string]: JsonValue };

/**
 * The JSON form of `T` after the API's serialiser (`jsonText`: bigints become decimal strings). Byte arrays
 * have no wire form: a `Uint8Array` maps to `never`, so a value carrying raw bytes cannot satisfy a wire
 * type — convert to 0x-hex first. Distributes over unions, so a discriminated union stays one.
 */
export type Wire<T> = T extends bigint
  ? string
  : T extends Uint8Array
    ? never
    : T extends string | number | boolean | null | undefined
      ? T
      : T extends readonly (infer U)[]
        ? Wire<U>[]
        : { [K in keyof T]: Wire<T[K]> };
