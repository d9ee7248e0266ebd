// The students list: search (the services' fuzzy search: accents and typos), sort, pages; add a student.
const PAGE_SIZE = 25;
const content = document.querySelector("#content");
const state = { q: "", sort: "name", archived: false, offset: 0, total: 0 };

function fromAddress() {
  const params = new URLSearchParams(location.search);
  state.q = params.get("q") || "";
  state.sort = params.get("sort") || "name";
  state.archived = params.get("archived") === "1";
  state.offset = Math.max(0, Number(params.get("offset")) || 0);
  document.querySelector("#q").value = state.q;
  document.querySelector("#sort").value = state.sort;
  document.querySelector("#archived").checked = state.archived;
}

function toAddress() {  // the list is linkable and Back returns to the same page
  const params = new URLSearchParams();
  if (state.q) params.set("q", state.q);
  if (state.sort !== "name") params.set("sort", state.sort);
  if (state.archived) params.set("archived", "1");
  if (state.offset) params.set("offset", state.offset);
  history.replaceState(null, "", `${location.pathname}${params.toString() ? "?" + params : ""}`);
}

async function load() {
  toAddress();
  const params = new URLSearchParams({ sort: state.sort, limit: PAGE_SIZE, offset: state.offset, include_archived: state.archived });
  if (state.q) params.set("q", state.q);
  try {
    const page = await json(`/students/browse?${params}`);
    exportLinks(document.querySelector("#exports"), `/students/browse?${params}`);  // this page of the list, as a file
    state.total = page.total;
    content.innerHTML = table(page.rows, [
      [t("student.name"), s => `<a href="/app/student?id=${s.id}">${escapeHtml(s.full_name)}</a>${s.archived_at ? ` <span class="tag">${escapeHtml(t("student.archived"))}</span>` : ""}`],
      [t("student.email"), s => escapeHtml(s.email || ""), "hide"],
      [t("student.phone"), s => escapeHtml(s.phone || "")],
      [t("student.since"), s => day(s.created_at.slice(0, 10)), "hide"],
    ]);
    const last = Math.min(state.offset + page.rows.length, state.total);
    document.querySelector("#where").textContent = state.q
      ? t("students.matches", { n: state.total })
      : t("students.range", { from: state.total ? state.offset + 1 : 0, to: last, total: state.total });
    document.querySelector("#prev").disabled = state.q || state.offset === 0;
    document.querySelector("#next").disabled = state.q || last >= state.total;
  } catch (error) { showError(content, error); }
}

(async () => {
  await start("students");
  fromAddress();
  document.querySelectorAll(".office").forEach(el => { el.hidden = !isOffice(); });
  let typing;
  document.querySelector("#q").addEventListener("input", event => {
    clearTimeout(typing);
    typing = setTimeout(() => { state.q = event.target.value.trim(); state.offset = 0; load(); }, 250);
  });
  document.querySelector("#sort").addEventListener("change", event => { state.sort = event.target.value; state.offset = 0; load(); });
  document.querySelector("#archived").addEventListener("change", event => { state.archived = event.target.checked; state.offset = 0; load(); });
  document.querySelector("#prev").addEventListener("click", () => { state.offset = Math.max(0, state.offset - PAGE_SIZE); load(); });
  document.querySelector("#next").addEventListener("click", () => { state.offset += PAGE_SIZE; load(); });

  const form = document.querySelector("#new");
  document.querySelector("#add").addEventListener("click", () => { form.hidden = false; form.querySelector("input").focus(); });
  document.querySelector("#cancel-new").addEventListener("click", () => { form.hidden = true; });
  form.addEventListener("submit", async event => {
    event.preventDefault();
    const status = form.querySelector(".state");
    try {
      const made = await send("/students", "POST", formData(form));
      location.href = `/app/student?id=${made.id}&added=1`;
    } catch (error) { say(status, error.message, "error"); }
  });
  await load();
})();
