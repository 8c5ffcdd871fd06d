// The emulator's server-side check of an uploaded JSONL dataset, written from Together's
// documented rules (conversational, instruction, generic text and preference formats; roles;
// alternation; message weights 0 or 1; sample weights >= 0; one format per file). It reports the
// first problem as Together's `validation_report.error` does: "Line 7: messages[1] must contain a
// role field". It is independent of the package's own validator on purpose: the emulator plays
// the server.

export type DatasetFormat = "general" | "conversation" | "instruction" | "preference";

export interface DatasetCheck {
  valid: boolean;
  error?: string;
  format?: DatasetFormat;
  /** Non-blank lines. */
  lines: number;
  hasReasoning: boolean;
  hasTools: boolean;
  hasMessageWeights: boolean;
  hasSampleWeights: boolean;
  /** Estimated tokens of the whole file (about four characters a token). */
  tokens: number;
}

const ROLES = new Set(["system", "user", "assistant", "tool"]);

class LineProblem extends Error {}

export function checkDataset(bytes: Buffer, purpose: string, fileType: string): DatasetCheck {
  const check: DatasetCheck = {
    valid: false,
    lines: 0,
    hasReasoning: false,
    hasTools: false,
    hasMessageWeights: false,
    hasSampleWeights: false,
    tokens: 0,
  };
  if (fileType !== "jsonl") {
    // Parquet and CSV are accepted as they are: the emulator does not read them.
    return { ...check, valid: true, tokens: Math.ceil(bytes.length / 4) };
  }
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch (error) {
    return { ...check, error: `File is not UTF-8 encoded. Error raised: ${(error as Error).message}` };
  }
  const lines = text.split("\n");
  let characters = 0;
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === "") continue;
    const number = index + 1;
    check.lines += 1;
    try {
      let sample: unknown;
      try {
        sample = JSON.parse(line);
      } catch {
        throw new LineProblem("Error parsing json payload. Unexpected format.");
      }
      if (typeof sample !== "object" || sample === null || Array.isArray(sample)) {
        throw new LineProblem("each line must be a JSON object");
      }
      const format = detect(sample as Record<string, unknown>);
      if (check.format !== undefined && check.format !== format) {
        throw new LineProblem(`all samples must have the same dataset format: line 1 is ${check.format}, this one is ${format}`);
      }
      check.format = format;
      characters += sampleCharacters(sample as Record<string, unknown>, format, purpose, check);
    } catch (error) {
      if (error instanceof LineProblem) return { ...check, error: `Line ${number}: ${error.message}` };
      throw error;
    }
  }
  if (check.lines === 0) return { ...check, error: "File is empty" };
  return { ...check, valid: true, tokens: Math.ceil(characters / 4) };
}

function detect(sample: Record<string, unknown>): DatasetFormat {
  const found: DatasetFormat[] = [];
  if ("text" in sample) found.push("general");
  if ("messages" in sample) found.push("conversation");
  if ("prompt" in sample && "completion" in sample) found.push("instruction");
  if ("input" in sample && "preferred_output" in sample && "non_preferred_output" in sample) found.push("preference");
  if (found.length > 1) throw new LineProblem(`found multiple dataset formats (${found.join(", ")}); a sample has exactly one`);
  if (found.length === 0) {
    throw new LineProblem(
      "could not detect a format: expected 'text', 'messages', 'prompt' and 'completion', or 'input', 'preferred_output' and 'non_preferred_output'",
    );
  }
  return found[0];
}

function textOf(value: unknown, where: string, imagesAllowed: boolean): number {
  if (typeof value === "string") return value.length;
  if (Array.isArray(value)) {
    let total = 0;
    for (const [i, part] of value.entries()) {
      const item = part as { type?: unknown; text?: unknown };
      if (item?.type === "text" && typeof item.text === "string") total += item.text.length;
      else if (item?.type === "image_url" && imagesAllowed) total += 256;
      else throw new LineProblem(`${where}[${i}] must be {type: "text", text} or an image in a user message`);
    }
    return total;
  }
  throw new LineProblem(`${where} must be a string or a list of content parts`);
}

function sampleCharacters(sample: Record<string, unknown>, format: DatasetFormat, purpose: string, check: DatasetCheck): number {
  if ("weight" in sample) {
    if (typeof sample.weight !== "number" || !(sample.weight >= 0)) throw new LineProblem("weight must be a number of at least 0");
    check.hasSampleWeights = true;
  }
  switch (format) {
    case "general":
      if (typeof sample.text !== "string") throw new LineProblem("text must be a string");
      return sample.text.length;
    case "instruction":
      return textOf(sample.prompt, "prompt", true) + textOf(sample.completion, "completion", false);
    case "conversation":
      if ("tools" in sample) {
        if (!Array.isArray(sample.tools)) throw new LineProblem("tools must be a list");
        check.hasTools = true;
      }
      return messages(sample.messages, "messages", purpose !== "eval", check);
    case "preference": {
      const input = sample.input as { messages?: unknown } | null;
      if (typeof input !== "object" || input === null) throw new LineProblem("input must be an object with messages");
      let total = messages(input.messages, "input.messages", false, check);
      const inputMessages = input.messages as Array<{ role?: unknown }>;
      if (inputMessages[inputMessages.length - 1]?.role === "assistant") {
        throw new LineProblem("the last message of input.messages must not be from the assistant");
      }
      for (const key of ["preferred_output", "non_preferred_output"]) {
        const output = sample[key];
        if (!Array.isArray(output) || output.length !== 1) throw new LineProblem(`${key} must be a list of exactly one message`);
        const [message] = output as Array<{ role?: unknown; content?: unknown }>;
        if (message?.role !== "assistant") throw new LineProblem(`${key}[0] must be an assistant message`);
        total += textOf(message.content, `${key}[0].content`, false);
      }
      return total;
    }
  }
}

function messages(value: unknown, where: string, needAssistant: boolean, check: DatasetCheck): number {
  if (!Array.isArray(value) || value.length === 0) throw new LineProblem(`${where} must be a non-empty list`);
  let total = 0;
  let previous: string | undefined;
  let assistant = false;
  for (const [i, item] of value.entries()) {
    const at = `${where}[${i}]`;
    if (typeof item !== "object" || item === null || Array.isArray(item)) throw new LineProblem(`${at} must be an object`);
    const message = item as Record<string, unknown>;
    if (!("role" in message)) throw new LineProblem(`${at} must contain a role field`);
    const role = message.role;
    if (typeof role !== "string" || !ROLES.has(role)) throw new LineProblem(`${at}.role must be one of system, user, assistant, tool`);
    if (!("content" in message) && !(role === "assistant" && "tool_calls" in message)) {
      throw new LineProblem(`${at} must contain a content field`);
    }
    if ("content" in message && message.content !== null) total += textOf(message.content, `${at}.content`, role === "user");
    if (i === 0 && role !== "system" && role !== "user") throw new LineProblem(`${at}: a conversation starts with a system or user message`);
    if (role === "system" && i !== 0) throw new LineProblem(`${at}: only the first message may be a system message`);
    if (previous !== undefined && role === previous && role !== "tool") {
      throw new LineProblem(`${at}: after the optional system message, roles must alternate user/assistant`);
    }
    if ("weight" in message) {
      if (message.weight !== 0 && message.weight !== 1) throw new LineProblem(`${at}.weight must be 0 or 1`);
      check.hasMessageWeights = true;
    }
    for (const key of ["reasoning", "reasoning_content"]) {
      if (key in message) {
        if (role !== "assistant" || typeof message[key] !== "string") throw new LineProblem(`${at}.${key} must be a string on an assistant message`);
        check.hasReasoning = true;
        total += (message[key] as string).length;
      }
    }
    if (role === "assistant") assistant = true;
    previous = role;
  }
  if (needAssistant && !assistant) throw new LineProblem(`${where} must contain at least one assistant message`);
  return total;
}
