// The service worker of the cadre's phone pages (served at /sw.js by assignments.phone_views).
// Pages: network first, the cached copy when there is no signal (or after a few seconds of a weak one).
// Static files: precached. POSTs are never cached. The outbox lives in IndexedDB, which this never clears.
{% load i18n %}"use strict";
var CONFIG = {{ config|safe }};
importScripts(CONFIG.outboxJs);

var STATIC_CACHE = "pt-static-" + CONFIG.version;
var PAGES_CACHE = "pt-pages-" + CONFIG.version;
var NETWORK_WAIT_MS = 4000; // on a weak signal, show the phone's copy rather than a blank screen
var REFRESH_AFTER_MS = 30 * 60000; // prefetched pages older than this are fetched again

function cacheable(res) {
  return res && res.ok && !res.redirected && res.type === "basic";
}

function fetchAndStore(cache, url) {
  return fetch(url, { credentials: "same-origin", cache: "no-cache" }).then(function (res) {
    if (cacheable(res)) return cache.put(url, res.clone()).then(function () { return res; });
    return res;
  });
}

function findPage(cache, url) {
  // One cached form serves every ?household=, one conflict page every ?key=.
  return cache.match(url, { ignoreVary: true }).then(function (hit) {
    return hit || cache.match(url, { ignoreVary: true, ignoreSearch: true });
  });
}

function offlinePage() {
  return caches.match(CONFIG.offlineUrl, { ignoreVary: true }).then(function (hit) {
    return hit || new Response("<meta charset=utf-8><meta name=viewport content='width=device-width'><h1>{% filter escapejs %}{% translate "当前没有网络" %}{% endfilter %}</h1>",
      { headers: { "Content-Type": "text/html; charset=utf-8" } });
  });
}

self.addEventListener("install", function (event) {
  event.waitUntil((async function () {
    var statics = await caches.open(STATIC_CACHE);
    await statics.addAll(CONFIG.staticUrls);
    await fetchAndStore(statics, CONFIG.catalogueUrl).catch(function () { return null; }); // no words: msgids
    var pages = await caches.open(PAGES_CACHE);
    // The shell, and every page the previous version kept (so an update keeps households available).
    var urls = new Set(CONFIG.shellUrls.map(function (u) { return new URL(u, self.location.origin).href; }));
    var old = (await caches.keys()).filter(function (n) { return n.indexOf("pt-pages-") === 0 && n !== PAGES_CACHE; });
    for (var i = 0; i < old.length; i++) {
      (await (await caches.open(old[i])).keys()).forEach(function (req) { urls.add(req.url); });
    }
    await Promise.all(Array.from(urls).map(function (url) {
      return fetchAndStore(pages, url).catch(function () { return null; }); // best effort: pages need a login
    }));
    await self.skipWaiting();
  })());
});

self.addEventListener("activate", function (event) {
  event.waitUntil((async function () {
    var keep = [STATIC_CACHE, PAGES_CACHE];
    var names = await caches.keys();
    await Promise.all(names.filter(function (n) { return n.indexOf("pt-") === 0 && keep.indexOf(n) < 0; })
      .map(function (n) { return caches.delete(n); }));
    await self.clients.claim();
  })());
});

// The scripts' words (one cached copy per ?l= language): the phone's copy at once, refreshed when there is signal.
function catalogue(event) {
  var req = event.request;
  return caches.open(STATIC_CACHE).then(function (cache) {
    var network = fetchAndStore(cache, req.url);
    event.waitUntil(network.catch(function () { return null; }));
    return cache.match(req.url, { ignoreVary: true }).then(function (hit) { return hit || network; });
  });
}

function pageNetworkFirst(event) {
  var req = event.request;
  return caches.open(PAGES_CACHE).then(function (cache) {
    var network = fetch(req).then(function (res) {
      if (cacheable(res)) cache.put(req.url, res.clone());
      return res;
    });
    event.waitUntil(network.catch(function () { return null; }));
    return findPage(cache, req.url).then(function (cached) {
      if (!cached) return network.catch(offlinePage);
      var wait = new Promise(function (resolve) { setTimeout(resolve, NETWORK_WAIT_MS, null); });
      return Promise.race([network.catch(function () { return null; }), wait]).then(function (res) {
        return res || cached;
      });
    });
  });
}

function guardPage(count, token) {
  var esc = function (s) { return String(s).replace(/[&<>"]/g, function (c) { return "&#" + c.charCodeAt(0) + ";"; }); };
  return "<!doctype html><html lang=zh-Hans><meta charset=utf-8><meta name=viewport content='width=device-width, initial-scale=1'>" +
    "<title>{% filter escapejs %}{% translate "还有记录未上传" %}{% endfilter %}</title><body style='font:17px/1.6 system-ui,sans-serif;margin:0;padding:1.25rem;max-width:36rem'>" +
    "<h1 style='font-size:1.3rem'>" + "{% filter escapejs %}{% blocktranslate %}还有 {count} 条走访记录未上传{% endblocktranslate %}{% endfilter %}".replace("{count}", count) + "</h1>" +
    "<p>{% filter escapejs %}{% translate "退出登录不会删除这些记录：它们保存在本手机上，重新登录后会自动上传。请勿清除浏览器数据。" %}{% endfilter %}</p>" +
    "<p><a href='" + esc(CONFIG.outboxUrl) + "' style='display:block;text-align:center;padding:.9rem;background:#1f5f8b;color:#fff;border-radius:.5rem;text-decoration:none'>{% filter escapejs %}{% translate "返回，先上传" %}{% endfilter %}</a></p>" +
    "<form method=post action='" + esc(CONFIG.logoutUrl) + "?confirmed=1'><input type=hidden name=csrfmiddlewaretoken value='" + esc(token) + "'>" +
    "<button style='width:100%;padding:.9rem;font:inherit;border:1px solid #8a1c1c;color:#8a1c1c;background:#fff;border-radius:.5rem'>{% filter escapejs %}{% translate "仍然退出" %}{% endfilter %}</button></form>";
}

function logout(req) {
  var url = new URL(req.url);
  var asked = url.searchParams.has("confirmed")
    ? Promise.resolve(0)
    : self.PT.outbox.count().catch(function () { return 0; });
  return asked.then(function (count) {
    if (count > 0) {
      // Any page's logout (the office pages too) warns first; the records stay in IndexedDB either way.
      return req.clone().formData().then(function (data) { return data.get("csrfmiddlewaretoken") || ""; },
        function () { return ""; }).then(function (token) {
        return new Response(guardPage(count, token), { headers: { "Content-Type": "text/html; charset=utf-8" } });
      });
    }
    // Pages cached for this account must not be shown to the next one (the outbox is not a cache).
    return caches.delete(PAGES_CACHE).then(function () { return fetch(req); });
  });
}

self.addEventListener("fetch", function (event) {
  var req = event.request;
  var url = new URL(req.url);
  if (url.origin !== self.location.origin) return;
  if (req.method !== "GET") {
    if (req.method === "POST" && req.mode === "navigate" && url.pathname === CONFIG.logoutUrl) {
      event.respondWith(logout(req));
    }
    return; // never cached
  }
  if (CONFIG.staticUrls.indexOf(url.pathname) >= 0) {
    event.respondWith(caches.open(STATIC_CACHE).then(function (cache) {
      return cache.match(req).then(function (hit) { return hit || fetchAndStore(cache, req.url); });
    }));
    return;
  }
  if (url.pathname === CONFIG.catalogueUrl.split("?")[0]) {
    event.respondWith(catalogue(event));
    return;
  }
  if (req.mode !== "navigate") return;
  if (url.pathname.indexOf(CONFIG.phonePrefix) === 0) {
    event.respondWith(pageNetworkFirst(event));
  } else {
    event.respondWith(fetch(req).catch(offlinePage));
  }
});

// The pages ask for their households' summaries to be kept while there is signal.
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (data.type !== "prefetch") return;
  event.waitUntil((async function () {
    var cache = await caches.open(PAGES_CACHE);
    var urls = CONFIG.shellUrls.concat(Array.isArray(data.urls) ? data.urls.slice(0, 200) : []);
    for (var i = 0; i < urls.length; i++) {
      var url = new URL(urls[i], self.location.origin);
      if (url.origin !== self.location.origin || url.pathname.indexOf(CONFIG.phonePrefix) !== 0) continue;
      var hit = await cache.match(url.href, { ignoreVary: true });
      var age = hit ? Date.now() - Date.parse(hit.headers.get("Date") || 0) : Infinity;
      if (age < REFRESH_AFTER_MS) continue;
      try { await fetchAndStore(cache, url.href); } catch (e) { return; } // signal gone: stop
    }
  })());
});
