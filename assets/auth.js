// Sign-in and sign-up forms: post to the API, which answers with the session in an HttpOnly cookie
// (page scripts never see the token), then load the next page so the app reconnects signed in.
// With Cognito (PCS_AUTH=cognito) an unconfirmed account first enters the code it was emailed: the
// sign-up answers 202 (a sign-in 403 not_confirmed), and the same form then asks for the code,
// confirms it (POST /api/v1/auth/signup/confirm) and signs in with the password already typed.
(function () {
  if (window.__pcsAuth) return;
  window.__pcsAuth = true;

  function say(text) {
    const box = document.getElementById("auth-error");
    if (!box) return;
    box.textContent = text || "";
    box.toggleAttribute("data-shown", !!text);
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-PCS-Request": "1" },
      body: JSON.stringify(body),
    });
  }

  // Turn the form into the code step: the password fields stay filled but out of sight.
  function askForCode(form, email) {
    form.dataset.mode = "confirm";
    for (const id of ["password-field", "confirm-field"]) {
      const field = document.getElementById(id);
      if (field) field.style.display = "none";
    }
    const emailInput = form.querySelector("input[name=email]");
    if (emailInput) emailInput.readOnly = true;
    const step = document.getElementById("auth-code-step");
    const code = form.querySelector("input[name=code]");
    const note = document.getElementById("auth-code-note");
    if (note) note.textContent = `Enter the code we emailed to ${email} to finish.`;
    if (step) step.hidden = false;
    if (code) {
      code.required = true;
      code.setAttribute("inputmode", "numeric");
      code.focus();
    }
    const button = form.querySelector("button[type=submit]");
    if (button) button.textContent = "Confirm and sign in";
  }

  async function signIn(form, email, password, create) {
    const r = await post("/api/v1/auth/session", { email, password, create });
    if (r.ok && r.status !== 202) {
      window.location.assign(form.dataset.next || "/files");
      return null;
    }
    const body = await r.json().catch(() => ({}));
    if (r.status === 202 || body.error === "not_confirmed") {
      askForCode(form, email);
      return "";
    }
    return body.message || `The server said ${r.status}; try again.`;
  }

  document.addEventListener("submit", async (e) => {
    const form = e.target.closest && e.target.closest("#auth-form");
    if (!form) return;
    e.preventDefault();
    const data = new FormData(form);
    const email = String(data.get("email")).trim();
    const password = data.get("password");
    const mode = form.dataset.mode;
    if (mode === "sign-up" && password !== data.get("confirm")) {
      say("The two passwords differ.");
      return;
    }
    const button = form.querySelector("button[type=submit]");
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    say("");
    try {
      let problem;
      if (mode === "confirm") {
        // Once confirmed, a retry (say, after a typo in the password) only signs in again.
        const r = form.dataset.confirmed
          ? { ok: true }
          : await post("/api/v1/auth/signup/confirm", { email, code: String(data.get("code")).trim() });
        if (r.ok) {
          form.dataset.confirmed = "1";
          problem = await signIn(form, email, password, false);
        } else {
          const body = await r.json().catch(() => ({}));
          problem = body.message || `The server said ${r.status}; try again.`;
        }
      } else {
        problem = await signIn(form, email, password, mode === "sign-up");
      }
      if (problem === null) return; // on the way to the next page
      say(problem);
    } catch (err) {
      say("The server could not be reached; check the connection and try again.");
    }
    button.disabled = false;
    button.removeAttribute("aria-busy");
  });
})();
