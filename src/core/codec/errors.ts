import { FastposError } from "../errors.js";

/**
 * Why a canonical encode/decode failed (DESIGN.md §2). Decoding is strict: every reason here is a
 * rejection of bytes that some other encoder might have produced, so that one value has exactly one
 * encoding and a hash over it is well defined.
 */
export type CodecErrorType =
  | { code: "CODEC_SHORT_INPUT"; at: number; need: number; have: number; path: string }
  | { code: "CODEC_TRAILING_BYTES"; at: number; extra: number }
  | { code: "CODEC_LENGTH_LIMIT"; at: number; length: number; max: number; path: string }
  | { code: "CODEC_UNKNOWN_TAG"; at: number; tag: number; path: string }
  | { code: "CODEC_INVALID_VALUE"; reason: string; path: string };

export class CodecError extends FastposError<CodecErrorType> {}
