// The revisit form: saves into the outbox on the phone (works with no signal), then asks the sync loop to
// send. Photos are downscaled here (canvas → ~1280 px JPEG) so a 4 MB camera photo uploads as ~200 KB.
(function () {
  "use strict";
  var PT = window.PT;
  var outbox = PT.outbox;
  var form = document.getElementById("revisit-form");
  if (!form) return;
  var MAX_SIDE = 1280;
  var QUALITY = 0.8;
  var MAX_PHOTOS = 6;
  var msg = document.getElementById("form-msg");
  var submit = form.querySelector("button[type=submit]");
  var revisitId = form.dataset.revisitId;
  var params = new URLSearchParams(location.search);
  var photos = []; // downscaled JPEG Blobs
  var place = null; // {latitude, longitude, location_accuracy}
  var editingKey = null; // an outbox item being corrected (?outbox=)
  var editingCreatedAt = null;

  function localToday() {
    var d = new Date();
    return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
  }

  function show(text, isError) {
    msg.textContent = text;
    msg.className = "msg" + (isError ? " error" : "");
    msg.hidden = false;
    msg.scrollIntoView({ block: "nearest" });
  }

  function chooseHousehold() {
    // The cached page serves every ?household=, so the choice comes from the address, not the HTML.
    var wanted = params.get("household");
    if (wanted && form.household.querySelector('option[value="' + CSS.escape(wanted) + '"]')) {
      form.household.value = wanted;
    }
  }

  // -- photos -------------------------------------------------------------------------------------------
  var photoInput = form.querySelector("input[type=file]");
  var photoList = document.getElementById("photos");
  var photoNote = document.getElementById("photo-note");

  function downscale(file) {
    return new Promise(function (resolve, reject) {
      var url = URL.createObjectURL(file);
      var img = new Image();
      img.onload = function () {
        var scale = Math.min(1, MAX_SIDE / Math.max(img.naturalWidth, img.naturalHeight));
        var canvas = document.createElement("canvas");
        canvas.width = Math.max(1, Math.round(img.naturalWidth * scale));
        canvas.height = Math.max(1, Math.round(img.naturalHeight * scale));
        canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(url);
        canvas.toBlob(function (blob) {
          if (blob) resolve(blob);
          else reject(new Error("encode"));
        }, "image/jpeg", QUALITY);
      };
      img.onerror = function () { URL.revokeObjectURL(url); reject(new Error("decode")); };
      img.src = url;
    });
  }

  function renderPhotos() {
    if (!photoList) return;
    photoList.textContent = "";
    var total = 0;
    photos.forEach(function (blob, n) {
      total += blob.size;
      var box = document.createElement("div");
      box.className = "thumb";
      var img = document.createElement("img");
      img.alt = interpolate(gettext("照片 %s"), [n + 1]);
      img.src = URL.createObjectURL(blob);
      img.onload = function () { URL.revokeObjectURL(img.src); };
      var del = document.createElement("button");
      del.type = "button";
      del.textContent = "×";
      del.setAttribute("aria-label", interpolate(gettext("删除照片 %s"), [n + 1]));
      del.onclick = function () { photos.splice(n, 1); renderPhotos(); };
      box.appendChild(img);
      box.appendChild(del);
      photoList.appendChild(box);
    });
    photoNote.textContent = photos.length
      ? interpolate(ngettext("已添加 %(n)s 张照片，共 %(kb)s KB（已压缩）。", "已添加 %(n)s 张照片，共 %(kb)s KB（已压缩）。", photos.length),
        { n: photos.length, kb: Math.round(total / 1024) }, true)
      : gettext("照片会先在手机上压缩（约 1280 像素），再上传。");
  }

  if (photoInput) {
    photoInput.addEventListener("change", function () {
      var files = Array.prototype.slice.call(photoInput.files || []);
      photoInput.value = "";
      files.reduce(function (chain, file) {
        return chain.then(function () {
          if (photos.length >= MAX_PHOTOS) return show(interpolate(gettext("每条记录最多 %s 张照片。"), [MAX_PHOTOS]), true);
          if (!/^image\//.test(file.type)) return show(interpolate(gettext("文件 %s 不是图片。"), [file.name]), true);
          photoNote.textContent = gettext("正在压缩照片…");
          return downscale(file).then(function (blob) { photos.push(blob); }, function () {
            show(interpolate(gettext("无法读取照片 %s，请换一张或改用相机拍摄（支持 JPEG、PNG）。"), [file.name]), true);
          });
        });
      }, Promise.resolve()).then(renderPhotos);
    });
  }

  // -- location -----------------------------------------------------------------------------------------
  var locate = document.getElementById("locate");
  var locClear = document.getElementById("loc-clear");
  var locText = document.getElementById("loc-text");
  var bbox = (form.dataset.bbox || "").split(",").map(Number); // south, west, north, east

  function renderPlace() {
    if (!locText) return;
    if (!place) {
      locText.textContent = gettext("使用手机定位，不填也可以保存。");
      locClear.hidden = true;
      return;
    }
    var text = interpolate(gettext("纬度 %(lat)s，经度 %(lon)s，精度约 ±%(accuracy)s 米"), {
      lat: place.latitude.toFixed(5), lon: place.longitude.toFixed(5), accuracy: place.location_accuracy }, true);
    if (place.location_accuracy > 100) text += gettext("（精度较低，可到开阔处重新定位）");
    if (bbox.length === 4 && !(place.latitude >= bbox[0] && place.latitude <= bbox[2] &&
        place.longitude >= bbox[1] && place.longitude <= bbox[3])) {
      text += gettext("。该位置不在本县范围内，保存后会被标记待核实。");
    }
    locText.textContent = text;
    locClear.hidden = false;
  }

  if (locate) {
    locate.addEventListener("click", function () {
      if (!navigator.geolocation) { locText.textContent = gettext("本机浏览器不支持定位，不填位置也可以保存。"); return; }
      locate.disabled = true;
      locText.textContent = gettext("正在定位…（在室外或开阔处更快更准）");
      navigator.geolocation.getCurrentPosition(function (pos) {
        locate.disabled = false;
        place = {
          latitude: Math.round(pos.coords.latitude * 1e6) / 1e6,
          longitude: Math.round(pos.coords.longitude * 1e6) / 1e6,
          location_accuracy: Math.round(pos.coords.accuracy),
        };
        locate.textContent = gettext("重新定位");
        renderPlace();
      }, function (err) {
        locate.disabled = false;
        locText.textContent = err.code === 1 ? gettext("未允许使用位置。可在浏览器设置中开启；不填位置也可以保存。")
          : err.code === 3 ? gettext("定位超时，请到开阔处重试；不填位置也可以保存。")
          : gettext("暂时无法定位；不填位置也可以保存。");
      }, { enableHighAccuracy: true, timeout: 30000, maximumAge: 60000 });
    });
    locClear.addEventListener("click", function () { place = null; renderPlace(); });
  }

  // -- correcting a record the server refused (?outbox=key) ----------------------------------------------
  function loadOutboxItem(key) {
    return outbox.get(key).then(function (item) {
      if (!item || item.op !== "create") return;
      editingKey = item.key;
      editingCreatedAt = item.createdAt;
      var f = item.fields;
      form.household.value = f.household;
      form.visited_on.value = f.visited_on;
      form.querySelectorAll("input[name=kind]").forEach(function (r) { r.checked = r.value === f.kind; });
      form.situation.value = f.situation || "";
      form.problems.value = f.problems || "";
      form.help_given.value = f.help_given || "";
      form.querySelectorAll("input[name=risk_types]").forEach(function (c) {
        c.checked = (f.risk_types || []).indexOf(c.value) >= 0;
      });
      if (form.risk_note) form.risk_note.value = f.risk_note || "";
      photos = (item.photos || []).slice();
      place = f.latitude != null ? { latitude: f.latitude, longitude: f.longitude, location_accuracy: f.location_accuracy } : null;
      renderPhotos();
      renderPlace();
      if (item.error) show(interpolate(gettext("服务器未接受这条记录：%s 请修改后重新保存。"), [item.error]), true);
    });
  }

  // -- saving -------------------------------------------------------------------------------------------
  function checked(name) {
    var r = form.querySelector("input[name=" + name + "]:checked");
    return r ? r.value : "";
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var fields = {
      visited_on: form.visited_on.value,
      kind: checked("kind"),
      situation: form.situation.value.trim(),
      problems: form.problems.value.trim(),
      help_given: form.help_given.value.trim(),
    };
    var household = form.household.value;
    if (!household) return show(gettext("请选择贫困户。"), true);
    if (!fields.visited_on) return show(gettext("请填写走访日期。"), true);
    if (fields.visited_on > localToday()) return show(gettext("走访日期不能晚于今天。"), true);
    var label = form.household.options[form.household.selectedIndex].text;
    var item;
    if (revisitId) {
      item = {
        key: "edit-" + revisitId, op: "update", user: PT.user, revisitId: revisitId,
        baseUpdatedAt: form.dataset.baseUpdatedAt, fields: fields, label: label,
        createdAt: new Date().toISOString(), status: "pending",
      };
    } else {
      fields.household = household;
      if (place) Object.assign(fields, place);
      // A risk found on the visit (防返贫监测): the server raises a monitoring candidate when it stores the record.
      var risks = Array.prototype.map.call(form.querySelectorAll("input[name=risk_types]:checked"), function (c) { return c.value; });
      var riskNote = form.risk_note ? form.risk_note.value.trim() : "";
      if (riskNote && !risks.length) return show(gettext("填写了风险说明，请同时选择风险类型。"), true);
      if (risks.length) { fields.risk_types = risks; fields.risk_note = riskNote; }
      item = {
        key: editingKey || outbox.uuid(), op: "create", user: PT.user, fields: fields, photos: photos,
        label: label, createdAt: editingCreatedAt || new Date().toISOString(), status: "pending",
      };
    }
    submit.disabled = true;
    outbox.put(item).then(function () { return outbox.count(); }).then(function (n) {
      submit.disabled = false;
      show(interpolate(ngettext("已保存在本机（待上传 %s 条），有信号时会自动上传。", "已保存在本机（待上传 %s 条），有信号时会自动上传。", n), [n]));
      if (!revisitId) {
        form.reset();
        form.visited_on.value = localToday();
        chooseHousehold();
        photos = [];
        place = null;
        editingKey = editingCreatedAt = null;
        renderPhotos();
        renderPlace();
      }
      PT.sync();
    }, function (err) {
      submit.disabled = false;
      show(interpolate(gettext("保存失败：%s"), [err && err.name === "QuotaExceededError"
        ? gettext("手机存储空间不足，请删除一些照片或文件后重试。")
        : interpolate(gettext("浏览器无法写入本机存储（%s）。"), [err && err.name])]), true);
    });
  });

  var today = localToday();
  if (!revisitId) form.visited_on.max = today > form.visited_on.max ? today : form.visited_on.max;
  if (!revisitId && !params.get("outbox")) form.visited_on.value = today; // the cached page may be days old
  chooseHousehold();
  if (params.get("outbox")) loadOutboxItem(params.get("outbox"));
})();
