// The agent desk: renders the state the daemon pushes (Server-Sent Events) and sends the
// agent's buttons and forms. Text goes into the page with textContent only.
"use strict";
(function () {
  const desk = document.getElementById("desk");
  const csrf = desk.dataset.csrf;
  const PHASES = {ringing: "振铃中", talking: "通话中", wrap_up: "话后整理", ended: "已结束"};
  const ENABLED = {
    login: ["logged_out"], logout: ["ready", "paused", "wrap_up"], pause: ["ready", "wrap_up", "paused"],
    resume: ["paused"], wrapup_done: ["wrap_up"],
  };
  let state = null, skew = 0;

  const $ = id => document.getElementById(id);
  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function row(cells, cls) {
    const tr = document.createElement("tr");
    for (const c of cells) tr.appendChild(el("td", c));
    if (cls) tr.className = cls;
    return tr;
  }
  function duration(s) {
    s = Math.max(0, Math.floor(s));
    const m = Math.floor(s / 60), r = s % 60;
    return `${String(m).padStart(2, "0")}:${String(r).padStart(2, "0")}`;
  }
  function showError(text) { $("desk-error").textContent = text || ""; }

  async function post(url, fields) {
    const body = new URLSearchParams(fields);
    const resp = await fetch(url, {
      method: "POST", body, credentials: "same-origin",
      headers: {"X-CSRF-Token": csrf, "Accept": "application/json"},
    });
    let data = {};
    try { data = await resp.json(); } catch (e) { data = {}; }
    if (!resp.ok) throw new Error(data.error || `操作失败（${resp.status}）`);
    return data;
  }

  function renderAgent(agent) {
    if (!agent) return;
    const st = $("agent-state");
    st.textContent = agent.state_label;
    st.dataset.state = agent.state;
    $("agent-reason").textContent = agent.reason ? `（${agent.reason}）` : "";
    $("agent-since").dataset.since = agent.since;
    $("agent-registered").textContent = agent.registered ? "已注册" : "未注册";
    $("agent-answered").textContent = agent.answered;
    $("agent-talk").textContent = `${Math.floor(agent.talk_s / 60)} 分`;
    for (const b of document.querySelectorAll("button[data-button]")) {
      b.disabled = !ENABLED[b.dataset.button].includes(agent.state);
    }
  }

  function renderCustomer(c) {
    $("pop-accounts").replaceChildren(...(c ? c.accounts : []).map(a =>
      row([a.account, a.name, a.address, a.balance, a.last_bill], a.arrears ? "arrears" : "")));
    const outages = c ? [
      ...c.notices.map(n => el("li", `${n.kind}：${n.area} ${n.when}，${n.reason}`)),
      ...c.repairs.map(r => el("li", `抢修中：工单 ${r.order}（${r.fault}），${r.since} 起`, "repair")),
    ] : [];
    $("pop-outages").replaceChildren(...outages);
    $("pop-orders").replaceChildren(...(c && c.orders ? c.orders : []).map(o =>
      row([o.number, o.kind, o.status, o.due || "", o.summary], o.overdue ? "overdue" : "")));
    $("pop-history").replaceChildren(...(c ? c.history : []).map(h =>
      row([h.at, h.outcome, h.agent, h.category, h.note])));
  }

  function renderCall(call) {
    const pop = $("pop");
    $("pop-empty").hidden = !!call;
    $("pop-call").hidden = !call;
    $("filing").hidden = !call || call.phase === "ringing";
    pop.dataset.phase = call ? call.phase : "";
    pop.dataset.uniqueid = call ? call.uniqueid : "";
    $("call-phase").textContent = call ? PHASES[call.phase] || call.phase : "";
    if (!call) return;
    $("call-number").textContent = call.number;
    $("call-vip").hidden = !call.vip;
    $("call-path").textContent = call.path.length ? call.path.join(" → ") : "（未经语音导航）";
    $("call-category").textContent = call.category || "未选择";
    $("call-waited").textContent = call.waited_s === null ? "–" : `${call.waited_s.toFixed(0)} 秒`;
    $("pop-note").textContent = call.customer ? "" : (call.customer_note || "");
    renderCustomer(call.customer);
    prefill(call);
    const d = call.disposition;
    $("disp-saved").textContent = d ? `已保存：${d.label}` : "";
  }

  // a new call: the order form starts from the caller's one account (area and address), if any
  let prefilled = "";
  function prefill(call) {
    if (!call.customer || prefilled === call.uniqueid) return;
    prefilled = call.uniqueid;
    const accounts = call.customer.accounts;
    $("order-area").value = accounts.length === 1 ? accounts[0].area : "";
    $("order-address").value = accounts.length === 1 ? accounts[0].address : "";
  }

  function render(s) {
    state = s;
    skew = Date.parse(s.now) - Date.now();
    renderAgent(s.agent);
    renderCall(s.call);
  }
  function tick() {
    const since = $("agent-since");
    if (since && since.dataset.since) {
      since.textContent = duration((Date.now() + skew - Date.parse(since.dataset.since)) / 1000);
    }
  }

  function current() { return state && state.call ? state.call.uniqueid : ""; }
  for (const b of document.querySelectorAll("button[data-button]")) {
    b.addEventListener("click", async () => {
      showError("");
      const fields = {button: b.dataset.button};
      if (b.dataset.button === "pause") fields.reason = $("pause-reason").value;
      try { await post("/agent/button", fields); } catch (e) { showError(e.message); }
    });
  }
  function onSubmit(formId, url, done) {
    $(formId).addEventListener("submit", async ev => {
      ev.preventDefault();
      showError("");
      const fields = Object.fromEntries(new FormData(ev.target));
      fields.uniqueid = current();
      try { done(await post(url, fields), ev.target); } catch (e) { showError(e.message); }
    });
  }
  onSubmit("disposition-form", "/agent/disposition", data => { $("disp-saved").textContent = `已保存：${data.label}`; });
  onSubmit("order-form", "/agent/orders", data => {
    $("order-result").textContent = data.merged ? `已并入工单 ${data.number}` : `已建工单 ${data.number}`;
  });
  onSubmit("flag-form", "/agent/flag", data => { $("flag-result").textContent = `已标记 ${data.number}`; });
  $("order-kind").addEventListener("change", () => { $("order-fault").hidden = $("order-kind").value !== "repair"; });

  $("kb-form").addEventListener("submit", async ev => {
    ev.preventDefault();
    const q = $("kb-q").value.trim();
    if (!q) return;
    const resp = await fetch(`/kb/search?q=${encodeURIComponent(q)}`, {credentials: "same-origin"});
    let data = {results: []};
    try { data = await resp.json(); } catch (e) { data = {results: []}; }
    if (!resp.ok) {
      $("kb-results").replaceChildren(el("li", data.error || `搜索失败（${resp.status}）`, "error"));
      return;
    }
    $("kb-results").replaceChildren(...data.results.map(r => {
      const li = el("li");
      const a = el("a", r.title);
      a.href = r.url;
      a.target = "_blank";
      li.append(a, el("p", r.snippet, "snippet"));
      return li;
    }));
    if (!data.results.length) $("kb-results").replaceChildren(el("li", "没有找到相关答复"));
  });

  fetch("/agent/state", {credentials: "same-origin"}).then(r => r.json()).then(render);
  const source = new EventSource("/agent/stream");
  source.onmessage = ev => render(JSON.parse(ev.data));
  setInterval(tick, 1000);
})();
