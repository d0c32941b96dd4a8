// The reminder page's "Notifications on this phone": subscribe this browser to Web Push with the
// server's VAPID key, or unsubscribe it. Needs a service worker and a push service.
"use strict";

(() => {
  // Django's JavaScript catalog (base.html) gives gettext; without it the words stay English.
  const gettext = window.gettext || ((text) => text);
  const interpolate = window.interpolate || ((format, values) => format.replace(/%\(\w+\)s/g, (match) => values[match.slice(2, -2)]));

  const box = document.getElementById("push-phone");
  const state = document.getElementById("push-state");
  const allow = document.getElementById("push-allow");
  const stop = document.getElementById("push-stop");
  if (!box || !box.dataset.vapidKey) return;
  if (!("serviceWorker" in navigator) || !("PushManager" in window)) {
    state.textContent = gettext("This browser cannot show notifications: choose email instead.");
    return;
  }

  const key = (base64) => {
    const padded = (base64 + "=".repeat((4 - (base64.length % 4)) % 4)).replace(/-/g, "+").replace(/_/g, "/");
    return Uint8Array.from(atob(padded), (c) => c.charCodeAt(0));
  };
  const token = () => document.querySelector("input[name=csrfmiddlewaretoken]").value;

  async function tell(url, subscription) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token() },
      body: JSON.stringify(subscription),
    });
    const answer = await response.json();
    if (!response.ok) throw new Error(answer.error || "refused");
    document.getElementById("push-phones").textContent = answer.phones;
  }

  async function show() {
    const registration = await navigator.serviceWorker.ready;
    const subscription = await registration.pushManager.getSubscription();
    allow.hidden = Boolean(subscription);
    stop.hidden = !subscription;
    state.textContent = subscription ? gettext("This phone shows your reminders.") : gettext("This phone does not show your reminders.");
  }

  allow.addEventListener("click", async () => {
    try {
      if ((await Notification.requestPermission()) !== "granted") {
        state.textContent = gettext("Notifications are blocked for this site in the browser's settings.");
        return;
      }
      const registration = await navigator.serviceWorker.ready;
      const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key(box.dataset.vapidKey) });
      await tell(box.dataset.subscribe, subscription.toJSON());
      await show();
    } catch (error) {
      state.textContent = interpolate(gettext("This phone could not be signed up for notifications (%(reason)s)."), { reason: error.message }, true);
    }
  });

  stop.addEventListener("click", async () => {
    const registration = await navigator.serviceWorker.ready;
    const subscription = await registration.pushManager.getSubscription();
    if (subscription) {
      await tell(box.dataset.unsubscribe, { endpoint: subscription.endpoint });
      await subscription.unsubscribe();
    }
    await show();
  });

  show();
})();
