// 待上传 and 处理冲突: what is on this phone and not yet on the server, rendered from IndexedDB.
(function () {
  "use strict";
  var PT = window.PT;
  var outbox = PT.outbox;
  var formUrl = document.querySelector(".tabs a:nth-child(2)").getAttribute("href");
  var outboxUrl = document.body.dataset.outboxUrl;
  var KINDS = { home: gettext("入户"), phone: gettext("电话") };
  var FIELDS = [
    ["visited_on", gettext("走访日期")], ["kind", gettext("走访方式")], ["situation", gettext("基本情况")],
    ["problems", gettext("发现问题")], ["help_given", gettext("帮扶内容")],
  ];

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { node.setAttribute(k, attrs[k]); });
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function show(field, value) {
    if (field === "kind") return KINDS[value] || value || "";
    return value == null || value === "" ? gettext("（空）") : String(value);
  }

  // -- the list ------------------------------------------------------------------------------------------
  var list = document.getElementById("outbox-list");
  function renderList() {
    return outbox.all().then(function (items) {
      var status = document.getElementById("outbox-status");
      list.textContent = "";
      status.textContent = items.length
        ? interpolate(ngettext("本机有 %s 条记录待上传。", "本机有 %s 条记录待上传。", items.length), [items.length]) +
          (navigator.onLine === false ? gettext("当前无网络，有信号时会自动上传。") : "")
        : gettext("没有待上传的记录，全部已上传。");
      items.forEach(function (item) {
        var li = el("li", { class: "card", "data-outbox-item": item.key, "data-status": item.status });
        var main = el("div", { class: "card-main" });
        main.appendChild(el("span", { class: "card-title" }, item.label || gettext("走访记录")));
        var f = item.fields;
        main.appendChild(el("span", { class: "muted" },
          (item.op === "update" ? gettext("修改 · ") : "") + (f.visited_on || "") + " " + show("kind", f.kind) +
          ((item.photos || []).length ? interpolate(ngettext(" · 照片 %s 张", " · 照片 %s 张", item.photos.length), [item.photos.length]) : "") +
          (f.latitude != null ? gettext(" · 有位置") : "") +
          ((f.risk_types || []).length ? interpolate(gettext(" · 风险：%s"), [f.risk_types.join(gettext("、"))]) : "")));
        if (f.situation) main.appendChild(el("span", {}, f.situation.length > 40 ? f.situation.slice(0, 40) + "…" : f.situation));
        if (item.user !== PT.user) {
          main.appendChild(el("span", { class: "tag due" }, gettext("由其他账户记录，需该账户登录后上传")));
        } else if (item.status === "pending") {
          main.appendChild(el("span", { class: "tag due" }, gettext("等待上传")));
        } else if (item.status === "conflict") {
          main.appendChild(el("span", { class: "tag bad" }, gettext("修改冲突：服务器上的记录已被修改")));
        } else {
          main.appendChild(el("span", { class: "item-error" }, interpolate(gettext("未能上传：%s"), [item.error || ""])));
        }
        var actions = el("div", { class: "row" });
        if (item.status === "conflict") {
          actions.appendChild(el("a", { class: "btn", href: outboxUrl.replace(/outbox\/$/, "conflict/") + "?key=" + encodeURIComponent(item.key) }, gettext("处理冲突")));
        } else if (item.status === "error" && item.op === "create") {
          actions.appendChild(el("a", { class: "btn btn-light", href: formUrl + "?outbox=" + encodeURIComponent(item.key) }, gettext("修改后重传")));
        }
        if (item.status === "error") {
          var retry = el("button", { type: "button", class: "btn btn-light" }, gettext("重试"));
          retry.onclick = function () { item.status = "pending"; item.error = ""; outbox.put(item).then(PT.sync); };
          actions.appendChild(retry);
        }
        var del = el("button", { type: "button", class: "btn btn-danger" }, gettext("删除"));
        del.onclick = function () {
          if (window.confirm(gettext("删除后这条记录不会上传，也无法恢复。确定删除吗？"))) outbox.remove(item.key);
        };
        actions.appendChild(del);
        main.appendChild(actions);
        li.appendChild(main);
        list.appendChild(li);
      });
    });
  }

  if (list) {
    outbox.onChange(renderList);
    renderList();
    document.getElementById("sync-now").onclick = function () {
      if (navigator.onLine === false) return PT.note(gettext("当前无网络，有信号时会自动上传。"), true);
      PT.sync();
    };
    PT.persisted.then(function (yes) {
      document.getElementById("storage-note").textContent = yes
        ? gettext("本机存储已设为持久保存，浏览器不会自动清理这些记录。")
        : gettext("浏览器未同意持久保存：手机空间不足时可能清理网站数据，请尽快在有信号处上传。");
    });
  }

  // -- one conflict: the cadre's edit beside the server's version ---------------------------------------
  var box = document.getElementById("conflict");
  if (!box) return;
  var key = new URLSearchParams(location.search).get("key");
  outbox.get(key || "").then(function (item) {
    box.textContent = "";
    if (!item || item.status !== "conflict" || !item.server) {
      box.appendChild(el("p", { class: "empty" }, gettext("没有需要处理的冲突。")));
      return;
    }
    var server = item.server;
    box.appendChild(el("p", {}, interpolate(
      gettext("%(label)s：您离线时修改了这条走访记录，但服务器上的记录在此期间也被修改了（%(time)s）。请选择保留哪一份。"),
      { label: item.label || "", time: (server.updated_at || "").replace("T", " ").slice(0, 16) }, true)));
    var table = el("table", { class: "compare" });
    var head = el("tr");
    ["", gettext("我的修改"), gettext("服务器上的")].forEach(function (t) { head.appendChild(el("th", {}, t)); });
    table.appendChild(head);
    FIELDS.forEach(function (pair) {
      var mine = show(pair[0], item.fields[pair[0]]);
      var theirs = show(pair[0], server[pair[0]]);
      var tr = el("tr", mine !== theirs ? { class: "diff" } : {});
      tr.appendChild(el("th", {}, pair[1]));
      tr.appendChild(el("td", { "data-mine": pair[0] }, mine));
      tr.appendChild(el("td", { "data-server": pair[0] }, theirs));
      table.appendChild(tr);
    });
    box.appendChild(table);
    var actions = el("div", { class: "row" });
    var keep = el("button", { type: "button", class: "btn" }, gettext("保留我的修改"));
    keep.onclick = function () {
      // Resend against the version just seen: the server's edit was looked at, not silently overwritten.
      item.baseUpdatedAt = server.updated_at;
      item.status = "pending";
      item.error = "";
      delete item.server;
      outbox.put(item).then(PT.sync).then(function () { location.href = outboxUrl; });
    };
    var take = el("button", { type: "button", class: "btn btn-light" }, gettext("采用服务器上的"));
    take.onclick = function () {
      outbox.remove(item.key).then(function () {
        location.href = box.dataset.detailUrl.replace(/\/0\/$/, "/" + item.revisitId + "/");
      });
    };
    actions.appendChild(keep);
    actions.appendChild(take);
    box.appendChild(actions);
  });
})();
