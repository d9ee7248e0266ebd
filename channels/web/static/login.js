// Log in, in the person's language (the switch here is the same as the header's).
translate();
document.title = `Cadence · ${t("login.submit")}`;
const languageSwitch = document.querySelector("#lang");
languageSwitch.value = LANG;
languageSwitch.addEventListener("change", event => { localStorage.setItem(LANG_KEY, event.target.value); location.reload(); });
document.querySelector("#login").addEventListener("submit", async event => {
  event.preventDefault();
  const form = new FormData(event.target);
  const response = await fetch(API + "/auth/login", { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email: form.get("email"), password: form.get("password") }) });
  if (response.ok) { location.href = "/app/chat"; return; }
  const body = await response.json().catch(() => ({}));
  document.querySelector("#problem").textContent = (body.error && body.error.message) || t("login.failed");
});
