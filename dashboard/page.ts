// The dashboard page: one self-contained HTML document (vanilla JS, no build
// step), Simplified Chinese. ECharts comes from our own route
// (/dashboard/echarts.min.js, the installed package; no CDN). Data from
// /dashboard/api/data, refreshed by the button and every 30 seconds; each
// chart downloads as PNG, each table as .xlsx from /dashboard/xlsx/<table>.
import { DEMO_BANNER } from '../bot/console/page.js';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** The page a refused visitor gets (403): the reason in Chinese, no data; the demo banner in demo mode. */
export function dashboardForbiddenPage(message: string, opts: { demo?: boolean } = {}): string {
  const banner = opts.demo ? `<div id="demo" style="background:#ff7d00;color:#fff;padding:.3em 1em;text-align:center">${DEMO_BANNER}</div>` : '';
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><link rel="icon" href="data:,"><title>救助专项治理 · 专班看板</title></head>
<body style="font-family:system-ui,'PingFang SC','Microsoft YaHei',sans-serif;margin:0;color:#1f2329">${banner}
<div style="max-width:40em;margin:4em auto"><h1 style="font-size:1.3em">无法打开专班看板</h1><p id="reason">${esc(message)}</p></div></body></html>`;
}

const STYLE = `
*{box-sizing:border-box}body{margin:0;font-family:system-ui,'PingFang SC','Microsoft YaHei','Noto Sans CJK SC',sans-serif;color:#1f2329;background:#f5f6f7}
header{background:#3370ff;color:#fff;padding:.6em 1em;display:flex;gap:1em;align-items:center;flex-wrap:wrap}
header h1{font-size:1.1em;margin:0;flex:1}#demo{background:#ff7d00;color:#fff;padding:.3em 1em;text-align:center}
header button,section button{border:1px solid #c9cdd4;background:#fff;color:#1f2329;border-radius:6px;padding:.3em .9em;cursor:pointer}
#err{color:#f54a45;padding:.5em 1em}#updated{font-size:.85em;opacity:.9}
main{padding:1em;display:grid;grid-template-columns:repeat(auto-fit,minmax(560px,1fr));gap:1em}
section{background:#fff;border:1px solid #dee0e3;border-radius:8px;padding:.8em 1em;min-width:0}
section h2{font-size:1em;margin:.2em 0 .6em;display:flex;gap:.6em;align-items:center}section h2 span{flex:1}
.chart{width:100%;height:320px}
table{border-collapse:collapse;width:100%;font-size:.88em;margin:.6em 0}th,td{border:1px solid #dee0e3;padding:.3em .5em;text-align:left}
th{background:#eef3ff}td.n{text-align:right;font-variant-numeric:tabular-nums}tr.total td{font-weight:600;background:#fafafa}
tr.overdue td{color:#d83931}.tbl-head{display:flex;justify-content:space-between;align-items:center;margin-top:.6em}
.tbl-head a{color:#3370ff;text-decoration:none;font-size:.9em}.scroll{max-height:360px;overflow:auto}.empty{color:#8f959e;padding:.5em 0}`;

const SCRIPT = `
const DEMO = document.body.dataset.demo === '1';
const $ = (s) => document.querySelector(s);
const charts = {};
window.dashboardCharts = charts;
let staffId = null, timer = null;
const params = new URLSearchParams(location.search);
if (DEMO && /^\\d+$/.test(params.get('staff') || '')) staffId = Number(params.get('staff'));
const q = () => (DEMO && staffId !== null ? '?staff=' + staffId : '');
function el(tag, cls, text) { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined && text !== null) e.textContent = String(text); return e; }
const yuan = (c) => (c / 100).toLocaleString('zh-CN', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const fmt = (iso) => iso ? new Date(iso).toLocaleString('zh-CN', { timeZone: 'Asia/Shanghai', hour12: false }) : '';
function showError(t) { $('#err').textContent = t || ''; }

function table(id, headers, rows, totals, rowClass) {
  const box = $('#' + id); box.textContent = '';
  const head = el('div', 'tbl-head');
  head.append(el('strong', '', box.dataset.title));
  const a = el('a', '', '下载Excel'); a.href = '/dashboard/xlsx/' + box.dataset.table + q(); a.setAttribute('download', ''); a.className = 'xlsx';
  head.append(a); box.append(head);
  if (!rows.length) { box.append(el('div', 'empty', '暂无数据')); return; }
  const wrap = el('div', 'scroll'), t = el('table');
  const tr = el('tr'); for (const h of headers) tr.append(el('th', '', h[0])); t.append(tr);
  const addRow = (r, cls) => { const x = el('tr', cls || ''); headers.forEach((h, i) => x.append(el('td', h[1] ? 'n' : '', r[i]))); t.append(x); };
  rows.forEach((r, i) => addRow(r, rowClass ? rowClass(i) : ''));
  if (totals) addRow(totals, 'total');
  wrap.append(t); box.append(wrap);
}

function chart(name, option) {
  const dom = $('#chart-' + name);
  let c = charts[name];
  if (!c) { c = echarts.init(dom, null, { renderer: 'canvas' }); charts[name] = c; }
  c.setOption(Object.assign({ animation: false, backgroundColor: '#fff', textStyle: { fontFamily: "system-ui,'Noto Sans CJK SC',sans-serif" } }, option), true);
}

async function downloadPng(name, title) {
  const url = charts[name].getDataURL({ type: 'png', pixelRatio: 2, backgroundColor: '#fff' });
  const blob = await (await fetch(url)).blob();
  const a = el('a'); a.href = URL.createObjectURL(blob); a.download = title + '.png';
  document.body.append(a); a.click(); a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10000);
}

const sum = (xs, f) => xs.reduce((s, x) => s + f(x), 0);
const uniq = (xs) => [...new Set(xs)];

function render(d) {
  $('#who').textContent = d.viewer.name + '（' + d.viewer.role + '）· 范围：' + d.viewer.scope;
  $('#updated').textContent = '更新于 ' + fmt(d.generatedAt);

  // Findings by township and kind.
  const towns = uniq(d.findings.map((f) => f.township)), kinds = uniq(d.findings.map((f) => f.kindZh));
  chart('findings', {
    tooltip: { trigger: 'axis' }, legend: { top: 0 }, grid: { left: 50, right: 20, top: 40, bottom: 40 },
    xAxis: { type: 'category', data: towns, axisLabel: { interval: 0 } }, yAxis: { type: 'value', name: '问题数（个）', minInterval: 1 },
    series: kinds.map((k) => ({ name: k, type: 'bar', stack: 'n', data: towns.map((t) => sum(d.findings.filter((f) => f.township === t && f.kindZh === k), (f) => f.count)) })),
  });
  table('tbl-findings', [['乡镇（街道）'], ['问题类型'], ['发现问题数（个）', 1], ['其中未办结（个）', 1], ['涉及金额（元）', 1]],
    d.findings.map((f) => [f.township, f.kindZh, f.count, f.open, yuan(f.amountCents)]),
    ['合计', '', sum(d.findings, (f) => f.count), sum(d.findings, (f) => f.open), yuan(sum(d.findings, (f) => f.amountCents))]);

  // Open cases by kind and time left.
  const buckets = [['overdue', '已逾期', '#d83931'], ['within3', '3日内到期', '#ff7d00'], ['within7', '7日内到期', '#ffc60a'], ['later', '7日以上', '#3370ff'], ['none', '无期限', '#8f959e']];
  const withCases = d.casesByKind.filter((k) => k.open > 0);
  chart('cases', {
    tooltip: { trigger: 'axis' }, legend: { top: 0 }, grid: { left: 50, right: 20, top: 40, bottom: 40 },
    xAxis: { type: 'category', data: withCases.map((k) => k.kindZh), axisLabel: { interval: 0 } }, yAxis: { type: 'value', name: '在办（件）', minInterval: 1 },
    series: buckets.map(([key, label, color]) => ({ name: label, type: 'bar', stack: 'c', itemStyle: { color }, data: withCases.map((k) => k[key]) })),
  });
  table('tbl-cases-by-kind', [['案件类型'], ['在办（件）', 1], ['已逾期', 1], ['3日内到期', 1], ['7日内到期', 1], ['7日以上', 1], ['无期限', 1]],
    d.casesByKind.map((k) => [k.kindZh, k.open, k.overdue, k.within3, k.within7, k.later, k.none]),
    ['合计', ...['open', 'overdue', 'within3', 'within7', 'later', 'none'].map((key) => sum(d.casesByKind, (k) => k[key]))]);
  const left = (c) => c.daysLeft === null ? '无期限' : c.daysLeft < 0 ? '逾期 ' + (-c.daysLeft) + ' 天' : '剩余 ' + c.daysLeft + ' 天';
  table('tbl-cases', [['案件编号'], ['案件类型'], ['乡镇（街道）'], ['承办人'], ['办理期限'], ['剩余时间']],
    d.cases.map((c) => ['#' + c.id, c.ledgerNo ? c.kindZh + '（台账' + c.ledgerNo + '）' : c.kindZh, c.township, c.assignee, fmt(c.dueAt), left(c)]),
    ['合计', d.casesTotal + ' 件', d.casesTotal > d.cases.length ? '仅列出最紧迫的 ' + d.cases.length + ' 件，完整清单请下载Excel' : '', '', '', ''], (i) => d.cases[i].bucket === 'overdue' ? 'overdue' : '');

  // Current reporting cycles.
  const cyc = d.cycles.map((c) => c.title + '（' + c.period + '）');
  chart('submissions', {
    tooltip: { trigger: 'axis' }, legend: { top: 0 }, grid: { left: 50, right: 20, top: 40, bottom: 40 },
    xAxis: { type: 'category', data: cyc, axisLabel: { interval: 0 } }, yAxis: { type: 'value', name: '单位（个）', minInterval: 1 },
    series: [
      { name: '按时报送', type: 'bar', stack: 's', itemStyle: { color: '#34c724' }, data: d.cycles.map((c) => c.submitted - c.late) },
      { name: '逾期报送', type: 'bar', stack: 's', itemStyle: { color: '#ff7d00' }, data: d.cycles.map((c) => c.late) },
      { name: '未报送', type: 'bar', stack: 's', itemStyle: { color: '#d83931' }, data: d.cycles.map((c) => c.missing) },
    ],
  });
  const stateZh = { 'on-time': '已报送', late: '逾期报送', missing: '未报送', 'missing-overdue': '未报送（已逾期）' };
  const units = d.cycles.flatMap((c) => c.units.map((u) => [c.title + '（' + c.period + '）', fmt(c.dueAt), u.unit, stateZh[u.state], fmt(u.submittedAt), u.state]));
  table('tbl-submissions', [['报送事项'], ['报送截止'], ['报送单位'], ['报送状态'], ['报送时间']],
    units.map((r) => r.slice(0, 5)),
    ['合计', '', units.length + ' 个单位', '已报送 ' + sum(d.cycles, (c) => c.submitted) + '，其中逾期 ' + sum(d.cycles, (c) => c.late) + '；未报送 ' + sum(d.cycles, (c) => c.missing), ''],
    (i) => units[i][5] === 'late' || units[i][5] === 'missing-overdue' ? 'overdue' : '');

  // Month by month.
  chart('trends', {
    tooltip: { trigger: 'axis' }, legend: { top: 0 }, grid: { left: 55, right: 70, top: 40, bottom: 40 },
    xAxis: { type: 'category', data: d.trends.map((t) => t.month) },
    yAxis: [{ type: 'value', name: '数量', minInterval: 1 }, { type: 'value', name: '金额（元）' }],
    series: [
      { name: '发现问题', type: 'line', data: d.trends.map((t) => t.findings) },
      { name: '新增整改', type: 'line', data: d.trends.map((t) => t.rectificationsOpened) },
      { name: '完成整改', type: 'line', data: d.trends.map((t) => t.rectificationsCompleted) },
      { name: '追回金额（元）', type: 'bar', yAxisIndex: 1, data: d.trends.map((t) => t.recoveredCents / 100) },
    ],
  });
  table('tbl-trends', [['月份'], ['发现问题数（个）', 1], ['涉及金额（元）', 1], ['新增整改事项（项）', 1], ['完成整改事项（项）', 1], ['追回金额（元）', 1]],
    d.trends.map((t) => [t.month, t.findings, yuan(t.findingCents), t.rectificationsOpened, t.rectificationsCompleted, yuan(t.recoveredCents)]),
    ['合计', sum(d.trends, (t) => t.findings), yuan(sum(d.trends, (t) => t.findingCents)), sum(d.trends, (t) => t.rectificationsOpened), sum(d.trends, (t) => t.rectificationsCompleted), yuan(sum(d.trends, (t) => t.recoveredCents))]);
  document.body.dataset.loaded = String(Date.now());
}

async function load() {
  if (DEMO && staffId === null) { showError('请在右上角选择身份。'); $('main').hidden = true; return; }
  try {
    const r = await fetch('/dashboard/api/data' + q(), { cache: 'no-store' });
    const d = await r.json().catch(() => ({}));
    if (!r.ok) { showError(d.error || '无权访问'); $('main').hidden = true; return; }
    showError(''); $('main').hidden = false;
    render(d);
  } catch (e) { showError('加载失败，请稍后刷新。'); }
}
function start() {
  load();
  if (timer) clearInterval(timer);
  timer = setInterval(load, 30000);
}
$('#refresh').onclick = () => load();
$('#to-console').onclick = (e) => { if (DEMO && staffId !== null) { e.preventDefault(); location.href = '/console#staff=' + staffId; } };
for (const b of document.querySelectorAll('button[data-png]')) b.onclick = () => downloadPng(b.dataset.png, b.dataset.title);
window.addEventListener('resize', () => { for (const c of Object.values(charts)) c.resize(); });
if (DEMO) {
  fetch('/dashboard/api/staff').then((r) => r.json()).then((d) => {
    const sel = $('#pick');
    sel.append(el('option', '', '— 选择身份 —'));
    for (const s of d.staff) { const o = el('option', '', s.name + ' · ' + s.role + ' · ' + s.region); o.value = s.id; if (s.id === staffId) o.selected = true; sel.append(o); }
    sel.onchange = () => { if (sel.value) { staffId = Number(sel.value); history.replaceState(null, '', '?staff=' + staffId); start(); } };
  });
}
start();
`;

interface Panel {
  chart: string;
  title: string;
  tables: Array<{ id: string; title: string }>;
}

const PANELS: Panel[] = [
  { chart: 'findings', title: '问题发现情况（按乡镇、类型）', tables: [{ id: 'findings', title: '问题线索发现情况（按乡镇、类型）' }] },
  {
    chart: 'cases',
    title: '在办案件（按类型、剩余时间）',
    tables: [
      { id: 'cases-by-kind', title: '在办案件（按类型）' },
      { id: 'cases', title: '在办案件明细（逾期在前）' },
    ],
  },
  { chart: 'submissions', title: '本期报送情况', tables: [{ id: 'submissions', title: '各单位报送情况（未报送在前）' }] },
  { chart: 'trends', title: '月度趋势（发现问题、整改、追回金额）', tables: [{ id: 'trends', title: '月度趋势' }] },
];

export function dashboardPage(opts: { demo: boolean }): string {
  const side = opts.demo ? '<label>切换身份 <select id="pick"></select></label>' : '<button id="logout" onclick="fetch(\'/dashboard/logout\',{method:\'POST\'}).then(()=>location.reload())">退出登录</button>';
  const banner = opts.demo ? `<div id="demo">${DEMO_BANNER}</div>` : '';
  const panels = PANELS.map(
    (p) => `<section><h2><span>${p.title}</span><button data-png="${p.chart}" data-title="${p.title}">下载PNG</button></h2>
<div class="chart" id="chart-${p.chart}"></div>
${p.tables.map((t) => `<div id="tbl-${t.id}" data-table="${t.id}" data-title="${t.title}"></div>`).join('\n')}</section>`,
  );
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<link rel="icon" href="data:,"><title>救助专项治理 · 专班看板</title><style>${STYLE}</style><script src="/dashboard/echarts.min.js"></script></head>
<body data-demo="${opts.demo ? '1' : '0'}">
<header><h1>救助专项治理 · 专班看板</h1><span id="who"></span><span id="updated"></span><a id="to-console" href="/console" style="color:#fff">聊天控制台</a><button id="refresh">刷新</button>${side}</header>
${banner}<div id="err"></div>
<main>
${panels.join('\n')}
</main>
<script>${SCRIPT}</script>
</body></html>`;
}
