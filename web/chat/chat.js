/* The chat itself: what happens when the bot or the person says something. Keeps the state
 * (store.js), talks through the transport (transport.js), draws with render.js in the frame of
 * layout.js, and keeps the current turn in view. */

import { buildLayout } from "./layout.js";
import {
  button, el, isText, renderCrisisResource, renderEligibility, renderProviders, renderTextEntry
} from "./render.js";
import { ChatStore, emptyState } from "./store.js";
import { Transport } from "./transport.js";

const STATUS_TEXT = {
  connecting: "Connecting to the assistant\u2026",
  ready: "",
  lost: "Connection lost. Trying to reconnect\u2026",
  unreachable: "Can't reach the assistant right now. Still trying. In a crisis, call or text 988."
};

const reducedMotion = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;

/* The texts a card shows again (its payload's `covers`), as our socket.io channel delivers them:
 * Rasa's SocketIOOutput trims a text and sends each part between blank lines as its own message. */
export function coveredTexts(payload) {
  const texts = [];
  (Array.isArray(payload.covers) ? payload.covers : []).filter(isText).forEach((cover) => {
    const whole = cover.trim();
    texts.push(whole);
    whole.split("\n\n").map((part) => part.trim()).filter(Boolean).forEach((part) => texts.push(part));
  });
  return texts;
}

export class ReferralChat {
  constructor(config, mount) {
    this.config = config;
    this.mode = config.mode === "page" ? "page" : "launcher";
    this.store = new ChatStore(config.storage, config.maxTranscript);
    this.sessionId = this.store.sessionId();
    this.state = this.store.loadState();
    this.transport = new Transport(config, {
      onMessage: (message) => this.receive(message),
      onStatus: (kind) => this.setStatus(STATUS_TEXT[kind] || "")
    });
    this.items = new Map(); // transcript entry id -> its element in the log
    this.focusNextReplies = false;
    this.turnStart = null;
    this.typingTimer = null;
    this.crisisExpanded = false;
    this.build(mount);
    if (this.mode === "page" || this.state.open) this.start();
  }

  save() {
    this.store.save(this.state);
  }

  build(mount) {
    const parts = buildLayout(
      { mode: this.mode, title: this.config.title, launcherLabel: this.config.launcherLabel, open: this.state.open },
      {
        open: () => this.open(),
        close: () => this.close(),
        showCrisis: () => {
          this.state.crisisHidden = false;
          this.save();
          this.renderCrisis();
          this.ui.crisisBanner.focus();
        },
        end: () => this.endChat(),
        send: (text) => this.sendUserMessage(text, text)
      }
    );
    this.ui = parts;
    // Restored messages go in before the log is on the page, so they are not announced again.
    this.state.transcript.forEach((entry) => this.appendEntry(entry));
    this.renderReplies(false);
    this.renderProgress();
    this.renderCrisis();
    mount.appendChild(parts.root);
    if (this.state.transcript.length) this.scrollToEnd();
  }

  /* ----- opening, closing, ending ----- */

  open() {
    this.ui.window.hidden = false;
    this.ui.launcher.setAttribute("aria-expanded", "true");
    this.ui.launcher.hidden = true;
    this.state.open = true;
    this.save();
    this.start();
    this.scrollToEnd();
    const firstReply = this.ui.replies.querySelector("button");
    (firstReply || this.ui.input).focus();
  }

  close() {
    if (this.mode !== "launcher") return;
    this.ui.window.hidden = true;
    this.ui.launcher.hidden = false;
    this.ui.launcher.setAttribute("aria-expanded", "false");
    this.state.open = false;
    this.save();
    this.ui.launcher.focus();
  }

  // Forgets the session id and the transcript on this device, then starts a fresh conversation.
  endChat() {
    this.transport.close();
    this.store.forget();
    this.sessionId = null;
    this.state = emptyState(this.state.open);
    this.items.clear();
    this.ui.log.replaceChildren();
    this.ui.confirmBox.hidden = true;
    this.renderReplies(false);
    this.renderProgress();
    this.renderCrisis();
    this.hideTyping();
    this.setStatus("The chat was ended and cleared from this device. A new chat has started.");
    this.ui.title.focus();
    this.start();
  }

  /* ----- talking to Rasa ----- */

  start() {
    if (this.transport.connected) return;
    if (!Transport.available()) {
      this.setStatus("The chat could not load. Please reload the page. In a crisis, call or text 988.");
      return;
    }
    const isNew = !this.sessionId;
    if (isNew) {
      this.sessionId = this.store.newSessionId();
      this.save();
    }
    if (isNew && this.state.transcript.length === 0 && isText(this.config.initPayload)) {
      this.transport.send(this.config.initPayload);
      this.showTyping();
    }
    this.transport.connect(this.sessionId);
  }

  sendUserMessage(shownText, message) {
    this.state.replies = [];
    this.state.covered = []; // a new turn: the bot's next texts are new
    this.renderReplies(false);
    this.addEntry({ from: "user", kind: "text", text: shownText });
    this.transport.send(message);
    this.start();
    this.showTyping();
  }

  receive(message) {
    if (!message || typeof message !== "object") return;
    this.hideTyping();
    // A text that a card of this turn shows again is left out (see receiveCard).
    if (isText(message.text) && !this.state.covered.includes(message.text.trim())) {
      this.addEntry({ from: "bot", kind: "text", text: message.text });
    }
    const buttons = Array.isArray(message.quick_replies) ? message.quick_replies
      : Array.isArray(message.buttons) ? message.buttons : [];
    const replies = buttons.filter((b) => b && isText(b.title)).map((b) => ({
      title: b.title, payload: isText(b.payload) ? b.payload : b.title
    }));
    if (replies.length) {
      this.state.replies = replies;
      this.renderReplies(true);
    }
    // Our channel sends a custom payload as {"custom": {...}}; accept a bare payload too.
    const custom = message.custom && typeof message.custom === "object" ? message.custom
      : isText(message.type) ? message : null;
    if (custom) this.receiveCustom(custom);
    this.save();
  }

  receiveCustom(payload) {
    if (payload.type === "question") {
      const step = Number(payload.step);
      const of = Number(payload.of);
      if (step >= 1 && of >= step && Math.floor(step) === step && Math.floor(of) === of) {
        this.state.progress = { step: step, of: of, id: isText(payload.id) ? payload.id : null };
        this.renderProgress();
      }
    } else if (payload.type === "eligibility") {
      this.state.progress = null;
      this.renderProgress();
      this.receiveCard("eligibility", payload);
    } else if (payload.type === "providers") {
      this.receiveCard("providers", payload);
    } else if (payload.type === "crisis") {
      this.state.crisis = payload;
      this.state.crisisHidden = false;
      this.renderCrisis();
      this.ui.alert.textContent = "";
      this.ui.alert.textContent = "Crisis phone numbers are now shown at the top of the chat.";
      // The banner takes room from the conversation: bring the current turn back into view.
      const last = this.ui.log.lastElementChild;
      if (last) this.reveal(this.turnStart && this.turnStart.isConnected ? this.turnStart : last, last);
    }
    // Unknown payload types are for other integrations: ignore them.
  }

  /* A card is shown once: the texts it repeats (its `covers`, sent before it in the same turn)
   * are taken out of the conversation, and those that come after it are not shown. */
  receiveCard(kind, payload) {
    const covered = coveredTexts(payload);
    if (covered.length) {
      this.state.covered = this.state.covered.concat(covered);
      this.removeCoveredTexts();
    }
    this.addEntry({ from: "bot", kind: kind, data: payload });
  }

  removeCoveredTexts() {
    const transcript = this.state.transcript;
    let turnStart = transcript.length;
    while (turnStart > 0 && transcript[turnStart - 1].from !== "user") turnStart--;
    const kept = transcript.slice(0, turnStart);
    transcript.slice(turnStart).forEach((entry) => {
      const covered = entry.kind === "text" && isText(entry.text) && this.state.covered.includes(entry.text.trim());
      if (!covered) {
        kept.push(entry);
        return;
      }
      const item = this.items.get(entry.id);
      if (item) item.remove();
      this.items.delete(entry.id);
    });
    this.state.transcript = kept;
  }

  /* ----- the transcript ----- */

  addEntry(entry) {
    entry.id = "m" + Date.now().toString(36) + Math.floor(Math.random() * 1e6).toString(36);
    this.state.transcript.push(entry);
    this.save();
    const item = this.appendEntry(entry);
    if (!item) return;
    // A turn is the user's message and the replies to it: keep its start in view.
    if (entry.from === "user" || !this.turnStart || !this.turnStart.isConnected) this.turnStart = item;
    this.reveal(this.turnStart, item);
  }

  appendEntry(entry) {
    if (!entry || typeof entry !== "object") return null;
    let item = null;
    if (entry.kind === "text" && entry.text !== undefined) item = renderTextEntry(entry);
    else if (entry.kind === "eligibility" && entry.data) item = renderEligibility(entry.data);
    else if (entry.kind === "providers" && entry.data) {
      item = renderProviders(entry.data, {
        shownFirst: this.config.providersShownFirst,
        expanded: this.state.expanded[entry.id] === true,
        onExpand: (revealed) => {
          this.state.expanded[entry.id] = true;
          this.save();
          this.reveal(revealed, revealed);
        }
      });
    }
    if (!item) return null;
    if (entry.id) this.items.set(entry.id, item);
    this.ui.log.appendChild(item);
    return item;
  }

  renderReplies(live) {
    const replies = this.ui.replies;
    const hadFocus = replies.contains(document.activeElement);
    replies.replaceChildren();
    this.state.replies.forEach((reply) => {
      replies.appendChild(button(reply.title, "rc-reply", (event) => {
        // Keyboard users (click without a pointer) keep their place: focus waits on the group
        // and moves to the next answer choices when they arrive.
        this.focusNextReplies = event.detail === 0;
        if (this.focusNextReplies) replies.focus();
        this.sendUserMessage(reply.title, reply.payload);
      }));
    });
    replies.hidden = this.state.replies.length === 0 && document.activeElement !== replies;
    if (live && this.state.replies.length) {
      if (this.focusNextReplies && (hadFocus || document.activeElement === replies)) {
        replies.querySelector("button").focus();
      }
      this.focusNextReplies = false;
      const start = this.turnStart && this.turnStart.isConnected ? this.turnStart : replies;
      this.reveal(start, replies);
    }
  }

  renderProgress() {
    const progress = this.state.progress;
    const box = this.ui.progress;
    if (!progress) {
      box.hidden = true;
      box.removeAttribute("data-question-id");
      return;
    }
    box.hidden = false;
    // The question id is for tests and integrators (what is being asked), not shown.
    box.setAttribute("data-question-id", /^[a-z_]+$/.test(progress.id || "") ? progress.id : "");
    this.ui.progressText.textContent = "Question " + progress.step + " of " + progress.of;
    this.ui.progressFill.style.width = Math.round((100 * progress.step) / progress.of) + "%";
  }

  // The first resource (988) is shown in full; the others sit behind "More crisis lines" so the
  // banner leaves room for the conversation on a phone.
  renderCrisis() {
    const banner = this.ui.crisisBanner;
    banner.replaceChildren();
    const crisis = this.state.crisis;
    const visible = !!crisis && !this.state.crisisHidden;
    banner.hidden = !visible;
    this.ui.showCrisisButton.hidden = !crisis || visible;
    if (!visible) return;

    const head = el("div", "rc-crisis-head");
    const heading = el("h3", "rc-crisis-title", "You can talk to someone right now");
    heading.id = this.ui.crisisTitleId;
    head.appendChild(heading);
    const hide = button("Hide", "rc-btn rc-crisis-hide", () => {
      this.state.crisisHidden = true;
      this.save();
      this.renderCrisis();
      this.ui.showCrisisButton.focus();
    });
    hide.setAttribute("aria-label", "Hide crisis help");
    head.appendChild(hide);
    banner.appendChild(head);

    const list = el("ul", "rc-crisis-list");
    const resources = (Array.isArray(crisis.resources) ? crisis.resources : [])
      .filter((r) => r && typeof r === "object" && isText(r.name));
    resources.forEach((resource, index) => {
      const li = renderCrisisResource(resource);
      if (index > 0 && !this.crisisExpanded) li.hidden = true;
      list.appendChild(li);
    });
    banner.appendChild(list);
    if (resources.length > 1) {
      const more = button(this.crisisExpanded ? "Fewer crisis lines"
        : "More crisis lines (" + (resources.length - 1) + ")", "rc-btn rc-crisis-more", () => {
        this.crisisExpanded = !this.crisisExpanded;
        this.renderCrisis();
        const again = banner.querySelector(".rc-crisis-more");
        if (again) again.focus();
      });
      more.setAttribute("aria-expanded", this.crisisExpanded ? "true" : "false");
      banner.appendChild(more);
    }
  }

  /* ----- status, typing, scrolling ----- */

  setStatus(text) {
    this.ui.status.textContent = text;
    this.ui.status.hidden = !text;
  }

  showTyping() {
    this.ui.typing.hidden = false;
    window.clearTimeout(this.typingTimer);
    this.typingTimer = window.setTimeout(() => this.hideTyping(), 20000);
  }

  hideTyping() {
    window.clearTimeout(this.typingTimer);
    this.ui.typing.hidden = true;
  }

  // The element that scrolls: the chat's middle part when it has its own scroll bar, otherwise
  // the window or page (small screens and zoom let the whole chat scroll).
  scrollContainer() {
    let node = this.ui.scroller;
    while (node && node !== document.body && node !== document.documentElement) {
      const overflow = window.getComputedStyle(node).overflowY;
      if ((overflow === "auto" || overflow === "scroll") && node.scrollHeight > node.clientHeight) return node;
      node = node.parentElement;
    }
    return null;
  }

  // Scrolls so that firstNode..lastNode is in view between the sticky top and bottom parts,
  // keeping the start of firstNode visible when it all does not fit.
  reveal(firstNode, lastNode) {
    window.requestAnimationFrame(() => {
      if (this.ui.window.hidden) return;
      const container = this.scrollContainer();
      let viewTop = container ? container.getBoundingClientRect().top : 0;
      let viewBottom = container ? container.getBoundingClientRect().bottom : window.innerHeight;
      viewTop = Math.max(viewTop, this.ui.top.getBoundingClientRect().bottom);
      viewBottom = Math.min(viewBottom, this.ui.bottom.getBoundingClientRect().top);
      const top = firstNode.getBoundingClientRect().top;
      const bottom = lastNode.getBoundingClientRect().bottom;
      let delta = 0;
      if (bottom > viewBottom) delta = Math.min(bottom - viewBottom, top - viewTop);
      else if (top < viewTop) delta = top - viewTop;
      if (Math.abs(delta) < 1) return;
      const options = { top: delta, behavior: reducedMotion ? "auto" : "smooth" };
      if (container) container.scrollBy(options);
      else window.scrollBy(options);
    });
  }

  scrollToEnd() {
    const last = this.state.replies.length ? this.ui.replies : this.ui.log.lastElementChild;
    if (last) this.reveal(last, last);
  }
}
