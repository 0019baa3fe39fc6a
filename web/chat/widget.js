/* Referral chat widget: a small chat window that talks to Rasa over socket.io and renders our
 * custom payloads (question, eligibility, providers, crisis). One script tag embeds it. */
(function () {
  "use strict";

  var thisScript = document.currentScript;
  // widget.js lives at <site>/chat/widget.js; config.js and vendor/ sit at <site>/.
  var siteBase = new URL("..", thisScript.src).href;

  var DEFAULTS = {
    socketUrl: "http://localhost:5005",
    socketPath: "/socket.io",
    // WebSocket only: no long-polling requests, so Rasa needs no CORS setting for the page's origin.
    transports: ["websocket"],
    initPayload: "/greet",
    title: "Support check chat",
    launcherLabel: "Chat: check support options",
    // "session" forgets the chat when the tab closes (safer on a shared computer); "local" or "none".
    storage: "session",
    providersShownFirst: 3,
    maxTranscript: 300
  };

  var PROGRAM_NAMES = {
    "CSP": "Community Support Program (CSP), Massachusetts",
    "CSP-HI": "CSP for Homeless Individuals (CSP-HI), Massachusetts",
    "CSP-JI": "CSP for Individuals with Justice Involvement (CSP-JI), Massachusetts",
    "CST": "Community Support Team (CST), North Carolina"
  };

  var STATUS_WORDS = {
    likely: { label: "Likely a match", icon: "\u2713" },
    possible: { label: "Possibly a match", icon: "?" },
    unlikely: { label: "Unlikely a match", icon: "\u2715" }
  };

  var STORAGE_PREFIX = "referralChat.";
  var reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

  /* ---------- small helpers ---------- */

  // Every piece of text from the bot, the user or the directory goes through textContent.
  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = String(text);
    return node;
  }

  function visuallyHidden(text) {
    return el("span", "rc-vh", text);
  }

  function isText(value) {
    return typeof value === "string" && value.trim() !== "";
  }

  // Only http(s) addresses become links; "www.example.org" from the directory gets https://.
  function safeWebUrl(value) {
    if (!isText(value)) return null;
    var raw = value.trim();
    if (!/^[a-z][a-z0-9+.-]*:/i.test(raw)) {
      if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?([/?#]\S*)?$/i.test(raw)) return null;
      raw = "https://" + raw;
    }
    try {
      var url = new URL(raw);
      return url.protocol === "http:" || url.protocol === "https:" ? url : null;
    } catch (e) {
      return null;
    }
  }

  // The number to dial in "(508) 555-0199 ext. 2" (+15085550199), "1-855-733-7762 (855-PEERS-NC)"
  // (+18557337762) or "988"; null when there is none.
  var US_NUMBER = /(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?!\d)/;
  var SHORT_CODE = /(?:^|[^\d])(\d{3,6})(?!\d)/;
  function dialableNumber(value) {
    if (typeof value === "number") value = String(value);
    if (!isText(value)) return null;
    var found = String(value).match(US_NUMBER);
    if (found) {
      var digits = found[0].replace(/\D/g, "");
      return "+1" + digits.slice(-10);
    }
    found = String(value).match(SHORT_CODE);
    return found ? found[1] : null;
  }

  function randomSessionId() {
    var bytes = new Uint8Array(16); // 128 bits, never derived from what the user typed
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function makeStore(kind) {
    var backend = null;
    try {
      backend = kind === "local" ? window.localStorage : kind === "none" ? null : window.sessionStorage;
      if (backend) {
        backend.setItem(STORAGE_PREFIX + "probe", "1");
        backend.removeItem(STORAGE_PREFIX + "probe");
      }
    } catch (e) {
      backend = null; // storage blocked: the chat still works, it just forgets on reload
    }
    return {
      get: function (key) {
        if (!backend) return null;
        try {
          return JSON.parse(backend.getItem(STORAGE_PREFIX + key));
        } catch (e) {
          return null;
        }
      },
      set: function (key, value) {
        if (!backend) return;
        try {
          backend.setItem(STORAGE_PREFIX + key, JSON.stringify(value));
        } catch (e) { /* full or blocked: keep going without saving */ }
      },
      clear: function () {
        if (!backend) return;
        ["sessionId", "state"].forEach(function (key) {
          backend.removeItem(STORAGE_PREFIX + key);
        });
      }
    };
  }

  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var tag = document.createElement("script");
      tag.src = src;
      tag.onload = resolve;
      tag.onerror = function () { reject(new Error("could not load " + src)); };
      document.head.appendChild(tag);
    });
  }

  function loadStylesheet(href) {
    if (document.querySelector('link[data-referral-chat-css]')) return;
    var link = document.createElement("link");
    link.rel = "stylesheet";
    link.href = href;
    link.setAttribute("data-referral-chat-css", "");
    document.head.appendChild(link);
  }

  /* ---------- rendering of messages ---------- */

  // Web addresses (with or without https://, e.g. "masshelpline.com") and US phone numbers.
  var LINKABLE = new RegExp(
    "(https?:\\/\\/[^\\s<>\"']+)" +
    "|(\\b(?:[a-z0-9-]+\\.)+(?:org|gov|com|net|us|edu)\\b(?:\\/[^\\s<>\"']*)?)" +
    "|(\\b(?:1-)?\\d{3}-\\d{3}-\\d{4}\\b)", "gi");

  // Plain text with web addresses and phone numbers made tappable; never parsed as HTML.
  function appendLinkedText(parent, text) {
    var last = 0;
    var match;
    LINKABLE.lastIndex = 0;
    while ((match = LINKABLE.exec(text)) !== null) {
      var found = match[0];
      var trailing = "";
      if (!match[3]) {
        var stripped = found.replace(/[.,;:!?)\]]+$/, "");
        trailing = found.slice(stripped.length);
        found = stripped;
      }
      parent.appendChild(document.createTextNode(text.slice(last, match.index)));
      var link = null;
      if (match[3]) {
        var number = dialableNumber(found);
        if (number) {
          link = el("a", null, found);
          link.href = "tel:" + number;
        }
      } else {
        var url = safeWebUrl(found);
        if (url) link = externalLink(url.href, found);
      }
      parent.appendChild(link || document.createTextNode(found));
      if (trailing) parent.appendChild(document.createTextNode(trailing));
      last = match.index + match[0].length;
    }
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function externalLink(href, text, className) {
    var link = el("a", className || null, text);
    link.href = href;
    link.target = "_blank";
    link.rel = "noopener noreferrer";
    link.appendChild(visuallyHidden(" (opens in a new tab)"));
    return link;
  }

  function renderTextEntry(entry) {
    var item = el("li", "rc-msg rc-from-" + (entry.from === "user" ? "user" : "bot"));
    item.appendChild(visuallyHidden(entry.from === "user" ? "You said: " : "Assistant: "));
    var bubble = el("div", "rc-bubble");
    appendLinkedText(bubble, String(entry.text));
    item.appendChild(bubble);
    return item;
  }

  function programName(program) {
    if (isText(program.name)) return program.name;
    return PROGRAM_NAMES[program.id] || String(program.id || "Program");
  }

  function renderList(items, className) {
    var list = el("ul", className);
    items.filter(isText).forEach(function (text) {
      var li = el("li");
      appendLinkedText(li, text);
      list.appendChild(li);
    });
    return list;
  }

  function renderEligibility(data) {
    var item = el("li", "rc-msg rc-from-bot rc-wide");
    var card = el("article", "rc-card rc-eligibility");
    card.appendChild(el("h3", "rc-card-title", "What your answers suggest"));
    card.appendChild(el("p", "rc-note",
      "This is not a decision. A provider decides after talking with you (an assessment)."));
    var programs = Array.isArray(data.programs) ? data.programs : [];
    programs.forEach(function (program) {
      if (!program || typeof program !== "object") return;
      var status = STATUS_WORDS[program.status] ? program.status : "possible";
      var section = el("section", "rc-program rc-status-" + status);
      var heading = el("h4", "rc-program-name", programName(program));
      section.appendChild(heading);
      var badge = el("p", "rc-badge rc-badge-" + status);
      var icon = el("span", "rc-badge-icon", STATUS_WORDS[status].icon);
      icon.setAttribute("aria-hidden", "true");
      badge.appendChild(icon);
      badge.appendChild(document.createTextNode(" " + STATUS_WORDS[status].label));
      section.appendChild(badge);
      var reasons = Array.isArray(program.reasons) ? program.reasons : [];
      if (reasons.filter(isText).length) {
        section.appendChild(el("p", "rc-list-label", "Why:"));
        section.appendChild(renderList(reasons, "rc-reasons"));
      }
      var steps = Array.isArray(program.next_steps) ? program.next_steps : [];
      if (steps.filter(isText).length) {
        section.appendChild(el("p", "rc-list-label", "What you can do next:"));
        section.appendChild(renderList(steps, "rc-next-steps"));
      }
      card.appendChild(section);
    });
    item.appendChild(card);
    return item;
  }

  function formatDistance(miles) {
    if (typeof miles !== "number" || !isFinite(miles) || miles < 0) return null;
    if (miles < 0.1) return "Less than 0.1 miles away";
    var rounded = Math.round(miles * 10) / 10;
    return rounded + (rounded === 1 ? " mile away" : " miles away");
  }

  function joinText(parts, separator) {
    return parts.filter(function (part) { return isText(part) || typeof part === "number"; })
      .map(String).join(separator);
  }

  function renderProvider(provider) {
    var card = el("article", "rc-provider");
    var heading = el("h4", "rc-provider-name", isText(provider.name) ? provider.name : "Provider");
    heading.tabIndex = -1; // "Show more" moves focus here
    card.appendChild(heading);

    var where = joinText([formatDistance(provider.distance_miles),
      joinText([provider.town, provider.state], ", ")], " \u00b7 ");
    if (where) card.appendChild(el("p", "rc-provider-where", where));
    var address = joinText([provider.address, provider.town,
      joinText([provider.state, provider.zip], " ")], ", ");
    if (isText(provider.address)) card.appendChild(el("p", "rc-provider-address", address));

    var badges = el("ul", "rc-tags");
    if (provider.telehealth === true) badges.appendChild(el("li", "rc-tag", "Telehealth available"));
    var languages = Array.isArray(provider.languages) ? provider.languages.filter(isText) : [];
    if (languages.length) badges.appendChild(el("li", "rc-tag", "Languages: " + languages.join(", ")));
    var programs = Array.isArray(provider.programs) ? provider.programs.filter(isText) : [];
    if (programs.length) badges.appendChild(el("li", "rc-tag", "Programs: " + programs.join(", ")));
    if (badges.childNodes.length) card.appendChild(badges);

    var actions = el("div", "rc-actions");
    var number = dialableNumber(provider.phone);
    if (number) {
      var call = el("a", "rc-action", "Call " + String(provider.phone).trim());
      call.href = "tel:" + number;
      actions.appendChild(call);
    }
    var site = safeWebUrl(provider.website);
    if (site) {
      var visit = externalLink(site.href, "Website: " + site.hostname.replace(/^www\./, ""), "rc-action");
      actions.appendChild(visit);
    }
    if (actions.childNodes.length) card.appendChild(actions);
    return card;
  }

  function chatIcon() {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("class", "rc-launcher-icon");
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
    svg.appendChild(path);
    return svg;
  }

  /* ---------- the widget ---------- */

  function ReferralChat(config, mount) {
    this.config = config;
    this.mode = config.mode === "page" ? "page" : "launcher";
    this.store = makeStore(config.storage);
    this.socket = null;
    this.ready = false; // session confirmed by Rasa: messages may be sent
    this.outbox = [];
    this.focusNextReplies = false;
    this.turnStart = null;
    this.typingTimer = null;
    this.statusTimer = null;
    this.restoreState();
    this.build(mount);
    if (this.mode === "page" || this.state.open) this.start();
  }

  ReferralChat.prototype.restoreState = function () {
    var sessionId = this.store.get("sessionId");
    var saved = this.store.get("state");
    this.sessionId = typeof sessionId === "string" && /^[0-9a-f]{32,}$/.test(sessionId) ? sessionId : null;
    this.state = {
      transcript: [], replies: [], progress: null, crisis: null, crisisHidden: false,
      open: false, expanded: {}
    };
    if (this.sessionId && saved && typeof saved === "object") {
      for (var key in this.state) {
        if (Object.prototype.hasOwnProperty.call(saved, key)) this.state[key] = saved[key];
      }
      if (!Array.isArray(this.state.transcript)) this.state.transcript = [];
      if (!Array.isArray(this.state.replies)) this.state.replies = [];
      if (!this.state.expanded || typeof this.state.expanded !== "object") this.state.expanded = {};
    }
  };

  ReferralChat.prototype.save = function () {
    var transcript = this.state.transcript;
    if (transcript.length > this.config.maxTranscript) {
      this.state.transcript = transcript.slice(transcript.length - this.config.maxTranscript);
    }
    this.store.set("state", this.state);
  };

  ReferralChat.prototype.build = function (mount) {
    var self = this;
    var root = el("div", "rc-root rc-mode-" + this.mode);
    this.root = root;
    var uid = "rc" + Math.floor(Math.random() * 1e9).toString(36);

    if (this.mode === "launcher") {
      this.launcher = el("button", "rc-launcher");
      this.launcher.type = "button";
      this.launcher.setAttribute("aria-expanded", "false");
      this.launcher.setAttribute("aria-controls", uid + "-window");
      this.launcher.appendChild(chatIcon());
      this.launcher.appendChild(el("span", "rc-launcher-text", this.config.launcherLabel));
      this.launcher.addEventListener("click", function () { self.open(); });
      root.appendChild(this.launcher);
    }

    var win = el("section", "rc-window");
    win.id = uid + "-window";
    win.setAttribute("aria-labelledby", uid + "-title");
    if (this.mode === "launcher") {
      win.setAttribute("role", "dialog");
      win.setAttribute("aria-modal", "false");
      win.hidden = !this.state.open; // a reload keeps an open chat open
      if (this.state.open) {
        this.launcher.hidden = true;
        this.launcher.setAttribute("aria-expanded", "true");
      }
      win.addEventListener("keydown", function (event) {
        if (event.key === "Escape") self.close();
      });
    }
    this.window = win;

    // Title and controls, then the crisis banner and the progress, which stay in view.
    var header = el("div", "rc-header");
    var title = el("h2", "rc-title", this.config.title);
    title.id = uid + "-title";
    title.tabIndex = -1;
    this.title = title;
    header.appendChild(title);
    this.showCrisisButton = this.button("Crisis help", "rc-header-btn rc-show-crisis", function () {
      self.state.crisisHidden = false;
      self.save();
      self.renderCrisis();
      self.crisisBanner.focus();
    });
    this.showCrisisButton.hidden = true;
    header.appendChild(this.showCrisisButton);
    this.endButton = this.button("End chat", "rc-header-btn", function () { self.askToEnd(); });
    header.appendChild(this.endButton);
    if (this.mode === "launcher") {
      var closeButton = this.button("", "rc-header-btn rc-close", function () { self.close(); });
      closeButton.setAttribute("aria-label", "Close chat");
      var closeIcon = el("span", null, "\u2715");
      closeIcon.setAttribute("aria-hidden", "true");
      closeButton.appendChild(closeIcon);
      header.appendChild(closeButton);
    }
    win.appendChild(header);

    var top = el("div", "rc-top");
    this.confirmBox = el("div", "rc-confirm");
    this.confirmBox.hidden = true;
    var confirmText = el("p", null,
      "End this chat? It will be cleared from this device and you will start over.");
    confirmText.id = uid + "-confirm";
    confirmText.tabIndex = -1;
    this.confirmText = confirmText;
    this.confirmBox.appendChild(confirmText);
    var confirmActions = el("div", "rc-confirm-actions");
    confirmActions.appendChild(this.button("Yes, end and clear", "rc-btn rc-btn-primary", function () {
      self.endChat();
    }));
    confirmActions.appendChild(this.button("Keep chatting", "rc-btn", function () {
      self.confirmBox.hidden = true;
      self.endButton.focus();
    }));
    this.confirmBox.appendChild(confirmActions);
    top.appendChild(this.confirmBox);

    this.crisisBanner = el("div", "rc-crisis");
    this.crisisBanner.setAttribute("role", "region");
    this.crisisBanner.setAttribute("aria-labelledby", uid + "-crisis-title");
    this.crisisBanner.tabIndex = -1;
    this.crisisBanner.hidden = true;
    this.crisisTitleId = uid + "-crisis-title";
    this.crisisExpanded = false;
    top.appendChild(this.crisisBanner);
    this.alert = el("p", "rc-vh");
    this.alert.setAttribute("role", "alert");
    top.appendChild(this.alert);

    this.progress = el("div", "rc-progress");
    this.progress.setAttribute("role", "status");
    this.progress.hidden = true;
    this.progressText = el("p", "rc-progress-text");
    this.progressBar = el("div", "rc-progress-bar");
    this.progressBar.setAttribute("aria-hidden", "true");
    this.progressFill = el("div", "rc-progress-fill");
    this.progressBar.appendChild(this.progressFill);
    this.progress.appendChild(this.progressText);
    this.progress.appendChild(this.progressBar);
    top.appendChild(this.progress);
    win.appendChild(top);

    // Middle: the conversation. role=log announces each new message politely.
    var scroller = el("div", "rc-scroll");
    // Focusable so that keyboard users can scroll back through the conversation.
    scroller.tabIndex = 0;
    scroller.setAttribute("role", "region");
    scroller.setAttribute("aria-label", "Conversation");
    this.scroller = scroller;
    var logRegion = el("div", "rc-log-region");
    logRegion.setAttribute("role", "log");
    logRegion.setAttribute("aria-live", "polite");
    logRegion.setAttribute("aria-relevant", "additions");
    logRegion.setAttribute("aria-label", "Messages");
    this.log = el("ol", "rc-log");
    logRegion.appendChild(this.log);
    scroller.appendChild(logRegion);
    this.typing = el("div", "rc-typing");
    this.typing.setAttribute("aria-hidden", "true");
    this.typing.hidden = true;
    for (var i = 0; i < 3; i++) this.typing.appendChild(el("span", "rc-dot"));
    scroller.appendChild(this.typing);
    this.replies = el("div", "rc-replies");
    this.replies.setAttribute("role", "group");
    this.replies.setAttribute("aria-label", "Answer choices");
    this.replies.tabIndex = -1;
    scroller.appendChild(this.replies);
    win.appendChild(scroller);

    // Bottom: typing box, connection status, and (in the embedded window) a way to reach 988.
    var bottom = el("div", "rc-bottom");
    var form = el("form", "rc-composer");
    var label = el("label", "rc-vh", "Type your answer or question");
    label.htmlFor = uid + "-input";
    var input = el("input", "rc-input");
    input.id = uid + "-input";
    input.type = "text";
    input.autocomplete = "off";
    input.maxLength = 1000;
    input.placeholder = "Type here\u2026";
    input.setAttribute("enterkeyhint", "send");
    this.input = input;
    var send = el("button", "rc-send", "Send");
    send.type = "submit";
    form.appendChild(label);
    form.appendChild(input);
    form.appendChild(send);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = input.value.trim();
      if (!text) return;
      input.value = "";
      self.sendUserMessage(text, text);
    });
    bottom.appendChild(form);
    this.status = el("p", "rc-status");
    this.status.setAttribute("role", "status");
    bottom.appendChild(this.status);
    if (this.mode === "launcher") bottom.appendChild(this.crisisLine());
    win.appendChild(bottom);
    root.appendChild(win);

    // Restored messages go in before the log is on the page, so they are not announced again.
    this.state.transcript.forEach(function (entry) { self.appendEntry(entry); });
    this.renderReplies(false);
    this.renderProgress();
    this.renderCrisis();
    mount.appendChild(root);
    if (this.state.transcript.length) this.scrollToEnd();
  };

  ReferralChat.prototype.button = function (text, className, onClick) {
    var button = el("button", className, text);
    button.type = "button";
    button.addEventListener("click", onClick);
    return button;
  };

  ReferralChat.prototype.crisisLine = function () {
    var line = el("p", "rc-crisis-line");
    line.appendChild(document.createTextNode("In crisis? "));
    var call = el("a", null, "Call 988");
    call.href = "tel:988";
    var text = el("a", null, "Text 988");
    text.href = "sms:988";
    line.appendChild(call);
    line.appendChild(document.createTextNode(" or "));
    line.appendChild(text);
    return line;
  };

  /* ----- opening, closing, ending ----- */

  ReferralChat.prototype.open = function () {
    this.window.hidden = false;
    this.launcher.setAttribute("aria-expanded", "true");
    this.launcher.hidden = true;
    this.state.open = true;
    this.save();
    this.start();
    this.scrollToEnd();
    var firstReply = this.replies.querySelector("button");
    (firstReply || this.input).focus();
  };

  ReferralChat.prototype.close = function () {
    if (this.mode !== "launcher") return;
    this.window.hidden = true;
    this.launcher.hidden = false;
    this.launcher.setAttribute("aria-expanded", "false");
    this.state.open = false;
    this.save();
    this.launcher.focus();
  };

  ReferralChat.prototype.askToEnd = function () {
    this.confirmBox.hidden = false;
    this.confirmText.focus();
  };

  // Forgets the session id and the transcript on this device, then starts a fresh conversation.
  ReferralChat.prototype.endChat = function () {
    if (this.socket) {
      this.socket.removeAllListeners();
      this.socket.disconnect();
      this.socket = null;
    }
    this.ready = false;
    this.outbox = [];
    this.store.clear();
    this.sessionId = null;
    var open = this.state.open;
    this.state = {
      transcript: [], replies: [], progress: null, crisis: null, crisisHidden: false,
      open: open, expanded: {}
    };
    while (this.log.firstChild) this.log.removeChild(this.log.firstChild);
    this.confirmBox.hidden = true;
    this.renderReplies(false);
    this.renderProgress();
    this.renderCrisis();
    this.hideTyping();
    this.setStatus("The chat was ended and cleared from this device. A new chat has started.");
    this.title.focus();
    this.start();
  };

  /* ----- talking to Rasa ----- */

  ReferralChat.prototype.start = function () {
    if (this.socket) return;
    var self = this;
    if (typeof window.io !== "function") {
      this.setStatus("The chat could not load. Please reload the page. In a crisis, call or text 988.");
      return;
    }
    var isNew = !this.sessionId;
    if (isNew) {
      this.sessionId = randomSessionId();
      this.store.set("sessionId", this.sessionId);
      this.save();
    }
    if (isNew && this.state.transcript.length === 0 && isText(this.config.initPayload)) {
      this.outbox.push(this.config.initPayload);
      this.showTyping();
    }
    this.statusTimer = window.setTimeout(function () {
      if (!self.ready) self.setStatus("Connecting to the assistant\u2026");
    }, 1500);

    var socket = window.io(this.config.socketUrl, {
      path: this.config.socketPath,
      transports: this.config.transports,
      reconnection: true
    });
    this.socket = socket;
    // Rasa puts this connection in the session's room only after session_request, so every
    // (re)connection asks again and sends nothing until the session is confirmed.
    socket.on("connect", function () {
      socket.emit("session_request", { session_id: self.sessionId });
    });
    socket.on("session_confirm", function () {
      self.ready = true;
      window.clearTimeout(self.statusTimer);
      self.setStatus("");
      var pending = self.outbox;
      self.outbox = [];
      pending.forEach(function (message) { self.emitMessage(message); });
    });
    socket.on("bot_uttered", function (message) { self.receive(message); });
    socket.on("disconnect", function () {
      self.ready = false;
      self.setStatus("Connection lost. Trying to reconnect\u2026");
    });
    socket.on("connect_error", function () {
      self.ready = false;
      self.setStatus("Can't reach the assistant right now. Still trying. In a crisis, call or text 988.");
    });
  };

  ReferralChat.prototype.emitMessage = function (message) {
    this.socket.emit("user_uttered", { message: message, session_id: this.sessionId });
  };

  ReferralChat.prototype.sendUserMessage = function (shownText, message) {
    this.state.replies = [];
    this.renderReplies(false);
    this.addEntry({ from: "user", kind: "text", text: shownText });
    if (this.ready && this.socket) {
      this.emitMessage(message);
    } else {
      this.outbox.push(message);
      this.start();
    }
    this.showTyping();
  };

  ReferralChat.prototype.receive = function (message) {
    if (!message || typeof message !== "object") return;
    this.hideTyping();
    if (isText(message.text)) this.addEntry({ from: "bot", kind: "text", text: message.text });
    var buttons = Array.isArray(message.quick_replies) ? message.quick_replies
      : Array.isArray(message.buttons) ? message.buttons : [];
    var replies = buttons.filter(function (b) { return b && isText(b.title); }).map(function (b) {
      return { title: b.title, payload: isText(b.payload) ? b.payload : b.title };
    });
    if (replies.length) {
      this.state.replies = replies;
      this.renderReplies(true);
    }
    // Our channel sends a custom payload as {"custom": {...}}; accept a bare payload too.
    var custom = message.custom && typeof message.custom === "object" ? message.custom
      : isText(message.type) ? message : null;
    if (custom) this.receiveCustom(custom);
    this.save();
  };

  ReferralChat.prototype.receiveCustom = function (payload) {
    if (payload.type === "question") {
      var step = Number(payload.step);
      var of = Number(payload.of);
      if (step >= 1 && of >= step && Math.floor(step) === step && Math.floor(of) === of) {
        this.state.progress = { step: step, of: of, id: isText(payload.id) ? payload.id : null };
        this.renderProgress();
      }
    } else if (payload.type === "eligibility") {
      this.state.progress = null;
      this.renderProgress();
      this.addEntry({ from: "bot", kind: "eligibility", data: payload });
    } else if (payload.type === "providers") {
      this.addEntry({ from: "bot", kind: "providers", data: payload });
    } else if (payload.type === "crisis") {
      this.state.crisis = payload;
      this.state.crisisHidden = false;
      this.renderCrisis();
      this.alert.textContent = "";
      this.alert.textContent = "Crisis phone numbers are now shown at the top of the chat.";
      // The banner takes room from the conversation: bring the current turn back into view.
      var last = this.log.lastElementChild;
      if (last) this.reveal(this.turnStart && this.turnStart.isConnected ? this.turnStart : last, last);
    }
    // Unknown payload types are for other integrations: ignore them.
  };

  /* ----- the transcript ----- */

  ReferralChat.prototype.addEntry = function (entry) {
    entry.id = "m" + Date.now().toString(36) + Math.floor(Math.random() * 1e6).toString(36);
    this.state.transcript.push(entry);
    this.save();
    var item = this.appendEntry(entry);
    if (!item) return;
    // A turn is the user's message and the replies to it: keep its start in view.
    if (entry.from === "user" || !this.turnStart || !this.turnStart.isConnected) this.turnStart = item;
    this.reveal(this.turnStart, item);
  };

  ReferralChat.prototype.appendEntry = function (entry) {
    var item = null;
    if (!entry || typeof entry !== "object") return null;
    if (entry.kind === "text" && entry.text !== undefined) item = renderTextEntry(entry);
    else if (entry.kind === "eligibility" && entry.data) item = renderEligibility(entry.data);
    else if (entry.kind === "providers" && entry.data) item = this.renderProviders(entry);
    if (item) this.log.appendChild(item);
    return item;
  };

  ReferralChat.prototype.renderProviders = function (entry) {
    var self = this;
    var data = entry.data;
    var items = Array.isArray(data.items) ? data.items.filter(function (p) {
      return p && typeof p === "object";
    }) : [];
    var item = el("li", "rc-msg rc-from-bot rc-wide");
    var card = el("article", "rc-card rc-providers");
    var near = data.near && typeof data.near === "object" ? data.near : {};
    var place = joinText([near.town, joinText([near.state, near.zip], " ")], ", ");
    card.appendChild(el("h3", "rc-card-title", place ? "Providers near " + place : "Providers near you"));
    if (!items.length) {
      card.appendChild(el("p", "rc-note", "No providers were found nearby."));
      item.appendChild(card);
      return item;
    }
    var list = el("ul", "rc-provider-list");
    var firstCount = Math.max(1, this.config.providersShownFirst);
    var expanded = this.state.expanded[entry.id] === true;
    items.forEach(function (provider, index) {
      var li = el("li");
      li.appendChild(renderProvider(provider));
      if (index >= firstCount && !expanded) li.hidden = true;
      list.appendChild(li);
    });
    card.appendChild(list);
    var hiddenCount = items.length - firstCount;
    if (hiddenCount > 0 && !expanded) {
      var more = this.button("Show " + hiddenCount + " more provider" + (hiddenCount === 1 ? "" : "s"),
        "rc-btn rc-show-more", function () {
          self.state.expanded[entry.id] = true;
          self.save();
          var revealed = list.children[firstCount];
          Array.prototype.forEach.call(list.children, function (li) { li.hidden = false; });
          more.parentNode.removeChild(more);
          revealed.querySelector(".rc-provider-name").focus();
          self.reveal(revealed, revealed);
        });
      card.appendChild(more);
    }
    item.appendChild(card);
    return item;
  };

  ReferralChat.prototype.renderReplies = function (live) {
    var self = this;
    var hadFocus = this.replies.contains(document.activeElement);
    while (this.replies.firstChild) this.replies.removeChild(this.replies.firstChild);
    this.state.replies.forEach(function (reply) {
      var button = self.button(reply.title, "rc-reply", function (event) {
        // Keyboard users (click without a pointer) keep their place: focus waits on the group
        // and moves to the next answer choices when they arrive.
        self.focusNextReplies = event.detail === 0;
        if (self.focusNextReplies) self.replies.focus();
        self.sendUserMessage(reply.title, reply.payload);
      });
      self.replies.appendChild(button);
    });
    this.replies.hidden = this.state.replies.length === 0 && document.activeElement !== this.replies;
    if (live && this.state.replies.length) {
      if (this.focusNextReplies && (hadFocus || document.activeElement === this.replies)) {
        this.replies.querySelector("button").focus();
      }
      this.focusNextReplies = false;
      var start = this.turnStart && this.turnStart.isConnected ? this.turnStart : this.replies;
      this.reveal(start, this.replies);
    }
  };

  ReferralChat.prototype.renderProgress = function () {
    var progress = this.state.progress;
    if (!progress) {
      this.progress.hidden = true;
      this.progress.removeAttribute("data-question-id");
      return;
    }
    this.progress.hidden = false;
    // The question id is for tests and integrators (what is being asked), not shown.
    this.progress.setAttribute("data-question-id", /^[a-z_]+$/.test(progress.id || "") ? progress.id : "");
    this.progressText.textContent = "Question " + progress.step + " of " + progress.of;
    this.progressFill.style.width = Math.round((100 * progress.step) / progress.of) + "%";
  };

  // The first resource (988) is shown in full; the others sit behind "More crisis lines" so the
  // banner leaves room for the conversation on a phone.
  ReferralChat.prototype.renderCrisis = function () {
    var self = this;
    var banner = this.crisisBanner;
    while (banner.firstChild) banner.removeChild(banner.firstChild);
    var crisis = this.state.crisis;
    var visible = !!crisis && !this.state.crisisHidden;
    banner.hidden = !visible;
    this.showCrisisButton.hidden = !crisis || visible;
    if (!visible) return;

    var head = el("div", "rc-crisis-head");
    var heading = el("h3", "rc-crisis-title", "You can talk to someone right now");
    heading.id = this.crisisTitleId;
    head.appendChild(heading);
    var hide = this.button("Hide", "rc-btn rc-crisis-hide", function () {
      self.state.crisisHidden = true;
      self.save();
      self.renderCrisis();
      self.showCrisisButton.focus();
    });
    hide.setAttribute("aria-label", "Hide crisis help");
    head.appendChild(hide);
    banner.appendChild(head);

    var list = el("ul", "rc-crisis-list");
    var resources = (Array.isArray(crisis.resources) ? crisis.resources : []).filter(function (r) {
      return r && typeof r === "object" && isText(r.name);
    });
    resources.forEach(function (resource, index) {
      var li = renderCrisisResource(resource);
      if (index > 0 && !self.crisisExpanded) li.hidden = true;
      list.appendChild(li);
    });
    banner.appendChild(list);
    if (resources.length > 1) {
      var more = this.button(this.crisisExpanded ? "Fewer crisis lines"
        : "More crisis lines (" + (resources.length - 1) + ")", "rc-btn rc-crisis-more", function () {
          self.crisisExpanded = !self.crisisExpanded;
          self.renderCrisis();
          var again = self.crisisBanner.querySelector(".rc-crisis-more");
          if (again) again.focus();
        });
      more.setAttribute("aria-expanded", this.crisisExpanded ? "true" : "false");
      banner.appendChild(more);
    }
  };

  function renderCrisisResource(resource) {
    var li = el("li", "rc-crisis-item");
    li.appendChild(el("strong", "rc-crisis-name", resource.name));
    var links = el("span", "rc-crisis-links");
    var phone = dialableNumber(resource.phone);
    if (phone) {
      var call = el("a", "rc-crisis-link", "Call " + String(resource.phone).trim());
      call.href = "tel:" + phone;
      links.appendChild(call);
    }
    // "text" is a number ("988") or says how to text ("AYUDA to 988", "Text AYUDA to 988").
    var textNumber = dialableNumber(resource.text);
    if (textNumber) {
      var textLabel = String(resource.text).trim();
      var text = el("a", "rc-crisis-link", /^text\b/i.test(textLabel) ? textLabel : "Text " + textLabel);
      text.href = "sms:" + textNumber;
      links.appendChild(text);
    }
    var url = safeWebUrl(resource.url || resource.chat);
    if (url) {
      links.appendChild(externalLink(url.href, "Chat at " + url.hostname.replace(/^www\./, ""),
        "rc-crisis-link"));
    }
    if (links.childNodes.length) li.appendChild(links);
    var notes = [];
    if (isText(resource.text) && !textNumber) notes.push(resource.text);
    ["description", "notes", "hours"].forEach(function (key) {
      if (isText(resource[key])) notes.push(resource[key]);
    });
    if (notes.length) li.appendChild(el("span", "rc-crisis-note", notes.join(" ")));
    return li;
  }

  /* ----- status, typing, scrolling ----- */

  ReferralChat.prototype.setStatus = function (text) {
    this.status.textContent = text;
    this.status.hidden = !text;
  };

  ReferralChat.prototype.showTyping = function () {
    var self = this;
    this.typing.hidden = false;
    window.clearTimeout(this.typingTimer);
    this.typingTimer = window.setTimeout(function () { self.hideTyping(); }, 20000);
  };

  ReferralChat.prototype.hideTyping = function () {
    window.clearTimeout(this.typingTimer);
    this.typing.hidden = true;
  };

  // The element that scrolls: the chat's middle part when it has its own scroll bar, otherwise
  // the window or page (small screens and zoom let the whole chat scroll).
  ReferralChat.prototype.scrollContainer = function () {
    var node = this.scroller;
    while (node && node !== document.body && node !== document.documentElement) {
      var overflow = window.getComputedStyle(node).overflowY;
      if ((overflow === "auto" || overflow === "scroll") && node.scrollHeight > node.clientHeight) {
        return node;
      }
      node = node.parentElement;
    }
    return null;
  };

  // Scrolls so that firstNode..lastNode is in view between the sticky top and bottom parts,
  // keeping the start of firstNode visible when it all does not fit.
  ReferralChat.prototype.reveal = function (firstNode, lastNode) {
    var self = this;
    window.requestAnimationFrame(function () {
      if (self.window.hidden) return;
      var container = self.scrollContainer();
      var viewTop = container ? container.getBoundingClientRect().top : 0;
      var viewBottom = container ? container.getBoundingClientRect().bottom : window.innerHeight;
      viewTop = Math.max(viewTop, self.window.querySelector(".rc-top").getBoundingClientRect().bottom);
      viewBottom = Math.min(viewBottom, self.window.querySelector(".rc-bottom").getBoundingClientRect().top);
      var top = firstNode.getBoundingClientRect().top;
      var bottom = lastNode.getBoundingClientRect().bottom;
      var delta = 0;
      if (bottom > viewBottom) delta = Math.min(bottom - viewBottom, top - viewTop);
      else if (top < viewTop) delta = top - viewTop;
      if (Math.abs(delta) < 1) return;
      var options = { top: delta, behavior: reducedMotion ? "auto" : "smooth" };
      if (container) container.scrollBy(options);
      else window.scrollBy(options);
    });
  };

  ReferralChat.prototype.scrollToEnd = function () {
    var last = this.state.replies.length ? this.replies : this.log.lastElementChild;
    if (last) this.reveal(last, last);
  };

  /* ---------- start-up ---------- */

  function readScriptOptions() {
    var data = thisScript.dataset || {};
    var options = {};
    if (data.mode) options.mode = data.mode;
    if (data.target) options.target = data.target;
    if (data.socketUrl) options.socketUrl = data.socketUrl;
    if (data.title) options.title = data.title;
    return options;
  }

  function boot() {
    var config = {};
    var key;
    for (key in DEFAULTS) config[key] = DEFAULTS[key];
    var pageConfig = window.REFERRAL_CHAT_CONFIG || {};
    for (key in pageConfig) config[key] = pageConfig[key];
    var scriptOptions = readScriptOptions();
    for (key in scriptOptions) config[key] = scriptOptions[key];
    var mount = config.target ? document.querySelector(config.target) : null;
    if (!mount) {
      config.mode = "launcher";
      mount = document.body;
    }
    window.referralChat = new ReferralChat(config, mount);
  }

  function whenReady(fn) {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", fn);
    else fn();
  }

  // One script tag is enough: bring in the stylesheet, the page's config and socket.io from the
  // same server as this file, unless the host page already loaded them.
  loadStylesheet(siteBase + "chat/widget.css");
  var needs = [];
  if (!window.REFERRAL_CHAT_CONFIG) needs.push(loadScript(siteBase + "config.js").catch(function () {}));
  if (typeof window.io !== "function") needs.push(loadScript(siteBase + "vendor/socket.io.min.js"));
  Promise.all(needs).then(function () { whenReady(boot); }, function () { whenReady(boot); });
})();
