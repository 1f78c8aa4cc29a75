/* The desk's few behaviours: keyboard shortcuts, drag-and-drop upload. No inline scripts
   (the Content-Security-Policy forbids them); the CSRF token is read from the page. */
(function () {
  "use strict";
  var csrf = document.body.getAttribute("data-csrf") || "";

  function typing(event) {
    var t = event.target;
    return t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" ||
                 t.isContentEditable);
  }

  // The queue: J/K move, Enter opens, / searches.
  var current = -1;
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("tr.row")); }
  function select(i) {
    var all = rows();
    if (!all.length) { return; }
    current = Math.max(0, Math.min(all.length - 1, i));
    all.forEach(function (r, n) { r.classList.toggle("selected", n === current); });
    all[current].focus();
    all[current].scrollIntoView({block: "nearest"});
  }
  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (typing(event)) {
      if (event.key === "Escape") { event.target.blur(); }  // back to the keys of the page
      return;
    }
    var key = event.key;
    if (document.getElementById("queue-table")) {
      if (key === "j" || key === "J") { select(current + 1); event.preventDefault(); }
      else if (key === "k" || key === "K") { select(current - 1); event.preventDefault(); }
      else if (key === "Enter" && current >= 0) {
        var row = rows()[current];
        if (row) { window.location.href = row.getAttribute("data-href"); }
      } else if (key === "/") {
        var q = document.getElementById("q");
        if (q) { q.focus(); event.preventDefault(); }
      }
    }
    var decide = document.querySelector("form.decide");
    if (decide && /^[1-5]$/.test(key)) {
      var button = decide.querySelector('button[data-key="' + key + '"]');
      if (button) { button.click(); event.preventDefault(); }
    }
    if (key === "u" && document.getElementById("back")) { window.location.href = "/queue"; }
  });
  document.addEventListener("click", function (event) {
    var row = event.target.closest && event.target.closest("tr.row");
    if (row && event.target.tagName !== "A") { window.location.href = row.getAttribute("data-href"); }
  });

  // Upload: each file is sent as it is (PUT, its name in a header), the 回执 shown under it.
  var drop = document.getElementById("drop");
  var input = document.getElementById("file-input");
  var receipts = document.getElementById("receipts");
  function send(file) {
    var slot = document.createElement("article");
    slot.className = "receipt pending";
    slot.textContent = "正在处理：" + file.name + " ……";
    receipts.insertBefore(slot, receipts.firstChild);
    fetch("/upload", {
      method: "PUT", body: file, credentials: "same-origin",
      headers: {"X-CSRF-Token": csrf, "X-File-Name": encodeURIComponent(file.name),
                "HX-Request": "true"}
    }).then(function (response) {
      return response.text().then(function (html) {
        var holder = document.createElement("div");
        holder.innerHTML = html;  // the server's own escaped partial
        slot.replaceWith(holder.firstElementChild || holder);
      });
    }).catch(function () {
      slot.className = "receipt error";
      slot.textContent = "上传失败：" + file.name + "（网络中断或服务已停止）";
    });
  }
  if (drop && input) {
    drop.addEventListener("click", function () { input.click(); });
    drop.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { input.click(); } });
    input.addEventListener("change", function () {
      Array.prototype.forEach.call(input.files, send);
      input.value = "";
    });
    drop.addEventListener("dragover", function (e) { e.preventDefault(); drop.classList.add("over"); });
    drop.addEventListener("dragleave", function () { drop.classList.remove("over"); });
    drop.addEventListener("drop", function (e) {
      e.preventDefault();
      drop.classList.remove("over");
      Array.prototype.forEach.call(e.dataTransfer.files, send);
    });
  }
})();
