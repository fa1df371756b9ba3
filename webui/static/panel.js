// Deskline panel: the little script the pages need. Every page shows its
// content without it; it adds the password generator, keeps the calls list
// and the dashboard live, and carries out the dashboard's agent actions.
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

  // A button with data-confirm asks before it submits its form.
  document.addEventListener("click", function (ev) {
    var b = ev.target.closest && ev.target.closest("button[data-confirm]");
    if (b && !window.confirm(b.dataset.confirm)) { ev.preventDefault(); }
  });

  dashboard();
  trunks();

  // Destinations: offer the targets of the kind chosen.
  document.querySelectorAll(".dest select").forEach(function (sel) {
    var input = sel.closest(".dest").querySelector("input");
    sel.addEventListener("change", function () {
      input.setAttribute("list", "targets-" + (sel.value === "voicemail" ? "extension" : sel.value));
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

  // Dashboard: live from the event stream /api/v1/events. Every snapshot
  // redraws the overview and the queues; agent rows are updated in place so
  // that a reason being picked is not lost. Clocks tick here, every second.
  function dashboard() {
    var root = document.getElementById("dashboard");
    if (!root || !window.EventSource) { return; }
    var badge = document.getElementById("live-badge");
    var agentsTable = document.getElementById("agents");
    var csrf = agentsTable.dataset.csrf;
    var skew = Date.parse(root.dataset.now) - Date.now();
    var labels = { "logged-out": "Logged out", available: "Available", ringing: "Ringing",
      "on-call": "On a call", "wrap-up": "Wrap-up", paused: "Paused" };
    var reasons = Array.prototype.map.call(document.querySelectorAll("#pause-reasons li"), function (li) { return li.textContent; });

    function pad(n) { return (n < 10 ? "0" : "") + n; }
    function elapsed(ms) {
      var s = Math.max(0, Math.floor(ms / 1000)), h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60);
      return (h > 0 ? h + ":" + pad(m) : m) + ":" + pad(s % 60);
    }
    function el(tag, cls, text) {
      var e = document.createElement(tag);
      if (cls) { e.className = cls; }
      if (text !== undefined) { e.textContent = text; }
      return e;
    }
    function since(t) {
      var s = el("span");
      s.dataset.since = t;
      s.textContent = elapsed(Date.now() + skew - Date.parse(t));
      return s;
    }
    function waitSince(snapTime, secs) { return new Date(Date.parse(snapTime) - secs * 1000).toISOString(); }
    function pct(n, total) { return total > 0 ? Math.round(n * 100 / total) + "%" : "–"; }
    function ended(q) { return q.handled + q.abandoned + q.timed_out + q.exited_empty + q.exited_with_key; }
    function tick() {
      var now = Date.now() + skew;
      document.querySelectorAll("#dashboard [data-since]").forEach(function (s) {
        s.textContent = elapsed(now - Date.parse(s.dataset.since));
      });
    }
    setInterval(tick, 1000);

    // Queue view: cards or a table, remembered in this browser.
    var cards = document.getElementById("queue-cards"), qtable = document.getElementById("queue-table");
    var sw = root.querySelector(".switch");
    function setView(v) {
      cards.hidden = v === "table";
      qtable.hidden = v !== "table";
      sw.querySelectorAll("button").forEach(function (b) { b.setAttribute("aria-pressed", String(b.dataset.view === v)); });
      try { localStorage.setItem("deskline.queueView", v); } catch (e) { /* private mode */ }
    }
    sw.hidden = false;
    sw.addEventListener("click", function (ev) { if (ev.target.dataset.view) { setView(ev.target.dataset.view); } });
    var saved = null;
    try { saved = localStorage.getItem("deskline.queueView"); } catch (e) { /* private mode */ }
    setView(saved === "table" ? "table" : "cards");

    function setOv(name, main, small) {
      var dd = root.querySelector('[data-ov="' + name + '"]');
      dd.replaceChildren(main);
      if (small !== undefined) { dd.append(" ", el("small", "", small)); }
    }
    function overview(snap) {
      var waiting = 0, handled = 0, abandoned = 0, timedOut = 0, end = 0, offered = 0, sl = 0, oldestWait = null;
      snap.queues.forEach(function (q) {
        waiting += q.waiting; handled += q.handled; abandoned += q.abandoned; timedOut += q.timed_out;
        end += ended(q); offered += q.offered; sl += q.service_level * q.offered;
        if (q.waiting > 0) {
          var w = waitSince(snap.time, q.longest_wait);
          if (oldestWait === null || w < oldestWait) { oldestWait = w; }
        }
      });
      var loggedIn = 0, available = 0, paused = 0, oldestCall = null;
      snap.agents.forEach(function (a) {
        if (a.status === "logged-out" || a.status === "") { return; }
        loggedIn++;
        if (a.status === "available") { available++; }
        if (a.status === "paused") { paused++; }
        if (a.status === "on-call" && (oldestCall === null || Date.parse(a.since) < Date.parse(oldestCall))) { oldestCall = a.since; }
      });
      setOv("waiting", String(waiting));
      setOv("longest-wait", oldestWait ? since(oldestWait) : "–");
      setOv("longest-call", oldestCall ? since(oldestCall) : "–");
      setOv("available", String(available), "of " + loggedIn);
      setOv("paused", String(paused));
      setOv("service-level", offered > 0 ? Math.round(sl / offered) + "%" : "–");
      setOv("handled", String(handled), pct(handled, end));
      setOv("abandoned", String(abandoned), pct(abandoned, end));
      setOv("timed-out", String(timedOut), pct(timedOut, end));
      document.getElementById("counts-hint").textContent = (snap.counts_since ? "Counts are today's, since midnight" :
        "Counts run since the box started") + "; percentages are of the callers whose wait has ended.";
    }

    function queues(snap) {
      var cs = document.createDocumentFragment(), rows = document.createDocumentFragment();
      snap.queues.forEach(function (q) {
        var e = ended(q), wait = q.waiting > 0 ? since(waitSince(snap.time, q.longest_wait)) : "–";
        var sl = q.offered > 0 ? Math.round(q.service_level) + "%" : "–";
        var avg = elapsed(q.avg_handle * 1000);
        var card = el("article", "qcard");
        card.dataset.queue = q.queue;
        var h = el("h3", "", q.queue);
        if (q.number) { h.append(" ", el("span", "off num", q.number)); }
        var dl = el("dl");
        [["Waiting", String(q.waiting), "big"], ["Longest wait", wait, "big"],
          ["Available", String(q.available), "", "of " + q.logged_in + " logged in"], ["Avg handle", avg],
          ["Handled", q.handled + " · " + pct(q.handled, e)], ["Abandoned", q.abandoned + " · " + pct(q.abandoned, e)],
          ["Timed out", q.timed_out + " · " + pct(q.timed_out, e)], ["Service level", sl, "", "in " + q.target + " s"]
        ].forEach(function (f) {
          var d = el("div", f[2] || ""), dd = el("dd", "num");
          dd.append(typeof f[1] === "string" ? f[1] : f[1].cloneNode(true));
          if (f[3]) { dd.append(" ", el("small", "", f[3])); }
          d.append(el("dt", "", f[0]), dd);
          dl.append(d);
        });
        card.append(h, dl);
        cs.append(card);

        var tr = el("tr");
        [["Queue", q.queue], ["Waiting", String(q.waiting)], ["Longest wait", wait], ["Logged in", String(q.logged_in)],
          ["Available", String(q.available)], ["Avg handle", avg], ["Handled", q.handled + " · " + pct(q.handled, e)],
          ["Abandoned", q.abandoned + " · " + pct(q.abandoned, e)], ["Timed out", q.timed_out + " · " + pct(q.timed_out, e)],
          ["Service level", sl]
        ].forEach(function (f, i) {
          var td = el("td", i > 0 ? "num" : "");
          td.dataset.label = f[0];
          td.append(typeof f[1] === "string" ? f[1] : f[1].cloneNode(true));
          tr.append(td);
        });
        rows.append(tr);
      });
      if (snap.queues.length === 0) { cs.append(el("p", "empty", "No queues yet.")); }
      cards.replaceChildren(cs);
      qtable.querySelector("tbody").replaceChildren(rows);
    }

    // Actions a supervisor may take on an agent in each status.
    function actions(a) {
      var acts = [];
      if (a.status === "logged-out") { return [["login", "Log in"]]; }
      if (a.status === "paused" || a.pending_pause) { acts.push(["unpause", a.pending_pause ? "Cancel pause" : "Unpause"]); }
      if (a.status === "wrap-up") { acts.push(["end-wrap-up", "End wrap-up"]); }
      if (a.status !== "paused" && !a.pending_pause) { acts.push(["pause", a.status === "available" ? "Pause" : "Pause after call"]); }
      acts.push(["logout", "Log out"]);
      return acts;
    }
    function actionCell(td, a) {
      var acts = actions(a), sig = JSON.stringify([acts, reasons]);
      if (td.dataset.sig === sig) { return; }
      td.dataset.sig = sig;
      var box = el("div", "acts");
      acts.forEach(function (x) {
        if (x[0] === "pause" && reasons.length > 0) {
          var sel = el("select");
          sel.setAttribute("aria-label", "Pause reason for agent " + a.id);
          sel.dataset.reason = "";
          sel.append(el("option", "", "No reason"));
          sel.options[0].value = "";
          reasons.forEach(function (r) { var o = el("option", "", r); o.value = r; sel.append(o); });
          box.append(sel);
        }
        var b = el("button", "small" + (x[0] === "logout" ? " secondary" : ""), x[1]);
        b.type = "button";
        b.dataset.act = x[0];
        b.dataset.agent = a.id;
        box.append(b);
      });
      td.replaceChildren(box);
    }
    function statusCell(td, a) {
      var box = el("span");
      box.append(el("span", "status st-" + a.status, labels[a.status] || a.status));
      if (a.reason) { box.append(" ", el("span", "reason", a.reason)); }
      if (a.forced) { box.append(" ", el("span", "tag", "forced")); }
      if (a.pending_pause) { box.append(" ", el("span", "tag", "pause pending")); }
      td.replaceChildren(box);
    }
    function text(td, v) {
      if (v) { td.textContent = v; } else { td.replaceChildren(el("span", "off", "–")); }
    }
    function agents(snap) {
      var body = agentsTable.tBodies[0], rows = {};
      Array.prototype.forEach.call(body.rows, function (tr) { if (tr.dataset.agent) { rows[tr.dataset.agent] = tr; } });
      var frag = document.createDocumentFragment();
      snap.agents.forEach(function (a) {
        var tr = rows[a.id];
        if (!tr) {
          tr = el("tr");
          tr.dataset.agent = a.id;
          ["Agent", "Status", "In status", "Queues", "Device", "Call", ""].forEach(function (l, i) {
            var td = tr.insertCell();
            td.dataset.label = l;
            if (i === 2 || i === 4 || i === 5) { td.className = "num"; }
            if (i === 6) { td.className = "actions"; }
          });
        }
        var c = tr.cells;
        var who = el("span");
        who.append(el("span", "num", a.id), " " + (a.name || ""));
        c[0].replaceChildren(who);
        statusCell(c[1], a);
        c[2].replaceChildren(since(a.since));
        text(c[3], a.queues.join(", "));
        text(c[4], a.device);
        text(c[5], a.call);
        actionCell(c[6], a);
        frag.append(tr);
      });
      if (snap.agents.length === 0) {
        var tr = el("tr", "none"), td = el("td", "empty", "No agents yet.");
        td.colSpan = 7;
        tr.append(td);
        frag.append(tr);
      }
      body.replaceChildren(frag);
    }

    var toast = null;
    function say(msg, bad) {
      if (!toast) {
        toast = el("p", "", "");
        toast.setAttribute("role", "status");
        root.insertBefore(toast, root.firstChild);
      }
      toast.className = bad ? "error" : "notice";
      toast.textContent = msg;
      toast.hidden = false;
      clearTimeout(toast.timer);
      // Success says itself in the table too: let it go after a while.
      if (!bad) { toast.timer = setTimeout(function () { toast.hidden = true; }, 6000); }
    }
    agentsTable.addEventListener("click", function (ev) {
      var b = ev.target.closest("button[data-act]");
      if (!b) { return; }
      var body = null;
      if (b.dataset.act === "pause") {
        var sel = b.parentNode.querySelector("select[data-reason]");
        body = JSON.stringify({ reason: sel ? sel.value : "" });
      }
      b.disabled = true;
      fetch("/api/v1/agents/" + encodeURIComponent(b.dataset.agent) + "/" + b.dataset.act, {
        method: "POST", credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf, Accept: "application/json" },
        body: body
      }).then(function (res) {
        return res.json().then(function (j) {
          if (!res.ok) { throw new Error(j.error || "HTTP " + res.status); }
          say("Agent " + b.dataset.agent + ": " + (labels[j.status] || j.status) + (j.pending_pause ? ", pause pending" : "") + ".", false);
        });
      }).catch(function (e) {
        say("Agent " + b.dataset.agent + ": " + e.message, true);
        b.disabled = false;
      });
    });

    function live(state, text) {
      badge.className = "badge " + state;
      badge.textContent = text;
    }
    var es = null, retry = null;
    function connect() {
      if (es) { es.close(); }
      es = new EventSource("/api/v1/events");
      es.addEventListener("snapshot", function (ev) {
        var snap = JSON.parse(ev.data);
        skew = Date.parse(snap.time) - Date.now();
        reasons = snap.pause_reasons;
        overview(snap);
        queues(snap);
        agents(snap);
        var t = new Date(Date.now() + skew);
        live("live", "Live · " + pad(t.getHours()) + ":" + pad(t.getMinutes()) + ":" + pad(t.getSeconds()));
      });
      es.onopen = function () { if (badge.classList.contains("reconnecting")) { live("live", "Live"); } };
      es.onerror = function () {
        live("reconnecting", "Reconnecting…");
        // The browser retries by itself unless the box refused the stream
        // (logged out, too many streams): then try again in a while.
        if (es.readyState === EventSource.CLOSED && retry === null) {
          // A session that ended leads to the login page.
          fetch("/api/v1/status", { credentials: "same-origin" }).then(function (res) {
            if (res.status === 401) { location.href = "/login"; }
          }, function () { /* the box is away: keep trying */ });
          retry = setTimeout(function () { retry = null; connect(); }, 5000);
        }
      };
    }
    connect();
  }

  // Trunks: refresh each trunk's live state from the API every three
  // seconds.
  function trunks() {
    var table = document.getElementById("trunks");
    if (!table) { return; }
    var stamp = document.getElementById("trunks-updated");
    function pad(n) { return (n < 10 ? "0" : "") + n; }
    function clock(d) {
      return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" + pad(d.getDate()) + " " +
        pad(d.getHours()) + ":" + pad(d.getMinutes()) + ":" + pad(d.getSeconds());
    }
    function span(cls, text) {
      var s = document.createElement("span");
      s.className = cls;
      s.textContent = text;
      return s;
    }
    function show(t) {
      var row = table.querySelector('tr[data-trunk="' + CSS.escape(t.name) + '"]');
      var st = t.status;
      if (!row || !st) { return; }
      var where = [];
      if (st.address) { where.push(st.address); }
      if (st.since && !st.since.startsWith("0001-")) { where.push("since " + clock(new Date(st.since))); }
      row.querySelector(".t-status").replaceChildren(span("status " + (st.up ? "st-available" : "st-down"), st.up ? "up" : "down"),
        span("phone", where.join(" · ")));
      if (t.register) {
        row.querySelector(".t-until").replaceChildren(st.registered_until ? document.createTextNode(clock(new Date(st.registered_until))) : span("off", "not registered"));
      }
      row.querySelector(".t-error").replaceChildren(st.last_error ? span("bad", st.last_error) : span("off", "none"));
      var calls = row.querySelector(".t-calls");
      calls.replaceChildren(document.createTextNode(String(st.calls)));
      if (t.max_channels) { calls.append(" ", span("hint", "of " + t.max_channels)); }
    }
    function refresh() {
      fetch("/api/v1/trunks", { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (res) {
          if (res.status === 401) { location.href = "/login"; throw new Error("logged out"); }
          if (!res.ok) { throw new Error("HTTP " + res.status); }
          return res.json();
        })
        .then(function (list) {
          list.forEach(show);
          stamp.textContent = "Live: updated " + clock(new Date()) + ".";
          stamp.classList.remove("stale");
        })
        .catch(function () {
          stamp.textContent = "Not updated: the box did not answer.";
          stamp.classList.add("stale");
        })
        .finally(function () { setTimeout(refresh, 3000); });
    }
    setTimeout(refresh, 3000);
  }
})();
