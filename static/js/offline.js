// Never lose a day: no signal, an expired login, a server restarting.
//
// A form marked data-keep (a day, a trigger) that cannot be saved is kept on this phone in
// IndexedDB, said so in words that cannot pass for a save, listed on every page, and sent again
// when the phone is online, on the next visit, and every little while, each with its own
// Idempotency-Key (a day sent twice is stored once) and a CSRF token asked for just before
// (never one from a page in the cache). A kept day that meets a newer save by another caregiver
// is opened in its form, where the side-by-side comparison lets the caregiver choose.
// Logging out empties the kept days and the service worker's caches, warning first.
"use strict";

(() => {
  // Django's JavaScript catalog (base.html) gives these; without it (the offline page has none) the
  // words stay English.
  const gettext = window.gettext || ((text) => text);
  const ngettext = window.ngettext || ((singular, plural, count) => (count === 1 ? singular : plural));
  const interpolate = window.interpolate || ((format, values) => format.replace(/%\(\w+\)s/g, (match) => values[match.slice(2, -2)]));

  const KEPT = gettext("Kept on this phone: it will be sent when you are online.");
  const KEPT_SERVER = gettext("Kept on this phone: the journal could not save it just now. It will be sent again by itself.");
  const RETRY_MS = 20000;
  const account = document.body.dataset.account || localStorage.getItem("oms-account") || "";
  if (document.body.dataset.account) localStorage.setItem("oms-account", document.body.dataset.account);

  if ("serviceWorker" in navigator) navigator.serviceWorker.register("/sw.js", { scope: "/" });

  // --- the kept days, in IndexedDB --------------------------------------------------------------
  function opened() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open("oms-journal", 1);
      request.onupgradeneeded = () => request.result.createObjectStore("kept", { keyPath: "key" });
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function inStore(mode, work) {
    const db = await opened();
    return new Promise((resolve, reject) => {
      const done = db.transaction("kept", mode);
      const asked = work(done.objectStore("kept"));
      done.oncomplete = () => { db.close(); resolve(asked && asked.result); };
      done.onerror = () => { db.close(); reject(done.error); };
    });
  }

  const allKept = async () => (await inStore("readonly", (store) => store.getAll())) || [];
  const mine = async () => (await allKept()).filter((record) => record.account === account);
  const forget = (key) => inStore("readwrite", (store) => store.delete(key));

  // A day is kept once: keeping it again replaces what was kept for that day before.
  async function keep(form, state) {
    const record = {
      key: keyOf(form),
      url: new URL(form.action, location.href).pathname,
      kind: form.dataset.keep,
      title: form.dataset.keepTitle,
      account,
      fields: [...new FormData(form)].filter(([name]) => name !== "csrfmiddlewaretoken"),
      keptAt: new Date().toISOString(),
      state,
    };
    const same = (await allKept()).filter((r) => r.kind === "day" && record.kind === "day" && r.url === record.url);
    for (const old of same) await forget(old.key);
    await inStore("readwrite", (store) => store.put(record));
    await showKept();
  }

  function keyOf(form) {
    if (!form.dataset.key) form.dataset.key = crypto.randomUUID ? crypto.randomUUID() : String(Math.random()).slice(2) + Date.now();
    return form.dataset.key;
  }

  async function forgetSaved(form) {
    const url = new URL(form.action, location.href).pathname;
    for (const record of await allKept()) {
      if (record.key === form.dataset.key || (form.dataset.keep === "day" && record.kind === "day" && record.url === url)) await forget(record.key);
    }
    delete form.dataset.key;
    await showKept();
  }

  // --- saying so --------------------------------------------------------------------------------
  function say(element, words, { link, kind = "kept-note" } = {}) {
    const form = element.closest("form") || element;
    let place = form.querySelector(".save-state");
    if (!place) {
      place = document.createElement("p");
      place.className = "save-state";
      form.prepend(place);
    }
    place.setAttribute("role", "alert");
    place.replaceChildren();
    const text = document.createElement("span");
    text.className = kind;
    text.textContent = words;
    place.append(text);
    if (link) {
      const a = document.createElement("a");
      a.href = link.href;
      a.textContent = link.text;
      place.append(" ", a);
    }
  }

  function loginLink() {
    return { href: "/accounts/login/?next=" + encodeURIComponent(location.pathname + location.search), text: gettext("Log in") };
  }

  async function showKept() {
    const box = document.getElementById("kept-days");
    if (!box) return;
    const records = await mine();
    box.hidden = records.length === 0;
    box.replaceChildren();
    if (!records.length) return;
    const days = records.filter((r) => r.kind === "day").length;
    const triggers = records.length - days;
    const dayCount = interpolate(ngettext("%(count)s day", "%(count)s days", days), { count: days }, true);
    const triggerCount = interpolate(ngettext("%(count)s trigger", "%(count)s triggers", triggers), { count: triggers }, true);
    const heading = document.createElement("p");
    heading.className = "kept-count";
    if (days && triggers) {
      // Translators: "3 days and 1 trigger waiting to be sent": days and triggers are the counts above.
      heading.textContent = interpolate(gettext("%(days)s and %(triggers)s waiting to be sent"), { days: dayCount, triggers: triggerCount }, true);
    } else {
      heading.textContent = interpolate(gettext("%(kept)s waiting to be sent"), { kept: days ? dayCount : triggerCount }, true);
    }
    const list = document.createElement("ul");
    for (const record of records) {
      const item = document.createElement("li");
      const a = document.createElement("a");
      a.href = record.url;
      a.textContent = record.title;
      item.append(a);
      if (record.state === "login") item.append(gettext(": log in to send it"));
      if (record.state === "choose") item.append(gettext(": saved meanwhile by someone else, open it to choose"));
      if (record.state === "fix") item.append(gettext(": open it, something needs fixing"));
      list.append(item);
    }
    box.append(heading, list);
    if (records.some((r) => r.state === "login")) {
      const p = document.createElement("p");
      const a = document.createElement("a");
      ({ href: a.href, text: a.textContent } = loginLink());
      // Translators: %(link)s is a link whose words are "Log in".
      const [before, after] = gettext("Your login has expired. %(link)s and they will be sent.").split("%(link)s");
      p.append(before, a, after || "");
      box.append(p);
    }
  }

  // --- htmx saves: a key each, a fresh token, and what to do when they fail ---------------------
  let token = null;

  document.addEventListener("htmx:configRequest", (event) => {
    const form = event.detail.elt.closest && event.detail.elt.closest("form[data-keep]");
    if (form) event.detail.headers["Idempotency-Key"] = keyOf(form);
    if (token) event.detail.headers["X-CSRFToken"] = token;
  });

  // The form that asked, remembered with its request: once its answer is swapped in, htmx
  // tells of the request on the page's body, the form being gone.
  document.addEventListener("htmx:beforeRequest", (event) => {
    event.detail.xhr.keptForm = event.detail.elt.closest && event.detail.elt.closest("form[data-keep]");
  });

  document.addEventListener("htmx:afterRequest", (event) => {
    const xhr = event.detail.xhr;
    const form = xhr.keptForm;
    if (!form || !event.detail.successful) return;
    if (/saved/.test(xhr.getResponseHeader("HX-Trigger") || "") || xhr.getResponseHeader("HX-Redirect")) forgetSaved(form);
  });

  document.addEventListener("htmx:sendError", (event) => failed(event.detail.elt, 0));
  document.addEventListener("htmx:responseError", (event) => failed(event.detail.elt, event.detail.xhr.status));

  async function failed(element, status) {
    const form = element.closest && element.closest("form[data-keep]");
    if (status === 401) {
      if (form) await keep(form, "login");
      say(element, form ? gettext("Your login has expired. Everything you typed is kept on this phone:") : gettext("Your login has expired."),
        { link: { ...loginLink(), text: form ? gettext("log in and it will be sent") : gettext("Log in") } });
    } else if (form && (status === 0 || status >= 502)) {
      await keep(form, "waiting");
      say(element, status === 0 ? KEPT : KEPT_SERVER);
    } else {
      const words = status === 403
        ? gettext("Not saved: the journal refused it. Reload the page and try again; what you typed is still here.")
        : interpolate(gettext("Not saved: something went wrong (error %(status)s). What you typed is still here: try again in a moment."), { status: status || gettext("no answer") }, true);
      say(element, words, { kind: "error" });
    }
  }

  // A whole page (the login page, an error page) is never swapped into the middle of a form.
  document.addEventListener("htmx:beforeSwap", (event) => {
    const text = event.detail.xhr.responseText || "";
    if (event.detail.target !== document.body && /^\s*<!doctype|<html[\s>]/i.test(text)) {
      event.detail.shouldSwap = false;
      say(event.detail.elt, gettext("This could not be shown here: reload the page. What you typed is still here."), { kind: "error" });
    }
  });

  // --- sending the kept days --------------------------------------------------------------------
  async function freshToken() {
    const response = await fetch("/accounts/session/", { credentials: "same-origin", cache: "no-store" });
    if (response.status === 401) return null;
    if (!response.ok) throw new Error("no session state");
    const state = await response.json();
    return state.account === account ? state.csrf : null;
  }

  let sending = false;

  async function sendKept() {
    if (sending) return;
    const records = await mine();
    if (!records.length) return;
    sending = true;
    try {
      token = await freshToken();
      if (!token) {
        for (const record of records) await mark(record, "login");
        return;
      }
      for (const record of records) {
        const form = formFor(record);
        if (form) await sendInPage(form, record);
        else await send(record);
      }
    } catch (error) {
      // No signal yet, or the journal is restarting: the days stay kept, sent at the next try.
    } finally {
      sending = false;
      await showKept();
    }
  }

  async function mark(record, state) {
    if (record.state === state) return;
    record.state = state;
    await inStore("readwrite", (store) => store.put(record));
  }

  // The kept day's own form is open: filled in again and saved there, so that a comparison with
  // another caregiver's save, or a field to fix, shows in its place.
  function formFor(record) {
    const form = document.querySelector("form[data-keep]");
    if (!form || record.kind !== "day" || new URL(form.action, location.href).pathname !== record.url) return null;
    return form;
  }

  function sendInPage(form, record) {
    for (const [name, value] of record.fields) {
      const field = form.elements[name];
      if (field instanceof RadioNodeList) field.value = value;
      else if (field) field.value = value;
    }
    form.dataset.key = record.key;
    return new Promise((resolve) => {
      document.addEventListener("htmx:afterRequest", async function answered(event) {
        const xhr = event.detail.xhr;
        if (xhr.keptForm !== form) return;
        document.removeEventListener("htmx:afterRequest", answered);
        const saved = /saved/.test(xhr.getResponseHeader("HX-Trigger") || "") || xhr.getResponseHeader("HX-Redirect");
        if (!saved && xhr.status === 409) await mark(record, "choose");
        else if (!saved && xhr.status === 200) await mark(record, "fix");
        resolve();
      });
      htmx.trigger(form, "submit");
    });
  }

  async function send(record) {
    const response = await fetch(record.url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "HX-Request": "true", "X-CSRFToken": token, "Idempotency-Key": record.key },
      body: new URLSearchParams(record.fields),
    });
    if (response.status === 401) return mark(record, "login");
    if (response.status >= 500 || response.status === 403) throw new Error(`answered ${response.status}`);
    if (/saved/.test(response.headers.get("HX-Trigger") || "") || response.headers.get("HX-Redirect")) {
      const form = document.querySelector(`form[data-key="${record.key}"]`);
      if (form) say(form, gettext("Sent and saved."), { kind: "saved" });
      return forget(record.key);
    }
    return mark(record, response.status === 409 ? "choose" : "fix");
  }

  // "Keep theirs" in a comparison: the kept day is given up by the caregiver's own choice.
  document.addEventListener("click", (event) => {
    const keepTheirs = event.target.closest(".conflict a");
    const form = keepTheirs && keepTheirs.closest("form[data-keep]");
    if (form) forgetSaved(form);
  });

  window.addEventListener("online", sendKept);
  setInterval(() => { if (document.visibilityState === "visible") sendKept(); }, RETRY_MS);

  // --- logging out on a shared phone ------------------------------------------------------------
  async function emptyThisPhone() {
    localStorage.removeItem("oms-account");
    await new Promise((resolve) => {
      const request = indexedDB.deleteDatabase("oms-journal");
      request.onsuccess = request.onerror = request.onblocked = resolve;
    });
    if (window.caches) for (const name of await caches.keys()) await caches.delete(name);
  }

  document.addEventListener("submit", async (event) => {
    const form = event.target;
    if (!form.matches("[data-logout]")) return;
    event.preventDefault();
    const unsent = (await mine()).length;
    if (unsent && !form.dataset.confirmed) {
      warnBeforeLogout(form, unsent);
      return;
    }
    await emptyThisPhone();
    form.submit();
  });

  function warnBeforeLogout(form, unsent) {
    const box = document.getElementById("kept-days");
    const warning = document.createElement("div");
    warning.className = "logout-warning";
    warning.setAttribute("role", "alert");
    const words = document.createElement("p");
    words.textContent = interpolate(ngettext(
      "%(count)s day is not sent yet. Logging out deletes it from this phone.",
      "%(count)s days are not sent yet. Logging out deletes them from this phone.",
      unsent,
    ), { count: unsent }, true);
    const go = document.createElement("button");
    go.type = "button";
    go.className = "button danger";
    go.textContent = gettext("Log out and delete them");
    go.addEventListener("click", () => { form.dataset.confirmed = "yes"; form.requestSubmit(); });
    const stay = document.createElement("button");
    stay.type = "button";
    stay.className = "button";
    stay.textContent = gettext("Stay logged in");
    stay.addEventListener("click", () => warning.remove());
    warning.append(words, go, " ", stay);
    (box || document.querySelector("main")).before(warning);
  }

  showKept().then(() => { if (account) sendKept(); });
})();
