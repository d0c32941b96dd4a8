// OMS Journal's service worker: pages a caregiver has opened open again with no signal.
//
// Written by hand rather than with Workbox: it does three things (keep the shell, keep the pages
// opened, serve them when the network fails) in some eighty lines, where Workbox would add its
// runtime and a build step. Saving with no signal is the page's work (static/js/offline.js):
// the kept days live in IndexedDB, sent again by the page when it is online or next opened,
// which also works in the browsers that have no Background Sync.
"use strict";

const SETTINGS = {{ settings }};
const VERSION = "__VERSION__";
const SHELL = "shell-" + VERSION;
const PAGES = "pages";
const META = "meta";
const NETWORK_WAIT_MS = 5000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL)
      .then((cache) => cache.addAll([...SETTINGS.shell, SETTINGS.offlineUrl]))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((name) => name.startsWith("shell-") && name !== SHELL).map((name) => caches.delete(name)),
      ))
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.startsWith(SETTINGS.staticPrefix) || url.pathname.startsWith(SETTINGS.catalogPrefix)) {
    event.respondWith(fromShell(request));
  } else if (request.mode === "navigate" && isPage(url)) {
    event.respondWith(page(request));
  }
});

// Files to download (a PDF, a CSV, the account's JSON) go straight to the network: they may
// take a while to make, and are never wanted from an old copy.
const DOWNLOAD = /(\.(pdf|svg|csv|json)$|\/download\/)/;

function isPage(url) {
  return !DOWNLOAD.test(url.pathname) && !SETTINGS.neverKept.some((path) => url.pathname.startsWith(path));
}

// Static files and the catalogs have versioned names: once kept, always right.
async function fromShell(request) {
  const kept = await caches.match(request);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.ok) (await caches.open(SHELL)).put(request, response.clone());
  return response;
}

// A page: from the network, kept for later; with no answer, as it was last opened.
async function page(request) {
  try {
    const response = await withinWait(fetch(request));
    await keep(request, response);
    return response;
  } catch (error) {
    return (await keptPage(request)) || (await caches.match(SETTINGS.offlineUrl)) || Response.error();
  }
}

function withinWait(promise) {
  return Promise.race([
    promise,
    new Promise((resolve, reject) => setTimeout(() => reject(new Error("no answer")), NETWORK_WAIT_MS)),
  ]);
}

// Pages are kept for one account at a time: a page of another account empties the cache first,
// so that nothing of one caregiver is ever shown to the next on a shared phone.
async function keep(request, response) {
  const account = response.headers.get(SETTINGS.accountHeader);
  const html = (response.headers.get("Content-Type") || "").startsWith("text/html");
  if (!response.ok || !account || !html) return;
  if (account !== (await lastAccount())) {
    await caches.delete(PAGES);
    await (await caches.open(META)).put("/account", new Response(account));
  }
  await (await caches.open(PAGES)).put(request, response.clone());
}

// "Log today" (/children/<id>/today/) is a redirect the browser follows itself, so only the day it
// led to is kept: with no signal, today's form is the kept day of the phone's own date.
function keptAddress(request) {
  const today = new URL(request.url).pathname.match(/^\/children\/(\d+)\/today\/$/);
  if (!today) return request;
  const now = new Date();
  const day = [now.getFullYear(), now.getMonth() + 1, now.getDate()].map((n) => String(n).padStart(2, "0")).join("-");
  return `/children/${today[1]}/entries/${day}/`;
}

async function keptPage(request) {
  const kept = await (await caches.open(PAGES)).match(keptAddress(request));
  if (!kept || kept.headers.get(SETTINGS.accountHeader) !== (await lastAccount())) return null;
  return kept;
}

async function lastAccount() {
  const kept = await (await caches.open(META)).match("/account");
  return kept ? kept.text() : null;
}

// A reminder (journal/reminders): it names the child, and opens the day's form.
self.addEventListener("push", (event) => {
  const message = event.data ? event.data.json() : { title: "OMS Journal", body: "", url: "/" };
  event.waitUntil(self.registration.showNotification(message.title, {
    body: message.body, data: { url: message.url }, icon: SETTINGS.icon, tag: message.url,
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  event.waitUntil(self.clients.openWindow(event.notification.data.url));
});
