/* One conversation, turn by turn: the transcript on the left, what the bot knew on the
   right (its reading, belief over causes, chosen step, status). Data from
   /analytics/conversation.json?id=...; everything is written as text, never as HTML. */
(function () {
  "use strict";

  var el = A.el, $ = function (id) { return document.getElementById(id); };
  var P = A.params(), labels = {};
  var FIX_MARK = { worked: "✓", failed: "✗", skipped: "–", unanswered: "?" };

  function L(group, id) { return A.label(labels, group, id); }

  function num2(x) { return typeof x === "number" && isFinite(x) ? x.toFixed(2) : "—"; }

  /* ---- header and diagnosis strips ---- */

  function renderHeader(c) {
    var turns = c.turns || [], eps = c.episodes || [];
    $("conversation-id").textContent = c.conversation;
    $("conversation-meta").textContent = [
      "channel " + (c.channel || "—"), turns.length + " turns",
      eps.length + (eps.length === 1 ? " diagnosis" : " diagnoses"),
      turns.length ? "started " + A.localTime(turns[0].time) : null
    ].filter(Boolean).join(" · ");
    $("review-head").hidden = false;
    document.title = "Conversation " + c.conversation + " · Troubleshooter analytics";
  }

  function field(name, value) {
    return el("span", {}, el("span", { class: "k", text: name }), value);
  }

  function strip(ep) {
    var causes = (ep.top_causes || []).map(function (t) { return L("causes", t.cause) + " " + A.pct(t.probability, 0); });
    var fixes = (ep.fixes || []).map(function (f) { return (FIX_MARK[f.outcome] || "·") + " " + L("fixes", f.fix); });
    return el("div", { class: "strip", "data-testid": "episode-summary", "data-episode": ep.episode,
                       style: "border-left-color:" + (A.OUTCOME_COLORS[ep.outcome] || "#78909c") },
      el("b", { text: "Diagnosis " + ep.episode }),
      field("symptom", el("span", { text: ep.symptom ? L("symptoms", ep.symptom) : "none described" })),
      A.pill(ep.outcome, labels),
      ep.handover_reason ? field("reason", el("span", { text: L("reasons", ep.handover_reason) })) : null,
      ep.resolved_by ? field("resolved by", el("span", { text: L("fixes", ep.resolved_by) })) : null,
      fixes.length ? field("fixes", el("span", { text: fixes.join(", ") })) : null,
      causes.length ? field("top causes at end", el("span", { text: causes.join(" · ") })) : null,
      el("a", { href: "#episode-" + ep.episode, text: "turns ↓" }));
  }

  /* ---- left: the transcript ---- */

  function userBubble(u) {
    if (!u || (!u.text && !u.button)) return el("div", { class: "bubble user", text: "(no message)" });
    if (u.button) {
      return el("div", { class: "bubble user", title: u.text || null }, u.button, el("span", { class: "tag", text: "(button)" }));
    }
    if (/^\//.test(u.text)) {
      return el("div", { class: "bubble user payload" }, u.text, el("span", { class: "tag", text: "(button)" }));
    }
    return el("div", { class: "bubble user", text: u.text });
  }

  function buttonTitle(b) {
    return b && typeof b === "object" ? (b.title || b.payload || "") : String(b);
  }

  function transcript(t) {
    var chat = el("div", { class: "chat" }, userBubble(t.user));
    (t.bot || []).forEach(function (m) {
      if (m.text) chat.appendChild(el("div", { class: "bubble bot", text: m.text }));
      if (m.buttons && m.buttons.length) {
        chat.appendChild(el("div", { class: "chips" }, m.buttons.map(function (b) {
          return el("span", { class: "chip", text: buttonTitle(b) });
        })));
      }
    });
    if (!(t.bot || []).length) chat.appendChild(el("div", { class: "muted", text: "(the assistant sent nothing)" }));
    return el("div", { class: "transcript" },
      el("div", { class: "turn-meta" }, el("span", { text: "#" + t.index }), el("span", { text: A.localTime(t.time, true) }),
        t.answered === false ? el("span", { class: "no-reply-mark", "data-testid": "no-reply", text: "no reply" }) : null),
      chat);
  }

  /* ---- right: what the bot knew ---- */

  function section(title, body) {
    return el("section", {}, el("h4", { text: title }), body);
  }

  function reading(t) {
    var u = t.user || {}, r = t.reading, box = el("div", { class: "line" });
    var intent = u.intent ? u.intent + (typeof u.confidence === "number" ? " " + A.pct(u.confidence, 0) : "") : "no intent";
    box.appendChild(el("div", {}, el("code", { text: intent }), r && r.act ? " · act: " + r.act : null,
      r && r.symptom ? " · symptom: " + L("symptoms", r.symptom) : null));
    if (!r) box.appendChild(el("div", { class: "muted", text: "no reading" }));
    var facts = r && r.facts ? Object.keys(r.facts) : [];
    if (facts.length) {
      box.appendChild(el("div", { class: "chips" }, facts.map(function (k) {
        var v = String(r.facts[k]);
        return el("span", { class: "chip fact-" + v, title: k, text: L("evidence", k) + " = " + v });
      })));
    }
    return section("Reading", box);
  }

  /* Top causes after the turn, with the change since the previous turn of the episode. */
  function belief(t, before) {
    var box = el("div", { class: "belief", "data-testid": "belief" });
    var rows = (t.belief || []).slice().sort(function (a, b) { return b.probability - a.probability; }).slice(0, 5);
    if (!rows.length) box.appendChild(el("div", { class: "muted", text: "Nothing described yet" }));
    rows.forEach(function (b) {
      var name = L("causes", b.cause), p = b.probability || 0, d = before ? p - (before[b.cause] || 0) : 0;
      box.appendChild(el("div", { class: "belief-row", title: name + ": " + A.pct(p) },
        el("span", { class: "name", text: name }),
        el("span", { class: "belief-track" }, el("span", { class: "belief-bar", "data-testid": "belief-bar",
          style: "display:block;width:" + Math.max(1, Math.min(100, p * 100)).toFixed(1) + "%" })),
        el("span", { class: "p" }, A.pct(p, 0),
          Math.abs(d) >= 0.05 ? el("span", { class: "delta " + (d > 0 ? "up" : "down"), text: (d > 0 ? "▲" : "▼") }) : null)));
    });
    return section("Belief after this turn", box);
  }

  function stepText(s) {
    if (!s) return null;
    switch (s.kind) {
      case "question": return "Asked: " + L("evidence", s.id) + ", expected saving " + num2(s.value);
      case "fix": return "Suggested fix #" + (s.rank || "?") + ": " + L("fixes", s.id) + " — P(resolves) " +
        A.pct(s.probability, 0) + ", efficiency " + num2(s.efficiency) + " per unit cost";
      case "handoff": return "Handed over: " + L("reasons", s.reason);
      case "resolved": return "Resolved by: " + L("fixes", s.id);
      case "confirm": return "Asked to confirm: " + (s.action === "handoff" ? "a person" : "starting over");
      case "clarify": return "Asked which problem it is: " + (s.options || []).map(function (o) { return L("symptoms", o); }).join(" / ");
      default: return String(s.kind || "unknown step");
    }
  }

  function step(t) {
    var text = stepText(t.step);
    return section("Step chosen", el("div", { class: text ? "step line" : "muted", "data-testid": "step",
      text: text || "No diagnostic step this turn" }));
  }

  function status(t) {
    var s = t.status || "—";
    var node = A.OUTCOME_COLORS[s] ? A.pill(s, labels) : el("span", { class: "pill pill-active", text: s });
    var box = section("Status", node);
    box.className = "inline";
    return box;
  }

  /* ---- turns ---- */

  function turnNode(t, before) {
    return el("div", { class: "turn" + (t.answered === false ? " no-reply" : ""), "data-testid": "turn",
                       "data-index": t.index, "data-episode": t.episode === null || t.episode === undefined ? "" : t.episode },
      transcript(t),
      el("div", { class: "knew" }, reading(t), belief(t, before), step(t), status(t)));
  }

  function renderTurns(c) {
    var box = A.clear($("turns")), episode = null, before = null, eps = {};
    (c.episodes || []).forEach(function (e) { eps[e.episode] = e; });
    (c.turns || []).forEach(function (t) {
      if (t.episode !== episode) {
        episode = t.episode;
        before = null;
        if (episode !== null && episode !== undefined) {
          var ep = eps[episode], sym = ep && ep.symptom ? " — " + L("symptoms", ep.symptom) : "";
          box.appendChild(el("div", { class: "divider", id: "episode-" + episode, "data-testid": "episode-divider",
                                      text: "Diagnosis " + episode + " begins" + sym }));
        }
      }
      box.appendChild(turnNode(t, before));
      before = {};
      (t.belief || []).forEach(function (b) { before[b.cause] = b.probability; });
    });
    if (!(c.turns || []).length) box.appendChild(A.notice("empty", "This conversation has no turns."));
    $("turns-head").hidden = !(c.turns || []).length;
  }

  /* ?episode=N: highlight that episode's first turn and scroll it into view. */
  function focusEpisode(n) {
    if (!n) return;
    var first = document.querySelector('[data-testid="turn"][data-episode="' + String(n).replace(/[^0-9]/g, "") + '"]');
    var divider = document.getElementById("episode-" + n);
    if (!first) return;
    first.classList.add("highlight");
    if (divider) divider.classList.add("highlight");
    (divider || first).scrollIntoView({ block: "start" });
  }

  function fail(text) {
    A.clear($("status")).appendChild(A.notice("error", text));
  }

  function start() {
    var source = P.source && P.source !== "live" ? P.source : "";
    $("back-link").href = "/analytics" + A.qs({ source: source });
    $("demo-badge").hidden = P.source !== "demo";
    if (!P.id) return fail("No conversation chosen: the address needs ?id=<conversation id>.");
    A.clear($("status")).appendChild(A.notice("loading", "Loading conversation…"));
    A.fetchJSON("/analytics/conversation.json" + A.qs({ id: P.id, source: P.source })).then(function (c) {
      labels = c.labels || {};
      A.clear($("status"));
      renderHeader(c);
      A.clear($("episodes"));
      (c.episodes || []).forEach(function (ep) { $("episodes").appendChild(strip(ep)); });
      renderTurns(c);
      focusEpisode(P.episode);
    }).catch(function (err) {
      fail("Could not load the conversation: " + err.message);
    });
  }

  document.addEventListener("DOMContentLoaded", start);
})();
