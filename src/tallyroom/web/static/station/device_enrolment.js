// Enrolling a device with a one-time code, for the signing device (app.js) and a poll-book
// desk (poll_book.js) alike: the key pair is made here, only its public half is sent, and the
// fingerprint the server answers with must be this key's.
import { hex, sha256Hex } from "./canonical.js";
import { makeSigningKey } from "./signing_key.js";

export async function fingerprintOf(rawPublicKey) {
  const digest = await sha256Hex(rawPublicKey);
  return [0, 1, 2, 3].map((group) => digest.slice(4 * group, 4 * group + 4)).join(" ");
}

// {answer, signer} once enrolled at `path`; {error, field} with the message to show when the
// code is mistyped ("code"), the browser cannot make the key, or the server refuses.
export async function enrolWithCode(path, station, typedCode, messages) {
  const code = typedCode.trim().toUpperCase();
  if (code.replace(/[\s-]/g, "").length !== 10) return { error: messages.code_mistyped, field: "code" };
  let made;
  try {
    made = await makeSigningKey();
  } catch {
    return { error: messages.no_webcrypto };
  }
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ station: station.trim(), code, public_key: hex(made.publicKey) }),
  }).catch(() => null);
  const answer = response ? await response.json().catch(() => null) : null;
  if (!response || !response.ok) {
    return { error: answer && answer.error ? answer.error.message : messages.offline };
  }
  if ((await fingerprintOf(made.publicKey)) !== answer.fingerprint) throw new Error("fingerprint mismatch");
  return { answer, signer: made.signer };
}
