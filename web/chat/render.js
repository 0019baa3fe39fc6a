/* What the chat shows, built as DOM nodes: message bubbles, links in text, and the cards of our
 * custom payloads (eligibility, providers, crisis resources). No state, no network. */

const STATUS_WORDS = {
  likely: { label: "Likely a match", icon: "\u2713" },
  possible: { label: "Possibly a match", icon: "?" },
  unlikely: { label: "Unlikely a match", icon: "\u2715" }
};

// Every piece of text from the bot, the user or the directory goes through textContent.
export function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

export function visuallyHidden(text) {
  return el("span", "rc-vh", text);
}

export function isText(value) {
  return typeof value === "string" && value.trim() !== "";
}

export function button(text, className, onClick) {
  const node = el("button", className, text);
  node.type = "button";
  node.addEventListener("click", onClick);
  return node;
}

// Only http(s) addresses become links; "www.example.org" from the directory gets https://.
export function safeWebUrl(value) {
  if (!isText(value)) return null;
  let raw = value.trim();
  if (!/^[a-z][a-z0-9+.-]*:/i.test(raw)) {
    if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+(:\d+)?([/?#]\S*)?$/i.test(raw)) return null;
    raw = "https://" + raw;
  }
  try {
    const url = new URL(raw);
    return url.protocol === "http:" || url.protocol === "https:" ? url : null;
  } catch (e) {
    return null;
  }
}

// The number to dial in "(508) 555-0199 ext. 2" (+15085550199), "1-800-799-7233 (800-799-SAFE)"
// (+18007997233) or "988"; null when there is none.
const US_NUMBER = /(?:\+?1[\s.-]?)?\(?\d{3}\)?[\s.-]?\d{3}[\s.-]?\d{4}(?!\d)/;
const SHORT_CODE = /(?:^|[^\d])(\d{3,6})(?!\d)/;
export function dialableNumber(value) {
  if (typeof value === "number") value = String(value);
  if (!isText(value)) return null;
  let found = String(value).match(US_NUMBER);
  if (found) return "+1" + found[0].replace(/\D/g, "").slice(-10);
  found = String(value).match(SHORT_CODE);
  return found ? found[1] : null;
}

export function externalLink(href, text, className) {
  const link = el("a", className || null, text);
  link.href = href;
  link.target = "_blank";
  link.rel = "noopener noreferrer";
  link.appendChild(visuallyHidden(" (opens in a new tab)"));
  return link;
}

// Web addresses (with or without https://, e.g. "masshelpline.com") and US phone numbers.
const LINKABLE = new RegExp(
  "(https?:\\/\\/[^\\s<>\"']+)" +
  "|(\\b(?:[a-z0-9-]+\\.)+(?:org|gov|com|net|us|edu)\\b(?:\\/[^\\s<>\"']*)?)" +
  "|(\\b(?:1-)?\\d{3}-\\d{3}-\\d{4}\\b)", "gi");

// Plain text with web addresses and phone numbers made tappable; never parsed as HTML.
export function appendLinkedText(parent, text) {
  let last = 0;
  let match;
  LINKABLE.lastIndex = 0;
  while ((match = LINKABLE.exec(text)) !== null) {
    let found = match[0];
    let trailing = "";
    if (!match[3]) {
      const stripped = found.replace(/[.,;:!?)\]]+$/, "");
      trailing = found.slice(stripped.length);
      found = stripped;
    }
    parent.appendChild(document.createTextNode(text.slice(last, match.index)));
    let link = null;
    if (match[3]) {
      const number = dialableNumber(found);
      if (number) {
        link = el("a", null, found);
        link.href = "tel:" + number;
      }
    } else {
      const url = safeWebUrl(found);
      if (url) link = externalLink(url.href, found);
    }
    parent.appendChild(link || document.createTextNode(found));
    if (trailing) parent.appendChild(document.createTextNode(trailing));
    last = match.index + match[0].length;
  }
  parent.appendChild(document.createTextNode(text.slice(last)));
}

export function renderTextEntry(entry) {
  const item = el("li", "rc-msg rc-from-" + (entry.from === "user" ? "user" : "bot"));
  item.appendChild(visuallyHidden(entry.from === "user" ? "You said: " : "Assistant: "));
  const bubble = el("div", "rc-bubble");
  appendLinkedText(bubble, String(entry.text));
  item.appendChild(bubble);
  return item;
}

function renderList(items, className) {
  const list = el("ul", className);
  items.filter(isText).forEach((text) => {
    const li = el("li");
    appendLinkedText(li, text);
    list.appendChild(li);
  });
  return list;
}

// Names come from the payloads (the registry on the server); the id is the fallback.
function programName(program) {
  if (isText(program.name)) return program.name;
  return isText(program.id) ? program.id : "Program";
}

export function renderEligibility(data) {
  const item = el("li", "rc-msg rc-from-bot rc-wide");
  const card = el("article", "rc-card rc-eligibility");
  card.appendChild(el("h3", "rc-card-title", "What your answers suggest"));
  card.appendChild(el("p", "rc-note",
    "This is not a decision. A provider decides after talking with you (an assessment)."));
  const programs = Array.isArray(data.programs) ? data.programs : [];
  programs.forEach((program) => {
    if (!program || typeof program !== "object") return;
    const status = STATUS_WORDS[program.status] ? program.status : "possible";
    const section = el("section", "rc-program rc-status-" + status);
    section.appendChild(el("h4", "rc-program-name", programName(program)));
    const badge = el("p", "rc-badge rc-badge-" + status);
    const icon = el("span", "rc-badge-icon", STATUS_WORDS[status].icon);
    icon.setAttribute("aria-hidden", "true");
    badge.appendChild(icon);
    badge.appendChild(document.createTextNode(" " + STATUS_WORDS[status].label));
    section.appendChild(badge);
    const reasons = Array.isArray(program.reasons) ? program.reasons : [];
    if (reasons.filter(isText).length) {
      section.appendChild(el("p", "rc-list-label", "Why:"));
      section.appendChild(renderList(reasons, "rc-reasons"));
    }
    const steps = Array.isArray(program.next_steps) ? program.next_steps : [];
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
  const rounded = Math.round(miles * 10) / 10;
  return rounded + (rounded === 1 ? " mile away" : " miles away");
}

function joinText(parts, separator) {
  return parts.filter((part) => isText(part) || typeof part === "number").map(String).join(separator);
}

function renderProvider(provider, programNames) {
  const card = el("article", "rc-provider");
  const heading = el("h4", "rc-provider-name", isText(provider.name) ? provider.name : "Provider");
  heading.tabIndex = -1; // "Show more" moves focus here
  card.appendChild(heading);

  const where = joinText([formatDistance(provider.distance_miles),
    joinText([provider.town, provider.state], ", ")], " \u00b7 ");
  if (where) card.appendChild(el("p", "rc-provider-where", where));
  const address = joinText([provider.address, provider.town,
    joinText([provider.state, provider.zip], " ")], ", ");
  if (isText(provider.address)) card.appendChild(el("p", "rc-provider-address", address));

  const badges = el("ul", "rc-tags");
  if (provider.telehealth === true) badges.appendChild(el("li", "rc-tag", "Telehealth available"));
  const languages = Array.isArray(provider.languages) ? provider.languages.filter(isText) : [];
  if (languages.length) badges.appendChild(el("li", "rc-tag", "Languages: " + languages.join(", ")));
  const programs = Array.isArray(provider.programs) ? provider.programs.filter(isText) : [];
  if (programs.length) {
    const names = programs.map((id) => (isText(programNames[id]) ? programNames[id] : id));
    badges.appendChild(el("li", "rc-tag", "Programs: " + names.join(", ")));
  }
  if (badges.childNodes.length) card.appendChild(badges);

  const actions = el("div", "rc-actions");
  const number = dialableNumber(provider.phone);
  if (number) {
    const call = el("a", "rc-action", "Call " + String(provider.phone).trim());
    call.href = "tel:" + number;
    actions.appendChild(call);
  }
  const site = safeWebUrl(provider.website);
  if (site) {
    actions.appendChild(externalLink(site.href, "Website: " + site.hostname.replace(/^www\./, ""), "rc-action"));
  }
  if (actions.childNodes.length) card.appendChild(actions);
  return card;
}

/* The provider list: the first `shownFirst` providers, the others behind "Show N more"
 * (unless `expanded`). `onExpand(firstRevealed)` runs after they are shown. */
export function renderProviders(data, { shownFirst, expanded, onExpand }) {
  const items = Array.isArray(data.items) ? data.items.filter((p) => p && typeof p === "object") : [];
  const programNames = data.program_names && typeof data.program_names === "object" ? data.program_names : {};
  const item = el("li", "rc-msg rc-from-bot rc-wide");
  const card = el("article", "rc-card rc-providers");
  const near = data.near && typeof data.near === "object" ? data.near : {};
  const place = joinText([near.town, joinText([near.state, near.zip], " ")], ", ");
  card.appendChild(el("h3", "rc-card-title", place ? "Providers near " + place : "Providers near you"));
  if (!items.length) {
    card.appendChild(el("p", "rc-note", "No providers were found nearby."));
    item.appendChild(card);
    return item;
  }
  const list = el("ul", "rc-provider-list");
  const firstCount = Math.max(1, shownFirst);
  items.forEach((provider, index) => {
    const li = el("li");
    li.appendChild(renderProvider(provider, programNames));
    if (index >= firstCount && !expanded) li.hidden = true;
    list.appendChild(li);
  });
  card.appendChild(list);
  const hiddenCount = items.length - firstCount;
  if (hiddenCount > 0 && !expanded) {
    const more = button("Show " + hiddenCount + " more provider" + (hiddenCount === 1 ? "" : "s"),
      "rc-btn rc-show-more", () => {
        const revealed = list.children[firstCount];
        Array.prototype.forEach.call(list.children, (li) => { li.hidden = false; });
        more.remove();
        revealed.querySelector(".rc-provider-name").focus();
        onExpand(revealed);
      });
    card.appendChild(more);
  }
  item.appendChild(card);
  return item;
}

export function renderCrisisResource(resource) {
  const li = el("li", "rc-crisis-item");
  li.appendChild(el("strong", "rc-crisis-name", resource.name));
  const links = el("span", "rc-crisis-links");
  const phone = dialableNumber(resource.phone);
  if (phone) {
    const call = el("a", "rc-crisis-link", "Call " + String(resource.phone).trim());
    call.href = "tel:" + phone;
    links.appendChild(call);
  }
  // "text" is a number ("988") or says how to text ("AYUDA to 988", "Text AYUDA to 988").
  const textNumber = dialableNumber(resource.text);
  if (textNumber) {
    const textLabel = String(resource.text).trim();
    const text = el("a", "rc-crisis-link", /^text\b/i.test(textLabel) ? textLabel : "Text " + textLabel);
    text.href = "sms:" + textNumber;
    links.appendChild(text);
  }
  const url = safeWebUrl(resource.url || resource.chat);
  if (url) {
    links.appendChild(externalLink(url.href, "Chat at " + url.hostname.replace(/^www\./, ""), "rc-crisis-link"));
  }
  if (links.childNodes.length) li.appendChild(links);
  const notes = [];
  if (isText(resource.text) && !textNumber) notes.push(resource.text);
  ["description", "notes", "hours"].forEach((key) => {
    if (isText(resource[key])) notes.push(resource[key]);
  });
  if (notes.length) li.appendChild(el("span", "rc-crisis-note", notes.join(" ")));
  return li;
}

export function chatIcon() {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("class", "rc-launcher-icon");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("focusable", "false");
  const path = document.createElementNS(ns, "path");
  path.setAttribute("d", "M4 4h16a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z");
  svg.appendChild(path);
  return svg;
}
