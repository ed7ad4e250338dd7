/* Small inline-SVG charts. Each function draws into `box` (emptied first) at the box's
   current width; call again to redraw after a resize. Every data item gets at least one
   <rect> or <path> with a <title> tooltip. Needs common.js (window.A). */
(function () {
  "use strict";

  var el = A.el, svg = A.svg;
  var FONT = "12px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
  var SMALL = "11px system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif";
  var ACCENT = "#3949ab", TRACK = "#eef0f4", AXIS = "#b8bec8", MUTED = "#5f6b7a", INK = "#1f2430";

  /* An empty <svg> filling the box's width. */
  function frame(box, height, name) {
    A.clear(box);
    var width = Math.max(240, Math.floor(box.clientWidth || 600));
    var node = svg("svg", { width: width, height: height, viewBox: "0 0 " + width + " " + height,
                            role: "img", "aria-label": name || "chart", class: "chart-svg" });
    box.appendChild(node);
    return { node: node, width: width, height: height };
  }

  /* <text> at x, y; a 5th argument (e.g. a <title>) is appended. */
  function text(x, y, str, attrs, extra) {
    var a = { x: x, y: y, fill: INK, "font-size": 12 };
    Object.keys(attrs || {}).forEach(function (k) { a[k] = attrs[k]; });
    return svg("text", a, String(str), extra || null);
  }

  function rect(x, y, w, h, fillColor, title, attrs) {
    var a = { x: x, y: y, width: Math.max(0, w), height: Math.max(0, h), fill: fillColor };
    Object.keys(attrs || {}).forEach(function (k) { a[k] = attrs[k]; });
    return svg("rect", a, title ? svg("title", {}, title) : null);
  }

  /* A "nice" axis maximum and step (1, 2 or 5 times a power of ten). */
  function niceScale(max, ticks) {
    if (!(max > 0)) return { max: 1, step: 1 };
    var raw = max / (ticks || 4), pow = Math.pow(10, Math.floor(Math.log10(raw)));
    var step = [1, 2, 5, 10].map(function (m) { return m * pow; }).filter(function (s) { return s >= raw; })[0];
    step = Math.max(1, step);
    return { max: Math.ceil(max / step) * step, step: step };
  }

  function maxWidth(strings, font) {
    return strings.reduce(function (m, s) { return Math.max(m, A.textWidth(s, font)); }, 0);
  }

  /* HTML legend: items [{name, color, value?}]. */
  function legend(items) {
    var box = el("div", { class: "legend" });
    items.forEach(function (it) {
      box.appendChild(el("span", { class: "legend-item" },
        el("span", { class: "swatch", style: "background:" + it.color }),
        it.name + (it.value !== undefined ? " " : ""),
        it.value !== undefined ? el("b", { text: it.value }) : null));
    });
    return box;
  }

  /* Every day from `from` (else the first row) to `to` (else the last row), zero-filled.
     Spans over 400 days (or odd dates) fall back to the rows as given. */
  function allDays(rows, from, to) {
    var byDay = {}, days = rows.map(function (r) { return r.day; }).sort();
    rows.forEach(function (r) { byDay[r.day] = r; });
    var span = function (a, b) {
      var out = [], d = new Date(a + "T00:00:00Z"), last = new Date(b + "T00:00:00Z");
      if (isNaN(d.getTime()) || isNaN(last.getTime()) || (last - d) / 86400000 > 400) return null;
      for (; d <= last; d.setUTCDate(d.getUTCDate() + 1)) {
        var key = d.toISOString().slice(0, 10);
        out.push(byDay[key] || { day: key });
      }
      return out;
    };
    var first = days[0], end = days[days.length - 1];
    return span(from && from < first ? from : first, to && to > end ? to : end) || span(first, end) || rows;
  }

  function dayLabel(day) {
    var d = new Date(day + "T00:00:00Z");
    return isNaN(d.getTime()) ? day : d.toLocaleDateString(undefined, { month: "short", day: "numeric", timeZone: "UTC" });
  }

  /* Vertical bars per day, stacked by `keys`. opts: {keys, colors, names, yLabel, xLabel,
     from?, to? (extend the axis to these days)}. */
  function stackedByDay(box, rows, opts) {
    var days = allDays(rows, opts.from, opts.to), keys = opts.keys;
    var f = frame(box, 270, opts.title), m = { l: 46, r: 10, t: 20, b: 44 };
    var pw = f.width - m.l - m.r, ph = f.height - m.t - m.b;
    var totals = days.map(function (r) { return keys.reduce(function (s, k) { return s + (r[k] || 0); }, 0); });
    var scale = niceScale(Math.max.apply(null, totals.concat([1])), 4);
    var y = function (v) { return m.t + ph - (v / scale.max) * ph; };
    for (var t = 0; t <= scale.max; t += scale.step) {
      f.node.appendChild(svg("line", { x1: m.l, x2: m.l + pw, y1: y(t), y2: y(t), stroke: t ? TRACK : AXIS }));
      f.node.appendChild(text(m.l - 6, y(t) + 4, t, { "text-anchor": "end", fill: MUTED, "font-size": 11 }));
    }
    var band = pw / days.length, bw = Math.max(2, Math.min(48, band * 0.72));
    var every = Math.ceil((A.textWidth("Nov 30", SMALL) + 10) / band);
    days.forEach(function (r, i) {
      var x = m.l + i * band + (band - bw) / 2, base = 0;
      var tip = dayLabel(r.day) + " (" + r.day + ") — " + totals[i] + " in all\n" + keys.map(function (k) {
        return opts.names[k] + ": " + (r[k] || 0);
      }).join("\n");
      if (!totals[i]) f.node.appendChild(rect(x, y(0) - 1, bw, 1, AXIS, tip));
      keys.forEach(function (k) {
        var v = r[k] || 0;
        if (!v) return;
        var top = y(base + v), h = y(base) - top;
        f.node.appendChild(rect(x, top, bw, h, opts.colors[k], opts.names[k] + ": " + v + "\n" + tip, { "data-key": k }));
        if (h >= 15 && bw >= 20) {
          f.node.appendChild(text(x + bw / 2, top + h / 2 + 4, v, { "text-anchor": "middle", "font-size": 10,
            fill: k === "no_problem" || k === "ongoing" ? INK : "#fff", "pointer-events": "none" }));
        }
        base += v;
      });
      if (totals[i] && band >= 16) {
        f.node.appendChild(text(x + bw / 2, y(totals[i]) - 4, totals[i], { "text-anchor": "middle", "font-size": 11, "font-weight": 600 }));
      }
      if (i % every === 0) {
        f.node.appendChild(text(x + bw / 2, m.t + ph + 16, dayLabel(r.day), { "text-anchor": "middle", fill: MUTED, "font-size": 11 }));
      }
    });
    f.node.appendChild(text(m.l + pw / 2, f.height - 6, opts.xLabel || "Day", { "text-anchor": "middle", fill: MUTED, "font-size": 11 }));
    f.node.appendChild(text(0, 0, opts.yLabel || "Count", { transform: "translate(12," + (m.t + ph / 2) + ") rotate(-90)",
      "text-anchor": "middle", fill: MUTED, "font-size": 11 }));
    return f.node;
  }

  /* Horizontal bars. items: [{label, title?, segments: [{value, color, name}], valueText, subText?}].
     opts: {max?, onClick?(item)}. */
  function hbars(box, items, opts) {
    opts = opts || {};
    var sub = items.some(function (it) { return it.subText; });
    var rh = sub ? 42 : 28, bh = 16, pad = 6;
    var f = frame(box, items.length * rh + pad * 2, opts.title);
    var lw = Math.min(f.width * 0.45, maxWidth(items.map(function (i) { return i.label; }), FONT) + 14);
    var vw = Math.min(f.width * 0.32, maxWidth(items.map(function (i) { return i.valueText || ""; }), FONT) + 12);
    var bar = f.width - lw - vw;
    var totals = items.map(function (it) { return it.segments.reduce(function (s, g) { return s + (g.value || 0); }, 0); });
    var max = opts.max || Math.max.apply(null, totals.concat([1]));
    items.forEach(function (it, i) {
      var y0 = pad + i * rh, yb = y0 + (sub ? 4 : (rh - bh) / 2), x = lw;
      var g = svg("g", { class: opts.onClick ? "clickable" : null, "data-item": it.id || null });
      var tip = it.title || (it.label + ": " + it.valueText);
      g.appendChild(rect(0, y0, f.width, rh, "transparent", tip, { class: "row-bg", rx: 4 }));
      g.appendChild(text(lw - 8, yb + bh / 2 + 4, A.fit(it.label, lw - 14, FONT), { "text-anchor": "end" },
        svg("title", {}, it.label)));
      it.segments.forEach(function (s) {
        var w = (s.value / max) * bar;
        if (w > 0) g.appendChild(rect(x, yb, Math.max(1, w), bh, s.color, s.name + ": " + s.value + "\n" + tip));
        x += w;
      });
      g.appendChild(text(x + 6, yb + bh / 2 + 4, it.valueText || totals[i], { "font-weight": 600 }));
      if (it.subText) g.appendChild(text(lw, yb + bh + 14, A.fit(it.subText, bar + vw - 4, SMALL), { fill: MUTED, "font-size": 11 }));
      if (opts.onClick) g.addEventListener("click", function () { opts.onClick(it); });
      f.node.appendChild(g);
    });
    return f.node;
  }

  /* Funnel: steps [{label, count}], bars centred, each with count and % of the first step. */
  function funnel(box, steps, opts) {
    opts = opts || {};
    var rh = 52, bh = 30, f = frame(box, steps.length * rh + 8, opts.title);
    var first = steps.length ? steps[0].count || 0 : 0;
    var values = steps.map(function (s) { return A.num(s.count) + " · " + A.pct(first ? s.count / first : null, 0); });
    var lw = Math.min(f.width * 0.32, maxWidth(steps.map(function (s) { return s.label; }), FONT) + 14);
    var vw = Math.min(f.width * 0.3, Math.max(maxWidth(values, FONT), A.textWidth("−9999 (−100%)", SMALL)) + 14);
    var area = f.width - lw - vw, cx = lw + area / 2, prev = null;
    steps.forEach(function (s, i) {
      var w = Math.max(3, first ? (s.count / first) * area : 3), y = 4 + i * rh, color = opts.colors && opts.colors[s.step] || ACCENT;
      var drop = i ? steps[i - 1].count - s.count : 0;
      var tip = s.label + ": " + A.num(s.count) + " (" + A.pct(first ? s.count / first : null) + " of the first step)" +
        (i ? "\n" + A.num(drop) + " fewer than the step before" : "");
      if (prev) {
        f.node.appendChild(svg("path", { fill: "#dfe3f3", d: "M" + (cx - prev / 2) + "," + (y - rh + 4 + bh) + " L" + (cx + prev / 2) + "," +
          (y - rh + 4 + bh) + " L" + (cx + w / 2) + "," + y + " L" + (cx - w / 2) + "," + y + " Z" }, svg("title", {}, tip)));
      }
      f.node.appendChild(rect(cx - w / 2, y, w, bh, color, tip, { rx: 3 }));
      f.node.appendChild(text(lw - 10, y + bh / 2 + 4, A.fit(s.label, lw - 14, FONT), { "text-anchor": "end" }, svg("title", {}, s.label)));
      f.node.appendChild(text(lw + area + 10, y + bh / 2 - (i ? 2 : -4), values[i], { "font-weight": 600 }));
      if (i) {
        var dropPct = steps[i - 1].count ? " (−" + A.pct(drop / steps[i - 1].count, 0) + ")" : "";
        f.node.appendChild(text(lw + area + 10, y + bh / 2 + 12, "−" + A.num(drop) + dropPct, { fill: MUTED, "font-size": 11 }));
      }
      prev = w;
    });
    return f.node;
  }

  /* Vertical histogram of {"0": n, "1": n, ...}; gaps between keys are filled with 0.
     opts: {xLabel, yLabel, color, unit(k) -> "2 questions"}. */
  function histogram(box, data, opts) {
    opts = opts || {};
    var keys = Object.keys(data || {}).map(Number).filter(function (k) { return isFinite(k); }).sort(function (a, b) { return a - b; });
    var f = frame(box, 190, opts.title), m = { l: 24, r: 8, t: 20, b: 40 };
    if (!keys.length) {
      f.node.appendChild(text(f.width / 2, 90, "No resolved diagnoses yet", { "text-anchor": "middle", fill: MUTED }));
      return f.node;
    }
    var xs = [];
    for (var k = keys[0]; k <= keys[keys.length - 1] && xs.length < 60; k++) xs.push(k);
    var counts = xs.map(function (x) { return data[String(x)] || 0; });
    var total = counts.reduce(function (s, c) { return s + c; }, 0), max = Math.max.apply(null, counts.concat([1]));
    var pw = f.width - m.l - m.r, ph = f.height - m.t - m.b, band = pw / xs.length, bw = Math.min(56, band * 0.78);
    f.node.appendChild(svg("line", { x1: m.l, x2: m.l + pw, y1: m.t + ph, y2: m.t + ph, stroke: AXIS }));
    xs.forEach(function (x, i) {
      var h = (counts[i] / max) * ph, bx = m.l + i * band + (band - bw) / 2;
      var tip = (opts.unit ? opts.unit(x) : x) + ": " + counts[i] + " (" + A.pct(total ? counts[i] / total : null, 0) + ")";
      f.node.appendChild(rect(bx, m.t + ph - Math.max(h, 1), bw, Math.max(h, 1), counts[i] ? (opts.color || ACCENT) : AXIS, tip, { rx: 2 }));
      f.node.appendChild(text(bx + bw / 2, m.t + ph - h - 5, counts[i], { "text-anchor": "middle", "font-size": 11, "font-weight": 600 }));
      f.node.appendChild(text(bx + bw / 2, m.t + ph + 15, x, { "text-anchor": "middle", fill: MUTED, "font-size": 11 }));
    });
    f.node.appendChild(text(m.l + pw / 2, f.height - 4, opts.xLabel || "", { "text-anchor": "middle", fill: MUTED, "font-size": 11 }));
    f.node.appendChild(text(0, 0, opts.yLabel || "", { transform: "translate(10," + (m.t + ph / 2) + ") rotate(-90)",
      "text-anchor": "middle", fill: MUTED, "font-size": 11 }));
    return f.node;
  }

  window.Charts = { legend: legend, stackedByDay: stackedByDay, hbars: hbars, funnel: funnel, histogram: histogram, ACCENT: ACCENT };
})();
