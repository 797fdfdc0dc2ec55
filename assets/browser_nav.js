// The phone's Back button (and the browser's) closes an open preview instead of leaving the folder:
// opening the preview adds a history entry; Back takes it off and closes the dialog, and the router
// never sees that step (the capture listener runs before the router's own popstate listener).
(function () {
  if (window.__pcsBackCloses) return;
  window.__pcsBackCloses = true;
  let pushed = false;
  let swallow = 0;
  const openPreview = () => document.querySelector("[role=dialog] #preview-body");
  const close = () => document.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
  window.addEventListener(
    "popstate",
    (e) => {
      if (swallow > 0) {
        swallow -= 1;
        e.stopImmediatePropagation();
        return;
      }
      if (pushed) {
        pushed = false;
        e.stopImmediatePropagation();
        if (openPreview()) {
          const dlg = openPreview().closest("[role=dialog]");
          dlg.dispatchEvent(new KeyboardEvent("keydown", { key: "Escape", bubbles: true }));
          close();
        }
      }
    },
    true,
  );
  new MutationObserver(() => {
    const open = !!openPreview();
    if (open && !pushed) {
      pushed = true;
      history.pushState({ ...(history.state || {}), pcsPreview: true }, "");
    } else if (!open && pushed) {
      // Closed by its button or Escape: take our entry off again, quietly.
      pushed = false;
      swallow += 1;
      history.back();
    }
  }).observe(document.documentElement, { childList: true, subtree: true });
})();

// Rename selects the name without its extension, so typing replaces just that part.
(function () {
  if (window.__pcsRenameSelect) return;
  window.__pcsRenameSelect = true;
  const seen = new WeakSet();
  new MutationObserver(() => {
    const input = document.getElementById("dialog-name");
    if (!input || seen.has(input)) return;
    seen.add(input);
    let tries = 0;
    const pick = () => {
      if (!input.isConnected) return;
      if (!input.value && tries++ < 20) return requestAnimationFrame(pick);
      const dot = input.value.lastIndexOf(".");
      input.focus();
      input.setSelectionRange(0, dot > 0 ? dot : input.value.length);
    };
    requestAnimationFrame(pick);
  }).observe(document.documentElement, { childList: true, subtree: true });
})();

// A right-click (or the context-menu key) on a row opens a menu of what can be done with it. Each entry
// clicks the toolbar's own button, so it does exactly what that button does.
(function () {
  if (window.__pcsContextMenu) return;
  window.__pcsContextMenu = true;
  const ENTRIES = [
    ["Open", (row) => row.querySelector(".pcs-name")],
    ["Download", () => document.getElementById("download-selected")],
    ["Share", () => document.getElementById("share-selected")],
    ["Rename", () => document.getElementById("rename-selected")],
    ["Move", () => document.getElementById("move-selected")],
    ["Copy", () => document.getElementById("copy-selected")],
    ["Version history", () => document.getElementById("history-selected")],
    ["Details", () => document.getElementById("details-selected")],
    ["Delete", () => document.getElementById("delete-selected")],
  ];
  let menu = null;
  const close = () => { if (menu) { menu.remove(); menu = null; } };
  const until = (pred, ms) => new Promise((ok) => {
    const t0 = performance.now();
    const tick = () => (pred() || performance.now() - t0 > ms ? ok(pred()) : requestAnimationFrame(tick));
    tick();
  });
  async function open(row, x, y) {
    close();
    if (row.dataset.selected !== "true") row.click();
    await until(() => row.isConnected && row.dataset.selected === "true" && document.getElementById("selection-count"), 1500);
    await new Promise((ok) => setTimeout(ok, 30)); // let the toolbar settle on the new selection
    menu = document.createElement("div");
    menu.className = "pcs-ctx";
    menu.id = "context-menu";
    menu.setAttribute("role", "menu");
    menu.setAttribute("aria-label", "Actions");
    for (const [label, find] of ENTRIES) {
      const target = find(row);
      if (!target) continue;
      const b = document.createElement("button");
      b.type = "button";
      b.setAttribute("role", "menuitem");
      b.textContent = label;
      if (label === "Delete") b.dataset.danger = "true";
      b.addEventListener("click", () => { close(); target.click(); });
      menu.append(b);
    }
    document.body.append(menu);
    const r = menu.getBoundingClientRect();
    menu.style.left = Math.max(4, Math.min(x, window.innerWidth - r.width - 4)) + "px";
    menu.style.top = Math.max(4, Math.min(y, window.innerHeight - r.height - 4)) + "px";
    const first = menu.querySelector("button");
    if (first) first.focus();
  }
  document.addEventListener("contextmenu", (e) => {
    const row = e.target.closest && e.target.closest("#file-browser .pcs-row");
    if (!row || e.pointerType === "touch") return;
    e.preventDefault();
    open(row, e.clientX, e.clientY);
  });
  document.addEventListener("keydown", (e) => {
    if (menu) {
      const items = Array.from(menu.querySelectorAll("button"));
      const at = items.indexOf(document.activeElement);
      if (e.key === "Escape") { close(); e.preventDefault(); }
      else if (e.key === "ArrowDown") { items[(at + 1) % items.length].focus(); e.preventDefault(); }
      else if (e.key === "ArrowUp") { items[(at - 1 + items.length) % items.length].focus(); e.preventDefault(); }
      else if (e.key === "Tab") close();
      return;
    }
    if (e.key === "ContextMenu" || (e.key === "F10" && e.shiftKey)) {
      const row = document.activeElement && document.activeElement.closest && document.activeElement.closest(".pcs-row");
      if (!row) return;
      e.preventDefault();
      const r = row.getBoundingClientRect();
      open(row, r.left + 60, r.top + r.height);
    }
  });
  document.addEventListener("pointerdown", (e) => { if (menu && !menu.contains(e.target)) close(); }, true);
  window.addEventListener("scroll", close, { passive: true });
})();

// "?" shows the keyboard shortcuts.
(function () {
  if (window.__pcsHelp) return;
  window.__pcsHelp = true;
  const KEYS = [
    ["↑ / ↓", "Move between items"],
    ["Enter", "Open the item"],
    ["Home / End", "First / last item of the folder"],
    ["Ctrl + A", "Select everything in this folder"],
    ["Shift + click", "Select a range"],
    ["Ctrl + click", "Add to or take from the selection"],
    ["F2", "Rename"],
    ["Delete", "Move to the trash"],
    ["Escape", "Clear the selection, close a dialog"],
    ["Shift + F10", "Actions for the focused item"],
    ["/", "Search"],
    ["?", "These shortcuts"],
  ];
  let box = null;
  const close = () => { if (box) { box.remove(); box = null; } };
  function show() {
    box = document.createElement("div");
    box.id = "shortcuts";
    box.className = "pcs-shortcuts";
    box.setAttribute("role", "dialog");
    box.setAttribute("aria-modal", "true");
    box.setAttribute("aria-label", "Keyboard shortcuts");
    const panel = document.createElement("div");
    panel.className = "pcs-shortcuts-panel";
    const h = document.createElement("h2");
    h.textContent = "Keyboard shortcuts";
    const dl = document.createElement("dl");
    for (const [k, what] of KEYS) {
      const dt = document.createElement("dt");
      const kbd = document.createElement("kbd");
      kbd.textContent = k;
      dt.append(kbd);
      const dd = document.createElement("dd");
      dd.textContent = what;
      dl.append(dt, dd);
    }
    const done = document.createElement("button");
    done.type = "button";
    done.textContent = "Close";
    done.className = "pcs-up-btn";
    done.addEventListener("click", close);
    panel.append(h, dl, done);
    box.append(panel);
    box.addEventListener("click", (e) => { if (e.target === box) close(); });
    document.body.append(box);
    done.focus();
  }
  document.addEventListener("keydown", (e) => {
    if (box && e.key === "Escape") { close(); e.preventDefault(); return; }
    if (e.key !== "?" || e.ctrlKey || e.metaKey || e.altKey) return;
    const t = e.target;
    if (t.closest && t.closest("input, textarea, select, [contenteditable=true], [role=dialog]")) return;
    if (!document.getElementById("file-browser")) return;
    e.preventDefault();
    if (box) close(); else show();
  });
})();

// In the preview: ← and → go to the previous and next file; a click on an image zooms it to its own
// size (scroll to pan) and back.
(function () {
  if (window.__pcsPreviewKeys) return;
  window.__pcsPreviewKeys = true;
  document.addEventListener("keydown", (e) => {
    if (e.key !== "ArrowLeft" && e.key !== "ArrowRight") return;
    if (!document.querySelector("[role=dialog] #preview-body")) return;
    if (e.target.closest && e.target.closest("input, textarea, video, audio")) return;
    const b = document.getElementById(e.key === "ArrowLeft" ? "preview-prev" : "preview-next");
    if (b) { b.click(); e.preventDefault(); }
  });
  document.addEventListener("click", (e) => {
    const box = e.target.closest && e.target.closest(".pcs-zoom");
    if (box) box.classList.toggle("pcs-zoomed");
  });
})();
