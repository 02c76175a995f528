// The WebAuthn ceremonies of the console: enrolling a security key and signing in with it.
// The button names the ceremony, where its options come from, where the answer goes and the
// session's CSRF token; the server keeps the challenge.

const button = document.getElementById("security-key");
const shownError = document.getElementById("security-key-error");

function bytesOf(base64url) {
  const base64 = base64url.replace(/-/g, "+").replace(/_/g, "/");
  const padded = base64 + "=".repeat((4 - (base64.length % 4)) % 4);
  return Uint8Array.from(atob(padded), (character) => character.charCodeAt(0)).buffer;
}

function base64urlOf(buffer) {
  const text = String.fromCharCode(...new Uint8Array(buffer));
  return btoa(text).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function show(message) {
  shownError.textContent = message;
  shownError.hidden = false;
}

async function postJson(address, body) {
  const response = await fetch(address, {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": button.dataset.csrf },
    body: JSON.stringify(body),
  });
  const answer = await response.json();
  if (!response.ok) {
    throw new Error(answer.error ? answer.error.message : response.statusText);
  }
  return answer;
}

function creationOptions(options) {
  return {
    ...options,
    challenge: bytesOf(options.challenge),
    user: { ...options.user, id: bytesOf(options.user.id) },
    excludeCredentials: (options.excludeCredentials || []).map((item) => ({ ...item, id: bytesOf(item.id) })),
  };
}

function requestOptions(options) {
  return {
    ...options,
    challenge: bytesOf(options.challenge),
    allowCredentials: (options.allowCredentials || []).map((item) => ({ ...item, id: bytesOf(item.id) })),
  };
}

function registrationAnswer(credential) {
  return {
    id: credential.id,
    rawId: base64urlOf(credential.rawId),
    type: credential.type,
    response: {
      clientDataJSON: base64urlOf(credential.response.clientDataJSON),
      attestationObject: base64urlOf(credential.response.attestationObject),
      transports: credential.response.getTransports ? credential.response.getTransports() : [],
    },
    clientExtensionResults: credential.getClientExtensionResults(),
  };
}

function authenticationAnswer(credential) {
  const response = credential.response;
  return {
    id: credential.id,
    rawId: base64urlOf(credential.rawId),
    type: credential.type,
    response: {
      clientDataJSON: base64urlOf(response.clientDataJSON),
      authenticatorData: base64urlOf(response.authenticatorData),
      signature: base64urlOf(response.signature),
      userHandle: response.userHandle ? base64urlOf(response.userHandle) : null,
    },
    clientExtensionResults: credential.getClientExtensionResults(),
  };
}

async function ceremony() {
  const registering = button.dataset.ceremony === "registration";
  const body = registering ? { enrolment_code: document.getElementById("enrolment-code").value } : {};
  const options = await postJson(button.dataset.options, body);
  const answer = registering
    ? registrationAnswer(await navigator.credentials.create({ publicKey: creationOptions(options) }))
    : authenticationAnswer(await navigator.credentials.get({ publicKey: requestOptions(options) }));
  const outcome = await postJson(button.dataset.answer, answer);
  window.location.assign(outcome.next);
}

if (button) {
  if (!window.PublicKeyCredential) {
    button.disabled = true;
  }
  button.addEventListener("click", () => {
    button.disabled = true;
    shownError.hidden = true;
    ceremony()
      .catch((error) => show(error.message || String(error)))
      .finally(() => {
        button.disabled = false;
      });
  });
}
