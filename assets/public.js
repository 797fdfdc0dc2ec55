// A share link's page (/s/{token}), for visitors: the password form (the server answers with an
// HttpOnly cookie that opens the link for this browser) and a file drop's uploads, with progress.
(function () {
  if (window.__pcsPublic) return;
  window.__pcsPublic = true;

  function say(id, text) {
    const box = document.getElementById(id);
    if (!box) return;
    box.textContent = text || "";
    box.toggleAttribute("data-shown", !!text);
  }

  document.addEventListener("submit", async (e) => {
    const form = e.target.closest && e.target.closest("#unlock-form");
    if (!form) return;
    e.preventDefault();
    const token = form.dataset.token;
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    say("unlock-error", "");
    try {
      const r = await fetch(`/api/v1/public/${encodeURIComponent(token)}/unlock`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ password: new FormData(form).get("password") }),
      });
      if (r.ok) { window.location.reload(); return; }
      const body = await r.json().catch(() => ({}));
      const wait = r.headers.get("Retry-After");
      say("unlock-error", (body.message || "That did not work.") + (wait ? ` Try again in ${wait} s.` : ""));
    } catch (err) {
      say("unlock-error", "The server could not be reached; try again.");
    }
    button.disabled = false;
  });

  // -- the file drop ---------------------------------------------------------------------------
  const PARALLEL = 2;
  const queue = [];
  let active = 0;

  function human(n) {
    const units = ["B", "KiB", "MiB", "GiB", "TiB"];
    let i = 0;
    while (n >= 1024 && i < units.length - 1) { n /= 1024; i++; }
    return (i ? n.toFixed(1) : n) + " " + units[i];
  }

  function row(file) {
    const li = document.createElement("li");
    li.className = "pcs-drop-item";
    const name = document.createElement("span");
    name.className = "pcs-ellipsis";
    name.textContent = file.name;
    const state = document.createElement("span");
    state.className = "pcs-drop-state";
    state.textContent = "waiting";
    const bar = document.createElement("div");
    bar.className = "pcs-bar";
    const fill = document.createElement("div");
    bar.append(fill);
    li.append(name, state, bar);
    document.getElementById("drop-list").prepend(li);
    return { li, state, fill };
  }

  function pump() {
    while (active < PARALLEL && queue.length) {
      active++;
      send(queue.shift()).finally(() => { active--; pump(); });
    }
  }

  function send(job) {
    return new Promise((resolve) => {
      const zone = document.getElementById("drop-zone");
      const token = zone ? zone.dataset.token : "";
      const xhr = new XMLHttpRequest();
      xhr.open("PUT", `/api/v1/public/${encodeURIComponent(token)}/files?name=${encodeURIComponent(job.file.name)}`);
      xhr.setRequestHeader("Content-Type", "application/octet-stream");
      xhr.upload.onprogress = (e) => {
        if (!e.lengthComputable) return;
        job.ui.fill.style.width = `${Math.round((e.loaded / e.total) * 100)}%`;
        job.ui.state.textContent = `${human(e.loaded)} of ${human(e.total)}`;
      };
      xhr.onload = () => {
        if (xhr.status === 201) {
          job.ui.li.dataset.state = "done";
          job.ui.fill.style.width = "100%";
          job.ui.state.textContent = `sent (${human(job.file.size)})`;
        } else {
          let msg = `failed (${xhr.status})`;
          try { msg = JSON.parse(xhr.responseText).message || msg; } catch (err) { /* not JSON */ }
          job.ui.li.dataset.state = "error";
          job.ui.state.textContent = msg;
        }
        resolve();
      };
      xhr.onerror = () => {
        job.ui.li.dataset.state = "error";
        job.ui.state.textContent = "the connection failed";
        resolve();
      };
      job.ui.state.textContent = "sending";
      xhr.send(job.file);
    });
  }

  function add(files) {
    for (const file of files) queue.push({ file, ui: row(file) });
    pump();
  }

  document.addEventListener("change", (e) => {
    if (e.target && e.target.id === "drop-input") {
      add(Array.from(e.target.files || []));
      e.target.value = "";
    }
  });
  document.addEventListener("dragover", (e) => {
    const zone = e.target.closest && e.target.closest("#drop-zone");
    if (!zone) return;
    e.preventDefault();
    zone.classList.add("pcs-drop-hover");
  });
  document.addEventListener("dragleave", (e) => {
    const zone = e.target.closest && e.target.closest("#drop-zone");
    if (zone) zone.classList.remove("pcs-drop-hover");
  });
  document.addEventListener("drop", (e) => {
    const zone = e.target.closest && e.target.closest("#drop-zone");
    if (!zone) return;
    e.preventDefault();
    zone.classList.remove("pcs-drop-hover");
    add(Array.from(e.dataTransfer.files || []));
  });
})();
