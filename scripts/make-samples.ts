// Writes the sample files into samples/: `node bin/run-ts.js scripts/make-samples.ts [DIR]`.
// Deterministic: running it again produces the same bytes (same SHA-256, so re-importing says
// "already imported"). See samples/README.md for what is planted in them.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

import { buildSamples, sequentialIds, writeCsv, writeSampleSet, type SampleTable } from './sample-data.js';

const root = fileURLToPath(new URL('../', import.meta.url));
const dir = path.resolve(process.argv[2] ?? path.join(root, 'samples'));

const set = buildSamples();
const files = await writeSampleSet(dir, set);

// A roster with mistakes, to see the error file: `jiuzhu import roster samples/roster-with-errors.csv`.
const ids = sequentialIds('140429');
const good = (name: string, female = false) => ({ name, id: ids('19600101', female) });
const a = good('岳长福');
const b = good('岳翠兰', true);
const c = good('程保国');
const d = good('程美玲', true);
const e = good('白满仓');
const f = good('侯春梅', true);
const badChecksum = a.id.slice(0, 17) + (a.id[17] === '0' ? '1' : '0');
const errors: SampleTable = {
  header: set.tables.roster.header,
  rows: [
    ['鲍店镇', '鲍店村', a.name, a.id, a.name, a.id, '本人', '农村低保', null, 1040, '2021-05-01', '正常'],
    ['鲍店镇', '鲍店村', a.name, a.id, b.name, b.id, '配偶', '农村低保', null, 1040, '2021-05-01', '正常'],
    ['鲍店镇', '鲍店村', a.name, badChecksum, a.name, badChecksum, '本人', '农村低保', null, 1040, '2021-05-01', '正常'],
    ['鲍店镇', '河头村', c.name, c.id, c.name, c.id, '本人', '农村低保', null, 520, '2024-02-30', '正常'],
    ['鲍店镇', '河头村', c.name, c.id, d.name, d.id, '配偶', '低保户', null, 520, '2022-03-01', '正常'],
    ['石哲镇', '石哲村', e.name, e.id, e.name, e.id, '本人', '农村低保', null, -520, '2022-03-01', '正常'],
    [],
    ['石哲镇', '石哲村', f.name, f.id, f.name, f.id, '本人', '集中特困', null, 1300, '2020/7/1', '正常'],
    ['石哲镇', '房头村', f.name, f.id, f.name, f.id, '本人', '农村低保', null, '五百二', '2020年7月1日', '正常'],
  ],
};
writeCsv(path.join(dir, 'roster-with-errors.csv'), errors, 'utf8bom');

fs.writeFileSync(path.join(dir, 'planted.json'), JSON.stringify({ county: set.county, institution: set.institution, problems: set.planted }, null, 2) + '\n');

for (const [kind, file] of Object.entries(files)) {
  console.log(`${kind.padEnd(10)} ${path.relative(process.cwd(), file)}  (${set.tables[kind as keyof typeof files].rows.length} 行)`);
}
console.log(`errors     ${path.relative(process.cwd(), path.join(dir, 'roster-with-errors.csv'))}`);
