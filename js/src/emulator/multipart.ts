// Reading `multipart/form-data` bodies (RFC 7578), as `POST /files/upload` receives them.

import { invalid } from "./errors.js";

export interface Part {
  name: string;
  filename?: string;
  contentType?: string;
  data: Buffer;
}

export function boundaryOf(contentType: string): string | undefined {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

export function parseMultipart(body: Buffer, contentType: string): Map<string, Part> {
  const boundary = boundaryOf(contentType);
  if (!boundary) throw invalid("multipart/form-data without a boundary");
  const delimiter = Buffer.from(`--${boundary}`);
  const parts = new Map<string, Part>();
  let position = body.indexOf(delimiter);
  if (position < 0) throw invalid("the multipart body has no parts");
  for (;;) {
    position += delimiter.length;
    if (body.subarray(position, position + 2).toString() === "--") break;
    if (body.subarray(position, position + 2).toString() !== "\r\n") throw invalid("malformed multipart body");
    position += 2;
    const headerEnd = body.indexOf("\r\n\r\n", position);
    if (headerEnd < 0) throw invalid("malformed multipart part headers");
    const headers = body.subarray(position, headerEnd).toString("utf8").split("\r\n");
    const next = body.indexOf(Buffer.concat([Buffer.from("\r\n"), delimiter]), headerEnd + 4);
    if (next < 0) throw invalid("the multipart body is not terminated");
    const data = body.subarray(headerEnd + 4, next);
    let name: string | undefined;
    let filename: string | undefined;
    let partType: string | undefined;
    for (const header of headers) {
      const [key, ...rest] = header.split(":");
      const value = rest.join(":").trim();
      if (key.trim().toLowerCase() === "content-disposition") {
        name = /\bname="([^"]*)"/i.exec(value)?.[1];
        filename = /\bfilename="([^"]*)"/i.exec(value)?.[1];
      } else if (key.trim().toLowerCase() === "content-type") {
        partType = value;
      }
    }
    if (name === undefined) throw invalid("a multipart part has no name");
    parts.set(name, { name, filename, contentType: partType, data });
    position = next + 2;
  }
  return parts;
}
