// The outbox: revisits saved on the phone and not yet on the server, in IndexedDB (with photos as Blobs).
// Loaded by the pages and by the service worker (importScripts), so it uses no DOM.
// Nothing here clears the store: an item leaves only when the server has answered 200/201 for it.
(function (root) {
  "use strict";
  var DB_NAME = "pt-phone";
  var STORE = "outbox";
  var dbPromise = null;

  function open() {
    if (dbPromise) return dbPromise;
    dbPromise = new Promise(function (resolve, reject) {
      var req = root.indexedDB.open(DB_NAME, 1);
      req.onupgradeneeded = function () {
        var store = req.result.createObjectStore(STORE, { keyPath: "key" });
        store.createIndex("createdAt", "createdAt");
      };
      req.onsuccess = function () {
        var db = req.result;
        db.onversionchange = function () { db.close(); dbPromise = null; };
        resolve(db);
      };
      req.onerror = function () { dbPromise = null; reject(req.error); };
    });
    return dbPromise;
  }

  function run(mode, action) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var tx = db.transaction(STORE, mode);
        var req = action(tx.objectStore(STORE));
        tx.oncomplete = function () { resolve(req ? req.result : undefined); };
        tx.onerror = tx.onabort = function () { reject(tx.error); };
      });
    });
  }

  var channel = root.BroadcastChannel ? new root.BroadcastChannel("pt-outbox") : null;
  var listeners = [];

  function changed() {
    // Other tabs hear the channel; this page hears its own listeners.
    if (channel) channel.postMessage("changed");
    listeners.forEach(function (fn) { fn(); });
  }
  if (channel) channel.onmessage = function () { listeners.forEach(function (fn) { fn(); }); };

  function uuid() {
    if (root.crypto && root.crypto.randomUUID) return root.crypto.randomUUID();
    var b = root.crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  root.PT = root.PT || {};
  root.PT.outbox = {
    uuid: uuid,
    all: function () {
      return run("readonly", function (s) { return s.index("createdAt").getAll(); });
    },
    get: function (key) {
      return run("readonly", function (s) { return s.get(key); });
    },
    put: function (item) {
      return run("readwrite", function (s) { return s.put(item); }).then(function (r) { changed(); return r; });
    },
    remove: function (key) {
      return run("readwrite", function (s) { return s.delete(key); }).then(changed);
    },
    count: function () {
      return run("readonly", function (s) { return s.count(); });
    },
    onChange: function (fn) { listeners.push(fn); },
  };
})(self);
