// The station app: enrol this device (its Ed25519 key is made here, non-extractable, and
// never leaves it), enter the tally sheet with the checks running as one types, review, sign
// the RFC 8785 bytes, send through an outbox that survives a lost network, show the receipt.
import { canonicalBytes, hex, sha256Hex } from "./canonical.js";
import { signBytes } from "./signing_key.js";
import { enrolWithCode } from "./device_enrolment.js";
import { addToOutbox, outboxItems, readDevice, updateOutbox, writeDevice } from "./device_store.js";
import { evaluateRules } from "./rules/evaluate.js";

const FIGURES = [
  "registered_voters", "voters_added", "ballots_received", "ballots_issued_in_station",
  "ballots_issued_portable", "unused_ballots", "ballots_cast", "invalid_ballots",
];
const RETRY_MILLISECONDS = 4000;
const PHOTO_LONGEST_SIDE = 1600;
const M = JSON.parse(document.getElementById("station-messages").textContent);
const $ = (id) => document.getElementById(id);

const state = {
  device: null, // {station, token, keys, fingerprint}
  setup: null,
  rules: null,
  clerk: 0, // 0: one clerk; 1 or 2 in two-clerk entry
  firstEntry: null,
  photo: null, // {bytes, sha256, dataUrl}
  pending: null, // the document under review
  flushing: false,
  round: null, // the round chosen; null: the round in progress
};

function say(text, values = {}) {
  return text.replace(/%\((\w+)\)s/g, (_, name) => String(values[name] ?? ""));
}

function status(text) {
  $("status").textContent = text;
}

function show(...ids) {
  for (const id of ["enrol", "device", "outbox", "entry", "review", "answer", "turnout"]) {
    $(id).hidden = !ids.includes(id);
  }
}

// --- enrolment ----------------------------------------------------------------------------

async function enrol(event) {
  event.preventDefault();
  const error = $("enrol-error");
  error.textContent = "";
  status(M.enrolling);
  const enrolled = await enrolWithCode("/api/v1/enrolments", $("enrol-station").value, $("enrol-code").value, M);
  if (enrolled.error) {
    error.textContent = enrolled.error;
    status("");
    if (enrolled.field === "code") {
      $("enrol-code").setAttribute("aria-invalid", "true");
      $("enrol-code").focus();
    }
    return;
  }
  const { answer, signer } = enrolled;
  state.device = { station: answer.station, token: answer.token, signer, fingerprint: answer.fingerprint };
  await writeDevice("current", state.device);
  if (navigator.storage && navigator.storage.persist) navigator.storage.persist().catch(() => {});
  await start();
}

// --- set-up and the form ------------------------------------------------------------------

async function authorised(path, options = {}) {
  return fetch(path, {
    ...options,
    headers: { ...(options.headers || {}), Authorization: `Bearer ${state.device.token}` },
  });
}

async function loadSetup() {
  try {
    const response = await authorised(`/api/v1/stations/${encodeURIComponent(state.device.station)}/setup`);
    if (response.ok) {
      state.setup = await response.json();
      await writeDevice("setup", state.setup);
    }
  } catch {
    // offline: the kept copy below
  }
  state.setup = state.setup || (await readDevice("setup"));
  if (state.setup) state.setup = inRound(state.setup, state.round);
  try {
    const response = await fetch("/api/v1/rules");
    if (response.ok) {
      state.rules = await response.json();
      await writeDevice("rules", state.rules);
    }
  } catch {
    // offline
  }
  state.rules = state.rules || (await readDevice("rules")) || null;
}

// The set-up as the chosen round has it: a round (1, or 2 once defined) brings its own
// contest, candidates in ballot order, latest version and turnout hours; the rest is the
// station's. The round in progress unless the secretary chose another.
function inRound(setup, round) {
  const rounds = setup.rounds || [];
  const chosen = rounds.find((r) => r.round === round) || rounds.find((r) => r.round === setup.round_in_progress);
  return chosen ? { ...setup, ...chosen, round: chosen.round } : { ...setup, round: 1 };
}

function buildRoundChoice() {
  const rounds = state.setup.rounds || [];
  const select = $("round");
  select.replaceChildren(...rounds.map((r) => {
    const option = document.createElement("option");
    option.value = String(r.round);
    option.textContent = r.round === 1
      ? say(M.round_one, { date: r.polling_date })
      : r.polling_date ? say(M.round_two, { date: r.polling_date }) : M.round_two_no_date;
    option.selected = r.round === state.setup.round;
    return option;
  }));
  $("round-choice").hidden = rounds.length < 2;
}

function voteInputs() {
  return Array.from(document.querySelectorAll("#votes input"));
}

function buildForm() {
  const setup = state.setup;
  $("device-station").textContent = say(M.enrolled, { station: setup.station });
  $("device-name").textContent = `${setup.station_name} · ${setup.constituency_name}`;
  $("fingerprint").textContent = state.device.fingerprint;
  buildRoundChoice();
  const votes = $("votes");
  for (const old of votes.querySelectorAll(".field")) old.remove();
  for (const candidate of setup.candidates) {
    const field = document.createElement("div");
    field.className = "field";
    field.dataset.field = `votes.${candidate.code}`;
    const label = document.createElement("label");
    label.htmlFor = `f-votes-${candidate.code}`;
    label.textContent = `${candidate.ballot_position}. ${candidate.name}${candidate.party ? ` (${candidate.party})` : ""}`;
    const input = document.createElement("input");
    input.id = `f-votes-${candidate.code}`;
    input.name = `votes.${candidate.code}`;
    input.dataset.candidate = candidate.code;
    input.inputMode = "numeric";
    input.pattern = "[0-9]*";
    input.autocomplete = "off";
    input.setAttribute("aria-describedby", `e-votes-${candidate.code}`);
    const error = document.createElement("p");
    error.id = `e-votes-${candidate.code}`;
    error.className = "field-error";
    field.append(label, input, error);
    votes.append(field);
  }
  $("amendment").hidden = !nextVersionIsAmendment();
  // Round 2's photo has no version of round 1 to follow: its paper stays with the commission.
  const photoSupported = setup.protocol_formats.includes(2) && setup.round !== 2;
  $("f-photo").disabled = !photoSupported;
  $("e-photo").textContent = photoSupported ? "" : M.photo_not_supported;
  const hours = $("turnout-hour");
  hours.replaceChildren(...setup.turnout_hours.filter((hour) => !(hour in setup.turnout_reported)).map((hour) => {
    const option = document.createElement("option");
    option.value = option.textContent = hour;
    return option;
  }));
  $("turnout").hidden = hours.options.length === 0;
  setClerk(setup.two_clerk_entry ? 1 : 0);
}

function setClerk(clerk) {
  state.clerk = clerk;
  $("clerk").textContent = clerk === 1 ? M.first_clerk : clerk === 2 ? M.second_clerk : "";
}

function labelOf(name) {
  const input = name.startsWith("votes.") ? $(`f-votes-${name.slice(6)}`) : $(`f-${name}`);
  return input ? document.querySelector(`label[for="${input.id}"]`).textContent : name;
}

function readForm() {
  const values = {};
  const blanks = [];
  for (const name of FIGURES) {
    const text = $(`f-${name}`).value.trim();
    if (!/^[0-9]+$/.test(text)) blanks.push(name);
    values[name] = /^[0-9]+$/.test(text) ? Number(text) : null;
  }
  values.votes = {};
  for (const input of voteInputs()) {
    const text = input.value.trim();
    if (!/^[0-9]+$/.test(text)) blanks.push(`votes.${input.dataset.candidate}`);
    values.votes[input.dataset.candidate] = /^[0-9]+$/.test(text) ? Number(text) : null;
  }
  return { values, blanks };
}

function inputsOf(field) {
  if (field === "votes") return voteInputs();
  if (field.startsWith("votes.")) return [$(`f-votes-${field.slice(6)}`)].filter(Boolean);
  return [$(`f-${field}`)].filter(Boolean);
}

function facts() {
  return {
    registered_voters: state.setup.registered_voters,
    standing_candidates: state.setup.candidates.map((candidate) => candidate.code),
  };
}

// Runs the checks over what is typed and marks each field a failing check involves.
function check({ final = false } = {}) {
  const { values, blanks } = readForm();
  const marks = new Map();
  const problems = [];
  const everything = [...FIGURES.map((name) => values[name]), ...Object.values(values.votes)];
  const allBlankOrZero = everything.every((value) => value === null || value === 0);
  if (final && allBlankOrZero) problems.push(M.all_blank);
  if (final) for (const name of blanks) marks.set(name, M.blank_field);
  if (blanks.length === 0) {
    for (const failure of evaluateRules(state.rules, values, facts())) {
      const labels = failure.fields.flatMap((field) => inputsOf(field)).map((input) => labelOf(input.name));
      const name = M[`rule_${failure.rule}`] || failure.description || failure.message || failure.rule;
      const text = `${name}: ${[...new Set(labels)].join(", ")}`;
      problems.push(text);
      for (const field of failure.fields) {
        for (const input of inputsOf(field)) marks.set(input.name, failure.rule);
      }
    }
  }
  for (const input of document.querySelectorAll("#protocol-form input[inputmode=numeric]")) {
    const mark = marks.get(input.name);
    const error = $(input.getAttribute("aria-describedby"));
    if (mark) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
    error.textContent = mark === M.blank_field ? mark : "";
  }
  const box = $("checks");
  box.replaceChildren();
  if (problems.length) {
    const heading = document.createElement("p");
    heading.textContent = say(M.problems, { count: problems.length });
    const list = document.createElement("ul");
    for (const problem of problems) {
      const item = document.createElement("li");
      item.textContent = problem;
      list.append(item);
    }
    box.append(heading, list);
  }
  return { values, blanks, allBlankOrZero, problems };
}

// The last version this device signed for this station's contest of the chosen round (a
// record from before rounds named no contest: round 1's).
function signedHere() {
  const last = state.lastSigned;
  return last && last.station === state.setup.station && (last.contest || state.setup.rounds?.[0]?.contest) === state.setup.contest;
}

function nextVersionIsAmendment() {
  return Boolean(state.setup.latest) || Boolean(signedHere());
}

function nextVersion() {
  const server = state.setup.latest ? state.setup.latest.version : 0;
  const local = signedHere() ? state.lastSigned.version : 0;
  return Math.max(server, local) + 1;
}

function differingFields(first, second) {
  const names = [...FIGURES, ...Object.keys(first.votes).map((code) => `votes.${code}`)];
  const value = (entry, name) => (name.startsWith("votes.") ? entry.votes[name.slice(6)] : entry[name]);
  return names.filter((name) => value(first, name) !== value(second, name));
}

function clearForm() {
  for (const input of document.querySelectorAll("#protocol-form input[inputmode=numeric]")) {
    input.value = "";
    input.removeAttribute("aria-invalid");
  }
  $("checks").replaceChildren();
}

async function review(event) {
  event.preventDefault();
  const result = check({ final: true });
  if (result.allBlankOrZero || result.blanks.length) {
    const first = document.querySelector("#protocol-form [aria-invalid=true]") || $("f-registered_voters");
    if (result.allBlankOrZero) status(M.all_blank);
    first.focus();
    return;
  }
  const reason = $("f-amendment_reason").value.trim();
  if (nextVersionIsAmendment() && !reason) {
    $("e-amendment_reason").textContent = M.reason_needed;
    $("f-amendment_reason").setAttribute("aria-invalid", "true");
    $("f-amendment_reason").focus();
    return;
  }
  if (state.clerk === 1) {
    state.firstEntry = result.values;
    clearForm();
    setClerk(2);
    $("f-registered_voters").focus();
    return;
  }
  let doubleEntered = false;
  if (state.clerk === 2) {
    const differ = differingFields(state.firstEntry, result.values);
    if (differ.length) {
      const box = $("checks");
      const message = document.createElement("p");
      message.className = "differ";
      message.setAttribute("role", "alert");
      message.textContent = say(M.differ, { fields: differ.map(labelOf).join(", ") });
      box.replaceChildren(message);
      for (const input of document.querySelectorAll("#protocol-form [aria-invalid]")) {
        input.removeAttribute("aria-invalid");
      }
      for (const name of differ) {
        for (const input of inputsOf(name)) {
          input.value = "";
          input.setAttribute("aria-invalid", "true");
        }
      }
      inputsOf(differ[0])[0].focus();
      return;
    }
    doubleEntered = true;
  }
  const setup = state.setup;
  const document_ = {
    election: setup.election,
    station: setup.station,
    version: nextVersion(),
    figures: result.values,
  };
  if (nextVersionIsAmendment()) document_.amendment_reason = reason;
  if (setup.protocol_formats.includes(2)) {
    document_.format = 2;
    document_.contest = setup.contest;
    if (state.photo) document_.photo_sha256 = state.photo.sha256;
  }
  state.pending = { document: document_, doubleEntered, problems: result.problems };
  const list = $("review-figures");
  list.replaceChildren();
  for (const name of FIGURES) addReviewRow(list, labelOf(name), result.values[name]);
  for (const code of Object.keys(result.values.votes)) addReviewRow(list, labelOf(`votes.${code}`), result.values.votes[code]);
  if (document_.amendment_reason) addReviewRow(list, document.querySelector("label[for=f-amendment_reason]").textContent, reason);
  $("review-checks").replaceChildren(...$("checks").cloneNode(true).childNodes);
  const photo = $("review-photo");
  photo.hidden = !state.photo;
  if (state.photo) photo.src = state.photo.dataUrl;
  show("device", "outbox", "review");
  $("review").focus();
}

function addReviewRow(list, label, value) {
  const term = document.createElement("dt");
  term.textContent = label;
  const detail = document.createElement("dd");
  detail.textContent = String(value);
  list.append(term, detail);
}

async function signAndSend() {
  const { document: signed, doubleEntered } = state.pending;
  status(M.signing);
  const bytes = canonicalBytes(signed);
  const signature = hex(await signBytes(state.device, bytes));
  const sha256 = await sha256Hex(bytes);
  const item = {
    kind: "protocol",
    station: signed.station,
    version: signed.version,
    body: { protocol: signed, signature },
    sha256,
    doubleEntered,
    photo: state.photo && signed.photo_sha256 ? state.photo.bytes : null,
    photoState: state.photo && signed.photo_sha256 ? "waiting" : null,
    state: "waiting",
    answer: null,
    created: Date.now(),
  };
  item.id = await addToOutbox(item);
  state.lastSigned = { station: signed.station, version: signed.version, contest: signed.contest };
  await writeDevice("last-signed", state.lastSigned);
  state.pending = null;
  state.photo = null;
  $("f-photo").value = "";
  showReceipt(item);
  await flush();
}

function showReceipt(item) {
  show("device", "outbox", "answer", "turnout");
  $("turnout").hidden = $("turnout-hour").options.length === 0;
  $("receipt-hash").textContent = item.sha256;
  const qr = $("receipt-qr");
  qr.alt = M.receipt_qr;
  qr.hidden = true;
  qr.onload = () => { qr.hidden = false; };
  qr.onerror = () => { qr.hidden = true; }; // offline: the hash as text is the receipt
  qr.src = `/api/v1/receipts/${item.sha256}.svg`;
  $("answer-version").textContent = say(M.protocol_version, { version: item.version });
  const reasons = $("answer-reasons");
  reasons.replaceChildren();
  if (item.state === "waiting") {
    $("answer-status").textContent = M.waiting;
    $("answer-status").className = "answer-waiting";
  } else if (item.state === "refused") {
    $("answer-status").textContent = `${M.refused}: ${item.answer.error.message}`;
    $("answer-status").className = "answer-refused";
  } else {
    const answer = item.answer;
    $("answer-status").textContent = M[answer.status] || answer.status;
    $("answer-status").className = `answer-${answer.status}`;
    for (const reason of answer.reasons) {
      const entry = document.createElement("li");
      entry.textContent = reason.message;
      reasons.append(entry);
    }
    $("answer-version").textContent = say(M.stored_version, { version: answer.version });
  }
  const photo = $("answer-photo");
  photo.hidden = !item.photo;
  if (item.photoState === "sent") photo.textContent = M.photo_sent;
  else if (item.photoState === "refused") {
    const why = item.photoAnswer && item.photoAnswer.error ? item.photoAnswer.error.message : "";
    photo.textContent = `${M.photo_refused} ${why}`.trim();
  } else photo.textContent = M.photo_waiting;
  state.receipt = item.id;
  $("answer").focus();
}

// --- the outbox ---------------------------------------------------------------------------

async function deliver(item) {
  let response;
  if (item.kind === "protocol") {
    response = await authorised("/api/v1/protocols", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      // "two_clerks": the server records that this version was entered twice and agreed
      body: JSON.stringify(item.doubleEntered ? { ...item.body, entry: "two_clerks" } : item.body),
    });
  } else {
    response = await authorised(`/api/v1/stations/${encodeURIComponent(item.station)}/turnout`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(item.body),
    });
  }
  if (response.status >= 500 || response.status === 429) throw new Error(`busy ${response.status}`);
  item.answer = await response.json();
  item.state = response.ok ? "delivered" : "refused";
  if (response.ok && item.photo && item.photoState !== "sent") {
    // The photo follows the stored version that names its SHA-256; a lost network here
    // throws, and the next round sends the (already stored) version and the photo again.
    const sent = await authorised(`/api/v1/stations/${encodeURIComponent(item.station)}/protocols/${item.answer.version}/photo`, {
      method: "PUT",
      headers: { "Content-Type": "image/jpeg" },
      body: item.photo,
    });
    if (sent.status >= 500 || sent.status === 429) throw new Error(`busy ${sent.status}`);
    item.photoAnswer = await sent.json().catch(() => null);
    item.photoState = sent.ok ? "sent" : "refused";
  }
  await updateOutbox(item);
}

async function flush() {
  if (state.flushing || !state.device) return;
  state.flushing = true;
  let reached = true;
  try {
    for (const item of (await outboxItems()).filter((entry) => entry.state === "waiting")) {
      try {
        await deliver(item);
        if (item.kind === "protocol" && state.receipt === item.id) showReceipt(item);
      } catch {
        reached = false;
        break; // the network is gone: keep the order, try again later
      }
    }
  } finally {
    state.flushing = false;
  }
  status(reached ? M.online : M.offline);
  await renderOutbox();
  if (reached) await refreshSetup();
}

async function refreshSetup() {
  const before = JSON.stringify(state.setup && state.setup.latest);
  await loadSetup();
  if (JSON.stringify(state.setup.latest) !== before) $("amendment").hidden = !nextVersionIsAmendment();
}

async function renderOutbox() {
  const items = await outboxItems();
  const list = $("outbox-list");
  list.replaceChildren();
  for (const item of items.slice().reverse()) {
    const entry = document.createElement("li");
    entry.dataset.state = item.state;
    entry.dataset.kind = item.kind;
    const what = item.kind === "protocol"
      ? say(M.protocol_version, { version: item.version })
      : say(M.turnout_at, { hour: item.body.as_of });
    entry.textContent = `${what}: ${M[item.state]}`;
    list.append(entry);
  }
  const waiting = items.filter((item) => item.state === "waiting").length;
  $("outbox-summary").textContent = waiting ? say(M.queued, { count: waiting }) : M.nothing_queued;
  $("outbox").hidden = items.length === 0;
}

// --- photo and turnout ----------------------------------------------------------------------

// The JPEG without its metadata segments: the canvas's encoder writes an ICC colour profile
// (APP2) beside the JFIF header, and the server keeps no metadata at all. Every segment
// before the scan is copied except APP1–APP15 and comments; the pixels are untouched.
function withoutMetadata(jpeg) {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error("not a JPEG");
  const kept = [jpeg.subarray(0, 2)];
  let at = 2;
  while (at + 4 <= jpeg.length && jpeg[at] === 0xff) {
    const marker = jpeg[at + 1];
    if (marker === 0xda) break; // start of scan: the rest is the picture
    const end = at + 2 + ((jpeg[at + 2] << 8) | jpeg[at + 3]);
    const metadata = (marker >= 0xe1 && marker <= 0xef) || marker === 0xfe;
    if (!metadata) kept.push(jpeg.subarray(at, end));
    at = end;
  }
  kept.push(jpeg.subarray(at));
  const plain = new Uint8Array(kept.reduce((size, part) => size + part.length, 0));
  let offset = 0;
  for (const part of kept) {
    plain.set(part, offset);
    offset += part.length;
  }
  return plain;
}

async function takePhoto() {
  const file = $("f-photo").files[0];
  if (!file) {
    state.photo = null;
    return;
  }
  // Drawn on a canvas and encoded again: nothing of the camera's file (EXIF, location)
  // survives, and the picture is scaled down for a slow network.
  const bitmap = await createImageBitmap(file);
  const scale = Math.min(1, PHOTO_LONGEST_SIDE / Math.max(bitmap.width, bitmap.height));
  const canvas = document.createElement("canvas");
  canvas.width = Math.round(bitmap.width * scale);
  canvas.height = Math.round(bitmap.height * scale);
  canvas.getContext("2d").drawImage(bitmap, 0, 0, canvas.width, canvas.height);
  const blob = await new Promise((resolve) => canvas.toBlob(resolve, "image/jpeg", 0.8));
  const bytes = withoutMetadata(new Uint8Array(await blob.arrayBuffer()));
  state.photo = { bytes, sha256: await sha256Hex(bytes), dataUrl: canvas.toDataURL("image/jpeg", 0.5) };
  $("e-photo").textContent = say(M.photo_ready, { size: Math.round(bytes.length / 1024) });
}

async function reportTurnout(event) {
  event.preventDefault();
  const hour = $("turnout-hour").value;
  const text = $("turnout-voters").value.trim();
  if (!/^[0-9]+$/.test(text)) {
    $("e-turnout").textContent = M.blank_field;
    $("turnout-voters").setAttribute("aria-invalid", "true");
    $("turnout-voters").focus();
    return;
  }
  $("e-turnout").textContent = "";
  $("turnout-voters").removeAttribute("aria-invalid");
  // Signed with the station's key, as its protocol is.
  const report = { election: state.setup.election, station: state.setup.station, as_of: hour, voters: Number(text) };
  // A round-2 report names its contest, in what is signed and what is sent.
  if (state.setup.round === 2) report.contest = state.setup.contest;
  const signature = hex(await signBytes(state.device, canonicalBytes(report)));
  const body = { as_of: hour, voters: Number(text), signature };
  if (report.contest) body.contest = report.contest;
  await addToOutbox({
    kind: "turnout",
    station: state.setup.station,
    body,
    state: "waiting",
    answer: null,
    created: Date.now(),
  });
  state.setup.turnout_reported[hour] = Number(text);
  $("turnout-hour").querySelector(`option[value="${hour}"]`).remove();
  $("turnout-voters").value = "";
  status(say(M.turnout_sent, { hour }));
  await flush();
}

// --- start --------------------------------------------------------------------------------

async function start() {
  state.device = await readDevice("current");
  if (!state.device) {
    show("enrol");
    return;
  }
  state.lastSigned = await readDevice("last-signed");
  await loadSetup();
  if (!state.setup) {
    status(M.offline);
    return;
  }
  buildForm();
  show("device", "outbox", "entry", "turnout");
  $("turnout").hidden = $("turnout-hour").options.length === 0;
  await renderOutbox();
  await flush();
}

$("enrol-form").addEventListener("submit", enrol);
$("protocol-form").addEventListener("submit", review);
$("protocol-form").addEventListener("input", (event) => {
  if (event.target.name === "amendment_reason") {
    $("e-amendment_reason").textContent = "";
    event.target.removeAttribute("aria-invalid");
  } else if (event.target.type !== "file") {
    check();
  }
});
$("f-photo").addEventListener("change", () => takePhoto().catch((error) => { $("e-photo").textContent = String(error); }));
$("back").addEventListener("click", () => show("device", "outbox", "entry", "turnout"));
$("sign").addEventListener("click", () => signAndSend());
$("amend").addEventListener("click", () => {
  $("amendment").hidden = !nextVersionIsAmendment();
  setClerk(state.setup.two_clerk_entry ? 1 : 0);
  show("device", "outbox", "entry", "turnout");
  $("f-registered_voters").focus();
});
$("turnout-form").addEventListener("submit", reportTurnout);
$("round").addEventListener("change", () => {
  state.round = Number($("round").value);
  state.setup = inRound(state.setup, state.round);
  state.firstEntry = null;
  buildForm();
  show("device", "outbox", "entry", "turnout");
  $("turnout").hidden = $("turnout-hour").options.length === 0;
});
window.addEventListener("online", () => flush());
setInterval(() => flush(), RETRY_MILLISECONDS);
if ("serviceWorker" in navigator) {
  navigator.serviceWorker.register("/station/sw.js", { scope: "/station/" }).catch(() => {});
}
start();
