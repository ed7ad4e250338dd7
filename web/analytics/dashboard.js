/* The analytics dashboard: filters kept in the URL, headline cards and charts from
   /analytics/summary.json. The conversation list lives in conversations.js (window.List). */
(function () {
  "use strict";

  var el = A.el, $ = function (id) { return document.getElementById(id); };
  var BASE = ["from", "to", "channel", "language", "source"];
  var LIST = ["outcome", "symptom", "fix", "offset"];
  var state = {}, summary = null, seq = 0;

  /* ---- state in the URL ---- */

  function readState() {
    var p = A.params();
    BASE.concat(LIST).forEach(function (k) { state[k] = p[k] || ""; });
  }

  function pick(keys) {
    var out = {};
    keys.forEach(function (k) { out[k] = state[k]; });
    return out;
  }

  function baseQuery() { return pick(BASE); }

  function writeURL() {
    var q = pick(BASE.concat(LIST));
    if (q.offset === "0") q.offset = "";
    history.replaceState(null, "", window.location.pathname + A.qs(q));
  }

  /* Change filters; `scope` "list" only reloads the conversation list. */
  function set(patch, scope) {
    Object.keys(patch).forEach(function (k) { state[k] = patch[k] || ""; });
    writeURL();
    if (scope !== "list") loadSummary();
    if (window.List) window.List.load();
  }

  /* ---- filter bar ---- */

  function bindFilters() {
    $("filter-from").value = state.from;
    $("filter-to").value = state.to;
    [["filter-from", "from"], ["filter-to", "to"], ["filter-channel", "channel"], ["filter-language", "language"]].forEach(function (pair) {
      $(pair[0]).addEventListener("change", function (e) {
        var patch = { offset: "" };
        patch[pair[1]] = e.target.value;
        set(patch);
      });
    });
    document.querySelectorAll("[data-preset]").forEach(function (b) {
      b.addEventListener("click", function () { applyPreset(b.getAttribute("data-preset")); });
    });
    $("filters").addEventListener("submit", function (e) { e.preventDefault(); });
  }

  function applyPreset(preset) {
    var patch = { from: "", to: "", offset: "" };
    if (preset !== "all") {
      var last = summary && summary.range && summary.range.last;
      var end = last ? new Date(last + "T00:00:00Z") : new Date();
      var start = new Date(end.getTime() - (Number(preset) - 1) * 86400000);
      patch.from = start.toISOString().slice(0, 10);
      patch.to = end.toISOString().slice(0, 10);
    }
    $("filter-from").value = patch.from;
    $("filter-to").value = patch.to;
    set(patch);
  }

  function fillFilters(s) {
    var sel = $("filter-channel"), channels = (s.channels || []).slice();
    if (state.channel && channels.indexOf(state.channel) < 0) channels.push(state.channel);
    A.clear(sel).appendChild(el("option", { value: "", text: "All channels" }));
    channels.forEach(function (c) { sel.appendChild(el("option", { value: c, text: c })); });
    sel.value = state.channel;
    var lsel = $("filter-language"), langs = (s.languages || []).slice();
    if (state.language && langs.indexOf(state.language) < 0) langs.push(state.language);
    A.clear(lsel).appendChild(el("option", { value: "", text: "All languages" }));
    langs.forEach(function (c) { lsel.appendChild(el("option", { value: c, text: c })); });
    lsel.value = state.language;
    var r = s.range || {};
    ["filter-from", "filter-to"].forEach(function (id) {
      if (r.first) $(id).min = r.first;
      if (r.last) $(id).max = r.last;
    });
    $("range-hint").textContent = r.first ? "Data from " + r.first + " to " + r.last : "";
    $("export-summary").href = "/analytics/summary.json" + A.qs(baseQuery());
  }

  /* ---- header ---- */

  function renderHeader(s) {
    $("demo-badge").hidden = s.source !== "demo";
    var nav = A.clear($("source-switch")), sources = s.sources || [];
    nav.hidden = !(sources.indexOf("live") >= 0 && sources.indexOf("demo") >= 0);
    ["live", "demo"].forEach(function (src) {
      var a = el("a", { href: "?source=" + src, text: src === "live" ? "Live" : "Demo",
                        "aria-current": s.source === src ? "page" : null });
      nav.appendChild(a);
    });
    $("generated").textContent = s.generated_at ? "Updated " + A.localTime(s.generated_at) : "";
  }

  /* ---- headline cards ---- */

  function card(key, name, value, sub, color, hint) {
    return el("div", { class: "stat", "data-testid": "card-" + key, title: hint || null,
                       style: color ? "border-top-color:" + color : null },
      el("div", { class: "stat-name", text: name }),
      el("div", { class: "stat-value", text: value }),
      el("div", { class: "stat-sub", text: sub }));
  }

  function renderCards(s) {
    var c = s.counts || {}, r = s.rates || {}, p = s.per_resolved || {}, d = s.definitions || {}, C = A.OUTCOME_COLORS;
    var box = A.clear($("cards"));
    [
      card("conversations", "Conversations", A.num(c.conversations), A.num(c.episodes) + " episodes", "#3949ab"),
      card("diagnoses", "Diagnoses", A.num(c.diagnoses), A.num(c.finished) + " finished · " + A.num(c.ongoing) + " ongoing", "#3949ab", d.diagnosis),
      card("resolution", "Resolution rate", A.pct(r.resolution), A.num(c.resolved) + " resolved", C.resolved, d.resolution_rate),
      card("handover", "Hand-over rate", A.pct(r.handover), A.num(c.handed_over) + " handed over", C.handed_over, d.handover_rate),
      card("abandonment", "Abandonment rate", A.pct(r.abandonment), A.num(c.abandoned) + " abandoned", C.abandoned, d.abandonment_rate),
      card("restart", "Restart rate", A.pct(r.restart), A.num(c.restarted) + " started over", C.restarted, d.restart_rate),
      card("questions", "Questions per resolved", A.mean(p.questions_mean), "mean, per resolved diagnosis", "#7986cb"),
      card("fixes", "Fixes per resolved", A.mean(p.fixes_mean), "mean · " + A.mean(p.turns_mean) + " turns", "#7986cb")
    ].forEach(function (n) { box.appendChild(n); });
  }

  function renderDefinitions(s) {
    var dl = A.clear($("definitions-list")), defs = s.definitions || {};
    Object.keys(defs).forEach(function (k) {
      var name = k.replace(/_/g, " ");
      dl.appendChild(el("dt", { text: name.charAt(0).toUpperCase() + name.slice(1) }));
      dl.appendChild(el("dd", { text: defs[k] }));
    });
    $("definitions").hidden = !Object.keys(defs).length;
  }

  /* Clicking a bar narrows the conversation list and scrolls to it. */
  function filterList(patch) {
    patch.offset = "";
    var base = Object.keys(patch).some(function (k) { return BASE.indexOf(k) >= 0; });  // e.g. a language
    set(patch, base ? "all" : "list");
    document.getElementById("conversations").scrollIntoView({ behavior: "smooth" });
  }

  function drawCharts(s) {
    document.querySelectorAll("[data-chart]").forEach(function (box) {
      try {
        window.Figures.draw(box, box.getAttribute("data-chart"), s, filterList);
      } catch (err) {
        A.clear(box).appendChild(A.notice("error", "Could not draw this chart: " + err.message));
        if (window.console) console.warn(err);
      }
    });
  }

  /* ---- loading ---- */

  function showStatus(node) {
    var box = A.clear($("status"));
    if (node) box.appendChild(node);
  }

  function loadSummary() {
    var mine = ++seq, overview = $("overview");
    overview.classList.add("busy");
    if (!summary) showStatus(A.notice("loading", "Loading figures…"));
    A.fetchJSON("/analytics/summary.json" + A.qs(baseQuery())).then(function (s) {
      if (mine !== seq) return;
      summary = s;
      render(s);
    }).catch(function (err) {
      if (mine !== seq) return;
      overview.hidden = true;
      showStatus(A.notice("error", "Could not load figures: " + err.message));
    }).then(function () { if (mine === seq) overview.classList.remove("busy"); });
  }

  function render(s) {
    showStatus(null);
    renderHeader(s);
    fillFilters(s);
    renderCards(s);
    renderDefinitions(s);
    var none = !((s.counts || {}).episodes || (s.counts || {}).conversations);
    $("overview").hidden = false;
    $("charts").hidden = none;
    $("empty").hidden = !none;
    A.clear($("empty"));
    if (none) $("empty").appendChild(A.notice("empty", "No conversations in this period yet"));
    else drawCharts(s);
    if (window.List) window.List.fill(s);
  }

  function onResize() {
    var timer = null, width = window.innerWidth;
    window.addEventListener("resize", function () {
      clearTimeout(timer);
      timer = setTimeout(function () {
        if (window.innerWidth === width || !summary) return;
        width = window.innerWidth;
        if (!$("charts").hidden) drawCharts(summary);
      }, 150);
    });
  }

  window.Dash = {
    state: state, set: set, baseQuery: baseQuery,
    summary: function () { return summary; }
  };

  document.addEventListener("DOMContentLoaded", function () {
    readState();
    bindFilters();
    onResize();
    loadSummary();
    if (window.List) window.List.load();
  });
})();
