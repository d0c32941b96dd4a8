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

// A new child's time zone: this phone's own, when it has one (else the list keeps the server's
// default). A phone may name its zone by an old name the list lacks: it is added, the server
// takes any zone of the tz database.
for (const select of document.querySelectorAll("select[data-guess-zone]")) {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  if (!zone || !zone.includes("/") || select.value === zone) continue;
  if (![...select.options].some((option) => option.value === zone)) {
    select.add(new Option(zone.replaceAll("_", " "), zone));
  }
  select.value = zone;
  const note = document.createElement("p");
  note.className = "help";
  note.textContent = "Set from this phone's time zone: change it if the child lives elsewhere.";
  select.after(note);
}
