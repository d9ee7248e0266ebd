// The page an invitation's link opens: log in (or create the account) with the invited email, then join.
translate();
const TOKEN = new URLSearchParams(location.search).get("token") || "";
const problem = document.querySelector("#problem");

async function post(path, body) {  // no redirect to the login page: this page is where one logs in
  const response = await fetch(API + path, { method: "POST", credentials: "same-origin",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": CSRF }, body: JSON.stringify(body) });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error((data.error && data.error.message) || t("login.failed"));
  return data;
}

async function join() {
  const membership = await post("/invitations/accept", { token: TOKEN });
  await post("/orgs/switch", { organization_id: membership.organization_id });
  location.href = "/app/today";
}

(async () => {
  const me = await fetch(API + "/auth/me", { credentials: "same-origin" });
  if (me.ok) {
    const body = await me.json();
    CSRF = body.csrf_token || "";
    document.querySelector("#who").textContent = body.user.email;
    document.querySelector("#logged-in").hidden = false;
    document.querySelector("#join").addEventListener("click", () => join().catch(e => { problem.textContent = e.message; }));
    return;
  }
  const form = document.querySelector("#account");
  form.hidden = false;
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const fields = formData(form);
    const signup = event.submitter && event.submitter.value === "signup";
    try {
      const account = await post(signup ? "/auth/signup" : "/auth/login",
        signup ? { email: fields.email, password: fields.password, name: fields.name } : { email: fields.email, password: fields.password });
      CSRF = account.csrf_token || "";
      if (signup) {  // a new account keeps the language it was created in (the switch on the app changes it)
        await fetch(API + "/auth/me", { method: "PATCH", credentials: "same-origin",
          headers: { "Content-Type": "application/json", "X-CSRF-Token": CSRF }, body: JSON.stringify({ language: LANG }) });
      }
      await join();
    } catch (error) { problem.textContent = error.message; }
  });
})();
