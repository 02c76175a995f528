// What a device keeps in IndexedDB while the network is away, shared by the station app and
// the observer's form: a keyed "device" store (keys, tokens, set-up) and the "outbox" of
// things to send, each record with its state (waiting, delivered, refused).

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

export function deviceDatabase(name) {
  let database = null;
  const opened = () => new Promise((resolve, reject) => {
    const request = indexedDB.open(name, 1);
    request.onupgradeneeded = () => {
      const db = request.result;
      db.createObjectStore("device");
      db.createObjectStore("outbox", { keyPath: "id", autoIncrement: true });
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
  const store = async (storeName, mode) => {
    database = database || (await opened());
    return database.transaction(storeName, mode).objectStore(storeName);
  };
  return {
    read: async (key) => done((await store("device", "readonly")).get(key)),
    write: async (key, value) => done((await store("device", "readwrite")).put(value, key)),
    add: async (item) => done((await store("outbox", "readwrite")).add(item)),
    update: async (item) => done((await store("outbox", "readwrite")).put(item)),
    items: async () => done((await store("outbox", "readonly")).getAll()),
    remove: async (id) => done((await store("outbox", "readwrite")).delete(id)),
  };
}

// Sends the waiting items (those `mine` accepts) in order with `deliver` (which throws when
// the network or the server is away, and sets the item's state otherwise); stops at the
// first failure so the order is kept. Answers whether the server was reached.
export async function flushOutbox(db, deliver, mine = () => true) {
  for (const item of (await db.items()).filter((entry) => entry.state === "waiting" && mine(entry))) {
    try {
      await deliver(item);
    } catch {
      return false;
    }
    await db.update(item);
  }
  return true;
}
