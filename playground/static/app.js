// The playground page: a small Slack drawn from GET /playground/api/state, acting through the JSON API.
"use strict";

const API = "/playground/api/";
const params = new URLSearchParams(location.search);
const ui = { user: params.get("user") || "U0DEV", pane: params.get("view") || "dm", last: "", modalKey: "", busy: false };

async function api(name, body) {
  const response = await fetch(API + name, {
    method: body ? "POST" : "GET",
    headers: body ? { "Content-Type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  return response.json();
}

function conversationFor(state) {
  const wanted = ui.pane === "channel" ? "channel" : "dm";
  return state.conversations.find((c) => c.kind === wanted);
}

function askConfirm(confirm) {
  return new Promise((resolve) => {
    const overlay = document.getElementById("confirm-overlay");
    const yes = document.getElementById("confirm-yes");
    const no = document.getElementById("confirm-no");
    document.getElementById("confirm-title").innerHTML = BlockKit.textHtml(confirm.title || { type: "plain_text", text: "Are you sure?" });
    document.getElementById("confirm-text").innerHTML = BlockKit.textHtml(confirm.text);
    yes.innerHTML = BlockKit.textHtml(confirm.confirm || { type: "plain_text", text: "Yes" });
    no.innerHTML = BlockKit.textHtml(confirm.deny || { type: "plain_text", text: "Cancel" });
    yes.className = `btn ${confirm.style || "primary"}`;
    overlay.hidden = false;
    const done = (answer) => {
      overlay.hidden = true;
      yes.onclick = no.onclick = null;
      resolve(answer);
    };
    yes.onclick = () => done(true);
    no.onclick = () => done(false);
  });
}

async function act(name, body) {
  ui.busy = true;
  document.body.classList.add("busy");
  try {
    const answer = await api(name, body);
    if (!answer.ok) note(answer.error || `the bot answered HTTP ${answer.status}`);
    return answer;
  } finally {
    ui.busy = false;
    document.body.classList.remove("busy");
    await refresh(true);
  }
}

function buttonHandler(where) {
  return async (element, blockId) => {
    if (element.confirm && !(await askConfirm(element.confirm))) return;
    await act("click", { user: ui.user, action_id: element.action_id, value: element.value, ...where });
  };
}

function note(text) {
  document.getElementById("composer-note").textContent = text || "";
}

function renderMessages(state) {
  const pane = document.getElementById("messages");
  const conversation = conversationFor(state);
  pane.replaceChildren();
  if (!conversation || conversation.messages.length === 0) {
    pane.appendChild(Object.assign(document.createElement("div"), { className: "empty", textContent: "Nothing here yet. Type /amplify-dev below." }));
    return;
  }
  for (const message of conversation.messages) {
    const row = document.createElement("div");
    row.className = `message${message.ephemeral ? " ephemeral" : ""}${message.thread_ts ? " reply" : ""}`;
    row.dataset.ts = message.ts;
    const isBot = message.user === "U0BOT";
    const head = document.createElement("div");
    head.className = "message-head";
    head.innerHTML = `<span class="author">${isBot ? "amplify-dev" : BlockKit.personName(message.user)}</span>${isBot ? '<span class="app-tag">APP</span>' : ""}`;
    if (message.ephemeral) head.innerHTML += '<span class="only-you">👁 Only visible to you</span>';
    if (message.thread_ts) head.innerHTML += '<span class="in-thread">↳ reply in thread</span>';
    row.appendChild(head);
    if (message.blocks.length) {
      row.appendChild(BlockKit.renderBlocks(message.blocks, buttonHandler({ channel: conversation.id, ts: message.ts })));
    } else {
      row.appendChild(Object.assign(document.createElement("div"), { className: "plain", innerHTML: BlockKit.mrkdwn(message.text) }));
    }
    pane.appendChild(row);
  }
  pane.scrollTop = pane.scrollHeight;
}

function renderHome(state) {
  const pane = document.getElementById("home");
  pane.replaceChildren();
  if (!state.home) {
    pane.textContent = "Opening the Home tab…";
    return;
  }
  pane.appendChild(BlockKit.renderBlocks(state.home.blocks, buttonHandler({ view_id: state.home.id })));
}

function modalValues(form) {
  const values = {};
  for (const field of form.querySelectorAll("[data-action-id]")) {
    const id = field.dataset.actionId;
    if (field.dataset.kind === "checkboxes") values[id] = [...field.querySelectorAll("input:checked")].map((b) => b.value);
    else if (field.dataset.kind === "radio_buttons") values[id] = (field.querySelector("input:checked") || {}).value;
    else if ("value" in field) values[id] = field.value;
  }
  return values;
}

function renderModal(state) {
  const overlay = document.getElementById("modal-overlay");
  const view = state.modal;
  const key = view ? `${view.id}:${view.hash || ""}:${JSON.stringify(view.blocks).length}` : "";
  if (key === ui.modalKey) return; // keep what is being typed
  ui.modalKey = key;
  overlay.hidden = !view;
  if (!view) return;
  document.getElementById("modal-title").innerHTML = BlockKit.textHtml(view.title);
  const body = document.getElementById("modal-body");
  body.replaceChildren(BlockKit.renderBlocks(view.blocks, buttonHandler({ view_id: view.id })));
  const submit = document.getElementById("modal-submit");
  submit.innerHTML = BlockKit.textHtml(view.submit || { type: "plain_text", text: "Submit" });
  submit.hidden = !view.submit;
  document.getElementById("modal-close").innerHTML = BlockKit.textHtml(view.close || { type: "plain_text", text: "Cancel" });
  submit.onclick = async () => {
    const answer = await act("submit", { user: ui.user, view_id: view.id, values: modalValues(body) });
    for (const [blockId, text] of Object.entries(answer.errors || {})) {
      const slot = body.querySelector(`[data-block-id="${CSS.escape(blockId)}"] .input-error`);
      if (slot) slot.textContent = text;
    }
  };
  document.getElementById("modal-close").onclick = () => act("close", { user: ui.user, view_id: view.id });
}

function render(state) {
  window.PLAYGROUND_PERSONAS = state.personas;
  const select = document.getElementById("persona");
  if (select.options.length === 0) {
    for (const p of state.personas) select.appendChild(new Option(`${p.real_name} (${p.id})`, p.id));
  }
  select.value = ui.user;
  const me = state.personas.find((p) => p.id === ui.user);
  document.getElementById("role").textContent = me ? me.role : "";
  document.getElementById("banner").title = state.banner;
  for (const button of document.querySelectorAll("[data-nav]")) button.classList.toggle("active", button.dataset.nav === ui.pane);
  const titles = { channel: "# amplify-dev-leads", dm: "amplify-dev · Messages", home: "amplify-dev · Home" };
  document.getElementById("title").textContent = `${titles[ui.pane]} — as ${me ? me.real_name : ui.user}`;
  document.getElementById("messages").hidden = ui.pane === "home";
  document.getElementById("home").hidden = ui.pane !== "home";
  if (ui.pane === "home") renderHome(state);
  else renderMessages(state);
  renderModal(state);
}

async function refresh(force) {
  if (ui.busy && !force) return;
  const state = await api(`state?user=${encodeURIComponent(ui.user)}`);
  const key = JSON.stringify(state) + ui.pane;
  if (key !== ui.last || force) {
    ui.last = key;
    render(state);
  }
}

async function show(pane) {
  ui.pane = pane;
  history.replaceState(null, "", `?user=${ui.user}&view=${pane}`);
  if (pane === "home") await act("home", { user: ui.user });
  else await refresh(true);
}

document.getElementById("persona").addEventListener("change", (event) => {
  ui.user = event.target.value;
  ui.modalKey = "";
  note("");
  show(ui.pane);
});
for (const button of document.querySelectorAll("[data-nav]")) button.addEventListener("click", () => show(button.dataset.nav));
document.getElementById("composer").addEventListener("submit", async (event) => {
  event.preventDefault();
  const input = document.getElementById("command");
  const typed = input.value.trim();
  if (!/^\/amplify-dev(\s|$)/.test(typed)) {
    note("Only the bot's command works here: type /amplify-dev followed by help, request, status, rotate, remove or list.");
    return;
  }
  input.value = "";
  note("");
  ui.pane = "dm"; // replies to a command come in the DM with the bot, where it was typed
  await act("command", { user: ui.user, text: typed.replace(/^\/amplify-dev\s*/, "") });
});

show(ui.pane);
setInterval(() => refresh(false), 1000);
