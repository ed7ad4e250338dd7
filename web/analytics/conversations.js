/* The conversation list of the dashboard: /analytics/episodes.json with the dashboard's
   filters (window.Dash) plus outcome / symptom / fix, 50 rows a page, newest first. */
(function () {
  "use strict";

  var el = A.el, $ = function (id) { return document.getElementById(id); };
  var LIMIT = 50, seq = 0, labels = {}, shown = null;
  var FIX_MARK = { worked: "✓", failed: "✗", skipped: "–", unanswered: "?" };
  var FIX_NOTE = { worked: "worked", failed: "did not work", skipped: "skipped", unanswered: "no answer" };

  function listQuery() {
    var s = window.Dash.state, q = window.Dash.baseQuery();
    q.outcome = s.outcome;
    q.symptom = s.symptom;
    q.fix = s.fix;
    return q;
  }

  /* ---- filter selects ---- */

  function options(sel, first, pairs, current) {
    A.clear(sel).appendChild(el("option", { value: "", text: first }));
    if (current && !pairs.some(function (p) { return p[0] === current; })) pairs.push([current, current]);
    pairs.forEach(function (p) { sel.appendChild(el("option", { value: p[0], text: p[1] })); });
    sel.value = current || "";
  }

  /* Ids seen in the figures first (busiest first), then the rest of the labels by title. */
  function ids(rows, key, group) {
    var seen = rows.map(function (r) { return r[key]; });
    var rest = Object.keys(group || {}).filter(function (k) { return seen.indexOf(k) < 0; })
      .sort(function (a, b) { return String(group[a]).localeCompare(String(group[b])); });
    return seen.concat(rest);
  }

  function fill(s) {
    labels = s.labels || {};
    var st = window.Dash.state;
    options($("filter-outcome"), "All outcomes", A.OUTCOMES.map(function (o) {
      return [o, A.label(labels, "outcomes", o)];
    }), st.outcome);
    options($("filter-symptom"), "All symptoms", ids(s.symptoms || [], "symptom", labels.symptoms).map(function (k) {
      return [k, A.label(labels, "symptoms", k)];
    }), st.symptom);
    options($("filter-fix"), "All fixes", ids(s.fixes || [], "fix", labels.fixes).map(function (k) {
      return [k, A.label(labels, "fixes", k)];
    }), st.fix);
    if (shown) render(shown);   // the rows may have arrived before the labels
  }

  function bind() {
    ["outcome", "symptom", "fix"].forEach(function (k) {
      $("filter-" + k).addEventListener("change", function (e) {
        var patch = { offset: "" };
        patch[k] = e.target.value;
        window.Dash.set(patch, "list");
      });
    });
    $("list-reset").addEventListener("click", function () {
      window.Dash.set({ outcome: "", symptom: "", fix: "", offset: "" }, "list");
    });
    $("page-newer").addEventListener("click", function () { page(-1); });
    $("page-older").addEventListener("click", function () { page(1); });
  }

  function page(dir) {
    var offset = Math.max(0, (Number(window.Dash.state.offset) || 0) + dir * LIMIT);
    window.Dash.set({ offset: String(offset) }, "list");
    $("conversations").scrollIntoView();
  }

  /* ---- rows ---- */

  function reviewURL(row) {
    var source = window.Dash.state.source;
    return "/analytics/review?id=" + encodeURIComponent(row.conversation) + "&episode=" + encodeURIComponent(row.episode) +
      (source && source !== "live" ? "&source=" + encodeURIComponent(source) : "");
  }

  function symptomCell(row) {
    var all = row.symptoms || [], td = el("td", { class: "symptom" });
    if (!row.symptom) return el("td", { class: "muted", text: "—" });
    td.appendChild(el("span", { text: A.label(labels, "symptoms", row.symptom) }));
    var more = all.filter(function (x) { return x !== row.symptom; });
    if (more.length) {
      td.appendChild(el("span", { class: "more", text: " +" + more.length,
        title: more.map(function (x) { return A.label(labels, "symptoms", x); }).join(", ") }));
    }
    return td;
  }

  function outcomeCell(row) {
    var td = el("td", {}, A.pill(row.outcome, labels));
    if (row.handover_reason) td.appendChild(el("div", { class: "reason", text: A.label(labels, "reasons", row.handover_reason) }));
    return td;
  }

  function fixesCell(row) {
    var fixes = row.fixes || [];
    if (!fixes.length) return el("td", { class: "muted", text: "none" });
    var ul = el("ul", { class: "fix-list" });
    fixes.forEach(function (f) {
      var name = A.label(labels, "fixes", f.fix);
      ul.appendChild(el("li", { class: "fix fix-" + f.outcome, title: "#" + f.rank + " " + name + ": " + (FIX_NOTE[f.outcome] || f.outcome) },
        el("span", { class: "mark", "aria-hidden": "true", text: FIX_MARK[f.outcome] || "·" }),
        el("span", { text: name }),
        el("span", { class: "sr-only", text: " (" + (FIX_NOTE[f.outcome] || f.outcome) + ")" })));
    });
    return el("td", {}, ul);
  }

  function rowNode(row) {
    var href = reviewURL(row);
    var tr = el("tr", { "data-testid": "episode-row", "data-conversation": row.conversation, "data-episode": row.episode, class: "row" },
      el("td", { class: "started" }, el("a", { href: href, text: A.localTime(row.started) }),
        row.episode > 1 ? el("div", { class: "reason", text: "diagnosis " + row.episode }) : null),
      el("td", { text: row.channel || "—" }),
      symptomCell(row), outcomeCell(row), fixesCell(row),
      el("td", { class: "num", text: A.num(row.turns) }));
    tr.addEventListener("click", function (e) {
      if (e.target.closest("a") || String(window.getSelection())) return;
      window.location.href = href;
    });
    return tr;
  }

  /* ---- loading ---- */

  function status(node) {
    A.clear($("list-status"));
    if (node) $("list-status").appendChild(node);
  }

  function exportLinks() {
    var q = A.qs(listQuery());
    $("export-csv").href = "/analytics/episodes.csv" + q;
    $("export-json").href = "/analytics/episodes.json" + q;
  }

  function load() {
    var mine = ++seq, st = window.Dash.state, offset = Number(st.offset) || 0;
    ["outcome", "symptom", "fix"].forEach(function (k) { if ($("filter-" + k).value !== st[k]) ensure($("filter-" + k), st[k]); });
    exportLinks();
    $("conversations").classList.add("busy");
    var q = listQuery();
    q.limit = LIMIT;
    q.offset = offset;
    A.fetchJSON("/analytics/episodes.json" + A.qs(q)).then(function (data) {
      if (mine === seq) render(data);
    }).catch(function (err) {
      if (mine !== seq) return;
      A.clear($("episode-rows"));
      document.querySelector("#conversations .table-wrap").hidden = true;
      shown = null;
      pager(0, 0, 0);
      status(A.notice("error", "Could not load conversations: " + err.message));
    }).then(function () { if (mine === seq) $("conversations").classList.remove("busy"); });
  }

  /* Select `value`, adding it as an option if the summary has not listed it (yet). */
  function ensure(sel, value) {
    if (value && !Array.prototype.some.call(sel.options, function (o) { return o.value === value; })) {
      sel.appendChild(el("option", { value: value, text: value }));
    }
    sel.value = value || "";
  }

  function render(data) {
    shown = data;
    var rows = data.episodes || [], body = A.clear($("episode-rows")), st = window.Dash.state;
    var filtered = st.outcome || st.symptom || st.fix;
    status(rows.length ? null : A.notice("empty", filtered ? "No conversations match these filters."
                                                            : "No conversations in this period yet"));
    rows.forEach(function (r) { body.appendChild(rowNode(r)); });
    document.querySelector("#conversations .table-wrap").hidden = !rows.length;
    pager(Number(data.offset) || 0, rows.length, Number(data.total) || 0);
  }

  function pager(offset, count, total) {
    $("page-newer").disabled = offset <= 0;
    $("page-older").disabled = offset + count >= total;
    $("page-info").textContent = total ? (offset + 1) + "–" + (offset + count) + " of " + A.num(total) : "";
  }

  window.List = { fill: fill, load: load };
  document.addEventListener("DOMContentLoaded", bind);
})();
