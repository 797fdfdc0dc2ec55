// Sign-in and sign-up forms: post to the API, which answers with the session in an HttpOnly cookie
// (page scripts never see the token), then load the next page so the app reconnects signed in.
(function () {
  if (window.__pcsAuth) return;
  window.__pcsAuth = true;

  function say(text) {
    const box = document.getElementById("auth-error");
    if (!box) return;
    box.textContent = text || "";
    box.toggleAttribute("data-shown", !!text);
  }

  document.addEventListener("submit", async (e) => {
    const form = e.target.closest && e.target.closest("#auth-form");
    if (!form) return;
    e.preventDefault();
    const data = new FormData(form);
    const create = form.dataset.mode === "sign-up";
    if (create && data.get("password") !== data.get("confirm")) {
      say("The two passwords differ.");
      return;
    }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    say("");
    try {
      const r = await fetch("/api/v1/auth/session", {
        method: "POST",
        headers: { "Content-Type": "application/json", "X-PCS-Request": "1" },
        body: JSON.stringify({ email: String(data.get("email")).trim(), password: data.get("password"), create }),
      });
      if (r.ok) {
        window.location.assign(form.dataset.next || "/files");
        return;
      }
      const body = await r.json().catch(() => ({}));
      say(body.message || `The server said ${r.status}; try again.`);
    } catch (err) {
      say("The server could not be reached; check the connection and try again.");
    }
    button.disabled = false;
    button.removeAttribute("aria-busy");
  });
})();
