import type { SelftuneErrorCode } from "./core.js";

/** Every error selftune throws: a real `Error` with a stable `code`. */
export interface SelftuneError extends Error {
  name: "SelftuneError";
  code: SelftuneErrorCode | "invalid_usage" | "io";
  /** The offending input field, e.g. `outcome.files[2].path`. */
  field?: string;
}

export function isSelftuneError(value: unknown): value is SelftuneError {
  return (
    value instanceof Error &&
    value.name === "SelftuneError" &&
    typeof (value as { code?: unknown }).code === "string"
  );
}

/** An error raised by the shim itself, shaped like the core's. */
export function selftuneError(code: SelftuneError["code"], message: string): SelftuneError {
  const error = new Error(message) as SelftuneError;
  error.name = "SelftuneError";
  error.code = code;
  return error;
}
