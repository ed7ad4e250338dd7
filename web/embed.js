// The troubleshooter on another site's page, from one tag:
//   <script src="https://<deployment>/embed.js" async></script>
// A launcher button (bottom-right) opens the deployment's own widget page in an
// iframe, so the chat's CSS, script and localStorage stay the deployment's. The
// launcher and the frame live in a shadow root whose styles are !important on
// the host element: the page's selectors cannot reach inside, and ours do not
// leak out. Whether the frame shows anything is the deployment's decision: its
// page server sends `Content-Security-Policy: frame-ancestors` with the allowed
// origins (scripts/serve_web.py --embed-origins). The only global is
// window.TroubleshooterEmbed ({open, close, toggle}). scripts/serve_web.py
// fills in the launcher's words in every language (knowledge/texts/, `widget`).
(function (WORDS) {
  "use strict";
  if (window.TroubleshooterEmbed) { return; }  // the tag twice on a page: one launcher
  var script = document.currentScript;
  if (!script || !/\/embed\.js(\?|#|$)/.test(script.src)) {
    script = document.querySelector('script[src*="/embed.js"]');
  }
  if (!script) { return; }
  var origin = new URL(script.src, location.href).origin;

  function primary(tag) { var p = String(tag || "").toLowerCase().split(/[-_]/)[0]; return p === "in" ? "id" : p; }
  function language() {
    var tags = [document.documentElement.lang, navigator.language];
    for (var i = 0; i < tags.length; i++) { if (WORDS[primary(tags[i])]) { return primary(tags[i]); } }
    return "en";
  }
  function words(key, fallback) { var t = WORDS[language()] || WORDS.en || {}; return t[key] || fallback; }

  // Everything the page could otherwise change on the host element, fixed with !important
  // (a shadow root's !important rules for :host win over the page's, even its !important ones).
  var CSS = [
    ":host { all: initial !important; display: block !important; position: fixed !important;",
    "  right: 20px !important; bottom: 20px !important; left: auto !important; top: auto !important;",
    "  width: auto !important; height: auto !important; margin: 0 !important; padding: 0 !important;",
    "  z-index: 2147483647 !important; visibility: visible !important; opacity: 1 !important;",
    "  transform: none !important; filter: none !important; clip-path: none !important;",
    "  overflow: visible !important; pointer-events: none !important; contain: none !important;",
    "  font: 15px/1.4 system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif !important; color: #161823 !important; }",
    "* { box-sizing: border-box; }",
    ".panel { position: absolute; right: 0; bottom: 72px; width: 380px; height: 600px;",
    "  max-width: calc(100vw - 40px); max-height: calc(100vh - 112px); border-radius: 14px; overflow: hidden;",
    "  background: #fff; box-shadow: 0 8px 30px rgba(0,0,0,.22); pointer-events: auto; display: block; }",
    ".panel[hidden] { display: none; }",
    "iframe { display: block; width: 100%; height: 100%; border: 0; margin: 0; padding: 0; visibility: visible; }",
    ".launcher { all: initial; display: flex; align-items: center; justify-content: center; position: relative;",
    "  width: 56px; height: 56px; border-radius: 50%; background: #fe2c55; color: #fff; cursor: pointer;",
    "  box-shadow: 0 4px 14px rgba(0,0,0,.25); pointer-events: auto; visibility: visible; }",
    ".launcher:focus-visible { outline: 3px solid #161823; outline-offset: 3px; }",
    ".launcher svg { width: 26px; height: 26px; fill: currentColor; display: block; }"
  ].join("\n");
  var CHAT = "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V5a2 2 0 0 1 2-2z";
  var CLOSE = "M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12 19 17.6 17.6 19 12 13.4 6.4 19 5 17.6 10.6 12 5 6.4z";

  var host, launcher, icon, panel, frame;

  // A disclosure button: one name (the chat's, in the page's language), its state in aria-expanded.
  function label() {
    var open = !panel.hidden;
    launcher.setAttribute("aria-label", words("header", "Messages troubleshooter"));
    launcher.setAttribute("aria-expanded", open ? "true" : "false");
    icon.setAttribute("d", open ? CLOSE : CHAT);
  }

  function open() {
    if (!frame) {  // loaded once, on first opening; closing only hides it, so the conversation goes on
      frame = document.createElement("iframe");
      frame.title = words("header", "Messages troubleshooter");
      frame.src = origin + "/?embed=1";
      frame.setAttribute("allow", "clipboard-write");
      panel.appendChild(frame);
    }
    panel.hidden = false;
    label();
  }
  function close() { panel.hidden = true; label(); }
  function toggle() { if (panel.hidden) { open(); } else { close(); } }

  function mount() {
    if (host) { return; }
    host = document.createElement("div");
    host.setAttribute("data-troubleshooter-embed", "");
    var root = host.attachShadow({ mode: "open" });
    var style = document.createElement("style");
    style.textContent = CSS;
    panel = document.createElement("div");
    panel.className = "panel";
    panel.id = "panel";
    panel.hidden = true;
    launcher = document.createElement("button");
    launcher.type = "button";
    launcher.className = "launcher";
    launcher.setAttribute("aria-controls", "panel");
    var svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    icon = document.createElementNS("http://www.w3.org/2000/svg", "path");
    svg.appendChild(icon);
    launcher.appendChild(svg);
    launcher.addEventListener("click", toggle);
    root.addEventListener("keydown", function (e) {
      if (e.key === "Escape" && !panel.hidden) { close(); launcher.focus(); }
    });
    root.appendChild(style);
    root.appendChild(panel);
    root.appendChild(launcher);
    label();
    document.body.appendChild(host);
  }

  window.TroubleshooterEmbed = {
    open: function () { mount(); open(); },
    close: function () { if (host) { close(); } },
    toggle: function () { mount(); toggle(); }
  };
  if (document.body) { mount(); } else { document.addEventListener("DOMContentLoaded", mount); }
}(/*WORDS*/{}));
