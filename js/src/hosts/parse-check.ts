// A real parser for the evaluation's syntax check of TypeScript and JavaScript code blocks:
// esbuild's transform, which reports syntax errors, when the `esbuild` package is installed
// (the core parses JSON itself). Without it the check answers null and the evaluation reports
// those blocks as unchecked: nothing is guessed with a regex.
import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

interface EsbuildLike {
  transformSync(code: string, options: { loader: string; logLevel?: string }): unknown;
}

const LOADERS: Record<string, string> = { typescript: "ts", tsx: "tsx", javascript: "js", jsx: "jsx" };

let esbuild: EsbuildLike | null | undefined;

function loadEsbuild(): EsbuildLike | null {
  if (esbuild === undefined) {
    try {
      esbuild = require("esbuild") as EsbuildLike;
    } catch {
      esbuild = null;
    }
  }
  return esbuild;
}

/** `{ ok }` from esbuild for a supported language, `null` otherwise or without esbuild. */
export function parseCheck(language: string, code: string): { ok: boolean; error?: string } | null {
  const loader = LOADERS[language];
  const parser = loader ? loadEsbuild() : null;
  if (!loader || !parser) return null;
  try {
    parser.transformSync(code, { loader, logLevel: "silent" });
    return { ok: true };
  } catch (error) {
    const first = (error as { errors?: { text?: string; location?: { line?: number; column?: number } | null }[] }).errors?.[0];
    const where = first?.location ? ` (line ${first.location.line}, column ${first.location.column})` : "";
    return { ok: false, error: first?.text ? `${first.text}${where}` : String(error) };
  }
}
