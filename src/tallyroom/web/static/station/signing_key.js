// The device's Ed25519 signing key. Where the browser's WebCrypto has Ed25519, the key pair is
// made there, non-extractable. Where it has not, the vendored @noble/ed25519 makes the key
// and signs, and its 32-byte secret is kept only sealed by a non-extractable AES-GCM key of
// WebCrypto (both in IndexedDB): script on the page can ask for signatures but cannot read
// the AES key, and the sealed secret alone is useless. The secret is unsealed for one
// signature at a time and wiped after.
const NOBLE = "/station/vendor/noble-ed25519/index.js";

async function webCryptoKeys() {
  try {
    return await crypto.subtle.generateKey({ name: "Ed25519" }, false, ["sign", "verify"]);
  } catch {
    return null; // no Ed25519 in this browser's WebCrypto
  }
}

// {signer, publicKey}: what the device keeps, and the raw 32-byte public key to enrol.
export async function makeSigningKey() {
  const keys = await webCryptoKeys();
  if (keys) {
    const raw = new Uint8Array(await crypto.subtle.exportKey("raw", keys.publicKey));
    return { signer: { kind: "webcrypto", keys }, publicKey: raw };
  }
  const ed = await import(NOBLE);
  const secret = ed.utils.randomSecretKey();
  try {
    const publicKey = await ed.getPublicKeyAsync(secret);
    const wrapKey = await crypto.subtle.generateKey({ name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
    const iv = crypto.getRandomValues(new Uint8Array(12));
    const sealed = await crypto.subtle.encrypt({ name: "AES-GCM", iv }, wrapKey, secret);
    return { signer: { kind: "noble", wrapKey, iv, sealed, publicKey }, publicKey };
  } finally {
    secret.fill(0);
  }
}

// The Ed25519 signature (64 bytes) of `bytes` by the device's key.
export async function signBytes(device, bytes) {
  // devices enrolled before the fallback existed keep their WebCrypto pair in `keys`
  const signer = device.signer || { kind: "webcrypto", keys: device.keys };
  if (signer.kind === "webcrypto") {
    return new Uint8Array(await crypto.subtle.sign({ name: "Ed25519" }, signer.keys.privateKey, bytes));
  }
  const ed = await import(NOBLE);
  const secret = new Uint8Array(await crypto.subtle.decrypt({ name: "AES-GCM", iv: signer.iv }, signer.wrapKey, signer.sealed));
  try {
    return await ed.signAsync(bytes, secret);
  } finally {
    secret.fill(0);
  }
}
