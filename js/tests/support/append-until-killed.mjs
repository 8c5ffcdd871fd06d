// Child process for the crash test: captures events into DATA_DIR until it is killed, printing
// the id of every event the core acknowledged as stored.
import { Selftune, createNodeHost } from "selftune";

const dataDir = process.argv[2];
if (!dataDir) {
  console.error("usage: append-until-killed.mjs DATA_DIR");
  process.exit(2);
}
const selftune = await Selftune.create(createNodeHost({ dataDir }));
const body = "// padding to make each record a few kilobytes\n".repeat(80);
for (let i = 0; ; i += 1) {
  const result = await selftune.onPluginSuccess({
    originalRequest: `Build plugin ${i} before the crash`,
    outcome: {
      success: true,
      files: [
        { path: "src/index.ts", content: `export const n = ${i};\n${body}` },
        { path: "README.md", content: `# plugin ${i}\n` },
      ],
    },
  });
  process.stdout.write(`${result.exampleId}\n`);
}
