// The header's search box: "/" focuses it (when not typing elsewhere); in the box, the arrow keys move
// through the results, Enter opens the marked one (the first if none is marked), Escape closes the list.
// Each key acts on the visible controls, as a click would.
(function () {
  if (window.__pcsSearchKeys) return;
  window.__pcsSearchKeys = true;
  const results = () => Array.from(document.querySelectorAll("#search-results [data-search-index]"));
  const mark = (list, i) => {
    list.forEach((el, j) => el.setAttribute("data-active", j === i ? "true" : "false"));
    if (list[i]) {
      list[i].scrollIntoView({ block: "nearest" });
      const box = document.getElementById("search-input");
      if (box) box.setAttribute("aria-activedescendant", list[i].id);
    }
  };
  document.addEventListener("keydown", (e) => {
    const t = e.target;
    // The target may be the document itself (a key event dispatched on it, e.g. by browser_nav.js).
    const typing = t instanceof Element && (t.closest("input, textarea, select, [contenteditable=true]") || t.isContentEditable);
    if (e.key === "/" && !typing && !e.ctrlKey && !e.metaKey && !e.altKey) {
      const box = document.getElementById("search-input");
      if (box) { e.preventDefault(); box.focus(); box.select(); }
      return;
    }
    if (!t || t.id !== "search-input") return;
    const list = results();
    const at = list.findIndex((el) => el.getAttribute("data-active") === "true");
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (!list.length) return;
      const next = e.key === "ArrowDown" ? Math.min(list.length - 1, at + 1) : Math.max(0, at - 1);
      mark(list, next);
    } else if (e.key === "Enter") {
      const target = list[at >= 0 ? at : 0];
      if (target) { e.preventDefault(); target.querySelector(".pcs-search-open").click(); }
    } else if (e.key === "Escape") {
      const close = document.getElementById("search-close");
      if (close) close.click();
      t.blur();
    }
  });
})();
