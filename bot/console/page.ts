// The console page: one self-contained HTML document (vanilla JS, no build
// step), Simplified Chinese. Chats on the left (on a phone: a row on top;
// unread counts), messages
// rendered like Feishu cards (title, text, fields, buttons), an input box at
// the bottom. Live updates come over Server-Sent Events; a dropped stream
// reconnects and replays the chat log (entries are keyed by id, so nothing
// shows twice).

export const DEMO_BANNER = '演示模式：可任意切换身份（仅限本机访问；演示县的人员和数据均为虚构）';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** No favicon request (it would 404 on every page). */
const HEAD = '<meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><link rel="icon" href="data:,"><title>救助专项治理 · 控制台</title>';
const BANNER_STYLE = 'background:#ff7d00;color:#fff;padding:.3em 1em;text-align:center';
const banner = (demo: boolean) => (demo ? `<div id="demo" style="${BANNER_STYLE}">${DEMO_BANNER}</div>` : '');

export function forbiddenPage(message: string, opts: { demo?: boolean } = {}): string {
  return `<!doctype html><html lang="zh-CN"><head>${HEAD}</head>
<body style="font-family:system-ui,'PingFang SC','Microsoft YaHei',sans-serif;margin:0;color:#1f2329">${banner(!!opts.demo)}
<div style="max-width:40em;margin:4em auto"><h1 style="font-size:1.3em">无法打开控制台</h1><p id="reason">${esc(message)}</p></div></body></html>`;
}

const STYLE = `
#roster{padding:.3em 1em;background:#fff7e8;font-size:.85em}#roster ul{margin:.3em 0;columns:2}
*{box-sizing:border-box}body{margin:0;font-family:system-ui,'PingFang SC','Microsoft YaHei',sans-serif;color:#1f2329;background:#f5f6f7;height:100vh;display:flex;flex-direction:column}
header{background:#3370ff;color:#fff;padding:.5em 1em;display:flex;gap:1em;align-items:center}
header h1{font-size:1.05em;margin:0;flex:1}#conn{font-size:.85em}
main{flex:1;display:flex;min-height:0}#chats{width:15em;background:#fff;border-right:1px solid #dee0e3;overflow:auto}
#chats div{padding:.8em 1em;cursor:pointer;border-bottom:1px solid #f0f1f2;display:flex;justify-content:space-between}#chats div.on{background:#e1eaff}
.unread{background:#f54a45;color:#fff;border-radius:9px;padding:0 .5em;font-size:.8em;line-height:1.5}
#pane{flex:1;display:flex;flex-direction:column;min-width:0}#log{flex:1;overflow:auto;padding:1em}
.msg{margin:.5em 0;max-width:36em}.msg.me{margin-left:auto;text-align:right}.who{font-size:.8em;color:#8f959e}
.bubble{display:inline-block;text-align:left;background:#fff;border:1px solid #dee0e3;border-radius:8px;padding:.6em .9em;white-space:pre-wrap}
.me .bubble{background:#cfe0ff;border-color:#cfe0ff}.card{padding:0;overflow:hidden;min-width:18em}
.card .t{background:#e1eaff;font-weight:600;padding:.5em .9em}.card .b{padding:.6em .9em}.f .k{color:#646a73}
.stepform{display:flex;flex-direction:column;gap:.4em;padding:0 .9em .7em}.stepform .fi{display:flex;flex-direction:column;gap:.2em}.stepform input,.stepform select,.stepform textarea{font:inherit;padding:.3em;border:1px solid #c9cdd4;border-radius:4px}.btns{display:flex;gap:.5em;padding:0 .9em .7em}button{border:1px solid #c9cdd4;background:#fff;border-radius:6px;padding:.35em .9em;cursor:pointer}
button.primary{background:#3370ff;color:#fff;border-color:#3370ff}button.danger{color:#f54a45;border-color:#f54a45}button:disabled{opacity:.5;cursor:default}
form{display:flex;gap:.5em;padding:.7em;background:#fff;border-top:1px solid #dee0e3}form input{flex:1;padding:.5em;border:1px solid #c9cdd4;border-radius:6px}
#err{color:#f54a45;padding:0 1em}
@media (max-width:640px){header{flex-wrap:wrap}main{flex-direction:column}#chats{width:auto;display:flex;overflow-x:auto;border-right:0;border-bottom:1px solid #dee0e3;flex:none}
#chats div{white-space:nowrap;border-bottom:0}#pick{max-width:100%}.card{min-width:0}.msg{max-width:100%}}`;

const SCRIPT = `
const DEMO = document.body.dataset.demo === '1';
let me = null, current = null, source = null, retryMs = 1000, retryTimer = null;
const entries = new Map(), unread = new Map();
const $ = (s) => document.querySelector(s);
const q = () => (DEMO && me ? '?staff=' + me.staff.id : '');
function el(tag, cls, text) { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined && text !== null) e.textContent = text; return e; }
function showError(t) { $('#err').textContent = t || ''; }
function setConn(t) { $('#conn').textContent = t; }
/** POSTs an action: { status, error } ('' when done). A 5xx or a network failure is retried with the same event id. */
async function post(path, body) {
  body.eventId = crypto.randomUUID();
  if (DEMO) body.staffId = me.staff.id;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const r = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const data = await r.json().catch(() => ({}));
      if (r.ok) { showError(''); return { status: r.status, error: '' }; }
      if (r.status < 500) { showError(data.error || '操作失败'); return { status: r.status, error: data.error || '操作失败' }; }
    } catch (e) { /* network: retry */ }
    await new Promise((res) => setTimeout(res, 800 * (attempt + 1)));
  }
  showError('处理失败，请稍后重试。');
  return { status: 0, error: '处理失败，请稍后重试。' };
}
function card(e) {
  const m = e.message, hasCard = m.title || (m.fields && m.fields.length) || (m.buttons && m.buttons.length) || m.form;
  const b = el('div', 'bubble' + (hasCard ? ' card' : ''));
  if (!hasCard && e.file) {
    // A notification's attachment (recipient only): a download link.
    const a = el('a', 'file', '📎 ' + e.file.fileName);
    a.href = '/console/files/' + e.file.notificationId + '/' + e.file.index + q();
    a.setAttribute('download', e.file.fileName);
    b.append(a);
    return b;
  }
  if (!hasCard) { b.textContent = m.text || ''; return b; }
  if (m.title) b.append(el('div', 't', m.title));
  const body = el('div', 'b', m.text);
  // Fields read as on a Feishu card: 标签：值.
  for (const f of m.fields || []) { const row = el('div', 'f'); row.append(el('span', 'k', f.label + '：'), el('span', 'v', f.value)); body.append(row); }
  b.append(body);
  if (m.form) {
    // The card's form: its inputs and one submit, sent together (as a Feishu form container).
    const f = el('form', 'stepform');
    for (const i of m.form.inputs) {
      const row = el('label', 'fi'); row.append(el('span', 'k', i.label));
      let input;
      if (i.kind === 'select') {
        input = el('select');
        input.append(el('option', '', '请选择'));
        input.firstChild.value = '';
        for (const o of i.options || []) { const op = el('option', '', o.label); op.value = o.value; input.append(op); }
      } else if (i.kind === 'textarea') { input = el('textarea'); input.rows = 3; }
      else { input = el('input'); input.type = i.kind === 'date' ? 'date' : 'text'; if (i.kind === 'money' || i.kind === 'number') input.inputMode = 'decimal'; }
      input.name = i.key;
      if (i.placeholder) input.placeholder = i.placeholder;
      if (i.initial) input.value = i.initial;
      row.append(input); f.append(row);
    }
    const submit = el('button', 'primary', m.form.submitLabel); submit.type = 'submit'; f.append(submit);
    f.onsubmit = async (ev) => {
      ev.preventDefault();
      submit.disabled = true;
      const values = {};
      for (const x of f.querySelectorAll('input,select,textarea')) values[x.name] = x.value;
      await post('/console/submit', { chatId: e.chatId, messageId: e.id, ref: m.form.ref, values });
      // Refused or invalid: the card stays usable (the answer says why).
      submit.disabled = false;
    };
    b.append(f);
  }
  if (m.buttons && m.buttons.length) {
    const btns = el('div', 'btns');
    for (const x of m.buttons) {
      const btn = el('button', x.style || 'default', x.label);
      btn.type = 'button';
      // One press per card: the buttons stay disabled until the card is edited (or the press failed).
      btn.onclick = async () => {
        for (const o of btns.querySelectorAll('button')) o.disabled = true;
        const r = await post('/console/press', { chatId: e.chatId, messageId: e.id, button: x.payload });
        // A stale card (409) stays disabled; any other failure may be pressed again.
        if (r.error && r.status !== 409) for (const o of btns.querySelectorAll('button')) o.disabled = false;
      };
      btns.append(btn);
    }
    b.append(btns);
  }
  return b;
}
function render() {
  const log = $('#log'), atEnd = log.scrollHeight - log.scrollTop - log.clientHeight < 40;
  log.textContent = '';
  if (!current) return;
  for (const e of entries.values()) {
    if (e.chatId !== current.id) continue;
    const mine = e.fromId !== undefined ? e.fromId === me.staff.id : !!e.from && e.from === me.staff.name;
    const box = el('div', 'msg' + (mine ? ' me' : '') + (e.from ? ' typed' : ''));
    box.dataset.id = e.id;
    box.append(el('div', 'who', (e.from || '救助专项治理助手') + ' · ' + new Date(e.at).toLocaleString('zh-CN')), card(e));
    log.append(box);
  }
  if (atEnd) log.scrollTop = log.scrollHeight;
}
function renderChats() {
  const list = $('#chats'); list.textContent = '';
  for (const c of me.chats) {
    const d = el('div', current && current.id === c.id ? 'on' : '');
    d.dataset.id = c.id; d.append(el('span', 'name', c.name));
    const n = unread.get(c.id) || 0;
    if (n) d.append(el('span', 'unread', String(n)));
    d.onclick = () => selectChat(c); list.append(d);
  }
}
function selectChat(c) { current = c; unread.delete(c.id); renderChats(); render(); $('#log').scrollTop = $('#log').scrollHeight; }
function connect() {
  if (source) source.close();
  clearTimeout(retryTimer);
  const s = source = new EventSource('/console/events' + q());
  let replaying = true;
  const on = (kind) => (ev) => {
    const e = JSON.parse(ev.data), known = entries.has(e.id);
    entries.set(e.id, e);
    if (replaying) return; // the log is drawn once, at 'ready'
    if (current && e.chatId === current.id) render();
    else if (!known && kind === 'message') { unread.set(e.chatId, (unread.get(e.chatId) || 0) + 1); renderChats(); }
  };
  s.addEventListener('message', on('message')); s.addEventListener('edit', on('edit'));
  s.addEventListener('expired', () => { s.close(); load(); });
  s.addEventListener('ready', () => { replaying = false; retryMs = 1000; setConn('已连接'); render(); });
  s.onerror = () => {
    if (s !== source) return;
    setConn('连接中断，正在重连…');
    // The browser retries a dropped stream by itself; a refused one (e.g. the session ended) is closed: check who we are again.
    if (s.readyState === EventSource.CLOSED) { retryTimer = setTimeout(load, retryMs); retryMs = Math.min(retryMs * 2, 30000); }
  };
}
async function load() {
  let r;
  try { r = await fetch('/console/api/me' + q()); } catch (e) { setConn('连接中断，正在重连…'); retryTimer = setTimeout(load, retryMs); retryMs = Math.min(retryMs * 2, 30000); return; }
  const data = await r.json().catch(() => ({}));
  if (!r.ok) {
    // Refused (e.g. the session ended): stop listening, show nothing of the chats, say why.
    if (source) source.close();
    entries.clear(); current = null; $('#chats').textContent = ''; $('#log').textContent = ''; $('#who').textContent = '';
    $('#text').disabled = true; setConn(''); showError(data.error || '无权访问');
    return;
  }
  const switched = !me || !me.chats || me.staff.id !== data.staff.id;
  me = data;
  if (switched) { entries.clear(); unread.clear(); current = null; }
  $('#who').textContent = me.staff.name + '（' + me.staff.role + '）';
  $('#text').disabled = false;
  if (!current || !me.chats.some((c) => c.id === current.id)) current = me.chats[0];
  renderChats(); render(); showError('');
  connect();
}
// Input method (拼音): while a composition is open the box holds pinyin or an unconfirmed candidate,
// and an Enter then belongs to the input method. Chromium follows an Enter keydown with
// isComposing=true by the form's implicit submission: nothing is sent until the composition ends.
let composing = false;
$('#text').addEventListener('compositionstart', () => { composing = true; });
$('#text').addEventListener('compositionend', () => { composing = false; });
$('form').onsubmit = (ev) => {
  ev.preventDefault();
  if (composing) return;
  const input = $('#text'), text = input.value.trim();
  if (!text || !current || !me) return;
  input.value = '';
  input.focus();
  // Not taken (refused or failed): give the text back unless something new was typed.
  post('/console/say', { chatId: current.id, text }).then((r) => { if (r.error && !input.value) input.value = text; });
};
// The dashboard shares the session; in demo mode it is told who is looking.
$('#to-dashboard').onclick = (e) => { if (DEMO && me) { e.preventDefault(); location.href = '/dashboard?staff=' + me.staff.id; } };
if (DEMO) {
  const sel = $('#pick');
  const roster = (id) => fetch('/console/api/demo-roster?staff=' + id).then((r) => r.json()).then((d) => {
    const box = $('#roster'); const ul = box.querySelector('ul'); ul.textContent = '';
    for (const x of d.people || []) ul.append(el('li', '', x.name + ' · ' + x.idNumber + ' · ' + x.region));
    box.hidden = !(d.people && d.people.length);
  }, () => {});
  const pick = (id) => { me = { staff: { id } }; location.hash = 'staff=' + id; load(); roster(id); };
  fetch('/console/api/staff').then((r) => r.json()).then((d) => {
    sel.append(el('option', '', '— 选择身份 —'));
    for (const s of d.staff) { const o = el('option', '', s.name + ' · ' + s.role + ' · ' + s.region); o.value = s.id; sel.append(o); }
    const m = /staff=(\\d+)/.exec(location.hash);
    if (m && d.staff.some((s) => String(s.id) === m[1])) { sel.value = m[1]; pick(Number(m[1])); }
    sel.onchange = () => { if (sel.value) pick(Number(sel.value)); };
  }, () => showError('无法读取人员名单，请刷新页面。'));
} else load();
`;

export function consolePage(opts: { demo: boolean }): string {
  const picker = opts.demo
    ? '<label>切换身份 <select id="pick"></select></label>'
    : '<button id="logout" type="button" onclick="fetch(\'/console/logout\',{method:\'POST\'}).then(()=>location.reload())">退出登录</button>';
  return `<!doctype html>
<html lang="zh-CN"><head>${HEAD}<style>${STYLE}</style></head>
<body data-demo="${opts.demo ? '1' : '0'}">
${banner(opts.demo)}
<header><h1>救助专项治理 · 聊天控制台</h1><span id="conn"></span><span id="who"></span><a id="to-dashboard" href="/dashboard" style="color:#fff">专班看板</a>${picker}</header>
${opts.demo ? '<details id="roster" hidden><summary>演示数据：本辖区在保对象（虚构，可用于 /报告死亡）</summary><ul></ul></details>' : ''}
<main><nav id="chats"></nav><section id="pane"><div id="log"></div><div id="err"></div>
<form><input id="text" autocomplete="off" disabled placeholder="输入消息或命令，如 /帮助、/报告死亡"><button class="primary">发送</button></form></section></main>
<script>${SCRIPT}</script></body></html>`;
}
