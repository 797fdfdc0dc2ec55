// PCS browser uploads and drag-and-drop. Talks to the REST API with the signed-in session's cookie;
// the listing refreshes itself through the live change feed, so this file never touches app state.
//
// Three ways up, chosen per file:
// - small files (a dropped folder of photos, a source tree) go many to a request through the batch
//   endpoint, which stores each as its own object and creates the folders of their paths;
// - large files go straight to S3 in parts (a large-file session: presigned URLs, several parts at
//   once), resumable after a reload or a dropped connection (the session is kept in localStorage);
//   when the browser cannot reach S3 (another host, no CORS), they go through the app instead;
// - the rest, and every retry of a single file, with one streamed PUT each.
(function () {
  if (window.__pcsUploader) return;
  window.__pcsUploader = true;

  const MiB = 1024 * 1024;
  // Knobs for troubleshooting (and for measuring the old way): localStorage "pcs.upload.<name>".
  const knob = (name, fallback) => {
    try {
      const v = localStorage.getItem("pcs.upload." + name);
      return v === null ? fallback : v;
    } catch (e) { return fallback; }
  };
  const BATCHING = knob("batch", "on") !== "off";
  const BATCH_FILE_MAX = 4 * MiB; // larger files go on their own (the server takes up to 16 MiB)
  const BATCH_FILES = 500;
  const BATCH_BYTES = 16 * MiB;
  const BATCH_PARALLEL = 2;
  const PARALLEL = 3; // single PUTs at once
  const SESSION_MIN = Number(knob("sessionMin", 64 * MiB)); // files this large go straight to S3 in parts
  const PART_PARALLEL = 4;
  const PART_TRIES = 5;
  const SESSION_KEY = "pcs.upload.session:";

  const queue = []; // single PUTs and sessions waiting
  const batchQueue = []; // small files waiting for a batch
  const items = [];
  let active = 0, activeSessions = 0, activeBatches = 0;
  let paused = false; // Pause: nothing starts, what was in flight waits at the front of its queue

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
  const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
  const online = () => navigator.onLine ? Promise.resolve() :
    new Promise((r) => window.addEventListener("online", r, { once: true }));

  // ---- the panel ------------------------------------------------------------------------------
  function panel() {
    const root = document.getElementById("upload-panel");
    if (!root) return null;
    if (!root.firstChild) {
      root.append(
        el("div", { class: "pcs-up-head" },
          el("strong", { id: "upload-summary" }, ""),
          el("button", { id: "upload-pause", class: "pcs-up-btn pcs-touch", type: "button", "data-paused": "false",
            hidden: "", onclick: () => setPaused(!paused) }, "Pause"),
          el("button", { class: "pcs-up-close pcs-touch", "aria-label": "Close uploads", onclick: clearDone }, "×")),
        el("progress", { id: "upload-total", max: "100", value: "0", "aria-label": "Total upload progress" }),
        el("ul", { id: "upload-list" }));
    }
    return root;
  }
  function clearDone() {
    for (let i = items.length - 1; i >= 0; i--) {
      if (["done", "error", "cancelled", "interrupted"].includes(items[i].state)) { items[i].row.remove(); items.splice(i, 1); }
    }
    if (!items.length) { const root = document.getElementById("upload-panel"); if (root) { root.innerHTML = ""; root.classList.remove("open"); } }
    else render();
  }
  // The summary is drawn at most every 100 ms: thousands of files each reporting progress would
  // otherwise redraw it thousands of times.
  let drawTimer = null;
  function render() {
    if (drawTimer === null) drawTimer = setTimeout(draw, 100);
  }
  function draw() {
    drawTimer = null;
    const root = panel();
    if (!root) return;
    root.classList.toggle("open", items.length > 0);
    let total = 0, loaded = 0, running = 0, done = 0, failed = 0;
    for (const it of items) {
      if (it.state === "cancelled" || it.state === "interrupted") continue;
      const size = it.file ? it.file.size || 1 : 1;
      total += size;
      loaded += it.state === "done" ? size : Math.min(it.loaded, size);
      if (it.state === "done") done++;
      else if (it.state === "error" || it.state === "conflict") failed++;
      else running++;
    }
    const pct = total ? Math.floor((loaded * 100) / total) : 0;
    Object.assign(root.dataset, { running, done, failed, percent: pct });
    // Everything finished without trouble: fold the panel away after a moment.
    clearTimeout(draw.fold);
    if (!running && !failed && done) draw.fold = setTimeout(clearDone, 4000);
    if (!running) paused = false; // nothing left to hold: the next files start at once
    const btn = document.getElementById("upload-pause");
    btn.hidden = !running;
    btn.textContent = paused ? "Resume" : "Pause";
    btn.dataset.paused = String(paused); // the label says the state: no aria-pressed beside it
    document.getElementById("upload-total").value = pct;
    document.getElementById("upload-summary").textContent =
      paused ? `Paused · ${running} file${running === 1 ? "" : "s"} · ${pct}%` :
      running ? `Uploading ${running} file${running === 1 ? "" : "s"} · ${pct}%` :
      `${done} uploaded` + (failed ? ` · ${failed} ${failed === 1 ? "needs" : "need"} attention` : "");
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
    if (state === "done") it.bar.value = 100;
    render();
  }
  function progress(it, loaded) {
    it.loaded = loaded;
    const size = it.file.size || 1;
    const pct = Math.min(100, Math.floor((loaded * 100) / size));
    if (it.bar.value !== pct) it.bar.value = pct;
    if (it.state === "uploading") it.status.textContent = pct + "% of " + human(it.file.size);
    render();
  }

  // ---- queueing -------------------------------------------------------------------------------
  function row(path, extra) {
    const bar = el("progress", { max: "100", value: "0", "aria-label": "Progress of " + path });
    const status = el("span", { class: "pcs-up-status" }, "");
    const actions = el("span", { class: "pcs-up-actions" });
    const li = el("li", { class: "pcs-up-row", "data-name": path },
      el("span", { class: "pcs-up-name", title: path }, path), bar, status, actions);
    panel().querySelector("#upload-list").append(li);
    return { bar, status, actions, row: li, loaded: 0, xhr: null, ...extra };
  }
  function add(file, folderId, dirs) {
    const name = file.name;
    const kind = file.size >= SESSION_MIN ? "session" : BATCHING && file.size <= BATCH_FILE_MAX ? "batch" : "put";
    const it = row([...dirs, name].join("/"), { file, name, folderId, dirs, mode: "fail", state: "queued", kind });
    items.push(it);
    setState(it, "queued", waiting(it));
    (kind === "batch" ? batchQueue : queue).push(it);
    schedule();
  }
  // Files of one drop are added in one go; the queues are looked at once they are all in.
  let pumpTimer = null;
  function schedule() {
    if (pumpTimer === null) pumpTimer = setTimeout(() => { pumpTimer = null; pump(); }, 0);
  }
  function pump() {
    if (paused) return;
    for (let i = 0; i < queue.length;) {
      const it = queue[i];
      if (it.state !== "queued") { queue.splice(i, 1); continue; }
      if (it.kind === "session" ? activeSessions >= 1 : active >= PARALLEL) { i++; continue; }
      queue.splice(i, 1);
      const session = it.kind === "session";
      if (session) activeSessions++; else active++;
      (session ? sendSession(it) : sendPut(it)).finally(() => {
        if (session) activeSessions--; else active--;
        pump();
      });
    }
    while (activeBatches < BATCH_PARALLEL) {
      const group = takeBatch();
      if (!group.length) break;
      activeBatches++;
      sendBatch(group).finally(() => { activeBatches--; pump(); });
    }
  }
  function takeBatch() {
    while (batchQueue.length && batchQueue[0].state !== "queued") batchQueue.shift();
    if (!batchQueue.length) return [];
    const folder = batchQueue[0].folderId;
    const group = [];
    let bytes = 0;
    for (let i = 0; i < batchQueue.length && group.length < BATCH_FILES;) {
      const it = batchQueue[i];
      if (it.state !== "queued") { batchQueue.splice(i, 1); continue; }
      if (it.folderId !== folder) { i++; continue; }
      if (group.length && bytes + it.file.size > BATCH_BYTES) break;
      batchQueue.splice(i, 1);
      group.push(it);
      bytes += it.file.size;
    }
    return group;
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

  // ---- many small files in one request ------------------------------------------------------------
  async function sendBatch(group) {
    let base;
    try { base = group[0].folderId || (await folderReady()); }
    catch (e) { for (const it of group) setState(it, "error", e.message); return; }
    if (paused) return hold(group);
    const manifest = JSON.stringify(group.map((it) => ({ path: [...it.dirs, it.name].join("/"), size: it.file.size })));
    const form = new FormData();
    form.append("manifest", manifest);
    for (const it of group) form.append("file", it.file, it.name);
    // Where each file lies in the body, to share the request's progress among them.
    let offset = manifest.length + 200;
    const starts = group.map((it) => { const s = offset; offset += it.file.size + 160 + it.name.length; return s; });
    await new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      for (const it of group) { it.xhr = xhr; setState(it, "uploading", "Sending…"); }
      xhr.open("POST", `/api/v1/nodes/${encodeURIComponent(base)}/batch?on_conflict=fail`);
      xhr.setRequestHeader("X-PCS-Request", "1");
      xhr.upload.onprogress = (e) => {
        group.forEach((it, i) => { if (it.state === "uploading") progress(it, Math.max(0, Math.min(it.file.size, e.loaded - starts[i]))); });
      };
      xhr.onload = () => {
        let body = {};
        try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON: said below */ }
        if (xhr.status === 200 && Array.isArray(body.items) && body.items.length === group.length) {
          group.forEach((it, i) => settle(it, body.items[i]));
        } else {
          const why = body.message || "Upload failed (" + xhr.status + ")";
          for (const it of group) setState(it, "error", why);
        }
        resolve();
      };
      xhr.onerror = () => { for (const it of group) setState(it, "error", "Network error; check the connection"); resolve(); };
      xhr.onabort = () => {
        const left = group.filter((it) => it.state === "uploading");
        if (paused) hold(left); else for (const it of left) setState(it, "cancelled", "Cancelled");
        resolve();
      };
      xhr.send(form);
    });
  }
  function settle(it, result) {
    it.xhr = null;
    if (result.status === "created" || result.status === "updated") setState(it, "done", "Uploaded");
    else if (result.status === "unchanged") setState(it, "done", it.resent ? "Uploaded" : "Already there");
    else if (result.error && result.error.error === "conflict") setState(it, "conflict", result.error.message);
    else setState(it, "error", (result.error && result.error.message) || "Upload failed");
  }

  // ---- one file, one streamed PUT ---------------------------------------------------------------------
  async function sendPut(it) {
    let target;
    try { target = await ensureFolders(it.folderId || (await folderReady()), it.dirs); }
    catch (e) { setState(it, "error", e.message); return; }
    if (paused) return hold([it]);
    await new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      it.xhr = xhr;
      const q = `name=${encodeURIComponent(it.name)}&on_conflict=${it.mode}`;
      xhr.open("PUT", `/api/v1/nodes/${encodeURIComponent(target)}/files?${q}`);
      xhr.setRequestHeader("X-PCS-Request", "1");
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      xhr.upload.onprogress = (e) => progress(it, e.loaded);
      xhr.onload = async () => {
        let body = {};
        try { body = JSON.parse(xhr.responseText); } catch (e) { /* not JSON: keep the status line */ }
        if (xhr.status === 201) setState(it, "done", "Uploaded");
        else if (xhr.status === 409 && it.resent && (await sameAs(it, body.existing_id))) setState(it, "done", "Uploaded");
        else if (xhr.status === 409) setState(it, "conflict", body.message || "A file with that name exists");
        else setState(it, "error", body.message || "Upload failed (" + xhr.status + ")");
        resolve();
      };
      xhr.onerror = () => { setState(it, "error", "Network error; check the connection"); resolve(); };
      xhr.onabort = () => { if (paused) hold([it]); else setState(it, "cancelled", "Cancelled"); resolve(); };
      setState(it, "uploading", "Starting…");
      xhr.send(it.file); // the browser streams the File from disk: it is never read into memory here
    });
  }

  // ---- a large file, in parts straight to S3 -------------------------------------------------------
  const saved = (key) => { try { return JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { return null; } };
  const keep = (key, v) => { try { localStorage.setItem(key, JSON.stringify(v)); } catch (e) { /* private mode: no resume */ } };
  const forget = (key) => { try { localStorage.removeItem(key); } catch (e) { /* nothing kept */ } };
  async function openSession(it, target, key) {
    const old = saved(key);
    if (old) {
      const r = await api("GET", `/api/v1/uploads/${encodeURIComponent(old.id)}`);
      if (r.ok) return await r.json();
      forget(key); // expired or finished elsewhere: start again
    }
    const r = await api("POST", "/api/v1/uploads", { parent_id: target, name: it.name, size: it.file.size, on_conflict: it.mode });
    const body = await r.json().catch(() => ({}));
    if (r.status === 409) { setState(it, "conflict", body.message || "A file with that name exists"); return null; }
    if (!r.ok) { setState(it, "error", body.message || "Upload failed (" + r.status + ")"); return null; }
    keep(key, { id: body.id, name: it.name, path: [...it.dirs, it.name].join("/"), size: it.file.size, expires_at: body.expires_at });
    return { ...body, uploaded: [] };
  }
  async function sendSession(it) {
    let target;
    try { target = await ensureFolders(it.folderId || (await folderReady()), it.dirs); }
    catch (e) { setState(it, "error", e.message); return; }
    const key = `${SESSION_KEY}${target}/${it.name}:${it.file.size}:${it.file.lastModified}`;
    for (const other of items.filter((x) => x.state === "interrupted" && x.key === key)) {
      other.row.remove(); // this file takes up where that one stopped
      items.splice(items.indexOf(other), 1);
    }
    setState(it, "uploading", "Starting…");
    let sess;
    try { sess = await openSession(it, target, key); }
    catch (e) { setState(it, "error", "Network error; check the connection"); return; }
    if (!sess) return;
    const run = { xhrs: new Set(), stopped: false };
    it.session = run;
    const loaded = new Map(sess.parts.map((p) => [p.number, sess.uploaded.includes(p.number) ? p.size : 0]));
    const update = () => progress(it, [...loaded.values()].reduce((a, b) => a + b, 0));
    update();
    let stored = sess.uploaded.length > 0, unreachable = false, sent = sess.uploaded.length;
    // Parts in flight settle one by one; a part failing before any has arrived waits for them.
    const waiters = [];
    const notify = () => { for (const w of waiters.splice(0)) w(); };
    const putPart = (p) => new Promise((resolve) => {
      const xhr = new XMLHttpRequest();
      run.xhrs.add(xhr);
      xhr.open("PUT", p.url);
      xhr.upload.onprogress = (e) => { loaded.set(p.number, e.loaded); update(); };
      const end = (status) => { run.xhrs.delete(xhr); resolve(status); setTimeout(notify, 0); };
      xhr.onload = () => end(xhr.status);
      xhr.onerror = () => end(0);
      xhr.onabort = () => end(-1);
      const start = (p.number - 1) * sess.part_size;
      xhr.send(it.file.slice(start, start + p.size));
    });
    const todo = sess.parts.filter((p) => !sess.uploaded.includes(p.number));
    let failure = null;
    const worker = async () => {
      while (todo.length && !failure && !run.stopped && !paused) {
        const p = todo.shift();
        for (let attempt = 1; ; attempt++) {
          const status = await putPart(p);
          if (status >= 200 && status < 300) { stored = true; sent++; loaded.set(p.number, p.size); update(); notify(); break; }
          loaded.set(p.number, 0);
          if (status === -1 || run.stopped || paused) return;
          if (status === 0 && !stored) {
            // Unreachable storage (another host, no CORS rule) fails every part; a dropped connection
            // may fail some while another gets through. Decide once the others have settled.
            while (!stored && run.xhrs.size > 0 && !run.stopped) await new Promise((r) => waiters.push(r));
            if (paused) return;
            if (!stored) { unreachable = true; failure = "unreachable"; return; }
          }
          if (attempt >= PART_TRIES) { failure = status ? `Storage refused part ${p.number} (${status})` : "Network error; check the connection"; return; }
          it.status.textContent = "Connection lost · retrying…";
          await online();
          await sleep(500 * 2 ** attempt);
          if (paused) return;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(PART_PARALLEL, todo.length || 1) }, worker));
    for (const xhr of run.xhrs) xhr.abort();
    it.session = null;
    if (run.stopped) { setState(it, "cancelled", "Paused · Retry resumes"); return; }
    // Stopped by Pause (the only other way out with parts left): S3 keeps the parts it has.
    if (!failure && !unreachable && sent < sess.parts.length) { update(); return hold([it]); }
    if (unreachable) {
      // This browser cannot reach the storage (another host, or no CORS rule): through the app then.
      api("DELETE", `/api/v1/uploads/${encodeURIComponent(sess.id)}`).catch(() => {});
      forget(key);
      it.kind = "put";
      return sendPut(it);
    }
    if (failure) { setState(it, "error", failure + " · Retry resumes where it stopped"); return; }
    it.status.textContent = "Checking…";
    const r = await api("POST", `/api/v1/uploads/${encodeURIComponent(sess.id)}/complete`).catch(() => null);
    const body = r ? await r.json().catch(() => ({})) : {};
    if (r && r.status === 201) { forget(key); setState(it, "done", "Uploaded"); return; }
    if (r && r.status !== 409) forget(key); // the session is over: a retry starts again
    setState(it, r && r.status === 409 && !body.missing_parts ? "conflict" : "error",
      (body.message || "Upload failed") + (r && r.status === 409 && body.missing_parts ? " · Retry resumes" : ""));
  }
  // Sessions left by a reload or a closed tab: say so, and resume when the same file is chosen again.
  async function showInterrupted() {
    let keys = [];
    try { keys = Object.keys(localStorage).filter((k) => k.startsWith(SESSION_KEY)); } catch (e) { return; }
    for (const key of keys) {
      const s = saved(key);
      if (!s || !s.id) { forget(key); continue; }
      const r = await api("GET", `/api/v1/uploads/${encodeURIComponent(s.id)}`).catch(() => null);
      if (!r || !r.ok) { if (r && r.status === 404) forget(key); continue; }
      const state = await r.json();
      const have = state.parts.filter((p) => state.uploaded.includes(p.number)).reduce((a, p) => a + p.size, 0);
      const it = row(s.path || s.name, { file: null, name: s.name, state: "interrupted", key });
      it.row.dataset.state = "interrupted";
      it.bar.value = s.size ? Math.floor((have * 100) / s.size) : 0;
      it.status.textContent = `Interrupted at ${it.bar.value}% · choose the file again to resume`;
      it.actions.append(el("button", { class: "pcs-up-btn", onclick: () => {
        api("DELETE", `/api/v1/uploads/${encodeURIComponent(s.id)}`).catch(() => {});
        forget(key);
        it.state = "cancelled";
        clearDone();
      } }, "Forget"));
      items.push(it);
      render();
    }
  }
  const whenPanel = () => (document.getElementById("upload-panel") ? showInterrupted() : setTimeout(whenPanel, 500));
  whenPanel();

  function cancel(it) {
    if (it.session) { it.session.stopped = true; for (const xhr of it.session.xhrs) xhr.abort(); }
    else if (it.state === "uploading" && it.xhr) it.xhr.abort(); // a batch: its other files stop too (Retry sends them)
    else setState(it, "cancelled", "Cancelled");
  }
  function retry(it, mode) {
    it.mode = mode;
    it.loaded = 0;
    it.bar.value = 0;
    if (it.kind === "batch") it.kind = "put"; // a single file now: its own request says exactly what happened
    setState(it, "queued", paused ? "Paused" : "Waiting");
    queue.push(it);
    pump();
  }

  // ---- pause and resume ------------------------------------------------------------------------
  const waiting = (it) => (paused ? "Paused" : "Waiting · " + human(it.file.size));
  function setPaused(on) {
    paused = on;
    for (const it of items) if (it.state === "queued") it.status.textContent = waiting(it);
    if (on) {
      for (const it of items) {
        if (it.state !== "uploading") continue;
        if (it.session) for (const xhr of it.session.xhrs) xhr.abort(); // finished parts stay in S3
        else if (it.xhr) it.xhr.abort(); // the server keeps nothing of a request cut off
      }
    }
    draw();
    pump();
  }
  // Requests cut off by Pause go back to the front of their queue, in their order, from 0 again;
  // the server may have stored some of their files just before ("resent": that is no clash).
  function hold(group) {
    for (const it of [...group].reverse()) {
      if (it.state === "uploading") it.resent = true;
      it.xhr = null;
      if (it.kind !== "session") { it.loaded = 0; it.bar.value = 0; }
      setState(it, "queued", waiting(it));
      (it.kind === "batch" ? batchQueue : queue).unshift(it);
    }
  }
  // A PUT cut off by Pause may have been stored just before: the same name with the same bytes is
  // this very upload, not a clash. (A batch sent again says "unchanged" by itself.)
  async function sameAs(it, id) {
    try {
      const r = id && crypto.subtle ? await api("GET", `/api/v1/nodes/${encodeURIComponent(id)}`) : null;
      const node = r && r.ok ? await r.json() : null;
      if (!node || node.size !== it.file.size) return false;
      const sum = new Uint8Array(await crypto.subtle.digest("SHA-256", await it.file.arrayBuffer()));
      return Array.from(sum, (b) => b.toString(16).padStart(2, "0")).join("") === node.sha256;
    } catch (e) { return false; }
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
  const fileOf = (entry) => new Promise((res, rej) => entry.file(res, rej));
  async function walk(entry, dirs, out) {
    if (entry.isFile) {
      out.push([await fileOf(entry), dirs]);
    } else if (entry.isDirectory) {
      const reader = entry.createReader();
      const children = [];
      let batch;
      while ((batch = await readEntries(reader)).length) children.push(...batch);
      const inside = [...dirs, entry.name];
      const files = await Promise.all(children.filter((c) => c.isFile).map(fileOf));
      for (const f of files) out.push([f, inside]);
      for (const child of children.filter((c) => c.isDirectory)) await walk(child, inside, out);
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
    else if (e.key === "F2") {
      // The focused row is the one renamed, selected first if it is not.
      const row = e.target.closest(".pcs-row");
      if (row && row.dataset.selected !== "true") {
        row.click();
        const t0 = performance.now();
        const wait = () => {
          if (row.dataset.selected === "true" && click("#rename-selected")) return;
          if (performance.now() - t0 < 2000) requestAnimationFrame(wait);
        };
        requestAnimationFrame(wait);
        done = true;
      } else done = click("#rename-selected");
    }
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
