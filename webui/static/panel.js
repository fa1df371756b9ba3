// Deskline panel: the little script the pages need. Every page works
// without it; it adds the password generator and keeps the calls list live.
"use strict";

(function () {
  // Password generator: a button with data-generate="ID" fills the input
  // #ID with a random password and shows it, once, so it can be copied
  // into the phone. Letters and digits only: any phone's keypad and web
  // page can take them.
  var alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
  function randomPassword(avoid) {
    for (;;) {
      var bytes = new Uint8Array(20), out = "";
      crypto.getRandomValues(bytes);
      for (var i = 0; i < bytes.length; i++) {
        // 256 is not a multiple of the alphabet's length: drop the
        // bytes that would favour its first letters.
        if (bytes[i] >= 256 - 256 % alphabet.length) { continue; }
        out += alphabet[bytes[i] % alphabet.length];
      }
      if (out.length >= 16 && (avoid === "" || out.indexOf(avoid) < 0)) { return out; }
    }
  }
  document.querySelectorAll("button[data-generate]").forEach(function (b) {
    var input = document.getElementById(b.dataset.generate);
    if (!input || !window.crypto) { return; }
    b.hidden = false;
    b.addEventListener("click", function () {
      var number = document.querySelector('input[name="number"]');
      input.value = randomPassword(number ? number.value : "");
      input.type = "text";
      input.classList.add("generated");
      // A new password answers the complaint about the old one.
      input.removeAttribute("aria-invalid");
      var complaint = document.getElementById(b.dataset.generate + "-error");
      if (complaint) { complaint.remove(); }
      var hint = document.getElementById(b.dataset.generate + "-hint");
      if (hint) {
        hint.textContent = "Copy this password into the phone now: it is not shown again once saved.";
        hint.classList.add("shown");
      }
      input.focus();
      input.select();
    });
  });

  // Calls: refresh the table from the API every two seconds.
  var table = document.getElementById("calls");
  if (!table) { return; }
  var body = table.tBodies[0];
  var stamp = document.getElementById("calls-updated");
  var canRecord = table.hasAttribute("data-record");
  var csrf = document.querySelector('meta[name="csrf-token"]').content;
  // The box's clock and the browser's may differ: measure elapsed time
  // against the box's, as the server-rendered page did.
  var skew = Date.parse(table.dataset.now) - Date.now();

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function clock(d) { return pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds()); }
  function elapsed(ms) {
    var s = Math.max(0, Math.floor(ms / 1000)), h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60);
    return (h > 0 ? h + ":" + pad(m) : m) + ":" + pad(s % 60);
  }
  function cell(row, label, text, cls) {
    var td = row.insertCell();
    td.dataset.label = label;
    if (cls) { td.className = cls; }
    if (text !== undefined) { td.textContent = text; }
    return td;
  }
  function button(action, label, cls) {
    var b = document.createElement("button");
    b.name = "action";
    b.value = action;
    b.className = cls;
    b.textContent = label;
    return b;
  }
  function render(calls) {
    var rows = document.createDocumentFragment();
    calls.forEach(function (c) {
      var tr = document.createElement("tr");
      rows.appendChild(tr);
      cell(tr, "From", c.caller, "num");
      cell(tr, "To", c.callee, "num");
      cell(tr, "State", c.state);
      var start = new Date(c.start);
      var since = cell(tr, "Since", undefined, "num");
      var t = document.createElement("time");
      t.dateTime = c.start;
      t.textContent = clock(start);
      var span = document.createElement("span");
      span.append(t, " (" + elapsed(Date.now() + skew - start.getTime()) + ")");
      since.appendChild(span);
      if (canRecord) {
        var f = document.createElement("form");
        f.method = "post";
        f.action = "/calls/" + encodeURIComponent(c.id) + "/record";
        f.className = "inline";
        var h = document.createElement("input");
        h.type = "hidden";
        h.name = "csrf";
        h.value = csrf;
        f.append(h, button("start", "Record", "small"), button("stop", "Stop", "small secondary"));
        cell(tr, "Recording").appendChild(f);
      }
    });
    if (calls.length === 0) {
      var tr = document.createElement("tr");
      tr.className = "none";
      var td = cell(tr, "", "No calls right now.", "empty");
      td.colSpan = 5;
      rows.appendChild(tr);
    }
    body.replaceChildren(rows);
  }
  function refresh() {
    fetch("/api/v1/calls", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (res) {
        if (res.status === 401) { location.href = "/login"; throw new Error("logged out"); }
        if (!res.ok) { throw new Error("HTTP " + res.status); }
        return res.json();
      })
      .then(function (calls) {
        render(calls);
        stamp.textContent = "Updated " + clock(new Date(Date.now() + skew));
        stamp.classList.remove("stale");
      })
      .catch(function () {
        stamp.textContent = "Not updated: the box did not answer";
        stamp.classList.add("stale");
      })
      .finally(function () { setTimeout(refresh, 2000); });
  }
  setTimeout(refresh, 2000);
})();
