// Every phone page: service worker, persistent storage, the outbox count, the sync loop, the logout guard.
(function () {
  "use strict";
  var PT = window.PT;
  var outbox = PT.outbox;
  var body = document.body;
  var user = body.dataset.user;
  var api = body.dataset.api;
  var SYNC_EVERY_MS = 30000;
  var SEND_TIMEOUT_MS = 120000; // a few photos on a weak 3G signal take a while

  if ("serviceWorker" in navigator && body.dataset.sw) {
    navigator.serviceWorker.register(body.dataset.sw, { scope: "/" }).catch(function () {});
  }

  // Ask the browser not to evict the outbox when space runs low (granted or not, the browser decides).
  PT.persisted = navigator.storage && navigator.storage.persist
    ? navigator.storage.persisted().then(function (yes) { return yes || navigator.storage.persist(); })
    : Promise.resolve(false);

  // -- small helpers used by the other modules ---------------------------------------------------------
  PT.csrf = function () {
    var m = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (m) return decodeURIComponent(m[1]);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  };
  PT.user = user;
  PT.api = api;

  var noteTimer = null;
  PT.note = function (text, isError) {
    var el = document.getElementById("sync-note");
    if (!el) return;
    el.textContent = text;
    el.className = "sync-note" + (isError ? " error" : "");
    el.hidden = false;
    clearTimeout(noteTimer);
    noteTimer = setTimeout(function () { el.hidden = true; }, isError ? 10000 : 5000);
  };

  // A 4xx answer in words: DRF sends {"detail": ...} or {"field": ["message", ...]}.
  PT.messageOf = function (data, status) {
    if (!data || typeof data !== "object") return interpolate(gettext("服务器拒绝了这条记录（%s）。"), [status]);
    var parts = [];
    Object.keys(data).forEach(function (k) {
      var v = data[k];
      if (k === "server") return;
      parts.push(Array.isArray(v) ? v.join(gettext("；")) : typeof v === "object" ? JSON.stringify(v) : String(v));
    });
    return parts.join(gettext("；")) || interpolate(gettext("服务器拒绝了这条记录（%s）。"), [status]);
  };

  // -- the network indicator and the count on every page ---------------------------------------------
  function showNet() {
    var net = document.getElementById("net");
    if (net) net.hidden = navigator.onLine !== false;
  }

  PT.refreshBadge = function () {
    return outbox.all().then(function (items) {
      var bad = items.filter(function (i) { return i.status !== "pending"; }).length;
      document.querySelectorAll("[data-outbox-count]").forEach(function (el) {
        el.textContent = String(items.length);
        el.classList.toggle("some", items.length > 0);
        el.classList.toggle("error", bad > 0);
      });
      document.querySelectorAll("[data-outbox-badge]").forEach(function (el) {
        el.hidden = items.length === 0;
        el.classList.toggle("has-error", bad > 0);
        el.title = bad ? interpolate(ngettext("%s 条需要处理", "%s 条需要处理", bad), [bad]) : "";
      });
      // On "my households": which households have records waiting on this phone.
      document.querySelectorAll("[data-household-id]").forEach(function (card) {
        var n = items.filter(function (i) {
          return i.user === user && String(i.fields.household) === card.dataset.householdId;
        }).length;
        var tag = card.querySelector("[data-pending]");
        if (!tag) return;
        tag.hidden = n === 0;
        tag.textContent = interpolate(ngettext("本机待上传 %s 条", "本机待上传 %s 条", n), [n]);
      });
      return items;
    });
  };

  // -- the sync loop -----------------------------------------------------------------------------------
  function send(item) {
    var url = api;
    var init = { credentials: "same-origin", headers: { "X-CSRFToken": PT.csrf(), Accept: "application/json" } };
    if (item.op === "update") {
      url = api + item.revisitId + "/";
      init.method = "PATCH";
      init.headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(Object.assign({ base_updated_at: item.baseUpdatedAt }, item.fields));
    } else {
      var form = new FormData();
      Object.keys(item.fields).forEach(function (k) {
        var v = item.fields[k];
        if (Array.isArray(v)) v.forEach(function (x) { form.append(k, x); }); // risk_types: one part each
        else if (v !== null && v !== undefined && v !== "") form.append(k, v);
      });
      form.append("client_uuid", item.key);
      (item.photos || []).forEach(function (blob, n) { form.append("photos", blob, "photo-" + (n + 1) + ".jpg"); });
      init.method = "POST";
      init.body = form;
    }
    var abort = window.AbortController ? new AbortController() : null;
    if (abort) init.signal = abort.signal;
    var timer = setTimeout(function () { if (abort) abort.abort(); }, SEND_TIMEOUT_MS);
    return fetch(url, init).then(function (res) {
      clearTimeout(timer);
      return res.json().catch(function () { return null; }).then(function (data) {
        return { status: res.status, data: data };
      });
    }, function (err) { clearTimeout(timer); throw err; });
  }

  function syncOnce() {
    return outbox.all().then(function (items) {
      // Only this account's records: another account's wait for that account to sign in again.
      var todo = items.filter(function (i) { return i.user === user && i.status === "pending"; });
      var sent = 0;
      var problem = "";
      var stop = false;
      return todo.reduce(function (chain, item) {
        return chain.then(function () {
          if (stop) return null;
          return send(item).then(function (res) {
            if (res.status === 200 || res.status === 201) { sent += 1; return outbox.remove(item.key); }
            if (res.status === 409) {
              item.status = "conflict";
              item.server = res.data && res.data.server;
              item.error = (res.data && res.data.detail) || gettext("该记录已在服务器上被修改。");
              problem = gettext("有修改冲突需要处理");
              return outbox.put(item);
            }
            var detail = res.data && typeof res.data.detail === "string" ? res.data.detail : "";
            if (res.status === 401 || (res.status === 403 && /CSRF|认证|登录|credentials/.test(detail))) { // i18n-ignore: the server's words, not shown
              stop = true; // not the record's fault: keep it and try again after signing in
              problem = gettext("登录已失效，请重新登录，记录会自动上传");
              return null;
            }
            if (res.status >= 400 && res.status < 500) {
              item.status = "error";
              item.error = PT.messageOf(res.data, res.status);
              item.failedAt = new Date().toISOString();
              problem = gettext("有记录未能上传，请到“待上传”查看");
              return outbox.put(item);
            }
            stop = true; // 5xx: the server is unwell, try later
            return null;
          }, function () { stop = true; }); // no signal: everything stays for the next try
        });
      }, Promise.resolve()).then(function () {
        if (sent) PT.note(interpolate(ngettext("已上传 %s 条走访记录", "已上传 %s 条走访记录", sent), [sent]));
        if (problem) PT.note(problem, true);
        return { sent: sent, problem: problem };
      });
    });
  }

  var running = null;
  PT.sync = function () {
    if (running) return running;
    if (!user || navigator.onLine === false) return Promise.resolve(null);
    // One tab at a time: two tabs sending the same edit would make the second a false conflict.
    var work = navigator.locks
      ? function () {
          return navigator.locks.request("pt-outbox-sync", { ifAvailable: true }, function (lock) {
            return lock ? syncOnce() : null;
          });
        }
      : syncOnce;
    running = work().catch(function () { return null; }).then(function (r) {
      running = null;
      PT.refreshBadge();
      return r;
    });
    return running;
  };

  outbox.onChange(function () { PT.refreshBadge(); });
  window.addEventListener("online", function () { showNet(); PT.sync(); });
  window.addEventListener("offline", showNet);
  document.addEventListener("visibilitychange", function () { if (!document.hidden) PT.sync(); });
  setInterval(PT.sync, SYNC_EVERY_MS);
  showNet();
  PT.refreshBadge().then(PT.sync, function () {
    PT.note(gettext("浏览器的本机存储不可用，无法离线保存走访记录（请不要使用无痕模式）。"), true);
  });

  // -- logout never discards the outbox; with records unsent it asks first ----------------------------
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute("data-logout")) return;
    event.preventDefault();
    outbox.count().then(function (n) { return n; }, function () { return 0; }).then(function (n) {
      if (n && !window.confirm(interpolate(ngettext(
        "还有 %s 条走访记录未上传。\n退出后这些记录仍保存在本手机上，重新登录后会自动上传。\n确定退出吗？",
        "还有 %s 条走访记录未上传。\n退出后这些记录仍保存在本手机上，重新登录后会自动上传。\n确定退出吗？", n), [n]))) {
        return;
      }
      form.action = form.action.split("?")[0] + "?confirmed=1"; // the service worker need not ask again
      form.submit();
    });
  });

  // -- keep each paired household's summary on the phone for the next time there is no signal ---------
  // The worker also re-fetches the shell pages it lost (after a logout) and skips what is fresh.
  if (navigator.onLine !== false && "serviceWorker" in navigator && user) {
    var links = Array.prototype.map.call(document.querySelectorAll("a[data-prefetch]"), function (a) { return a.href; });
    navigator.serviceWorker.ready.then(function (reg) {
      if (reg.active) reg.active.postMessage({ type: "prefetch", urls: links });
    });
  }
})();
