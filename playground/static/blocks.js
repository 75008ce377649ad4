// Block Kit rendering for the playground: mrkdwn, sections, fields, context, dividers, buttons, inputs.
"use strict";

const EMOJI = {
  test_tube: "🧪", key: "🔑", white_check_mark: "✅", x: "❌", warning: "⚠️", inbox_tray: "📥",
  no_entry: "⛔", hourglass: "⌛", hourglass_flowing_sand: "⏳", lock: "🔒", unlock: "🔓", wave: "👋",
  bell: "🔔", clock: "🕒", calendar: "📅", information_source: "ℹ️", recycle: "♻️", wastebasket: "🗑️",
  no_entry_sign: "🚫", heavy_check_mark: "✔️", hand: "✋", eyes: "👀", rotating_light: "🚨",
  arrows_counterclockwise: "🔄", bust_in_silhouette: "👤", busts_in_silhouette: "👥", stopwatch: "⏱️",
  memo: "📝", mag: "🔍", shield: "🛡️", construction: "🚧", tada: "🎉", red_circle: "🔴", large_green_circle: "🟢",
};

function esc(text) {
  return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

// Slack's mrkdwn escapes only &, < and >; decode them before we escape for HTML ourselves.
function unent(text) {
  return String(text).replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");
}

function emojify(html) {
  return html.replace(/:([a-z0-9_+-]+):/g, (all, name) => EMOJI[name] || all);
}

function personName(id) {
  const found = (window.PLAYGROUND_PERSONAS || []).find((p) => p.id === id);
  return found ? found.real_name : id === "U0BOT" ? "amplify-dev" : id;
}

function special(inner) {
  const [target, label] = inner.split("|", 2);
  if (target.startsWith("@")) return `<span class="mention">@${esc(personName(target.slice(1)))}</span>`;
  if (target.startsWith("#")) return `<span class="mention">#${esc(label || (target === "#C0LEADS" ? "amplify-dev-leads" : target.slice(1)))}</span>`;
  if (target.startsWith("!date^")) {
    const seconds = Number(target.split("^")[1]);
    const when = Number.isFinite(seconds) ? new Date(seconds * 1000).toLocaleString([], { dateStyle: "medium", timeStyle: "short" }) : label;
    return `<time>${esc(when || "")}</time>`;
  }
  if (target.startsWith("!")) return `<span class="mention">@${esc(target.slice(1).split("^")[0])}</span>`;
  const href = /^(https?:|mailto:)/.test(target) ? target : "#";
  return `<a href="${esc(href)}" target="_blank" rel="noopener">${esc(label || target)}</a>`;
}

function inline(text) {
  return text.split(/(<[^<>\n]+>)/).map((part) => {
    if (part.startsWith("<") && part.endsWith(">")) return special(unent(part.slice(1, -1)));
    let html = esc(unent(part));
    html = html.replace(/\*([^*\n]+)\*/g, "<b>$1</b>");
    html = html.replace(/(^|[\s(])_([^_\n]+)_(?=$|[\s).,!?:;])/g, "$1<i>$2</i>");
    html = html.replace(/~([^~\n]+)~/g, "<s>$1</s>");
    return emojify(html).replace(/\n/g, "<br>");
  }).join("");
}

function mrkdwn(text) {
  const out = [];
  const code = /```([\s\S]*?)```|`([^`\n]+)`/g;
  let last = 0;
  let match;
  while ((match = code.exec(text))) {
    out.push(inline(text.slice(last, match.index)));
    out.push(match[1] !== undefined ? `<pre>${esc(unent(match[1]))}</pre>` : `<code>${esc(unent(match[2]))}</code>`);
    last = code.lastIndex;
  }
  out.push(inline(text.slice(last)));
  return out.join("");
}

function textHtml(obj) {
  if (!obj) return "";
  if (obj.type === "mrkdwn") return mrkdwn(obj.text || "");
  const html = esc(obj.text || "").replace(/\n/g, "<br>");
  return obj.emoji === false ? html : emojify(html);
}

function el(tag, className, html) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (html !== undefined) node.innerHTML = html;
  return node;
}

// onButton(element, blockId) is called when a button is clicked (after its confirm dialog, if any).
function renderButton(element, blockId, onButton) {
  const button = el("button", `btn ${element.style || ""}`.trim(), textHtml(element.text));
  button.type = "button";
  button.dataset.actionId = element.action_id;
  if (element.value !== undefined) button.dataset.value = element.value;
  button.addEventListener("click", () => onButton(element, blockId));
  return button;
}

function renderInput(block) {
  const element = block.element || {};
  const wrap = el("div", "input-block");
  wrap.dataset.blockId = block.block_id || "";
  wrap.appendChild(el("label", "input-label", textHtml(block.label) + (block.optional ? ' <span class="optional">(optional)</span>' : "")));
  let field;
  if (element.type === "plain_text_input" || element.type === "number_input") {
    field = document.createElement(element.multiline ? "textarea" : "input");
    if (element.type === "number_input") {
      field.type = "number";
      if (element.min_value) field.min = element.min_value;
      if (element.max_value) field.max = element.max_value;
    }
    if (element.placeholder) field.placeholder = element.placeholder.text;
    if (element.initial_value) field.value = element.initial_value;
    if (element.max_length) field.maxLength = element.max_length;
  } else if (element.type === "checkboxes" || element.type === "radio_buttons") {
    field = el("div", "options");
    const initial = (element.initial_options || [element.initial_option]).filter(Boolean).map((o) => o.value);
    for (const option of element.options || []) {
      const line = el("label", "option");
      const box = document.createElement("input");
      box.type = element.type === "checkboxes" ? "checkbox" : "radio";
      box.name = element.action_id;
      box.value = option.value;
      box.checked = initial.includes(option.value);
      line.appendChild(box);
      line.appendChild(el("span", "", textHtml(option.text)));
      field.appendChild(line);
    }
  } else if (element.type === "static_select") {
    field = document.createElement("select");
    for (const option of element.options || []) {
      const item = document.createElement("option");
      item.value = option.value;
      item.textContent = option.text.text;
      field.appendChild(item);
    }
  } else {
    field = el("div", "unsupported", `[${esc(element.type)} input]`);
  }
  field.dataset.actionId = element.action_id;
  field.dataset.kind = element.type;
  wrap.appendChild(field);
  wrap.appendChild(el("div", "input-error"));
  return wrap;
}

function renderBlocks(blocks, onButton) {
  const container = el("div", "blocks");
  for (const block of blocks || []) {
    let node;
    switch (block.type) {
      case "section": {
        node = el("div", "section");
        const body = el("div", "section-body");
        if (block.text) body.appendChild(el("div", "section-text", textHtml(block.text)));
        if (block.fields) {
          const grid = el("div", "fields");
          for (const field of block.fields) grid.appendChild(el("div", "field", textHtml(field)));
          body.appendChild(grid);
        }
        node.appendChild(body);
        if (block.accessory && block.accessory.type === "button") {
          node.appendChild(renderButton(block.accessory, block.block_id, onButton));
        }
        break;
      }
      case "context":
        node = el("div", "context");
        for (const item of block.elements || []) {
          node.appendChild(item.type === "image" ? Object.assign(el("img", "context-image"), { src: item.image_url, alt: item.alt_text }) : el("span", "", textHtml(item)));
        }
        break;
      case "divider":
        node = el("hr", "divider");
        break;
      case "header":
        node = el("div", "header", textHtml(block.text));
        break;
      case "actions":
        node = el("div", "actions");
        for (const element of block.elements || []) {
          if (element.type === "button") node.appendChild(renderButton(element, block.block_id, onButton));
          else node.appendChild(el("span", "unsupported", `[${esc(element.type)}]`));
        }
        break;
      case "input":
        node = renderInput(block);
        break;
      case "image":
        node = Object.assign(el("img", "image"), { src: block.image_url, alt: block.alt_text });
        break;
      default:
        node = el("div", "unsupported", `[${esc(block.type)} block]`);
    }
    container.appendChild(node);
  }
  return container;
}

window.BlockKit = { renderBlocks, mrkdwn, textHtml, personName };
