/* Where the chat is kept on this device: the random session id and the chat's state (transcript,
 * answer buttons, progress, crisis banner), in sessionStorage ("session", the default: gone when
 * the tab closes), localStorage ("local") or nowhere ("none"). */

const PREFIX = "referralChat.";

// A fresh state: also the shape a saved state is read into (unknown keys are dropped).
export function emptyState(open = false) {
  return {
    transcript: [], replies: [], progress: null, crisis: null, crisisHidden: false,
    open: open, expanded: {},
    // Texts of this bot turn that a card shows again (its `covers`): not shown as bubbles.
    covered: []
  };
}

export function randomSessionId() {
  const bytes = new Uint8Array(16); // 128 bits, never derived from what the user typed
  window.crypto.getRandomValues(bytes);
  return Array.from(bytes, (b) => ("0" + b.toString(16)).slice(-2)).join("");
}

function storageBackend(kind) {
  try {
    const backend = kind === "local" ? window.localStorage : kind === "none" ? null : window.sessionStorage;
    if (backend) {
      backend.setItem(PREFIX + "probe", "1");
      backend.removeItem(PREFIX + "probe");
    }
    return backend;
  } catch (e) {
    return null; // storage blocked: the chat still works, it just forgets on reload
  }
}

export class ChatStore {
  constructor(kind, maxTranscript) {
    this.backend = storageBackend(kind);
    this.maxTranscript = maxTranscript;
  }

  get(key) {
    if (!this.backend) return null;
    try {
      return JSON.parse(this.backend.getItem(PREFIX + key));
    } catch (e) {
      return null;
    }
  }

  set(key, value) {
    if (!this.backend) return;
    try {
      this.backend.setItem(PREFIX + key, JSON.stringify(value));
    } catch (e) { /* full or blocked: keep going without saving */ }
  }

  // The saved session id, or null when there is none (or it does not look like ours).
  sessionId() {
    const id = this.get("sessionId");
    return typeof id === "string" && /^[0-9a-f]{32,}$/.test(id) ? id : null;
  }

  newSessionId() {
    const id = randomSessionId();
    this.set("sessionId", id);
    return id;
  }

  // The saved state of the saved session; a fresh state when there is none.
  loadState() {
    const state = emptyState();
    const saved = this.get("state");
    if (!this.sessionId() || !saved || typeof saved !== "object") return state;
    for (const key of Object.keys(state)) {
      if (Object.prototype.hasOwnProperty.call(saved, key)) state[key] = saved[key];
    }
    if (!Array.isArray(state.transcript)) state.transcript = [];
    if (!Array.isArray(state.replies)) state.replies = [];
    if (!Array.isArray(state.covered)) state.covered = [];
    if (!state.expanded || typeof state.expanded !== "object") state.expanded = {};
    return state;
  }

  // Saves the state, keeping only the last `maxTranscript` entries of the transcript.
  save(state) {
    const transcript = state.transcript;
    if (transcript.length > this.maxTranscript) {
      state.transcript = transcript.slice(transcript.length - this.maxTranscript);
    }
    this.set("state", state);
  }

  forget() {
    if (!this.backend) return;
    ["sessionId", "state"].forEach((key) => this.backend.removeItem(PREFIX + key));
  }
}
