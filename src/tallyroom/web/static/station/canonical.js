// RFC 8785 (JSON Canonicalization Scheme) for what a station signs: objects, arrays, text,
// whole numbers, booleans and null. Keys sort by UTF-16 code units (JavaScript's own string
// order) and values serialise as JSON.stringify does, which is how RFC 8785 defines them, so
// these are the bytes the server verifies.
export function canonicalJson(value) {
  if (value === null || typeof value !== "object") {
    if (typeof value === "number" && !Number.isSafeInteger(value)) {
      throw new Error("only whole numbers are signed");
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return "[" + value.map(canonicalJson).join(",") + "]";
  }
  const keys = Object.keys(value).filter((key) => value[key] !== undefined).sort();
  return "{" + keys.map((key) => JSON.stringify(key) + ":" + canonicalJson(value[key])).join(",") + "}";
}

export function canonicalBytes(value) {
  return new TextEncoder().encode(canonicalJson(value));
}

export function hex(buffer) {
  return Array.from(new Uint8Array(buffer), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

export async function sha256Hex(bytes) {
  return hex(await crypto.subtle.digest("SHA-256", bytes));
}
