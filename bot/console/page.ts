// The console page: one self-contained HTML document (vanilla JS, no build
// step), Simplified Chinese. Chats on the left, messages rendered like Feishu
// cards (title, text, fields, buttons), an input box at the bottom.

export const DEMO_BANNER = '演示模式：可任意切换身份（仅限本机访问；演示县的人员和数据均为虚构）';

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function forbiddenPage(message: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><title>救助专项治理 · 控制台</title></head>
<body style="font-family:system-ui,'PingFang SC','Microsoft YaHei',sans-serif;max-width:40em;margin:4em auto;color:#1f2329">
<h1 style="font-size:1.3em">无法打开控制台</h1><p>${esc(message)}</p></body></html>`;
}

const STYLE = `
*{box-sizing:border-box}body{margin:0;font-family:system-ui,'PingFang SC','Microsoft YaHei',sans-serif;color:#1f2329;background:#f5f6f7;height:100vh;display:flex;flex-direction:column}
header{background:#3370ff;color:#fff;padding:.5em 1em;display:flex;gap:1em;align-items:center}
header h1{font-size:1.05em;margin:0;flex:1}#demo{background:#ff7d00;color:#fff;padding:.3em 1em;text-align:center}
main{flex:1;display:flex;min-height:0}#chats{width:15em;background:#fff;border-right:1px solid #dee0e3;overflow:auto}
#chats div{padding:.8em 1em;cursor:pointer;border-bottom:1px solid #f0f1f2}#chats div.on{background:#e1eaff}
#pane{flex:1;display:flex;flex-direction:column;min-width:0}#log{flex:1;overflow:auto;padding:1em}
.msg{margin:.5em 0;max-width:36em}.msg.me{margin-left:auto;text-align:right}.who{font-size:.8em;color:#8f959e}
.bubble{display:inline-block;text-align:left;background:#fff;border:1px solid #dee0e3;border-radius:8px;padding:.6em .9em;white-space:pre-wrap}
.me .bubble{background:#cfe0ff;border-color:#cfe0ff}.card{padding:0;overflow:hidden;min-width:18em}
.card .t{background:#e1eaff;font-weight:600;padding:.5em .9em}.card .b{padding:.6em .9em}.f{display:flex;gap:.5em}.f span:first-child{color:#646a73;min-width:6em}
.btns{display:flex;gap:.5em;padding:0 .9em .7em}button{border:1px solid #c9cdd4;background:#fff;border-radius:6px;padding:.35em .9em;cursor:pointer}
button.primary{background:#3370ff;color:#fff;border-color:#3370ff}button.danger{color:#f54a45;border-color:#f54a45}
form{display:flex;gap:.5em;padding:.7em;background:#fff;border-top:1px solid #dee0e3}form input{flex:1;padding:.5em;border:1px solid #c9cdd4;border-radius:6px}
#err{color:#f54a45;padding:0 1em}`;

const SCRIPT = `
const DEMO = document.body.dataset.demo === '1';
let me = null, chats = [], current = null, source = null;
const entries = new Map();
const $ = (s) => document.querySelector(s);
const q = () => (DEMO && me ? '?staff=' + me.staff.id : '');
function el(tag, cls, text) { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }
function showError(t) { $('#err').textContent = t || ''; }
async function post(path, body) {
  // One uuid per action: a retry of the same action carries it again and is handled once.
  body.eventId = crypto.randomUUID();
  if (DEMO) body.staffId = me.staff.id;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const r = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const data = await r.json().catch(() => ({}));
      if (r.ok) { showError(''); return; }
      if (r.status < 500) { showError(data.error || '操作失败'); return; }
    } catch (e) { /* network: retry */ }
    await new Promise((res) => setTimeout(res, 800 * (attempt + 1)));
  }
  showError('处理失败，请稍后重试。');
}
function render() {
  const log = $('#log'); log.textContent = '';
  if (!current) return;
  for (const e of entries.values()) {
    if (e.chatId !== current.id) continue;
    const m = e.message, box = el('div', 'msg' + (e.from ? ' me' : ''));
    box.append(el('div', 'who', (e.from || '救助专项治理助手') + ' · ' + new Date(e.at).toLocaleString('zh-CN')));
    const hasCard = m.title || (m.fields && m.fields.length) || (m.buttons && m.buttons.length);
    const b = el('div', 'bubble' + (hasCard ? ' card' : ''));
    if (hasCard) {
      if (m.title) b.append(el('div', 't', m.title));
      const body = el('div', 'b', m.text);
      for (const f of m.fields || []) { const row = el('div', 'f'); row.append(el('span', '', f.label), el('span', '', f.value)); body.append(row); }
      b.append(body);
      if (m.buttons && m.buttons.length) {
        const btns = el('div', 'btns');
        for (const x of m.buttons) {
          const btn = el('button', x.style || 'default', x.label);
          btn.onclick = () => post('/console/press', { chatId: e.chatId, messageId: e.id, button: x.payload });
          btns.append(btn);
        }
        b.append(btns);
      }
    } else if (e.file) {
      const a = el('a', 'file', '📎 ' + e.file.fileName);
      a.href = '/console/files/' + e.file.notificationId + '/' + e.file.index + q();
      a.setAttribute('download', e.file.fileName);
      b.append(a);
    } else b.textContent = m.text;
    box.append(b); log.append(box);
  }
  log.scrollTop = log.scrollHeight;
}
function selectChat(c) {
  current = c;
  for (const d of document.querySelectorAll('#chats div')) d.classList.toggle('on', d.dataset.id === c.id);
  render();
}
async function load() {
  entries.clear(); if (source) source.close();
  const r = await fetch('/console/api/me' + q());
  if (!r.ok) { showError((await r.json().catch(() => ({}))).error || '无权访问'); return; }
  me = await r.json(); chats = me.chats;
  $('#who').textContent = me.staff.name + '（' + me.staff.role + '）';
  const list = $('#chats'); list.textContent = '';
  for (const c of chats) { const d = el('div', '', c.name); d.dataset.id = c.id; d.onclick = () => selectChat(c); list.append(d); }
  selectChat(chats[0]);
  source = new EventSource('/console/events' + q());
  const on = (ev) => { const e = JSON.parse(ev.data); entries.set(e.id, e); if (current && e.chatId === current.id) render(); };
  source.addEventListener('message', on); source.addEventListener('edit', on);
}
$('form').onsubmit = (ev) => {
  ev.preventDefault();
  const input = $('#text'), text = input.value.trim();
  if (!text || !current) return;
  input.value = '';
  post('/console/say', { chatId: current.id, text });
};
if (DEMO) {
  fetch('/console/api/staff').then((r) => r.json()).then((d) => {
    const sel = $('#pick');
    sel.append(el('option', '', '— 选择身份 —'));
    for (const s of d.staff) { const o = el('option', '', s.name + ' · ' + s.role + ' · ' + s.region); o.value = s.id; sel.append(o); }
    sel.onchange = () => { if (sel.value) { me = { staff: { id: Number(sel.value) } }; load(); } };
  });
} else load();
`;

export function consolePage(opts: { demo: boolean }): string {
  const picker = opts.demo ? '<label>切换身份 <select id="pick"></select></label>' : '<button id="logout" onclick="fetch(\'/console/logout\',{method:\'POST\'}).then(()=>location.reload())">退出登录</button>';
  return `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>救助专项治理 · 控制台</title><style>${STYLE}</style></head>
<body data-demo="${opts.demo ? '1' : '0'}">
${opts.demo ? `<div id="demo">${DEMO_BANNER}</div>` : ''}
<header><h1>救助专项治理 · 聊天控制台</h1><span id="who"></span>${picker}</header>
<main><nav id="chats"></nav><section id="pane"><div id="log"></div><div id="err"></div>
<form><input id="text" autocomplete="off" placeholder="输入消息或命令，如 /帮助、/报告死亡"><button class="primary">发送</button></form></section></main>
<script>${SCRIPT}</script></body></html>`;
}
