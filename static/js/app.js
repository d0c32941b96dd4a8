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

// The child's tabs scroll sideways on a narrow phone: the tab shown is scrolled into view, and
// the faded edge that says "more this way" goes once the end is reached.
for (const tabs of document.querySelectorAll(".child-nav ul")) {
  const atEnd = () => tabs.classList.toggle("at-end", tabs.scrollLeft + tabs.clientWidth >= tabs.scrollWidth - 2);
  const current = tabs.querySelector('[aria-current="page"]');
  if (current) tabs.scrollLeft = current.offsetLeft + current.offsetWidth - tabs.clientWidth + 24;
  atEnd();
  tabs.addEventListener("scroll", atEnd, { passive: true });
}
