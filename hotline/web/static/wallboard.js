// The wallboard: renders the state the daemon pushes (Server-Sent Events). Text goes into the
// page with textContent only: a caller's text is never markup.
"use strict";
(function () {
  const PCT = new Set(["connect_rate", "service_level", "abandon_rate"]);
  const SECS = new Set(["asa_s", "longest_wait_s"]);
  let state = null;
  let skew = 0; // server clock - browser clock, ms

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function duration(s) {
    s = Math.max(0, Math.floor(s));
    const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), r = s % 60;
    const mm = String(m).padStart(2, "0"), rr = String(r).padStart(2, "0");
    return h ? `${h}:${mm}:${rr}` : `${mm}:${rr}`;
  }
  function since(iso) { return (Date.now() + skew - Date.parse(iso)) / 1000; }
  function fmt(key, v) {
    if (v === null || v === undefined) return "–";
    if (PCT.has(key)) return (v * 100).toFixed(1) + "%";
    if (SECS.has(key)) return v.toFixed(1) + " 秒";
    return String(v);
  }
  function row(cells, attrs) {
    const tr = document.createElement("tr");
    for (const c of cells) tr.appendChild(c instanceof Node ? c : el("td", c));
    for (const [k, v] of Object.entries(attrs || {})) tr.setAttribute(k, v);
    return tr;
  }
  function replace(id, rows) {
    const body = document.getElementById(id);
    body.replaceChildren(...rows);
  }

  function renderKpis(today) {
    for (const box of document.querySelectorAll(".kpi[data-key]")) {
      const key = box.dataset.key, v = today[key];
      box.querySelector(".value").textContent = fmt(key, v);
      box.dataset.value = v === null || v === undefined ? "" : String(v);
    }
  }
  function renderAlerts(alerts) {
    replace("alerts", alerts.map(a => el("li", a.text, "alert " + a.level)));
  }
  function renderWaiting(waiting) {
    document.getElementById("waiting-count").textContent = waiting.length;
    replace("waiting-body", waiting.map(c => {
      const num = el("td", c.number);
      if (c.vip) num.appendChild(el("span", "VIP", "vip"));
      const wait = el("td", duration(since(c.since)), "tick");
      wait.dataset.since = c.since;
      const status = c.state === "ringing" ? `振铃 ${c.agent_id || ""}` : "等待";
      return row([num, c.category, c.position === null ? "–" : c.position, wait, status],
                 {"data-number": c.number, "data-state": c.state, class: c.state});
    }));
  }
  // the supervisor's buttons on an agent's row (supervise.js sends them): [op, label, states]
  const OPS = [["listen", "监听", ["talking"]], ["whisper", "耳语", ["talking"]], ["barge", "强插", ["talking"]],
               ["pause", "暂停", ["ready", "wrap_up"]], ["logout", "签出", ["ready", "wrap_up", "paused"]]];
  function opsCell(a) {
    const td = el("td", null, "ops");
    for (const [op, label, states] of OPS) {
      const b = el("button", label);
      b.type = "button";
      b.dataset.op = op;
      b.dataset.agent = a.id;
      b.disabled = !states.includes(a.state);
      td.appendChild(b);
    }
    return td;
  }
  function renderAgents(agents) {
    replace("agents-body", agents.map(a => {
      const label = a.reason ? `${a.state_label}（${a.reason}）` : a.state_label;
      const state = el("td", label, "state " + a.state);
      const held = el("td", duration(since(a.since)), "tick");
      held.dataset.since = a.since;
      return row([a.id, a.name, state, held, a.caller || "", a.answered, duration(a.talk_s), opsCell(a)],
                 {id: "agent-" + a.id, "data-state": a.state, class: a.registered ? "" : "unregistered"});
    }));
  }
  function renderHourly(h) {
    const svg = document.getElementById("hourly"), NS = "http://www.w3.org/2000/svg";
    const max = Math.max(1, ...h.today, ...h.last_week), W = 480 / 24, H = 140;
    const bars = [];
    for (let i = 0; i < 24; i++) {
      for (const [series, cls, dx] of [[h.last_week, "lastweek", 2], [h.today, "today", W / 2]]) {
        const r = document.createElementNS(NS, "rect"), v = series[i];
        r.setAttribute("x", i * W + dx); r.setAttribute("width", W / 2 - 2);
        r.setAttribute("y", H - (v / max) * H); r.setAttribute("height", (v / max) * H);
        r.setAttribute("class", cls);
        const t = document.createElementNS(NS, "title"); t.textContent = `${i}时 ${v}`; r.appendChild(t);
        bars.push(r);
      }
      if (i % 3 === 0) {
        const t = document.createElementNS(NS, "text");
        t.setAttribute("x", i * W + 2); t.setAttribute("y", 156); t.textContent = String(i);
        bars.push(t);
      }
    }
    svg.replaceChildren(...bars);
  }
  function renderAdvice(s) {
    const a = s.today.advice || [];
    document.getElementById("advice-rule").textContent = s.today.advice_rule || "";
    const staffed = s.agents.filter(x => x.state !== "logged_out").length;
    replace("advice-body", a.map(r => row([`${r.hour}:00–${r.hour + 1}:00`, r.calls.toFixed(1),
      r.erlangs === null ? "–" : r.erlangs.toFixed(2), r.agents_needed === null ? "–" : r.agents_needed, staffed])));
  }
  function render(s) {
    state = s;
    skew = Date.parse(s.now) - Date.now();
    renderAlerts(s.alerts);
    renderKpis(s.today);
    document.getElementById("lines-inbound").textContent = `${s.lines.inbound.used}/${s.lines.inbound.total}`;
    document.getElementById("lines-outbound").textContent = `${s.lines.outbound.used}/${s.lines.outbound.total}`;
    renderWaiting(s.waiting);
    renderAgents(s.agents);
    renderHourly(s.today.hourly);
    renderAdvice(s);
    document.body.dataset.seq = s.seq;
  }
  function tick() {
    const zone = state ? {timeZone: state.tz} : {};
    document.getElementById("clock").textContent = new Date(Date.now() + skew).toLocaleTimeString("zh-CN", zone);
    for (const td of document.querySelectorAll("td.tick")) td.textContent = duration(since(td.dataset.since));
  }
  function connect() {
    const link = document.getElementById("link");
    const source = new EventSource("/wallboard/stream");
    source.onopen = () => { link.textContent = "实时"; link.className = "link up"; };
    source.onmessage = (e) => render(JSON.parse(e.data));
    source.onerror = async () => {
      link.textContent = "连接中断，重连中…"; link.className = "link down";
      const probe = await fetch("/wallboard/state", {headers: {Accept: "application/json"}}).catch(() => null);
      if (probe && probe.status === 401) window.location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
    };
  }
  setInterval(tick, 1000);
  connect();
})();
