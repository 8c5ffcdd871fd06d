// Copies what a finished pipeline leaves for people (its report and each local model's Modelfile)
// out of the data folder into a models folder (`MODELS_OUTPUT_DIR`), where a user looks for them.
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

import type { PipelineStatus } from "./core.js";
import type { Selftune } from "./selftune.js";

export interface ExportedArtifacts {
  /** Absolute or relative paths of the files written, in the models folder. */
  files: string[];
}

/**
 * Writes `<modelsDir>/<pipeline id>/report.md`, `report.json` and `<slot>/Modelfile` for a pipeline
 * that has ended; a file the pipeline did not produce is skipped. Idempotent.
 */
export async function exportArtifacts(selftune: Selftune, status: PipelineStatus, modelsDir: string): Promise<ExportedArtifacts> {
  const wanted: Array<[from: string, to: string]> = [
    [`pipelines/${status.id}/report.md`, "report.md"],
    [`pipelines/${status.id}/report.json`, "report.json"],
  ];
  for (const [slot, deployment] of Object.entries(status.deployments ?? {})) {
    if (deployment.local) wanted.push([deployment.local.modelfilePath, join(slot, "Modelfile")]);
  }
  const files: string[] = [];
  for (const [from, to] of wanted) {
    const text = await selftune.host.storage.read(from);
    if (text === null) continue;
    const target = join(modelsDir, status.id, to);
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, text);
    files.push(target);
  }
  return { files };
}
