/* The dashboard's charts: turn /analytics/summary.json into Charts.* calls, one function
   per data-chart name. Needs common.js and charts.js. */
(function () {
  "use strict";

  var el = A.el;

  var FAIL = "#f4a582", SKIP = "#b0bec5", NOANSWER = "#dde3e8", REST = "#b0bec5";

  function none(box, text) {
    A.clear(box).appendChild(A.notice("empty", text));
  }

  function share(n, total) {
    return total ? " · " + A.pct(n / total, 0) : "";
  }

  var CHARTS = {
    by_day: function (box, s) {
      var C = A.OUTCOME_COLORS, names = {}, totals = {}, keys = A.OUTCOMES;
      keys.forEach(function (k) {
        names[k] = A.label(s.labels, "outcomes", k);
        totals[k] = (s.by_day || []).reduce(function (t, r) { return t + (r[k] || 0); }, 0);
      });
      if (!(s.by_day || []).length) return none(box, "No episodes in this period.");
      var holder = A.clear(box).appendChild(el("div"));
      box.insertBefore(Charts.legend(keys.map(function (k) {
        return { name: names[k], color: C[k], value: A.num(totals[k]) };
      })), holder);
      var f = s.filters || {};
      Charts.stackedByDay(holder, s.by_day, { keys: keys, colors: C, names: names, title: "Episodes per day by outcome",
        yLabel: "Episodes started", xLabel: "Day (UTC)", from: f.from, to: f.to });
    },

    funnel: function (box, s) {
      if (!(s.funnel || []).length) return none(box, "No funnel figures.");
      Charts.funnel(box, s.funnel, { title: "Funnel", colors: { resolved: A.OUTCOME_COLORS.resolved } });
    },

    symptoms: function (box, s, onFilter) {
      var rows = s.symptoms || [];
      if (!rows.length) return none(box, "No symptoms reported in this period.");
      Charts.hbars(box, rows.map(function (r) {
        var name = A.label(s.labels, "symptoms", r.symptom);
        return { id: r.symptom, label: name, valueText: A.num(r.episodes) + share(r.resolved, r.episodes) + " resolved",
          title: name + "\n" + r.episodes + " diagnoses, " + r.resolved + " resolved",
          segments: [{ value: r.resolved, color: A.OUTCOME_COLORS.resolved, name: "Resolved" },
                     { value: r.episodes - r.resolved, color: REST, name: "Not resolved" }] };
      }), { title: "Symptoms", onClick: function (it) { onFilter({ symptom: it.id }); } });
      box.insertBefore(Charts.legend([{ name: "Resolved", color: A.OUTCOME_COLORS.resolved }, { name: "Not resolved", color: REST }]), box.firstChild);
    },

    by_language: function (box, s, onFilter) {
      var rows = s.by_language || [];
      if (!rows.length) return none(box, "No conversations in this period.");
      Charts.hbars(box, rows.map(function (r) {
        return { id: r.language, label: r.language, valueText: A.num(r.episodes) + share(r.resolved, r.finished) + " of finished resolved",
          title: r.language + "\n" + r.episodes + " episodes, " + r.finished + " finished, " + r.resolved + " resolved",
          segments: [{ value: r.resolved, color: A.OUTCOME_COLORS.resolved, name: "Resolved" },
                     { value: r.episodes - r.resolved, color: REST, name: "Not resolved" }] };
      }), { title: "Languages", onClick: function (it) { onFilter({ language: it.id === "unknown" ? "" : it.id }); } });
    },

    fixes: function (box, s, onFilter) {
      var rows = s.fixes || [];
      if (!rows.length) return none(box, "No fixes suggested in this period.");
      Charts.hbars(box, rows.map(fixItem.bind(null, s)), { title: "Fixes", onClick: function (it) { onFilter({ fix: it.id }); } });
      box.insertBefore(Charts.legend([{ name: "Worked", color: A.OUTCOME_COLORS.resolved }, { name: "Failed", color: FAIL },
        { name: "Skipped", color: SKIP }, { name: "No answer", color: NOANSWER }]), box.firstChild);
    },

    causes: function (box, s) {
      var rows = s.causes || [], total = rows.reduce(function (t, r) { return t + r.found; }, 0);
      if (!rows.length) return none(box, "No finished diagnoses in this period.");
      Charts.hbars(box, rows.map(function (r) {
        var name = A.label(s.labels, "causes", r.cause);
        return { id: r.cause, label: name, valueText: A.num(r.found) + share(r.found, total),
          segments: [{ value: r.found, color: Charts.ACCENT, name: "Top cause" }] };
      }), { title: "Causes" });
    },

    handover_reasons: function (box, s) {
      var rows = s.handover_reasons || [], total = rows.reduce(function (t, r) { return t + r.count; }, 0);
      if (!rows.length) return none(box, "No hand-overs in this period.");
      Charts.hbars(box, rows.map(function (r) {
        var name = A.label(s.labels, "reasons", r.reason);
        return { id: r.reason, label: name, valueText: A.num(r.count) + share(r.count, total),
          segments: [{ value: r.count, color: A.OUTCOME_COLORS.handed_over, name: "Handed over" }] };
      }), { title: "Hand-over reasons" });
    },

    per_resolved: function (box, s) {
      var p = s.per_resolved || {};
      A.clear(box);
      [["questions_hist", "Questions asked", p.questions_mean, "question"], ["fixes_hist", "Fixes tried", p.fixes_mean, "fix"]]
        .forEach(function (h) {
          var holder = el("div", { class: "hist-chart" });
          box.appendChild(el("div", { class: "hist" }, el("h3", { text: h[1] + " (mean " + A.mean(h[2]) + ")" }), holder));
          Charts.histogram(holder, p[h[0]] || {}, { title: h[1], xLabel: h[1].toLowerCase() + " per resolved diagnosis",
            yLabel: "diagnoses", color: "#5c6bc0",
            unit: function (k) { return k + " " + h[3] + (k === 1 ? "" : h[3] === "fix" ? "es" : "s"); } });
        });
    }
  };

  function fixItem(s, r) {
    var name = A.label(s.labels, "fixes", r.fix), ranks = r.worked_at_rank || {};
    var rankText = Object.keys(ranks).sort(function (a, b) { return a - b; })
      .map(function (k) { return "rank " + k + ": " + ranks[k]; }).join(" · ");
    return { id: r.fix, label: name,
      valueText: A.num(r.worked) + "/" + A.num(r.suggested) + " worked · " + A.pct(r.success_rate, 0) + " success",
      subText: rankText ? "worked when suggested at " + rankText : "never worked yet",
      title: name + "\nsuggested " + r.suggested + " · worked " + r.worked + " · failed " + r.failed +
        " · skipped " + (r.skipped || 0) + " · no answer " + (r.unanswered || 0) + "\nsuccess rate " + A.pct(r.success_rate),
      segments: [{ value: r.worked, color: A.OUTCOME_COLORS.resolved, name: "Worked" }, { value: r.failed, color: FAIL, name: "Failed" },
                 { value: r.skipped || 0, color: SKIP, name: "Skipped" }, { value: r.unanswered || 0, color: NOANSWER, name: "No answer" }] };
  }

  /* Draw chart `name` from summary `s` into `box`; onFilter(patch) narrows the conversation list. */
  function draw(box, name, s, onFilter) {
    if (CHARTS[name]) CHARTS[name](box, s, onFilter);
  }

  window.Figures = { draw: draw, names: Object.keys(CHARTS) };
})();
