import { core } from "./core.js";
import type { RedactedText, RedactionOptions } from "./core.js";

/**
 * Replaces secrets (and, unless turned off, e-mail addresses and phone numbers) in `text` with
 * `<REDACTED:kind>` placeholders, as the capture path does. `path` names the file the text comes
 * from, when it is one.
 */
export function redactText(text: string, path?: string, options?: RedactionOptions): RedactedText {
  return core.redactText(text, path, options);
}
