/**
 * JSON output helpers: bigints become decimal strings and byte arrays 0x-hex (DESIGN.md §2: JSON is for
 * humans and the API only).
 */
export function toJsonValue(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Uint8Array) {
    return `0x${Array.from(value, (b) => b.toString(16).padStart(2, "0")).join("")}`;
  }
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value !== null && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== undefined) out[k] = toJsonValue(v);
    return out;
  }
  return value;
}

/** Stable, pretty JSON text for one document (no colours: it is meant for pipes and `jq`). */
export function formatJson(value: unknown): string {
  return JSON.stringify(toJsonValue(value), null, 2);
}
