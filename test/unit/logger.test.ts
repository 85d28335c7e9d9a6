/**
 * The services' logger keeps personal data out: named fields are redacted, ID numbers, bank
 * accounts and mobile numbers in messages and error texts are masked, and the error's stack stays.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../infra/logger.js';
import { makeIdNumber } from '../../domain/identity/generate.js';

function capture() {
  const lines: string[] = [];
  const destination = new Writable({ write(chunk, _enc, done) { lines.push(String(chunk)); done(); } });
  return { logger: createLogger({ level: 'info', destination }), lines: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('logger', () => {
  const id = makeIdNumber('141125', '19800101', 123);

  it('masks ID numbers, bank accounts and mobiles in messages and errors, keeps the stack', () => {
    const { logger, lines } = capture();
    logger.error({ err: new Error(`导入失败：${id} 账号 6222020200112233445`) }, `处理 ${id} 时出错，联系 13812345678`);
    const [line] = lines();
    const text = JSON.stringify(line);
    expect(text).not.toContain(id);
    expect(text).not.toContain('6222020200112233445');
    expect(text).not.toContain('13812345678');
    expect(line!.msg).toContain('138****5678');
    expect(line!.msg).toContain(`${id.slice(0, 4)}**********${id.slice(-4)}`);
    const err = line!.err as { message: string; stack: string };
    expect(err.message).toContain('6222***********3445');
    expect(err.stack).toContain('logger.test.ts');
  });

  it('redacts fields named like personal data', () => {
    const { logger, lines } = capture();
    logger.info({ idNumber: id, complaint: { complainantPhone: '13812345678' }, appSecret: 's3cret' }, '收到');
    const [line] = lines();
    expect(line!.idNumber).toBe('[已屏蔽]');
    expect((line!.complaint as { complainantPhone: string }).complainantPhone).toBe('[已屏蔽]');
    expect(line!.appSecret).toBe('[已屏蔽]');
  });
});

describe('where one-shot commands log', () => {
  // A child process as the CLI runs: the logger module loaded first, JIUZHU_LOG_STDERR set after (the
  // CLI's preAction hook), then a log line: it must go to stderr, leaving stdout to the command's answer.
  it('sends log lines to stderr once JIUZHU_LOG_STDERR=1 is set, even after the logger was loaded', () => {
    const root = path.resolve(import.meta.dirname, '../..');
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'jiuzhu-log-'));
    const script = path.join(dir, 'one-shot.mts');
    fs.writeFileSync(
      script,
      `import { log } from ${JSON.stringify(path.join(root, 'infra/logger.ts'))};\n` +
        `process.stdout.write('answer\\n');\nprocess.env.JIUZHU_LOG_STDERR = '1';\nlog('import').info('批量模式未取得表锁');\n`,
    );
    const env: NodeJS.ProcessEnv = { ...process.env, JIUZHU_LOG_LEVEL: 'info' };
    delete env.VITEST;
    delete env.JIUZHU_LOG_STDERR;
    const r = spawnSync(process.execPath, [path.join(root, 'bin/run-ts.js'), script], { env, encoding: 'utf8' });
    fs.rmSync(dir, { recursive: true, force: true });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe('answer\n');
    expect(r.stderr).toContain('批量模式未取得表锁');
  });
});
