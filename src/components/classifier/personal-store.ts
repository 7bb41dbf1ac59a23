// Where a reader's personal model lives: this browser's IndexedDB, under this site's origin, and nowhere else.
// One record; "Forget me" deletes it. Export and import go through a file the reader keeps.

import type {PersonalModel} from "../../lib/personal-head.js";

const DATABASE = "fer-classifier";
const STORE = "personal";
const KEY = "model";

function request<T>(make: (store: IDBObjectStore) => IDBRequest<T>, mode: IDBTransactionMode): Promise<T> {
  return new Promise((resolve, reject) => {
    if (typeof indexedDB === "undefined") return reject(new Error("this browser keeps no local database (IndexedDB), so a personal model cannot be saved here"));
    const opening = indexedDB.open(DATABASE, 1);
    opening.onupgradeneeded = () => opening.result.createObjectStore(STORE);
    opening.onerror = () => reject(new Error(`the browser's local database could not be opened: ${opening.error?.message ?? "unknown error"}`));
    opening.onsuccess = () => {
      const db = opening.result;
      const transaction = db.transaction(STORE, mode);
      const pending = make(transaction.objectStore(STORE));
      transaction.oncomplete = () => (db.close(), resolve(pending.result));
      transaction.onerror = () => (db.close(), reject(new Error(`the browser's local database refused it: ${transaction.error?.message ?? "unknown error"}`)));
    };
  });
}

export function loadPersonal(): Promise<PersonalModel | null> {
  return request((store) => store.get(KEY) as IDBRequest<PersonalModel | undefined>, "readonly").then((value) => value ?? null);
}

export function savePersonal(model: PersonalModel): Promise<void> {
  return request((store) => store.put(model, KEY), "readwrite").then(() => undefined);
}

export function forgetPersonal(): Promise<void> {
  return request((store) => store.delete(KEY), "readwrite").then(() => undefined);
}
