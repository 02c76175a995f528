// What this device keeps in IndexedDB: its non-extractable key pair and station token (one
// record), the station's set-up for working offline, and the outbox of signed documents.
const DATABASE = "tallyroom-station";
const VERSION = 1;

function opened() {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DATABASE, VERSION);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore("device");
      db.createObjectStore("outbox", { keyPath: "id", autoIncrement: true });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

let database = null;

async function store(name, mode) {
  database = database || (await opened());
  return database.transaction(name, mode).objectStore(name);
}

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export async function readDevice(key) {
  return done((await store("device", "readonly")).get(key));
}

export async function writeDevice(key, value) {
  return done((await store("device", "readwrite")).put(value, key));
}

export async function addToOutbox(item) {
  return done((await store("outbox", "readwrite")).add(item));
}

export async function updateOutbox(item) {
  return done((await store("outbox", "readwrite")).put(item));
}

export async function outboxItems() {
  return done((await store("outbox", "readonly")).getAll());
}
