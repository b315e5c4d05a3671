// The menu editor: line numbers beside the YAML, the lines the validator named marked, and
// "第 N 行" buttons that select that line. Text goes into the page with textContent only.
"use strict";
(function () {
  const editor = document.getElementById("menu-editor");
  if (!editor) return;
  const yaml = document.getElementById("menu-yaml");
  const gutter = document.getElementById("menu-gutter");
  const bad = new Set((editor.dataset.errorLines || "").split(",").filter(s => s).map(Number));

  function renderGutter() {
    const count = Math.max(1, yaml.value.split("\n").length);
    if (gutter.childElementCount === count) return;
    const frag = document.createDocumentFragment();
    for (let n = 1; n <= count; n++) {
      const span = document.createElement("span");
      span.textContent = String(n);
      if (bad.has(n)) span.className = "bad";
      frag.appendChild(span);
      frag.appendChild(document.createTextNode("\n"));
    }
    gutter.replaceChildren(frag);
    gutter.scrollTop = yaml.scrollTop;
  }

  function selectLine(n) {
    const lines = yaml.value.split("\n");
    let start = 0;
    for (let i = 0; i < n - 1 && i < lines.length; i++) start += lines[i].length + 1;
    const end = start + (lines[n - 1] || "").length;
    yaml.focus();
    yaml.setSelectionRange(start, end);
    const lineHeight = parseFloat(getComputedStyle(yaml).lineHeight) || 19;
    yaml.scrollTop = Math.max(0, (n - 5) * lineHeight);
    gutter.scrollTop = yaml.scrollTop;
  }

  yaml.addEventListener("input", renderGutter);
  yaml.addEventListener("scroll", () => { gutter.scrollTop = yaml.scrollTop; });
  for (const b of document.querySelectorAll("button.goto-line")) {
    b.addEventListener("click", () => selectLine(Number(b.dataset.line)));
  }
  renderGutter();
})();
