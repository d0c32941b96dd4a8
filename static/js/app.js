// Small enhancements; every page works without them.
"use strict";

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const field = document.querySelector(button.dataset.copy);
  if (!field) return;
  field.select();
  const done = () => { button.textContent = "Copied"; };
  if (navigator.clipboard) {
    navigator.clipboard.writeText(field.value).then(done, () => document.execCommand("copy") && done());
  } else if (document.execCommand("copy")) {
    done();
  }
});

// After an htmx save, bring the "Saved" line into view.
document.addEventListener("htmx:afterSettle", () => {
  const state = document.querySelector(".save-state .saved");
  if (state) state.scrollIntoView({ block: "nearest" });
});
