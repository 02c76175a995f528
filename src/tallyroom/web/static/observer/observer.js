// The observer's phone form, working offline like the station app: a copy or a complaint is
// put in this phone's outbox (IndexedDB, static/shared/outbox_store.js) with its own
// idempotency key, sent when the network is there — again and again until the server
// answers — and stored once by the server whatever the number of tries. The outbox says what
// waits and what was delivered.
import { deviceDatabase, flushOutbox } from "./outbox_store.js";

const RETRY_MILLISECONDS = 5000;
// the service worker's cache of the form's shell, which holds nothing of any observer
const SHELL_CACHE = "tallyroom-observer-v2";
const database = deviceDatabase("tallyroom-observer");
const outbox = document.getElementById("outbox");
const words = outbox ? outbox.dataset : {};
let flushing = false;

function say(text, values = {}) {
  return text.replace(/%\((\w+)\)s/g, (_, name) => String(values[name] ?? ""));
}

function newKey() {
  if (crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function queue(event) {
  event.preventDefault();
  const form = event.target;
  const fields = [];
  let file = null;
  for (const [name, value] of new FormData(form).entries()) {
    if (value instanceof File) {
      if (value.size > 0) file = { field: name, name: value.name, type: value.type, blob: value };
    } else {
      fields.push([name, value]);
    }
  }
  await database.add({
    kind: form.dataset.kind,
    action: form.getAttribute("action"),
    station: form.elements.station ? form.elements.station.value : "",
    key: newKey(),
    fields,
    file,
    // sent only while the same observer is signed in on this phone
    badge: words.badge,
    state: "waiting",
    queued_at: new Date().toISOString(),
  });
  form.reset();
  await render();
  await flush();
}

async function deliver(item) {
  const body = new FormData();
  for (const [name, value] of item.fields) body.append(name, value);
  if (item.file) body.append(item.file.field, item.file.blob, item.file.name || "photo");
  body.append("idempotency_key", item.key);
  const response = await fetch(item.action, {
    method: "POST",
    body,
    headers: { Accept: "application/json" },
    credentials: "same-origin",
  });
  if (response.status >= 500 || response.status === 429) throw new Error(`busy ${response.status}`);
  const answer = await response.json().catch(() => ({}));
  item.answer = answer;
  item.state = response.ok ? "delivered" : "refused";
  item.delivered_at = new Date().toISOString();
}

function mine(item) {
  return Boolean(words.badge) && item.badge === words.badge;
}

async function flush() {
  if (flushing) return;
  flushing = true;
  let reached = true;
  try {
    reached = await flushOutbox(database, deliver, mine);
  } finally {
    flushing = false;
  }
  const status = document.getElementById("network-status");
  if (status) status.textContent = reached ? words.online : words.offline;
  await render();
}

function describe(item) {
  const what = item.kind === "complaint"
    ? say(words.complaint, { station: item.station })
    : say(words.copy, { station: item.station });
  const state = { waiting: words.waitingWord, delivered: words.delivered, refused: words.refused }[item.state];
  let detail = "";
  if (item.state === "delivered" && item.answer && item.answer.tracking_number) {
    detail = ` (${item.answer.tracking_number})`;
  } else if (item.state === "refused" && item.answer && item.answer.error) {
    detail = ` (${item.answer.error.message})`;
  }
  return `${what}: ${state}${detail}`;
}

async function render() {
  if (!outbox) return;
  const items = (await database.items()).filter(mine);
  const list = document.getElementById("outbox-list");
  list.replaceChildren();
  for (const item of items.slice().reverse().slice(0, 20)) {
    const entry = document.createElement("li");
    entry.dataset.state = item.state;
    entry.dataset.kind = item.kind;
    entry.dataset.key = item.key;
    entry.textContent = describe(item);
    list.append(entry);
  }
  const waiting = items.filter((item) => item.state === "waiting").length;
  document.getElementById("outbox-summary").textContent = waiting
    ? say(words.queued, { count: waiting })
    : words.nothing;
  outbox.dataset.waiting = String(waiting);
  outbox.hidden = items.length === 0;
}

for (const form of document.querySelectorAll("form[data-outbox]")) {
  form.addEventListener("submit", (event) => {
    queue(event).catch((error) => {
      const problem = document.getElementById("network-status");
      if (problem) problem.textContent = String(error);
    });
  });
}
// Signing out on a shared phone: the caches that may hold a signed-in page go (the server
// also sends Clear-Site-Data), and so do this observer's items already delivered or refused;
// items still waiting stay, bound to this observer's badge, and are sent only once the same
// observer signs in again (the page says how many before the form is sent).
async function forget() {
  if ("caches" in window) {
    // the worker keeps no signed-in page (static/observer/sw.js); whatever an older worker
    // kept goes, and so would any /observer page found in the kept shell
    for (const name of (await caches.keys()).filter((kept) => kept.startsWith("tallyroom-observer"))) {
      if (name !== SHELL_CACHE) {
        await caches.delete(name);
        continue;
      }
      const shell = await caches.open(name);
      for (const request of await shell.keys()) {
        if (new URL(request.url).pathname === "/observer") await shell.delete(request);
      }
    }
  }
  for (const item of (await database.items()).filter(mine)) {
    if (item.state !== "waiting") await database.remove(item.id);
  }
}

const signOut = document.getElementById("observer-sign-out");
if (signOut) {
  signOut.addEventListener("submit", (event) => {
    event.preventDefault();
    forget().catch(() => {}).finally(() => signOut.submit());
  });
}
// the forms now go through the outbox (tests wait for this before submitting)
if (outbox) outbox.dataset.ready = "yes";
window.addEventListener("online", () => flush());
setInterval(() => flush(), RETRY_MILLISECONDS);
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/observer/app/sw.js", { scope: "/observer" }).catch(() => {});
}
render().then(() => flush());
