#!/usr/bin/env node
// Entry point of the `jiuzhu` command: runs the TypeScript sources through tsx.
import { register } from 'tsx/esm/api';

register();
await import('../app/cli.ts');
