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
