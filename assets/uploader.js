// PCS browser uploads and drag-and-drop. Talks to the REST API with the signed-in session's token;
// the listing refreshes itself through the live change feed, so this file never touches app state.
(function () {
  if (window.__pcsUploader) return;
  window.__pcsUploader = true;

  const PARALLEL = 3;
  const queue = [];
  const items = [];
  let active = 0;

  // The session is an HttpOnly cookie the browser sends by itself; this header marks our own
  // requests (a page on another site cannot send it without a CORS preflight we refuse).
  const OWN = { "X-PCS-Request": "1" };
  function currentFolder() {
    const el = document.getElementById("file-browser");
    return el ? el.dataset.folderId : "";
  }
  // Files chosen while the page is still loading wait for the folder to be known.
  async function folderReady() {
    for (let i = 0; i < 150 && !currentFolder(); i++) await new Promise((r) => setTimeout(r, 100));
    if (!currentFolder()) throw new Error("The folder did not load; reload the page and try again");
    return currentFolder();
  }
  function api(method, path, body) {
    const headers = { ...OWN };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    return fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  }
  function el(tag, attrs, ...children) {
    const e = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (k === "class") e.className = v;
      else if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
      else e.setAttribute(k, v);
    }
    for (const c of children) e.append(c);
    return e;
  }
  function human(n) {
    const u = ["B", "KiB", "MiB", "GiB", "TiB"];
    let i = 0;
    while (n >= 1024 && i < u.length - 1) { n /= 1024; i++; }
    return (i ? n.toFixed(1) : n) + " " + u[i];
  }

  // ---- the panel ------------------------------------------------------------------------------
  function panel() {
    const root = document.getElementById("upload-panel");
    if (!root) return null;
    if (!root.firstChild) {
      root.append(
        el("div", { class: "pcs-up-head" },
          el("strong", { id: "upload-summary" }, ""),
          el("button", { class: "pcs-up-close", "aria-label": "Close uploads", onclick: clearDone }, "×")),
        el("progress", { id: "upload-total", max: "100", value: "0", "aria-label": "Total upload progress" }),
        el("ul", { id: "upload-list" }));
    }
    return root;
  }
  function clearDone() {
    for (let i = items.length - 1; i >= 0; i--) {
      if (["done", "error", "cancelled"].includes(items[i].state)) { items[i].row.remove(); items.splice(i, 1); }
    }
    if (!items.length) { const root = document.getElementById("upload-panel"); if (root) { root.innerHTML = ""; root.classList.remove("open"); } }
    else render();
  }
  function render() {
    const root = panel();
    if (!root) return;
    root.classList.toggle("open", items.length > 0);
    let total = 0, loaded = 0, running = 0, done = 0, failed = 0;
    for (const it of items) {
      if (it.state === "cancelled") continue;
      total += it.file.size || 1;
      loaded += it.state === "done" ? (it.file.size || 1) : it.loaded;
      if (it.state === "done") done++;
      else if (it.state === "error" || it.state === "conflict") failed++;
      else running++;
    }
    const pct = total ? Math.floor((loaded * 100) / total) : 0;
    // Everything finished without trouble: fold the panel away after a moment.
    clearTimeout(render.timer);
    if (!running && !failed && done) render.timer = setTimeout(clearDone, 4000);
    document.getElementById("upload-total").value = pct;
    document.getElementById("upload-summary").textContent =
      running ? `Uploading ${running} file${running === 1 ? "" : "s"} · ${pct}%` :
      `${done} uploaded` + (failed ? ` · ${failed} need attention` : "");
  }
  function setState(it, state, text) {
    it.state = state;
    it.row.dataset.state = state;
    it.status.textContent = text;
    it.actions.innerHTML = "";
    if (state === "queued" || state === "uploading") {
      it.actions.append(el("button", { class: "pcs-up-btn", onclick: () => cancel(it), "aria-label": "Cancel " + it.name }, "Cancel"));
    } else if (state === "conflict") {
      it.actions.append(
        el("button", { class: "pcs-up-btn", onclick: () => retry(it, "replace") }, "Replace"),
        el("button", { class: "pcs-up-btn", onclick: () => retry(it, "rename") }, "Keep both"));
    } else if (state === "error" || state === "cancelled") {
      it.actions.append(el("button", { class: "pcs-up-btn", onclick: () => retry(it, it.mode) }, "Retry"));
    }
    render();
  }

  // ---- uploading ------------------------------------------------------------------------------
  function add(file, folderId, dirs) {
    const name = file.name;
    const bar = el("progress", { max: "100", value: "0", "aria-label": "Progress of " + name });
    const status = el("span", { class: "pcs-up-status" }, "");
    const actions = el("span", { class: "pcs-up-actions" });
    const row = el("li", { class: "pcs-up-row", "data-name": [...dirs, name].join("/") },
      el("span", { class: "pcs-up-name", title: [...dirs, name].join("/") }, [...dirs, name].join("/")), bar, status, actions);
    panel().querySelector("#upload-list").append(row);
    const it = { file, name, folderId, dirs, bar, status, actions, row, loaded: 0, xhr: null, mode: "fail", state: "queued" };
    items.push(it);
    setState(it, "queued", "Waiting · " + human(file.size));
    queue.push(it);
    pump();
  }
  function pump() {
    while (active < PARALLEL && queue.length) {
      const it = queue.shift();
      if (it.state !== "queued") continue;
      active++;
      send(it).finally(() => { active--; pump(); });
    }
  }
  const folderCache = new Map();
  async function ensureFolders(parentId, dirs) {
    let id = parentId;
    for (const name of dirs) {
      const key = id + "/" + name;
      if (!folderCache.has(key)) {
        folderCache.set(key, (async () => {
          const r = await api("POST", `/api/v1/nodes/${encodeURIComponent(id)}/folders`, { name });
          const body = await r.json();
          if (r.status === 201) return body.id;
          if (r.status === 409 && body.existing_id) return body.existing_id;
          throw new Error(body.message || "Could not create folder " + name);
        })());
      }
      try { id = await folderCache.get(key); } catch (e) { folderCache.delete(key); throw e; }
    }
    return id;
  }
  async function send(it) {
    let target;
    try { target = await ensureFolders(it.folderId || (await folderReady()), it.dirs); }
    catch (e) { setState(it, "error", e.message); return; }
    await new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      it.xhr = xhr;
      const q = `name=${encodeURIComponent(it.name)}&on_conflict=${it.mode}`;
      xhr.open("PUT", `/api/v1/nodes/${encodeURIComponent(target)}/files?${q}`);
      xhr.setRequestHeader("X-PCS-Request", "1");
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      xhr.upload.onprogress = (e) => {
        it.loaded = e.loaded;
        const pct = e.total ? Math.floor((e.loaded * 100) / e.total) : 0;
        it.bar.value = pct;
        it.status.textContent = pct + "% of " + human(it.file.size);
        render();
      };
      xhr.onload = () => {
        let body = {};
        try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON: keep the status line */ }
        if (xhr.status === 201) { it.bar.value = 100; setState(it, "done", "Uploaded"); }
        else if (xhr.status === 409) setState(it, "conflict", body.message || "A file with that name exists");
        else setState(it, "error", body.message || "Upload failed (" + xhr.status + ")");
        resolve();
      };
      xhr.onerror = () => { setState(it, "error", "Network error; check the connection"); resolve(); };
      xhr.onabort = () => { setState(it, "cancelled", "Cancelled"); resolve(); };
      setState(it, "uploading", "Starting…");
      xhr.send(it.file); // the browser streams the File from disk: it is never read into memory here
    });
  }
  function cancel(it) {
    if (it.state === "uploading" && it.xhr) it.xhr.abort();
    else setState(it, "cancelled", "Cancelled");
  }
  function retry(it, mode) {
    it.mode = mode;
    it.loaded = 0;
    it.bar.value = 0;
    setState(it, "queued", "Waiting");
    queue.push(it);
    pump();
  }

  // ---- choosing files -------------------------------------------------------------------------
  document.addEventListener("change", (e) => {
    const t = e.target;
    if (!(t instanceof HTMLInputElement) || (t.id !== "upload-input" && t.id !== "upload-folder-input")) return;
    const folder = currentFolder();
    for (const f of Array.from(t.files || [])) {
      const parts = (f.webkitRelativePath || f.name).split("/");
      add(f, folder, parts.slice(0, -1));
    }
    t.value = "";
  });

  // ---- dropping files and folders from the desktop -----------------------------------------------
  function readEntries(reader) {
    return new Promise((res, rej) => reader.readEntries(res, rej));
  }
  async function walk(entry, dirs, out) {
    if (entry.isFile) {
      const file = await new Promise((res, rej) => entry.file(res, rej));
      out.push([file, dirs]);
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      let batch;
      while ((batch = await readEntries(reader)).length) {
        for (const child of batch) await walk(child, [...dirs, entry.name], out);
      }
    }
  }
  const overlay = () => document.getElementById("drop-overlay");
  const isFiles = (e) => e.dataTransfer && Array.from(e.dataTransfer.types || []).includes("Files");
  document.addEventListener("dragover", (e) => {
    if (isFiles(e) && document.getElementById("file-browser")) {
      e.preventDefault();
      overlay() && overlay().classList.add("show");
    }
  });
  document.addEventListener("dragleave", (e) => {
    if (e.relatedTarget === null && overlay()) overlay().classList.remove("show");
  });
  document.addEventListener("drop", async (e) => {
    if (!isFiles(e) || !document.getElementById("file-browser")) return;
    e.preventDefault();
    overlay() && overlay().classList.remove("show");
    const dropFolder = e.target.closest && e.target.closest("[data-drop-folder]");
    const folder = (dropFolder && dropFolder.dataset.dropFolder) || currentFolder();
    const entries = Array.from(e.dataTransfer.items || []).map((i) => i.webkitGetAsEntry && i.webkitGetAsEntry()).filter(Boolean);
    if (entries.length) {
      const out = [];
      for (const en of entries) await walk(en, [], out);
      for (const [f, dirs] of out) add(f, folder, dirs);
    } else {
      for (const f of Array.from(e.dataTransfer.files)) add(f, folder, []);
    }
  });

  // ---- moving items by dragging them onto a folder or a breadcrumb --------------------------------
  const MIME = "application/x-pcs-nodes";
  document.addEventListener("dragstart", (e) => {
    const row = e.target.closest && e.target.closest(".pcs-row");
    if (!row) return;
    const selected = Array.from(document.querySelectorAll('.pcs-row[data-selected="true"]')).map((r) => r.dataset.nodeId);
    const ids = selected.includes(row.dataset.nodeId) ? selected : [row.dataset.nodeId];
    e.dataTransfer.setData(MIME, JSON.stringify(ids));
    e.dataTransfer.effectAllowed = "move";
  });
  document.addEventListener("dragover", (e) => {
    if (!e.dataTransfer || !Array.from(e.dataTransfer.types || []).includes(MIME)) return;
    const target = e.target.closest && e.target.closest("[data-drop-folder]");
    document.querySelectorAll(".pcs-drop-hover").forEach((x) => x !== target && x.classList.remove("pcs-drop-hover"));
    if (target && target.dataset.dropFolder) {
      e.preventDefault();
      target.classList.add("pcs-drop-hover");
    }
  });
  document.addEventListener("drop", async (e) => {
    if (!e.dataTransfer || !Array.from(e.dataTransfer.types || []).includes(MIME)) return;
    const target = e.target.closest && e.target.closest("[data-drop-folder]");
    document.querySelectorAll(".pcs-drop-hover").forEach((x) => x.classList.remove("pcs-drop-hover"));
    if (!target || !target.dataset.dropFolder) return;
    e.preventDefault();
    const dest = target.dataset.dropFolder;
    const ids = JSON.parse(e.dataTransfer.getData(MIME) || "[]").filter((id) => id !== dest);
    if (!ids.length) return;
    // One request for the whole selection; the server moves each item and says how each went.
    const r = await api("POST", "/api/v1/bulk/move", { ids, parent_id: dest });
    const body = await r.json().catch(() => ({}));
    if (!r.ok) showNote(body.message || "Could not move those items");
    else if (body.failed) {
      const first = body.items.find((i) => i.status === "failed");
      showNote(`${body.failed} could not be moved: ${first && first.error ? first.error.message : ""}`);
    }
  });
  function showNote(text) {
    const n = el("div", { class: "pcs-note", role: "alert" }, text);
    document.body.append(n);
    setTimeout(() => n.remove(), 5000);
  }
})();

// Keyboard shortcuts in the file list map onto the visible controls, so each does exactly what
// clicking that control does: Enter opens, F2 renames, Delete trashes, Escape clears, Ctrl+A selects all;
// the arrow keys move the focus between rows.
(function () {
  if (window.__pcsKeys) return;
  window.__pcsKeys = true;
  const click = (sel) => { const b = document.querySelector(sel); if (b) { b.click(); return true; } return false; };
  document.addEventListener("keydown", (e) => {
    const inBrowser = e.target.closest && e.target.closest("#file-browser");
    if (!inBrowser || e.target.closest("input, textarea, [role=dialog]")) return;
    if (e.key === "Enter" && e.target.classList.contains("pcs-name")) return; // the focused name opens itself
    let done = false;
    if (e.key === "Enter") done = click('.pcs-row[data-selected="true"] .pcs-name');
    else if (e.key === "F2") done = click("#rename-selected");
    else if (e.key === "Delete") done = click("#delete-selected");
    else if (e.key === "Escape") done = click("#clear-selection");
    else if (e.key === "a" && (e.ctrlKey || e.metaKey)) done = click("#select-all");
    else if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      // Move focus row by row; Space or Enter on a focused name then acts on it.
      const names = Array.from(document.querySelectorAll("#file-browser .pcs-name"));
      const at = names.indexOf(document.activeElement);
      const next = names[Math.max(0, Math.min(names.length - 1, at + (e.key === "ArrowDown" ? 1 : -1)))];
      if (next) { next.focus(); next.scrollIntoView({ block: "nearest" }); done = true; }
    }
    if (done) e.preventDefault();
  });
})();

// Scrolling near the end of a long folder loads the next page by itself (the button stays for
// keyboard users and as a fallback).
(function () {
  if (window.__pcsMore) return;
  window.__pcsMore = true;
  const seen = new WeakSet();
  const io = new IntersectionObserver((entries) => {
    for (const e of entries) if (e.isIntersecting && !e.target.disabled) e.target.click();
  }, { rootMargin: "600px 0px" });
  const watch = () => {
    const b = document.getElementById("load-more");
    if (b && !seen.has(b)) { seen.add(b); io.observe(b); }
  };
  new MutationObserver(watch).observe(document.documentElement, { childList: true, subtree: true });
  watch(); // the button may already be on the page when this script runs
})();
