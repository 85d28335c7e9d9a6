// Shared pieces of the bot tests: a staff member in a county of its own, a
// recording CaseStarter, and a running fastify app.
import type { FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';

import type { CaseStarter, ComplaintReport, DeathReport, ImprisonmentReport, NearRelativeReport } from '../../bot/core/index.js';
import type { PrismaClient } from '../../prisma/generated/client.js';
import type { StaffRole } from '../../prisma/generated/enums.js';
import { createTestCounty, type TestCounty } from '../support/county.js';
import { freshIdNumber } from '../support/ids.js';

export class RecordingCaseStarter implements CaseStarter {
  deaths: DeathReport[] = [];
  complaints: ComplaintReport[] = [];
  imprisonments: ImprisonmentReport[] = [];
  filings: NearRelativeReport[] = [];
  failNext = 0;
  private gate: Promise<void> | undefined;
  /** Until the returned function is called, reportDeath waits (to observe what happens before the work). */
  hold(): () => void {
    let release!: () => void;
    this.gate = new Promise<void>((r) => (release = r));
    return () => {
      this.gate = undefined;
      release();
    };
  }
  async reportDeath(report: DeathReport) {
    if (this.gate) await this.gate;
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('injected failure');
    }
    this.deaths.push(report);
    return { caseRef: `DR-${this.deaths.length}` };
  }
  async reportImprisonment(report: ImprisonmentReport) {
    this.imprisonments.push(report);
    return { caseRef: `PE-${this.imprisonments.length}` };
  }
  async fileNearRelative(report: NearRelativeReport) {
    this.filings.push(report);
    return { caseRef: `NR-${this.filings.length}` };
  }
  async fileComplaint(report: ComplaintReport) {
    this.complaints.push(report);
    return { caseRef: `CP-${this.complaints.length}` };
  }
}

export async function createStaff(prisma: PrismaClient, county: TestCounty, opts: { role?: StaffRole; name?: string } = {}) {
  return prisma.staff.create({
    data: {
      name: opts.name ?? '王村干',
      idNumber: freshIdNumber(),
      role: opts.role ?? 'VILLAGE_COMMITTEE',
      unit: '第1村村委会',
      regionId: county.townships[0]!.villages[0]!.id,
    },
  });
}

export { createTestCounty, freshIdNumber };

export async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ port: 0, host: '127.0.0.1' });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

/** Unique ids per test process (open_id, chat ids, Telegram user ids). */
let n = 0;
export const uniq = (prefix: string) => `${prefix}${process.pid}${Date.now().toString(36)}${n++}`;
export const uniqNum = () => 100_000 + ((process.pid * 7919 + Date.now() + n++ * 104729) % 900_000_000);
