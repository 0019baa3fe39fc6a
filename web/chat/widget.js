/* Referral chat widget, the entry module: reads the settings (defaults, the page's /config.js,
 * the script tag's data attributes), loads what it needs and starts the chat (chat.js).
 * One tag embeds it: <script type="module" src="https://CHAT-HOST/chat/widget.js"></script> */

import { ReferralChat } from "./chat.js";

// This file lives at <site>/chat/widget.js; config.js and vendor/ sit at <site>/.
// (A module has no document.currentScript: its own address is import.meta.url.)
const siteBase = new URL("..", import.meta.url).href;

const DEFAULTS = {
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

// The <script> tag that loaded this module, for its data attributes.
function ownScriptTag() {
  const scripts = Array.from(document.querySelectorAll("script[src]"));
  const withoutQuery = (url) => url.split(/[?#]/)[0];
  return scripts.find((s) => s.src === import.meta.url)
    || scripts.find((s) => withoutQuery(s.src) === withoutQuery(import.meta.url))
    || null;
}

function scriptOptions() {
  const tag = ownScriptTag();
  const data = (tag && tag.dataset) || {};
  const options = {};
  ["mode", "target", "socketUrl", "title"].forEach((key) => {
    if (data[key]) options[key] = data[key];
  });
  return options;
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const tag = document.createElement("script");
    tag.src = src;
    tag.onload = resolve;
    tag.onerror = () => reject(new Error("could not load " + src));
    document.head.appendChild(tag);
  });
}

function loadStylesheet(href) {
  if (document.querySelector("link[data-referral-chat-css]")) return;
  const link = document.createElement("link");
  link.rel = "stylesheet";
  link.href = href;
  link.setAttribute("data-referral-chat-css", "");
  document.head.appendChild(link);
}

function boot() {
  const config = Object.assign({}, DEFAULTS, window.REFERRAL_CHAT_CONFIG || {}, scriptOptions());
  let mount = config.target ? document.querySelector(config.target) : null;
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
const needs = [];
if (!window.REFERRAL_CHAT_CONFIG) needs.push(loadScript(siteBase + "config.js").catch(() => {}));
if (typeof window.io !== "function") needs.push(loadScript(siteBase + "vendor/socket.io.min.js"));
Promise.all(needs).then(() => whenReady(boot), () => whenReady(boot));
