// Where a notification's attachment lives on disk: its path (relative to the
// data folder, checked by `isSafeRelativePath`) resolved under the data folder,
// refusing anything that would leave it (also through a symbolic link).
import fs from 'node:fs';
import path from 'node:path';

import { isSafeRelativePath } from '../../domain/tables/attachments.js';

/** The data folder the bot reads attachments from (as infra/config.ts: JIUZHU_DATA_DIR, else ./.data). */
export function defaultDataDir(): string {
  return path.resolve(process.env.JIUZHU_DATA_DIR ?? './.data');
}

/** Absolute path of an attachment, or undefined when the path is unsafe. Does not check that the file exists. */
export function attachmentPath(dataDir: string, relative: string): string | undefined {
  if (!isSafeRelativePath(relative)) return undefined;
  const root = path.resolve(dataDir);
  const full = path.resolve(root, ...relative.split('/'));
  return full.startsWith(root + path.sep) ? full : undefined;
}

/** Like attachmentPath, and the file exists as a regular file whose real path is inside the data folder. */
export function existingAttachmentPath(dataDir: string, relative: string): string | undefined {
  const full = attachmentPath(dataDir, relative);
  if (!full) return undefined;
  try {
    const real = fs.realpathSync(full);
    const root = fs.realpathSync(path.resolve(dataDir));
    if (!real.startsWith(root + path.sep) || !fs.statSync(real).isFile()) return undefined;
    return real;
  } catch {
    return undefined;
  }
}
