// The web page of `translate serve` (docs/api.md, "The web page"): plain ES module, no build
// step. Everything a document or a user brings is shown with textContent, never as markup.

const KEY_STORE = "translate.api_key";
const FINAL = new Set(["done", "refused", "failed"]);
const PHASES = [["read", "Read"], ["translate", "Translate"], ["summarize", "Summarize"]];
const STATES = {
  queued: "Waiting", running: "Working", done: "Done", refused: "Refused",
  failed: "Failed", error: "Not accepted",
};
const $ = (id) => document.getElementById(id);
const jobs = new Map(); // id -> {job, item, source}
let batch = []; // ids of the documents added last
let settings = { keyRequired: false, supportedFilesFormat: [] };
let localNumber = 0;

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (name === "text") node.textContent = value;
    else if (name === "class") node.className = value;
    else node.setAttribute(name, value);
  }
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

function key() { return sessionStorage.getItem(KEY_STORE) || ""; }

function withKey(path) {
  if (!key()) return path;
  return `${path}${path.includes("?") ? "&" : "?"}api_key=${encodeURIComponent(key())}`;
}

async function api(path, options = {}) {
  const answer = await fetch(withKey(path), options);
  if (answer.status === 403) askKey("The service did not accept the key; enter it again.");
  return answer;
}

async function errorOf(answer) {
  try {
    return (await answer.json()).error || `${answer.status} ${answer.statusText}`;
  } catch {
    return `${answer.status} ${answer.statusText}`;
  }
}

function askKey(why) {
  sessionStorage.removeItem(KEY_STORE);
  $("key-panel").hidden = false;
  $("key-error").textContent = why || "";
  $("key-input").focus();
}

async function useKey(event) {
  event.preventDefault();
  const given = $("key-input").value.trim();
  if (!given) return;
  const answer = await fetch(`/v1/jobs?limit=1&api_key=${encodeURIComponent(given)}`);
  if (!answer.ok) {
    $("key-error").textContent = await errorOf(answer);
    return;
  }
  sessionStorage.setItem(KEY_STORE, given);
  $("key-input").value = "";
  $("key-error").textContent = "";
  $("key-panel").hidden = true;
  $("file-input").focus();
  await loadJobs();
}

// --- The list of documents ------------------------------------------------------------

function renderProgress(job) {
  const box = el("div", { class: "progress" });
  const steps = el("ol", { class: "phases", "aria-label": "Phases" });
  const at = job.progress ? PHASES.findIndex(([p]) => p === job.progress.phase) : -1;
  PHASES.forEach(([, label], index) => {
    const where = job.state === "done" || index < at ? "past" : index === at ? "now" : "later";
    const step = el("li", { class: where, text: label });
    if (where === "now") step.setAttribute("aria-current", "step");
    steps.append(step);
  });
  box.append(steps);
  const p = job.progress;
  if (job.state === "running" && p) {
    const text = p.total ? `${p.text}: ${p.done.toLocaleString()} of ${p.total.toLocaleString()} ${p.unit}` : p.text;
    const bar = el("progress", { max: String(p.total || 1), "aria-label": text });
    bar.value = p.total ? p.done : 0;
    box.append(el("p", { class: "phase-text", text }), bar);
  }
  return box;
}

function download(label, href) {
  return el("a", { class: "button", href: withKey(href), download: "", text: label });
}

function renderJob(entry) {
  const { job } = entry;
  const item = entry.item || el("li", { class: "job" });
  const focused = item.contains(document.activeElement) ? document.activeElement.textContent : null;
  item.replaceChildren();
  item.dataset.id = job.id;
  item.dataset.state = job.state;
  if (job.progress) entry.phases.add(job.progress.phase);
  item.dataset.phasesSeen = [...entry.phases].join(" ");
  item.dataset.events = String(entry.events);
  const title = el("h3", { class: "name", text: job.name });
  const state = el("span", { class: `state state-${job.state}`, text: STATES[job.state] || job.state });
  item.append(el("div", { class: "row" }, title, state));
  if (!job.local && !FINAL.has(job.state)) item.append(renderProgress(job));
  if (job.error) item.append(el("p", { class: "error", text: job.error }));
  const actions = el("div", { class: "actions" });
  if (job.state === "done" && job.results) {
    const r = job.results;
    actions.append(button("Show summary", () => show(job, "summary")));
    if (r.bilingual) actions.append(button("Show German | English", () => show(job, "bilingual")));
    actions.append(download("Download summary", r.summary));
    if (r.translation) actions.append(download("Download translation", r.translation));
    if (r.bilingual) actions.append(download("Download bilingual view", r.bilingual));
  }
  const remove = button(job.local ? "Dismiss" : "Delete", () => removeJob(job.id));
  remove.setAttribute("aria-label", `${job.local ? "Dismiss" : "Delete"} ${job.name}`);
  actions.append(remove);
  item.append(actions);
  entry.item = item;
  if (focused) ([...item.querySelectorAll("a, button")].find((n) => n.textContent === focused) || remove).focus();
  return item;
}

function button(label, action) {
  const b = el("button", { type: "button", text: label });
  b.addEventListener("click", action);
  return b;
}

function put(job, first = false) {
  let entry = jobs.get(job.id);
  if (!entry) {
    entry = { job, item: null, source: null, phases: new Set(), events: 0 };
    jobs.set(job.id, entry);
    const item = renderJob(entry);
    if (first) $("jobs").prepend(item);
    else $("jobs").append(item);
  } else {
    entry.job = job;
    renderJob(entry);
  }
  refreshList();
  return entry;
}

function refreshList() {
  $("jobs-empty").hidden = jobs.size > 0;
  const ids = batch.length ? batch : [...jobs.keys()];
  const done = ids.filter((id) => jobs.get(id)?.job.state === "done");
  const link = $("zip-link");
  link.hidden = done.length < 1;
  link.textContent = batch.length ? "Download these outputs (.zip)" : "Download all outputs (.zip)";
  link.href = withKey(`/v1/jobs.zip?ids=${done.map(encodeURIComponent).join(",")}`);
}

function follow(id) {
  const entry = jobs.get(id);
  if (!entry || entry.source || FINAL.has(entry.job.state)) return;
  const source = new EventSource(withKey(`/v1/jobs/${encodeURIComponent(id)}/events`));
  entry.source = source;
  source.addEventListener("message", (event) => {
    const job = JSON.parse(event.data);
    entry.events += 1;
    put(job);
    if (FINAL.has(job.state)) { source.close(); entry.source = null; }
  });
  source.addEventListener("deleted", () => { source.close(); forget(id); });
}

function forget(id) {
  const entry = jobs.get(id);
  if (!entry) return;
  if (entry.source) entry.source.close();
  entry.item.remove();
  jobs.delete(id);
  batch = batch.filter((b) => b !== id);
  refreshList();
}

async function removeJob(id) {
  const entry = jobs.get(id);
  if (entry && !entry.job.local) {
    const answer = await api(`/v1/jobs/${encodeURIComponent(id)}`, { method: "DELETE" });
    if (!answer.ok && answer.status !== 404) {
      entry.job = { ...entry.job, error: `Could not delete: ${await errorOf(answer)}` };
      renderJob(entry);
      return;
    }
  }
  forget(id);
  $("jobs-title").focus();
}

async function loadJobs() {
  const answer = await api("/v1/jobs");
  if (!answer.ok) return;
  for (const job of (await answer.json()).jobs) { put(job); follow(job.id); }
}

// --- Adding documents -----------------------------------------------------------------

async function submit(file) {
  const form = new FormData();
  form.append("file", file, file.name);
  form.append("keep_translation", $("keep-translation").checked ? "true" : "false");
  form.append("bilingual", $("bilingual").checked ? "true" : "false");
  if (key()) form.append("api_key", key());
  let answer;
  try {
    answer = await api("/v1/jobs", { method: "POST", body: form });
  } catch (error) {
    return refusedHere(file.name, `The service could not be reached (${error.message}).`);
  }
  if (answer.status !== 202) return refusedHere(file.name, await errorOf(answer));
  const made = await answer.json();
  batch.push(made.id);
  put({ id: made.id, state: made.state, name: file.name, progress: null, error: null }, true);
  follow(made.id);
}

function refusedHere(name, error) {
  localNumber += 1;
  put({ id: `local-${localNumber}`, local: true, state: "error", name, error }, true);
}

async function submitAll(files) {
  $("form-message").textContent = "";
  if (!files.length) {
    $("form-message").textContent = "Choose at least one document first.";
    return;
  }
  batch = [];
  await Promise.all([...files].map(submit));
  $("file-input").value = "";
}

function uploadChosen(event) {
  event.preventDefault();
  submitAll($("file-input").files);
}

function uploadText(event) {
  event.preventDefault();
  const text = $("text-input").value;
  if (!text.trim()) {
    $("form-message").textContent = "Paste a text first.";
    return;
  }
  submitAll([new File([text], "text.txt", { type: "text/plain" })]).then(() => {
    $("text-input").value = "";
  });
}

function setUpDrop() {
  const zone = $("drop-zone");
  zone.addEventListener("dragover", (e) => { e.preventDefault(); zone.classList.add("over"); });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (e) => {
    e.preventDefault();
    zone.classList.remove("over");
    submitAll(e.dataTransfer.files);
  });
}

// --- Reading an output on the page ----------------------------------------------------

function body(markdown) {
  return markdown.replace(/^---\n[\s\S]*?\n---\n/, "").trim();
}

function inline(text) {
  return text.replace(/\*\*(.+?)\*\*/g, "$1").replace(/(^|\s)_(.+?)_(?=\s|$)/g, "$1$2");
}

function renderMarkdown(markdown) {
  const out = document.createDocumentFragment();
  for (const block of body(markdown).split(/\n\s*\n/)) {
    const lines = block.split("\n");
    const heading = /^(#{1,6})\s+(.*)$/.exec(lines[0]);
    if (heading && lines.length === 1) {
      out.append(el(`h${Math.min(6, heading[1].length + 2)}`, { text: inline(heading[2]) }));
    } else if (lines.every((l) => /^\s*([-*+]|\d+\.)\s+/.test(l))) {
      const list = el(/^\s*\d/.test(lines[0]) ? "ol" : "ul");
      lines.forEach((l) => list.append(el("li", { text: inline(l.replace(/^\s*([-*+]|\d+\.)\s+/, "")) })));
      out.append(list);
    } else if (lines.every((l) => l.startsWith(">"))) {
      out.append(el("blockquote", { text: inline(lines.map((l) => l.replace(/^>\s?/, "")).join(" ")) }));
    } else {
      out.append(el("p", { text: inline(lines.join(" ")) }));
    }
  }
  return out;
}

// The .de-en.md layout (translate/outputs/review.py): each German block, then its English
// as a quote; a doubtful passage is marked ⚠ with its doubt under it.
function renderBilingual(markdown) {
  const table = el("div", { class: "bilingual", role: "table", "aria-label": "German and English" });
  table.append(el("div", { class: "pair head", role: "row" },
    el("span", { role: "columnheader", text: "German" }),
    el("span", { role: "columnheader", text: "English" })));
  let german = null;
  for (const block of body(markdown).split(/\n\s*\n/)) {
    const lines = block.split("\n");
    if (!lines.every((l) => l.startsWith(">"))) { german = block; continue; }
    const english = lines.map((l) => l.replace(/^>\s?/, "")).filter((l) => l).join("\n");
    const doubtful = english.includes("⚠");
    const row = el("div", { class: doubtful ? "pair doubt" : "pair", role: "row" },
      el("p", { role: "cell", lang: "de", text: inline(german || "") }),
      el("p", { role: "cell", lang: "en", text: inline(english) }));
    if (doubtful) row.setAttribute("aria-label", "doubtful passage: check it against the German");
    table.append(row);
    german = null;
  }
  return table;
}

async function show(job, kind) {
  const answer = await api(job.results[kind]);
  const viewer = $("viewer");
  $("viewer-title").textContent = `${kind === "summary" ? "Summary" : "German | English"}: ${job.name}`;
  const target = $("viewer-body");
  if (!answer.ok) {
    target.replaceChildren(el("p", { class: "error", text: await errorOf(answer) }));
  } else {
    const text = await answer.text();
    target.replaceChildren(kind === "summary" ? renderMarkdown(text) : renderBilingual(text));
  }
  viewer.hidden = false;
  viewer.focus();
}

// --- Start ----------------------------------------------------------------------------

async function start() {
  $("key-form").addEventListener("submit", useKey);
  $("upload-form").addEventListener("submit", uploadChosen);
  $("text-form").addEventListener("submit", uploadText);
  $("viewer-close").addEventListener("click", () => { $("viewer").hidden = true; $("jobs-title").focus(); });
  $("jobs-title").setAttribute("tabindex", "-1");
  setUpDrop();
  try {
    settings = await (await fetch("/frontend/settings")).json();
  } catch { /* the defaults */ }
  const formats = settings.supportedFilesFormat || [];
  if (formats.length) $("file-input").setAttribute("accept", formats.join(","));
  $("formats-hint").textContent = `Formats: ${formats.join(" ")}`;
  if (settings.keyRequired && !key()) askKey("");
  else await loadJobs();
  document.body.dataset.ready = "true";
}

start();
