import { selftuneError } from "../errors.js";

/** Checks a storage path from the core: relative, `/`-separated, no `..`, nothing empty. */
export function checkStoragePath(path: string): string[] {
  const segments = path.split("/");
  const bad =
    path.length === 0 ||
    path.includes("\\") ||
    path.includes("\0") ||
    segments.some((segment) => segment === "" || segment === "." || segment === "..");
  if (bad) {
    throw selftuneError("io", `storage path '${path}' is not a plain relative path`);
  }
  return segments;
}
