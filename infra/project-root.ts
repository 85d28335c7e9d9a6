// The repository root (package.json, prisma/, scripts/, domain/time/*.yaml live there), both when this
// runs from the TypeScript sources (infra/project-root.ts) and from the compiled code (dist/infra/project-root.js).
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const above = fileURLToPath(new URL('..', import.meta.url));

export const PROJECT_ROOT: string = fs.existsSync(path.join(above, 'package.json')) ? above : path.dirname(path.resolve(above)) + path.sep;

/** True when this process runs the compiled JavaScript in dist/. */
export const RUNNING_COMPILED: boolean = import.meta.url.endsWith('.js');
