// What this device keeps in IndexedDB: its non-extractable key pair and station token (one
// record), the station's set-up for working offline, and the outbox of signed documents
// (static/shared/outbox_store.js, shared with the observer's form).
import { deviceDatabase } from "./outbox_store.js";

const database = deviceDatabase("tallyroom-station");

export const readDevice = (key) => database.read(key);
export const writeDevice = (key, value) => database.write(key, value);
export const addToOutbox = (item) => database.add(item);
export const updateOutbox = (item) => database.update(item);
export const outboxItems = () => database.items();
