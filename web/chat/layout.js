/* The chat window's frame: the launcher button (embedded mode), the header and its buttons, the
 * end-chat confirmation, the crisis banner's place, the progress, the conversation log, the answer
 * buttons and the typing box. Returns the parts the chat fills in; the chat decides what they do. */

import { button, chatIcon, el } from "./render.js";

/* options: {mode: "page" | "launcher", title, launcherLabel, open};
 * on: {open, close, showCrisis, end, send(text)}. */
export function buildLayout(options, on) {
  const launcherMode = options.mode === "launcher";
  const uid = "rc" + Math.floor(Math.random() * 1e9).toString(36);
  const parts = { crisisTitleId: uid + "-crisis-title" };
  const root = el("div", "rc-root rc-mode-" + options.mode);
  parts.root = root;

  if (launcherMode) {
    const launcher = el("button", "rc-launcher");
    launcher.type = "button";
    launcher.setAttribute("aria-expanded", options.open ? "true" : "false");
    launcher.setAttribute("aria-controls", uid + "-window");
    launcher.appendChild(chatIcon());
    launcher.appendChild(el("span", "rc-launcher-text", options.launcherLabel));
    launcher.addEventListener("click", on.open);
    launcher.hidden = !!options.open; // a reload keeps an open chat open
    root.appendChild(launcher);
    parts.launcher = launcher;
  }

  const win = el("section", "rc-window");
  win.id = uid + "-window";
  win.setAttribute("aria-labelledby", uid + "-title");
  if (launcherMode) {
    win.setAttribute("role", "dialog");
    win.setAttribute("aria-modal", "false");
    win.hidden = !options.open;
    win.addEventListener("keydown", (event) => {
      if (event.key === "Escape") on.close();
    });
  }
  parts.window = win;

  // Title and controls, then the crisis banner and the progress, which stay in view.
  const header = el("div", "rc-header");
  const title = el("h2", "rc-title", options.title);
  title.id = uid + "-title";
  title.tabIndex = -1;
  parts.title = title;
  header.appendChild(title);
  parts.showCrisisButton = button("Crisis help", "rc-header-btn rc-show-crisis", on.showCrisis);
  parts.showCrisisButton.hidden = true;
  header.appendChild(parts.showCrisisButton);
  const endButton = button("End chat", "rc-header-btn", () => {
    parts.confirmBox.hidden = false;
    confirmText.focus();
  });
  header.appendChild(endButton);
  if (launcherMode) {
    const closeButton = button("", "rc-header-btn rc-close", on.close);
    closeButton.setAttribute("aria-label", "Close chat");
    const closeIcon = el("span", null, "\u2715");
    closeIcon.setAttribute("aria-hidden", "true");
    closeButton.appendChild(closeIcon);
    header.appendChild(closeButton);
  }
  win.appendChild(header);

  const top = el("div", "rc-top");
  parts.top = top;
  const confirmBox = el("div", "rc-confirm");
  confirmBox.hidden = true;
  parts.confirmBox = confirmBox;
  const confirmText = el("p", null, "End this chat? It will be cleared from this device and you will start over.");
  confirmText.id = uid + "-confirm";
  confirmText.tabIndex = -1;
  confirmBox.appendChild(confirmText);
  const confirmActions = el("div", "rc-confirm-actions");
  confirmActions.appendChild(button("Yes, end and clear", "rc-btn rc-btn-primary", on.end));
  confirmActions.appendChild(button("Keep chatting", "rc-btn", () => {
    confirmBox.hidden = true;
    endButton.focus();
  }));
  confirmBox.appendChild(confirmActions);
  top.appendChild(confirmBox);

  const crisisBanner = el("div", "rc-crisis");
  crisisBanner.setAttribute("role", "region");
  crisisBanner.setAttribute("aria-labelledby", parts.crisisTitleId);
  crisisBanner.tabIndex = -1;
  crisisBanner.hidden = true;
  parts.crisisBanner = crisisBanner;
  top.appendChild(crisisBanner);
  parts.alert = el("p", "rc-vh");
  parts.alert.setAttribute("role", "alert");
  top.appendChild(parts.alert);

  const progress = el("div", "rc-progress");
  progress.setAttribute("role", "status");
  progress.hidden = true;
  parts.progress = progress;
  parts.progressText = el("p", "rc-progress-text");
  const progressBar = el("div", "rc-progress-bar");
  progressBar.setAttribute("aria-hidden", "true");
  parts.progressFill = el("div", "rc-progress-fill");
  progressBar.appendChild(parts.progressFill);
  progress.appendChild(parts.progressText);
  progress.appendChild(progressBar);
  top.appendChild(progress);
  win.appendChild(top);

  // Middle: the conversation. role=log announces each new message politely.
  const scroller = el("div", "rc-scroll");
  // Focusable so that keyboard users can scroll back through the conversation.
  scroller.tabIndex = 0;
  scroller.setAttribute("role", "region");
  scroller.setAttribute("aria-label", "Conversation");
  parts.scroller = scroller;
  const logRegion = el("div", "rc-log-region");
  logRegion.setAttribute("role", "log");
  logRegion.setAttribute("aria-live", "polite");
  logRegion.setAttribute("aria-relevant", "additions");
  logRegion.setAttribute("aria-label", "Messages");
  parts.log = el("ol", "rc-log");
  logRegion.appendChild(parts.log);
  scroller.appendChild(logRegion);
  const typing = el("div", "rc-typing");
  typing.setAttribute("aria-hidden", "true");
  typing.hidden = true;
  for (let i = 0; i < 3; i++) typing.appendChild(el("span", "rc-dot"));
  parts.typing = typing;
  scroller.appendChild(typing);
  const replies = el("div", "rc-replies");
  replies.setAttribute("role", "group");
  replies.setAttribute("aria-label", "Answer choices");
  replies.tabIndex = -1;
  parts.replies = replies;
  scroller.appendChild(replies);
  win.appendChild(scroller);

  // Bottom: typing box, connection status, and (in the embedded window) a way to reach 988.
  const bottom = el("div", "rc-bottom");
  parts.bottom = bottom;
  const form = el("form", "rc-composer");
  const label = el("label", "rc-vh", "Type your answer or question");
  label.htmlFor = uid + "-input";
  const input = el("input", "rc-input");
  input.id = uid + "-input";
  input.type = "text";
  input.autocomplete = "off";
  input.maxLength = 1000;
  input.placeholder = "Type here\u2026";
  input.setAttribute("enterkeyhint", "send");
  parts.input = input;
  const send = el("button", "rc-send", "Send");
  send.type = "submit";
  form.appendChild(label);
  form.appendChild(input);
  form.appendChild(send);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    on.send(text);
  });
  bottom.appendChild(form);
  parts.status = el("p", "rc-status");
  parts.status.setAttribute("role", "status");
  bottom.appendChild(parts.status);
  if (launcherMode) bottom.appendChild(crisisLine());
  win.appendChild(bottom);
  root.appendChild(win);
  return parts;
}

function crisisLine() {
  const line = el("p", "rc-crisis-line");
  line.appendChild(document.createTextNode("In crisis? "));
  const call = el("a", null, "Call 988");
  call.href = "tel:988";
  const text = el("a", null, "Text 988");
  text.href = "sms:988";
  line.appendChild(call);
  line.appendChild(document.createTextNode(" or "));
  line.appendChild(text);
  return line;
}
