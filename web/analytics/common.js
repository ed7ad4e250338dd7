/* Helpers shared by the dashboard and the review page: DOM building (text only, never
   innerHTML), JSON fetching with readable errors, labels and number formatting. */
(function () {
  "use strict";

  var SVG_NS = "http://www.w3.org/2000/svg";

  var OUTCOMES = ["resolved", "handed_over", "abandoned", "restarted", "ongoing", "no_problem"];
  var OUTCOME_COLORS = {
    resolved: "#2e7d32", handed_over: "#1565c0", abandoned: "#ef6c00",
    restarted: "#6a5acd", ongoing: "#9e9e9e", no_problem: "#cfd8dc"
  };
  var OUTCOME_NAMES = {
    resolved: "Resolved", handed_over: "Handed over", abandoned: "Abandoned",
    restarted: "Started over", ongoing: "Ongoing", no_problem: "No problem described"
  };

  /* Set attributes / children on a node. attrs: {class, text, ...attributes}; children are
     nodes, strings (added as text) or arrays of those; null / false are skipped. */
  function fill(node, attrs, children) {
    Object.keys(attrs || {}).forEach(function (k) {
      var v = attrs[k];
      if (v === null || v === undefined || v === false) return;
      if (k === "text") node.textContent = String(v);
      else if (k === "class") node.setAttribute("class", v);
      else node.setAttribute(k, String(v));
    });
    (children || []).forEach(function (c) {
      if (c === null || c === undefined || c === false) return;
      if (Array.isArray(c)) return fill(node, null, c);
      node.appendChild(typeof c === "object" ? c : document.createTextNode(String(c)));
    });
    return node;
  }

  /* el("div", {class: "x"}, child, "text", ...) */
  function el(tag, attrs) {
    return fill(document.createElement(tag), attrs, [].slice.call(arguments, 2));
  }

  function svg(tag, attrs) {
    return fill(document.createElementNS(SVG_NS, tag), attrs, [].slice.call(arguments, 2));
  }

  function clear(node) {
    while (node.firstChild) node.removeChild(node.firstChild);
    return node;
  }

  /* GET JSON; rejects with an Error whose message reads "401 — <server's error text>". */
  function fetchJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .catch(function () {
        throw new Error("the server did not answer (network error)");
      })
      .then(function (res) {
        return res.text().then(function (body) {
          var data = null;
          try { data = body ? JSON.parse(body) : null; } catch (e) { data = null; }
          if (!res.ok) {
            var why = data && data.error ? data.error : (res.statusText || "request failed");
            throw new Error(res.status + " — " + why);
          }
          if (data === null) throw new Error("the server sent something that is not JSON");
          return data;
        });
      });
  }

  /* Query string from an object, skipping empty values; "" when nothing is left. */
  function qs(params) {
    var parts = [];
    Object.keys(params).forEach(function (k) {
      var v = params[k];
      if (v !== null && v !== undefined && v !== "") {
        parts.push(encodeURIComponent(k) + "=" + encodeURIComponent(v));
      }
    });
    return parts.length ? "?" + parts.join("&") : "";
  }

  function params() {
    var out = {};
    new URLSearchParams(window.location.search).forEach(function (v, k) { out[k] = v; });
    return out;
  }

  /* Human title for an id: labels[group][id], else the id itself. */
  function label(labels, group, id) {
    if (id === null || id === undefined || id === "") return "—";
    var g = labels && labels[group];
    if (g && g[id]) return g[id];
    if (group === "outcomes" && OUTCOME_NAMES[id]) return OUTCOME_NAMES[id];
    return String(id);
  }

  function num(n) {
    return typeof n === "number" && isFinite(n) ? n.toLocaleString() : "—";
  }

  /* 0.714 -> "71.4%"; null -> "—". digits: decimals (default 1). */
  function pct(x, digits) {
    if (typeof x !== "number" || !isFinite(x)) return "—";
    var d = digits === undefined ? 1 : digits;
    return (x * 100).toFixed(d) + "%";
  }

  function mean(x) {
    return typeof x === "number" && isFinite(x) ? x.toFixed(1) : "—";
  }

  function localTime(iso, withSeconds) {
    if (!iso) return "—";
    var d = new Date(iso);
    if (isNaN(d.getTime())) return String(iso);
    var opts = { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" };
    if (d.getFullYear() !== new Date().getFullYear()) opts.year = "numeric";
    if (withSeconds) opts.second = "2-digit";
    return d.toLocaleString(undefined, opts);
  }

  /* A coloured outcome pill. */
  function pill(outcome, labels) {
    var node = el("span", { class: "pill pill-" + (OUTCOME_COLORS[outcome] ? outcome : "other"),
                            text: label(labels, "outcomes", outcome) });
    return node;
  }

  /* Width of text in px, for fitting chart labels. */
  var canvas = null;
  function textWidth(text, font) {
    canvas = canvas || document.createElement("canvas");
    var ctx = canvas.getContext("2d");
    ctx.font = font || "12px system-ui, sans-serif";
    return ctx.measureText(String(text)).width;
  }

  /* Shorten text with "…" until it fits maxWidth px. */
  function fit(text, maxWidth, font) {
    text = String(text);
    if (textWidth(text, font) <= maxWidth) return text;
    var lo = 0, hi = text.length;
    while (lo < hi) {
      var mid = Math.ceil((lo + hi) / 2);
      if (textWidth(text.slice(0, mid) + "…", font) <= maxWidth) lo = mid; else hi = mid - 1;
    }
    return text.slice(0, lo).replace(/\s+$/, "") + "…";
  }

  /* A message box: kind is "error", "empty" or "loading". */
  function notice(kind, text) {
    return el("div", { class: "notice notice-" + kind, role: kind === "error" ? "alert" : "status", text: text });
  }

  window.A = {
    OUTCOMES: OUTCOMES, OUTCOME_COLORS: OUTCOME_COLORS, el: el, svg: svg, clear: clear,
    fetchJSON: fetchJSON, qs: qs, params: params, label: label, num: num, pct: pct, mean: mean,
    localTime: localTime, pill: pill, textWidth: textWidth, fit: fit, notice: notice
  };
})();
