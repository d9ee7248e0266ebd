// Settings: connect Telegram (anyone: the bot's link code for this person), and for admins colleagues
// (invite with a role) and API keys (scopes; the key is shown once).
async function members() {
  const [people, invitations] = await Promise.all([json("/org/members"), json("/org/invitations")]);
  document.querySelector("#members").innerHTML = table(people, [
    [t("common.name"), m => escapeHtml(m.name || m.email)],
    [t("login.email"), m => escapeHtml(m.email), "hide"],
    [t("settings.role"), m => escapeHtml(t(`role.${m.role}`))],
  ]);
  document.querySelector("#invitations").innerHTML = table(invitations.filter(i => !i.accepted_at), [
    [t("login.email"), i => escapeHtml(i.email)],
    [t("settings.role"), i => escapeHtml(t(`role.${i.role}`))],
    [t("settings.expires"), i => escapeHtml(moment(i.expires_at)), "hide"],
  ]);
}

async function keys() {
  const rows = (await json("/org/api-keys")).filter(k => !k.revoked_at);
  const place = document.querySelector("#keys .body");
  place.innerHTML = table(rows, [
    [t("settings.key_name"), k => `${escapeHtml(k.name)} <span class="muted">${escapeHtml(k.prefix)}…</span>`],
    [t("settings.scopes"), k => escapeHtml(k.scopes.join(", "))],
    ["", k => `<button class="revoke" data-id="${k.id}">${escapeHtml(t("settings.revoke"))}</button>`],
  ]);
  place.querySelectorAll("button.revoke").forEach(b => b.addEventListener("click", async () => {
    await send(`/org/api-keys/${b.dataset.id}`, "DELETE"); await keys();
  }));
}

(async () => {
  await start("settings");
  document.querySelector("#connect").addEventListener("click", async event => {
    const status = event.target.parentElement.querySelector(".state");
    try {
      const made = await send("/telegram/link-code", "POST");
      const link = made.link ? `<p><a class="button" href="${escapeHtml(made.link)}" rel="noopener">${escapeHtml(made.link)}</a></p>` : "";
      document.querySelector("#telegram .body").innerHTML = `<p>${escapeHtml(t("settings.telegram_help", { minutes: 30 }))}</p>${link}
        <p class="secret" id="link-command">${escapeHtml(made.command)}</p>`;
      say(status, "");
    } catch (error) { say(status, error.message, "error"); }
  });
  if (ROLE !== "admin") return;
  document.querySelectorAll(".admin-only").forEach(el => { el.hidden = false; });
  const invite = document.querySelector("#invite");
  invite.addEventListener("submit", async event => {
    event.preventDefault();
    const status = invite.querySelector(".state");
    try {
      const made = await send("/org/invitations", "POST", formData(invite));
      say(status, t("settings.invited", { email: made.email }));
      document.querySelector("#invite-link").innerHTML = `<p class="secret">${escapeHtml(made.accept_url)}</p>`;
      invite.reset(); await members();
    } catch (error) { say(status, error.message, "error"); }
  });
  const newKey = document.querySelector("#new-key");
  newKey.addEventListener("submit", async event => {
    event.preventDefault();
    const status = newKey.querySelector(".state");
    const scopes = [...newKey.querySelectorAll("input[name=scopes]:checked")].map(i => i.value);
    try {
      const made = await send("/org/api-keys", "POST", { name: newKey.elements.name.value.trim(), scopes });
      document.querySelector("#key-shown").innerHTML = `<p>${escapeHtml(t("settings.key_shown_once"))}</p><p class="secret" id="new-key-value">${escapeHtml(made.key)}</p>`;
      newKey.reset(); say(status, ""); await keys();
    } catch (error) { say(status, error.message, "error"); }
  });
  await Promise.all([members(), keys()]);
})();
