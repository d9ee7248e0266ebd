// The copilot's chat: answers stream in; every write comes back as a preview to confirm or cancel.
const messages = document.querySelector("#messages");

function bubble(kind, html) {
  const div = document.createElement("div");
  div.className = `msg ${kind}`;
  div.innerHTML = html;
  messages.appendChild(div);
  div.scrollIntoView({ block: "end" });
  return div;
}

// A write's preview: nothing changes until Confirm; the answer says what happened.
function previewCard(action) {
  const card = bubble("bot preview", `<div>${renderText(action.preview)}</div>
    <div class="actions"><button class="primary" data-do="confirm">${escapeHtml(t("chat.confirm"))}</button><button data-do="cancel">${escapeHtml(t("chat.cancel"))}</button></div>
    <div class="state muted"></div>`);
  card.dataset.action = action.id;
  card.querySelectorAll("button").forEach(button => button.addEventListener("click", async () => {
    card.querySelectorAll("button").forEach(b => b.disabled = true);
    const state = card.querySelector(".state");
    try {
      const result = await json(`/chat/actions/${action.id}/${button.dataset.do}`, { method: "POST" });
      state.textContent = t(button.dataset.do === "confirm" ? "chat.confirmed" : "chat.cancelled");
      bubble("bot", renderText(result.answer));
    } catch (error) {
      state.textContent = error.message; state.className = "state error";
    }
  }));
  return card;
}

// "Send me that as a spreadsheet": the file the answer made, downloaded with the session's cookie.
function fileLink(reply, data) {
  const file = data && data.file;
  if (!file || !file.download_url) return;
  const link = document.createElement("a");
  link.className = "download"; link.href = file.download_url; link.download = file.filename;
  link.textContent = `⬇ ${file.filename}`;
  reply.appendChild(document.createElement("br")); reply.appendChild(link);
}

function showTurn(turn) {
  if (turn.said && !["confirm", "cancel"].includes(turn.said)) bubble("me", escapeHtml(turn.said));
  if (turn.pending_action) previewCard(turn.pending_action);
  else if (turn.answer) fileLink(bubble("bot", renderText(turn.answer)), turn);  // its file, while kept
}

// Server-sent events over a POST: status, the answer line by line, then the whole result.
async function ask(text) {
  bubble("me", escapeHtml(text));
  const reply = bubble("bot", `<span class="muted">…</span>`);
  const response = await api("/chat/messages", { method: "POST", body: JSON.stringify({ text }) });
  const reader = response.body.getReader(); const decoder = new TextDecoder();
  let buffer = "", streamed = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf("\n\n")) >= 0) {
      const block = buffer.slice(0, end); buffer = buffer.slice(end + 2);
      const name = (block.match(/^event: (.*)$/m) || [])[1];
      const data = JSON.parse((block.match(/^data: (.*)$/m) || [])[1] || "{}");
      if (name === "status") reply.innerHTML = `<span class="muted">${escapeHtml(data.text)}</span>`;
      if (name === "chunk") { streamed += data.text; reply.innerHTML = renderText(streamed); }
      if (name === "error") reply.innerHTML = `<span class="error">${escapeHtml(data.text)}</span>`;
      if (name === "done") {
        if (data.pending_action) { reply.remove(); previewCard(data.pending_action); }
        else { reply.innerHTML = renderText(data.answer); fileLink(reply, data.data); }
      }
    }
  }
}

(async () => {
  await start("chat");
  for (const turn of await json("/chat/history")) showTurn(turn);
  document.querySelector("#ask").addEventListener("submit", async event => {
    event.preventDefault();
    const input = document.querySelector("#text");
    const text = input.value.trim();
    if (!text) return;
    input.value = ""; input.disabled = true;
    try { await ask(text); } finally { input.disabled = false; input.focus(); }
  });
})();
