// Chat widget over Rasa's socket.io channel. Everything the bot or the user
// wrote is shown with textContent (never as markup); the history lives in
// localStorage so a reload keeps the conversation. Its own words come from
// /texts.js (knowledge/texts/, group `widget`) in the browser's language, then
// in the conversation's: every bot payload names the language it speaks. That
// language (at first the browser's) goes with each message as a hint for the bot.
// Rasa ignores a message without a session id, so what the user sends before the
// server has confirmed the session waits in an outbox (kept across reloads).
// In another site's page (web/embed.js frames /?embed=1) the chat fills the frame.
(function () {
  "use strict";
  if (/[?&]embed=1(&|$)/.test(location.search)) { document.documentElement.classList.add("embedded"); }
  var STORE = "troubleshooter.chat";
  var TEXTS = window.TROUBLESHOOTER_TEXTS || {};
  var browser = (navigator.language || "en");
  var log = document.getElementById("chat-log");
  var form = document.getElementById("chat-form");
  var input = document.getElementById("chat-input");
  var typing = document.getElementById("chat-typing");
  var statusBar = document.getElementById("chat-status");
  var typingTimer = null;

  function load() {
    try { return JSON.parse(localStorage.getItem(STORE)) || { session: null, items: [] }; }
    catch (e) { return { session: null, items: [] }; }
  }
  var state = load();
  if (!Array.isArray(state.outbox)) { state.outbox = []; }
  var confirmed = false;  // the server has confirmed state.session on this connection
  function save() { localStorage.setItem(STORE, JSON.stringify(state)); }

  function primary(tag) { var p = String(tag || "").toLowerCase().split(/[-_]/)[0]; return p === "in" ? "id" : p; }
  function words(key, fallback) { var t = TEXTS[state.lang] || TEXTS.en || {}; return t[key] || fallback; }
  function speak(lang) {
    if (!TEXTS[lang]) { return; }
    state.lang = lang; save();
    document.documentElement.lang = lang;
    Array.prototype.forEach.call(document.querySelectorAll("[data-text]"), function (el) {
      el.textContent = words(el.getAttribute("data-text"), el.textContent);
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-placeholder]"), function (el) {
      el.placeholder = words(el.getAttribute("data-placeholder"), el.placeholder);
    });
    Array.prototype.forEach.call(document.querySelectorAll("[data-title]"), function (el) {
      el.title = words(el.getAttribute("data-title"), el.title);
    });
  }
  speak(state.lang || (TEXTS[primary(browser)] ? primary(browser) : "en"));

  function scroll() { log.scrollTop = log.scrollHeight; }

  function renderText(who, text) {
    var li = document.createElement("li");
    li.className = "msg " + who;
    li.textContent = text;
    log.appendChild(li);
  }

  function renderButtons(item) {
    var li = document.createElement("li");
    li.className = "buttons";
    item.buttons.forEach(function (b) {
      var btn = document.createElement("button");
      btn.type = "button";
      btn.textContent = b.title;
      btn.disabled = !!item.used;
      btn.addEventListener("click", function () {
        item.used = true; save();
        Array.prototype.forEach.call(li.querySelectorAll("button"), function (x) { x.disabled = true; });
        send(b.payload, b.title);
      });
      li.appendChild(btn);
    });
    log.appendChild(li);
  }

  function render(item) {
    if (item.text) { renderText(item.from, item.text); }
    if (item.buttons && item.buttons.length) { renderButtons(item); }
    scroll();
  }

  function add(item) { state.items.push(item); save(); render(item); }

  function showTyping(on) {
    typing.hidden = !on;
    clearTimeout(typingTimer);
    if (on) { typingTimer = setTimeout(function () { typing.hidden = true; }, 20000); }
    scroll();
  }

  function showStatus(text) { statusBar.textContent = text || ""; statusBar.hidden = !text; }

  var socket = io(window.TROUBLESHOOTER_SOCKET_URL, { path: "/socket.io", reconnectionDelayMax: 5000 });

  function emit(message) {
    socket.emit("user_uttered", { message: message.payload, session_id: state.session, customData: { language: message.lang } });
  }
  function flush() {
    var waiting = state.outbox;
    state.outbox = []; save();
    waiting.forEach(emit);
  }

  socket.on("connect", function () {
    showStatus("");
    confirmed = false;
    socket.emit("session_request", { session_id: state.session });
  });
  socket.on("session_confirm", function (sessionId) {
    var id = typeof sessionId === "object" && sessionId ? sessionId.session_id : sessionId;
    if (!id) { return; }
    if (id !== state.session) { state.session = id; save(); }
    confirmed = true;
    flush();
  });
  socket.on("connect_error", function () {
    showStatus(words("unreachable", "Can't reach the troubleshooter right now. Reconnecting…"));
    showTyping(false);
  });
  socket.on("disconnect", function () { confirmed = false; showStatus(words("reconnecting", "Connection lost. Reconnecting…")); });
  socket.on("bot_uttered", function (msg) {
    var said = msg && msg.custom && msg.custom.troubleshooter;
    if (said && typeof said.language === "string" && said.language !== state.lang) { speak(said.language); }
    if (!msg || (!msg.text && !msg.quick_replies && !msg.buttons)) { return; }  // machine-only payloads
    showTyping(false);
    var buttons = msg.quick_replies || msg.buttons || [];
    add({ from: "bot", text: msg.text || "", buttons: buttons.map(function (b) {
      return { title: String(b.title), payload: String(b.payload) };
    }) });
  });

  function send(payload, shown) {
    add({ from: "user", text: shown });
    if (!socket.connected) {
      showStatus(words("queued", "Can't reach the troubleshooter right now. Your message will be sent when it's back."));
    }
    var message = { payload: payload, lang: state.lang || browser };
    if (confirmed && socket.connected) { emit(message); } else { state.outbox.push(message); save(); }
    showTyping(true);
  }

  form.addEventListener("submit", function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    input.value = "";
    send(text, text);
  });

  document.getElementById("chat-reset").addEventListener("click", function () {
    state = { session: null, items: [], outbox: [], lang: state.lang }; save();
    confirmed = false;
    log.textContent = "";
    socket.emit("session_request", { session_id: null });
  });

  state.items.forEach(render);
  if (!state.items.length) {
    add({ from: "bot", text: words("greeting", "Hi! Tell me what happens when you try to send a TikTok message — for example \"my messages fail with a red exclamation mark\".") });
  }
}());
