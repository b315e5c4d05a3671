// Live supervision on the wallboard: the buttons of an agent's row (listen, whisper, barge,
// force pause / log out) and the peak mode switch. Answers are shown with textContent only.
"use strict";
(function () {
  const box = document.getElementById("supervise");
  if (!box) return;
  const csrf = box.dataset.csrf;
  const msg = document.getElementById("sv-msg");
  const SPY = {listen: "监听", whisper: "耳语", barge: "强插"};
  const CONFIRM = {barge: "强插：您说的话客户和座席都会听到。继续吗？", logout: "确定强制签出该座席吗？"};

  function show(text, ok) {
    msg.textContent = text || "";
    msg.className = "sv-msg " + (ok ? "ok" : "error");
  }
  async function post(url, fields) {
    const resp = await fetch(url, {
      method: "POST", body: new URLSearchParams(fields), credentials: "same-origin",
      headers: {"X-CSRF-Token": csrf, "Accept": "application/json"},
    });
    let data = {};
    try { data = await resp.json(); } catch (e) { data = {}; }
    if (!resp.ok) throw new Error(data.error || `操作失败（${resp.status}）`);
    return data;
  }
  async function phone() {
    const label = document.getElementById("sv-phone");
    try {
      const resp = await fetch("/supervise/phone", {credentials: "same-origin", headers: {Accept: "application/json"}});
      if (!resp.ok) return;
      const p = await resp.json();
      label.textContent = p.extension ? `监听话机 ${p.extension}（${p.registered ? "已注册" : "未注册"}）` : "未配置监听话机";
      label.dataset.registered = p.registered ? "1" : "0";
    } catch (e) { label.textContent = ""; }
  }

  document.getElementById("agents-body").addEventListener("click", async (e) => {
    const button = e.target.closest("button[data-op]");
    if (!button || button.disabled) return;
    const op = button.dataset.op, agent = button.dataset.agent;
    if (CONFIRM[op] && !window.confirm(CONFIRM[op])) return;
    try {
      if (op in SPY) {
        show(`正在呼叫您的话机，接听后开始${SPY[op]}座席${agent}…`, true);
        show((await post("/supervise/spy", {agent_id: agent, mode: op})).message, true);
      } else {
        show((await post("/supervise/agent", {agent_id: agent, action: op})).message, true);
      }
    } catch (err) {
      show(err.message, false);
      phone();
    }
  });
  document.getElementById("peak-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const state = e.submitter ? e.submitter.value : "on";
    const reason = document.getElementById("peak-reason").value;
    try {
      show((await post("/supervise/peak", {state, reason})).message, true);
      document.getElementById("peak-reason").value = "";
    } catch (err) { show(err.message, false); }
  });
  phone();
  setInterval(phone, 30000);
})();
