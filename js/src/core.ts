// Loads the wasm core built by wasm-pack (CommonJS glue in ../wasm) from this ES module.
import { createRequire } from "node:module";
import type * as WasmCore from "../wasm/selftune.js";

const require = createRequire(import.meta.url);

export const core: typeof WasmCore = require("../wasm/selftune.js");

// Internal: the rest of the package imports the generated types from here. The public list is
// in index.ts.
export type * from "../wasm/selftune.js";
