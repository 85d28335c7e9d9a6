/**
 * docs/processes.md is the step contracts drawn: it must be what `npm run docs:processes` makes
 * from today's contracts, and every Update of every contract must appear in it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CASE_STEPS } from '../../domain/steps/all.js';
import { processDiagram, processesDocument } from '../../domain/steps/diagram.js';

const doc = path.join(import.meta.dirname, '..', '..', 'docs', 'processes.md');

describe('process diagrams', () => {
  it('docs/processes.md is current (run `npm run docs:processes` after changing a step)', () => {
    expect(fs.readFileSync(doc, 'utf8')).toBe(processesDocument(CASE_STEPS));
  });

  it('draws every step of every process with its Update', () => {
    for (const kind of CASE_STEPS) {
      const picture = processDiagram(kind);
      for (const step of kind.steps) {
        expect(picture).toContain(`"${step.update.name}" --> wf`);
        expect(picture).toContain(step.title);
      }
    }
  });
});
