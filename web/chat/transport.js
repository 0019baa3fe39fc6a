/* The connection to Rasa over socket.io (the client in vendor/, loaded as window.io): session
 * request and confirm, sending and receiving, and reconnecting. Messages sent before the session
 * is confirmed wait in an outbox. */

export class Transport {
  /* options: {socketUrl, socketPath, transports}; onMessage(botMessage); onStatus(kind) with kind
   * "connecting" (still not connected after 1.5 s), "ready", "lost" or "unreachable". */
  constructor(options, { onMessage, onStatus }) {
    this.options = options;
    this.onMessage = onMessage;
    this.onStatus = onStatus;
    this.socket = null;
    this.sessionId = null;
    this.ready = false; // session confirmed by Rasa: messages may be sent
    this.outbox = [];
    this.statusTimer = null;
  }

  static available() {
    return typeof window.io === "function";
  }

  get connected() {
    return this.socket !== null;
  }

  connect(sessionId) {
    if (this.socket) return;
    this.sessionId = sessionId;
    this.statusTimer = window.setTimeout(() => {
      if (!this.ready) this.onStatus("connecting");
    }, 1500);
    const socket = window.io(this.options.socketUrl, {
      path: this.options.socketPath,
      transports: this.options.transports,
      reconnection: true
    });
    this.socket = socket;
    // Rasa puts this connection in the session's room only after session_request, so every
    // (re)connection asks again and sends nothing until the session is confirmed.
    socket.on("connect", () => {
      socket.emit("session_request", { session_id: this.sessionId });
    });
    socket.on("session_confirm", () => {
      this.ready = true;
      window.clearTimeout(this.statusTimer);
      this.onStatus("ready");
      const pending = this.outbox;
      this.outbox = [];
      pending.forEach((message) => this.emit(message));
    });
    socket.on("bot_uttered", (message) => this.onMessage(message));
    socket.on("disconnect", () => {
      this.ready = false;
      this.onStatus("lost");
    });
    socket.on("connect_error", () => {
      this.ready = false;
      this.onStatus("unreachable");
    });
  }

  // Sends now when the session is confirmed, otherwise as soon as it is.
  send(message) {
    if (this.ready && this.socket) this.emit(message);
    else this.outbox.push(message);
  }

  emit(message) {
    this.socket.emit("user_uttered", { message: message, session_id: this.sessionId });
  }

  // Drops the connection and anything not sent yet (the chat was ended).
  close() {
    window.clearTimeout(this.statusTimer);
    if (this.socket) {
      this.socket.removeAllListeners();
      this.socket.disconnect();
      this.socket = null;
    }
    this.ready = false;
    this.outbox = [];
  }
}
