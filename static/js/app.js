// Small enhancements; every page works without them.
"use strict";

// Django's JavaScript catalog (base.html) gives gettext; without it the words stay English. The
// other scripts declare theirs inside their own function: a second global `const gettext` would
// stop the page's later scripts.
const gettext = window.gettext || ((text) => text);

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy]");
  if (!button) return;
  const field = document.querySelector(button.dataset.copy);
  if (!field) return;
  field.select();
  const done = () => { button.textContent = gettext("Copied"); };
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

// The entry form's tools. "What 0-3 mean" is remembered on this phone, and comes back after a
// save swaps the form. "Same as yesterday" ticks yesterday's ratings to adjust: only Save saves.
const rememberToggles = () => {
  for (const box of document.querySelectorAll("[data-remember]")) {
    box.checked = localStorage.getItem(box.dataset.remember) === "on";
  }
  for (const button of document.querySelectorAll("[data-fill-ratings]")) button.hidden = false;
};
rememberToggles();
document.addEventListener("htmx:afterSettle", rememberToggles);
document.addEventListener("change", (event) => {
  const box = event.target.closest("[data-remember]");
  if (box) localStorage.setItem(box.dataset.remember, box.checked ? "on" : "off");
});
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-fill-ratings]");
  if (!button) return;
  const ratings = JSON.parse(button.dataset.fillRatings);
  for (const [name, value] of Object.entries(ratings)) {
    const radio = button.form.querySelector(`input[name="${name}"][value="${value}"]`);
    if (radio) radio.checked = true;
  }
  const state = button.form.querySelector("#save-state");
  if (state) state.textContent = gettext("The day before's ratings are filled in: change what differs, then Save.");
  button.remove();  // done: a swap after Save must not offer it again
});

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
  note.textContent = gettext("Set from this phone's time zone: change it if the child lives elsewhere.");
  select.after(note);
}
