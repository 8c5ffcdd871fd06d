import { mkdir, open, readFile, readdir, rename, rmdir, unlink } from "node:fs/promises";
import { dirname, join, resolve, sep } from "node:path";
import { randomBytes } from "node:crypto";

import type { SelftuneStorage } from "../core.js";
import { checkStoragePath } from "./paths.js";

export interface FileStorageOptions {
  /** fsync after every write and append (default true). Turn off only for throwaway data. */
  sync?: boolean;
}

/**
 * Storage in a folder. `write` replaces atomically (temp file, fsync, rename, fsync of the folder);
 * `append` is durable (fsync) and appends to one file are serialized, so concurrent lines never
 * interleave.
 */
export class FileStorage implements SelftuneStorage {
  readonly root: string;
  private readonly sync: boolean;
  private readonly appendQueues = new Map<string, Promise<void>>();
  private readonly knownFolders = new Set<string>();

  constructor(root: string, options: FileStorageOptions = {}) {
    this.root = resolve(root);
    this.sync = options.sync ?? true;
  }

  private file(path: string): string {
    return join(this.root, ...checkStoragePath(path));
  }

  async read(path: string): Promise<string | null> {
    try {
      return await readFile(this.file(path), "utf8");
    } catch (error) {
      if (isMissing(error)) return null;
      throw error;
    }
  }

  async write(path: string, contents: string): Promise<void> {
    const file = this.file(path);
    await this.ensureFolder(dirname(file));
    const temp = `${file}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
    const handle = await open(temp, "w");
    try {
      await handle.writeFile(contents, "utf8");
      if (this.sync) await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temp, file);
    } catch (error) {
      await unlink(temp).catch(() => {});
      throw error;
    }
    await this.syncFolder(dirname(file));
  }

  append(path: string, contents: string): Promise<void> {
    const file = this.file(path);
    const previous = this.appendQueues.get(file) ?? Promise.resolve();
    const next = previous.then(
      () => this.appendNow(file, contents),
      () => this.appendNow(file, contents),
    );
    this.appendQueues.set(file, next);
    // Drop the queue entry once idle so the map does not grow with every file ever touched.
    const cleanup = () => {
      if (this.appendQueues.get(file) === next) this.appendQueues.delete(file);
    };
    next.then(cleanup, cleanup);
    return next;
  }

  private async appendNow(file: string, contents: string): Promise<void> {
    const folder = dirname(file);
    const newFolder = !this.knownFolders.has(folder);
    await this.ensureFolder(folder);
    const handle = await open(file, "a");
    try {
      await handle.appendFile(contents, "utf8");
      if (this.sync) await handle.datasync();
    } finally {
      await handle.close();
    }
    // A file created in a folder is durable only once the folder's entry is synced too.
    if (newFolder) await this.syncFolder(folder);
  }

  async list(dir: string): Promise<string[]> {
    try {
      const entries = await readdir(this.file(dir), { withFileTypes: true });
      return entries
        .filter((entry) => entry.isFile() && !entry.name.endsWith(".tmp"))
        .map((entry) => entry.name)
        .sort();
    } catch (error) {
      if (isMissing(error)) return [];
      throw error;
    }
  }

  /** Removes a file, and the folders it leaves empty (up to the root). */
  async remove(path: string): Promise<void> {
    const file = this.file(path);
    try {
      await unlink(file);
    } catch (error) {
      if (!isMissing(error)) throw error;
      return;
    }
    for (let folder = dirname(file); folder.startsWith(this.root + sep); folder = dirname(folder)) {
      try {
        await rmdir(folder);
      } catch {
        break; // not empty, or already gone
      }
      this.knownFolders.delete(folder);
    }
  }

  private async ensureFolder(folder: string): Promise<void> {
    if (this.knownFolders.has(folder)) return;
    await mkdir(folder, { recursive: true });
    this.knownFolders.add(folder);
  }

  private async syncFolder(folder: string): Promise<void> {
    if (!this.sync) return;
    const handle = await open(folder, "r");
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

function isMissing(error: unknown): boolean {
  return (error as NodeJS.ErrnoException | undefined)?.code === "ENOENT";
}
