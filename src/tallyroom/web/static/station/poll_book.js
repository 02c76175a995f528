// The station's poll-book desk: enrolled as the station's signing device is (its own key made
// here, only the public half sent with a one-time desk code; the poll-book token the answer
// carries is kept with the key), then checks voters in one at a time. A check-in the server
// cannot be reached for waits on the desk and goes in the next batch, marked offline, so the
// server turns a voter who voted elsewhere meanwhile into an incident instead of refusing.
import { enrolWithCode } from "./device_enrolment.js";
import { readDevice, writeDevice } from "./device_store.js";

const M = JSON.parse(document.getElementById("station-messages").textContent);
const $ = (id) => document.getElementById(id);
const RETRY_MILLISECONDS = 4000;
const DESK = "poll-book-desk";
const QUEUE = "poll-book-queue";
let desk = null;
let flushing = false;

function say(text, values = {}) {
  return text.replace(/%\((\w+)\)s/g, (_, name) => String(values[name] ?? ""));
}

function show(...ids) {
  for (const id of ["desk-enrol", "desk", "check-in"]) $(id).hidden = !ids.includes(id);
}

async function enrol(event) {
  event.preventDefault();
  const error = $("desk-enrol-error");
  error.textContent = "";
  $("status").textContent = M.enrolling;
  const enrolled = await enrolWithCode("/api/v1/pollbook/enrolments", $("desk-station").value, $("desk-code").value, M);
  $("status").textContent = "";
  if (enrolled.error) {
    error.textContent = enrolled.error;
    if (enrolled.field === "code") {
      $("desk-code").setAttribute("aria-invalid", "true");
      $("desk-code").focus();
    }
    return;
  }
  const { answer, signer } = enrolled;
  desk = { station: answer.station, device: answer.device, token: answer.token, signer, fingerprint: answer.fingerprint };
  await writeDevice(DESK, desk);
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
  start();
}

async function queued() {
  return (await readDevice(QUEUE)) || [];
}

async function renderQueue() {
  const count = (await queued()).length;
  $("desk-queue").textContent = count ? say(M.check_ins_waiting, { count }) : "";
}

async function checkIn(event) {
  event.preventDefault();
  const voter = $("check-in-voter").value.trim();
  if (!voter) return;
  const item = {
    voter,
    // unique within the station: the desk's own name there and a random id
    client_reference: `${desk.device.split("/").pop()}-${crypto.randomUUID()}`,
    identity_match: $("check-in-match").value,
    portable: $("check-in-portable").checked,
    checked_in_at: new Date().toISOString(),
  };
  const answerLine = $("check-in-answer");
  const response = await fetch("/api/v1/pollbook/check-ins", {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${desk.token}` },
    body: JSON.stringify(item),
  }).catch(() => null);
  if (!response || response.status >= 500 || response.status === 429) {
    await writeDevice(QUEUE, [...(await queued()), item]);
    answerLine.textContent = M.check_in_kept;
    answerLine.className = "answer-waiting";
    await renderQueue();
  } else {
    const answer = await response.json().catch(() => ({}));
    answerLine.textContent = response.ok ? M.checked_in : `${M.refused}: ${answer.error ? answer.error.message : response.status}`;
    answerLine.className = response.ok ? "answer-accepted" : "answer-refused";
  }
  $("check-in-form").reset();
  $("check-in-voter").focus();
}

async function flush() {
  if (!desk || flushing) return;
  flushing = true;
  try {
    const waiting = await queued();
    if (!waiting.length) return;
    const batch = waiting.slice(0, 500);
    const response = await fetch("/api/v1/pollbook/check-ins/batch", {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${desk.token}` },
      body: JSON.stringify({ check_ins: batch, offline: true }),
    }).catch(() => null);
    if (response && response.ok) {
      // a re-sent check-in is "already_recorded": nothing is counted twice
      await writeDevice(QUEUE, (await queued()).slice(batch.length));
      $("status").textContent = M.online;
    } else if (!response) {
      $("status").textContent = M.offline;
    }
  } finally {
    flushing = false;
    await renderQueue();
  }
}

async function start() {
  desk = await readDevice(DESK);
  if (!desk) {
    show("desk-enrol");
    return;
  }
  $("desk-name").textContent = say(M.desk_enrolled, { device: desk.device });
  $("desk-fingerprint").textContent = desk.fingerprint;
  show("desk", "check-in");
  await renderQueue();
  await flush();
}

$("desk-enrol-form").addEventListener("submit", enrol);
$("check-in-form").addEventListener("submit", checkIn);
window.addEventListener("online", () => flush());
setInterval(() => flush(), RETRY_MILLISECONDS);
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/station/sw.js", { scope: "/station/" }).catch(() => {});
}
start();
