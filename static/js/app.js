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

// After an htmx save, show what the caregiver must see: a conflict with another caregiver's
// save, else the first field to fix, else the "Saved" line.
document.addEventListener("htmx:afterSettle", () => {
  const first = document.querySelector(".conflict, .has-error, .error-summary, .save-state .saved");
  if (first) first.scrollIntoView({ block: first.matches(".saved") ? "nearest" : "start" });
});

// Going Back to the dashboard or the trends after logging a day, the browser may show the page
// as it was left (the back-forward cache): fetch it again so the status and charts hold the save.
window.addEventListener("pageshow", (event) => {
  if (event.persisted && document.querySelector("[data-fresh]")) window.location.reload();
});

// The visit summary's Print button: shown only where it can work.
for (const button of document.querySelectorAll("[data-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}

// A save the server could not take (503 while the database restarts, a lost connection): htmx
// leaves the form as typed; say so where "Saved" would be, so that nobody thinks it was saved.
const NOT_SAVED = "Not saved: the journal can't be reached just now. What you entered is still here; tap Save again in a moment.";
for (const name of ["htmx:responseError", "htmx:sendError"]) {
  document.addEventListener(name, (event) => {
    const form = event.target.closest("form");
    const state = form && form.querySelector(".save-state");
    if (!state) return;
    state.textContent = NOT_SAVED;
    state.classList.add("not-saved");
    state.scrollIntoView({ block: "nearest" });
  });
}
