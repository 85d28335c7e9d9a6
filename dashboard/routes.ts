// The 专班 dashboard (看板) at /dashboard, on the same HTTP server as the web
// console and under the same access rules (bot/console/auth.ts):
// - demo mode (JIUZHU_DEMO=1): loopback only, the viewer is chosen on the page
//   (`?staff=<id>`), and the page says so (DEMO_BANNER);
// - otherwise every request must be local (loopback, no proxy headers) and
//   carry a session from a one-time login link (`jiuzhu staff login-link`,
//   opened as /dashboard/login?token=…; the cookie is scoped to /dashboard).
// Every route — page, data, xlsx — resolves the viewer and their scope
// (readmodels/dashboard-scope.ts) before reading anything: a village cadre gets 403.
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';

import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

import { clearSessionCookie, endSession, isLocalRequest, readCookie, redeemLoginToken, SESSION_COOKIE, sessionCookie, sessionStaffId } from '../bot/console/auth.js';
import { chineseHttpErrors } from '../bot/console/http-errors.js';
import { DEMO_BANNER } from '../bot/console/page.js';
import type { PrismaClient } from '../infra/db/client.js';
import { dashboardForbiddenPage as forbiddenPage, dashboardPage } from './page.js';
import { loadDashboard } from '../readmodels/dashboard.js';
import { STAFF_ROLE_SHORT_LABELS } from '../domain/import/vocabulary.js';
import { resolveViewer, type DashboardViewer } from '../readmodels/dashboard-scope.js';
import { DASHBOARD_TABLES, dashboardXlsx, TABLE_TITLES, type DashboardTable } from './xlsx.js';

export interface DashboardRoutesOptions {
  prisma: PrismaClient;
  demo: boolean;
  /** The county this server serves (undefined: each viewer's own county). */
  countyRegionId?: number | undefined;
  now?: () => Date;
}

export const DASHBOARD_FORBIDDEN = '无权访问专班看板：请在本机打开由 jiuzhu staff login-link 生成的一次性登录链接（将链接中的 /console/ 换成 /dashboard/）。';
export const DEMO_LOCAL_ONLY = '演示模式只能在本机使用。';
export const DEMO_PICK = '请先选择一名本县在职人员。';

/** Open cases listed on the page (most urgent first); the counts and the xlsx cover all. */
export const PAGE_CASES = 300;

const XLSX_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

function echartsPath(): string {
  // The package's exports map hides dist/; its CommonJS entry is dist/echarts.js.
  const require = createRequire(import.meta.url);
  return path.join(path.dirname(require.resolve('echarts')), 'echarts.min.js');
}

export function registerDashboard(app: FastifyInstance, options: DashboardRoutesOptions): void {
  const { prisma, demo } = options;
  const now = options.now ?? (() => new Date());
  let echarts: Buffer | undefined;

  const demoStaff = (req: FastifyRequest) => {
    const s = (req.query as { staff?: string }).staff;
    return s && /^\d{1,9}$/.test(s) ? Number(s) : undefined;
  };

  /** The viewer of a request, or { status, message } for the refusal. */
  async function viewerOf(req: FastifyRequest): Promise<{ viewer: DashboardViewer } | { status: number; message: string }> {
    if (!isLocalRequest(req)) return { status: 403, message: demo ? DEMO_LOCAL_ONLY : DASHBOARD_FORBIDDEN };
    const staffId = demo ? demoStaff(req) : await sessionStaffId(prisma, readCookie(req.headers.cookie, SESSION_COOKIE), now());
    if (staffId === undefined) return { status: 403, message: demo ? DEMO_PICK : DASHBOARD_FORBIDDEN };
    const r = await resolveViewer(prisma, staffId, options.countyRegionId);
    if (!r.ok) return { status: 403, message: r.message };
    return { viewer: r.viewer };
  }

  const refuseJson = (reply: FastifyReply, r: { status: number; message: string }) => reply.code(r.status).header('cache-control', 'no-store').send({ error: r.message });

  // Every route in one scope under /dashboard: every refusal in Chinese (bot/console/http-errors.ts).
  void app.register(
    async (app) => {
      chineseHttpErrors(app);
      routes(app);
    },
    { prefix: '/dashboard' },
  );

  function routes(app: FastifyInstance) {
    app.get('/', async (req, reply) => {
      reply.header('cache-control', 'no-store');
      if (!isLocalRequest(req)) return reply.code(403).type('text/html; charset=utf-8').send(forbiddenPage(demo ? DEMO_LOCAL_ONLY : DASHBOARD_FORBIDDEN, { demo }));
      // Demo mode: the page itself offers the identity picker; a chosen identity is checked by the data routes.
      if (!demo || demoStaff(req) !== undefined) {
        const r = await viewerOf(req);
        if ('status' in r) return reply.code(r.status).type('text/html; charset=utf-8').send(forbiddenPage(r.message, { demo }));
      }
      return reply.type('text/html; charset=utf-8').send(dashboardPage({ demo }));
    });

    app.get('/login', async (req, reply) => {
      const token = (req.query as { token?: string }).token ?? '';
      const redeemed = isLocalRequest(req) ? await redeemLoginToken(prisma, token, now()) : undefined;
      if (!redeemed) {
        return reply
          .code(403)
          .type('text/html; charset=utf-8')
          .send(forbiddenPage('登录链接无效、已使用或已过期（有效期 15 分钟，只能使用一次），且只能在本机打开。请重新执行 jiuzhu staff login-link 获取。', { demo }));
      }
      return reply.header('set-cookie', sessionCookie(redeemed.session)).redirect('/dashboard', 303);
    });

    app.post('/logout', async (req, reply) => {
      await endSession(prisma, readCookie(req.headers.cookie, SESSION_COOKIE));
      return reply.header('set-cookie', clearSessionCookie()).send({ ok: true });
    });

    app.get('/echarts.min.js', async (req, reply) => {
      if (!isLocalRequest(req)) return reply.code(403).send({ error: DASHBOARD_FORBIDDEN });
      echarts ??= fs.readFileSync(echartsPath());
      return reply.type('application/javascript; charset=utf-8').header('cache-control', 'public, max-age=86400').send(echarts);
    });

    app.get('/api/staff', async (req, reply) => {
      if (!demo || !isLocalRequest(req)) return reply.code(403).send({ error: DASHBOARD_FORBIDDEN });
      const county = options.countyRegionId;
      const where =
        county === undefined ? { active: true } : { active: true, OR: [{ regionId: county }, { region: { parentId: county } }, { region: { parent: { parentId: county } } }] };
      const rows = await prisma.staff.findMany({ where, include: { region: { select: { name: true } } }, orderBy: { id: 'asc' }, take: 1000 });
      return { banner: DEMO_BANNER, staff: rows.map((s) => ({ id: s.id, name: s.name, role: STAFF_ROLE_SHORT_LABELS[s.role] ?? s.role, region: s.region.name })) };
    });

    app.get('/api/data', async (req, reply) => {
      const r = await viewerOf(req);
      if ('status' in r) return refuseJson(reply, r);
      const v = r.viewer;
      const data = await loadDashboard(prisma, v.scope, v.staffId, now());
      return reply.header('cache-control', 'no-store').send({
        demo,
        ...(demo ? { banner: DEMO_BANNER } : {}),
        viewer: { name: v.name, role: v.roleZh, scope: v.scopeLabel, level: v.scope.level },
        ...data,
        // The page lists the most urgent cases; the xlsx has them all.
        cases: data.cases.slice(0, PAGE_CASES),
        casesTotal: data.cases.length,
      });
    });

    app.get('/xlsx/:table', async (req, reply) => {
      const r = await viewerOf(req);
      if ('status' in r) return refuseJson(reply, r);
      const table = (req.params as { table: string }).table;
      if (!(DASHBOARD_TABLES as readonly string[]).includes(table)) return reply.code(404).send({ error: '没有这张表。' });
      const v = r.viewer;
      const data = await loadDashboard(prisma, v.scope, v.staffId, now());
      const body = await dashboardXlsx(table as DashboardTable, data, { scopeLabel: v.scopeLabel, viewer: `${v.name}（${v.roleZh}）` });
      const name = `专班看板-${TABLE_TITLES[table as DashboardTable].replace(/[（）、，]/g, '')}.xlsx`;
      return reply
        .header('cache-control', 'no-store')
        .header('content-type', XLSX_TYPE)
        .header('content-disposition', `attachment; filename="dashboard-${table}.xlsx"; filename*=UTF-8''${encodeURIComponent(name)}`)
        .send(body);
    });
  }
}
