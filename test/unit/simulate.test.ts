import { describe, expect, it } from 'vitest';
import { policyForYear, readRehearsalPolicy } from '../../demo/rehearsal/policy.js';
import { checkRehearsalPeriod, RehearsalInputError } from '../../demo/rehearsal/run.js';
import { assignBehaviours } from '../../demo/rehearsal/staff.js';
import { presets } from '../../domain/policy/load.js';
import { PolicyValidationError } from '../../domain/policy/load.js';
import { createCalendar } from '../../domain/time/calendar.js';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

describe('simulate: policy, period and behaviours', () => {
  it('moves every date of a 2024 preset to the rehearsal year and says so', () => {
    const { policy, note } = policyForYear(presets.zhangzi, '2026-04-01');
    expect(policy.campaign.window).toEqual({ start: '2026-04-01', end: '2026-10-31' });
    expect(policy.progressReport.firstDue).toBe('2026-05-14');
    expect(policy.phaseSummaries.map((s) => s.due)).toEqual(['2026-07-14', '2026-10-14']);
    expect(note).toContain('平移+2年');
    expect(policyForYear(presets.zhangzi, '2024-05-01')).toEqual({ policy: presets.zhangzi, note: null });
  });

  it('refuses years without holiday data and periods outside the campaign, in Chinese', () => {
    const calendar = createCalendar();
    const p2027 = policyForYear(presets.zhangzi, '2027-04-01').policy;
    expect(() => checkRehearsalPeriod(p2027, '2027-04-01', '2027-05-01', calendar)).toThrow(/没有2027年的节假日安排/);
    expect(() => checkRehearsalPeriod(presets.zhangzi, '2024-11-05', '2024-12-01', calendar)).toThrow(RehearsalInputError);
    expect(() => checkRehearsalPeriod(presets.zhangzi, '2024-05-01', '2024-04-01', calendar)).toThrow(/晚于/);
    expect(checkRehearsalPeriod(presets.zhangzi, '2024-03-20', '2024-05-01', calendar)[0]).toContain('期间之外不开启任何报送');
  });

  it('validates a policy file with Chinese errors', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'sim-policy-')), 'policy.yaml');
    fs.writeFileSync(file, 'county: { code: x }\n');
    expect(() => readRehearsalPolicy({ policyFile: file })).toThrow(PolicyValidationError);
    expect(() => readRehearsalPolicy({ policyFile: `${file}.missing` })).toThrow(/无法读取政策文件/);
  });

  it('gives each actor one behaviour from the seed, at least one of each kind', () => {
    const names = ['甲股', '乙股', '丙股', '丁股', '戊股'];
    const a = assignBehaviours(names, 7);
    expect(assignBehaviours([...names].reverse(), 7)).toEqual(a);
    expect(new Set(a.values())).toEqual(new Set(['onTime', 'late', 'never']));
    const differs = [1, 2, 3, 4, 5].some((seed) => JSON.stringify([...assignBehaviours(names, seed)].sort()) !== JSON.stringify([...a].sort()));
    expect(differs).toBe(true);
  });
});
