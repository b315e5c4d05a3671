// The knowledge-base search page: results follow the search box as one types (GET /kb/search,
// JSON). Titles and snippets go into the page with textContent only: an article is never markup.
"use strict";
(function () {
  const box = document.getElementById("kb-q");
  const list = document.getElementById("kb-results");
  const count = document.getElementById("kb-count");
  const error = document.getElementById("kb-error");
  if (!box || !list) return;
  let timer = null;
  let pending = null;

  function el(tag, text, cls) {
    const e = document.createElement(tag);
    if (text !== undefined && text !== null) e.textContent = String(text);
    if (cls) e.className = cls;
    return e;
  }
  function item(hit) {
    const li = document.createElement("li");
    const a = el("a", hit.title, "kb-title");
    a.href = "/kb/" + encodeURIComponent(String(hit.id));
    li.appendChild(a);
    if (hit.category_label) li.appendChild(el("span", hit.category_label, "kb-cat"));
    li.appendChild(el("p", hit.snippet, "kb-snippet"));
    return li;
  }
  function show(q, body, ok) {
    error.hidden = ok;
    error.textContent = ok ? "" : body.error || "搜索失败";
    const hits = ok ? body.results : [];
    list.replaceChildren(...hits.map(item));
    count.textContent = ok && body.terms.length ? `找到 ${hits.length} 篇` : "";
    history.replaceState(null, "", q ? "/kb?q=" + encodeURIComponent(q) : "/kb");
  }
  async function run() {
    const q = box.value.trim();
    if (pending) pending.abort();
    const mine = new AbortController();
    pending = mine;
    try {
      const r = await fetch("/kb/search?q=" + encodeURIComponent(q), {
        headers: { accept: "application/json" }, credentials: "same-origin", signal: mine.signal,
      });
      if (r.status === 401) { window.location.reload(); return; } // the session ended
      const body = await r.json();
      if (pending === mine) show(q, body, r.ok);
    } catch (e) {
      if (e.name !== "AbortError") show(q, { error: "搜索失败，请稍后再试" }, false);
    }
  }
  box.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(run, 250);
  });
})();
