// xl_pension web pages: log-in, uploads with progress, copy buttons. No build step, no library.
"use strict";
const csrf = () => document.querySelector('meta[name="csrf"]').content;
const text = (tag, value) => { const e = document.createElement(tag); e.textContent = value; return e; };

async function postJson(url, body) {
  const r = await fetch(url, { method: "POST", headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() }, body: JSON.stringify(body || {}) });
  let data = {};
  try { data = await r.json(); } catch (e) { data = { error: "服务器返回了无法识别的内容（" + r.status + "）。" }; }
  return { ok: r.ok, status: r.status, data };
}

const loginForm = document.getElementById("login-form");
if (loginForm) {
  loginForm.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const out = document.getElementById("login-error");
    out.textContent = "";
    const r = await postJson("/api/login", { username: loginForm.username.value, password: loginForm.password.value });
    if (r.ok) { window.location.href = "/"; } else { out.textContent = r.data.error || "登录失败。"; }
  });
}

const logout = document.getElementById("logout");
if (logout) {
  logout.addEventListener("click", async () => { await postJson("/api/logout"); window.location.href = "/login"; });
}

function showResult(cell, data) {
  const items = data.submissions ? data.submissions : [data];
  cell.textContent = "";
  for (const s of items) {
    const a = text("a", `${s.township}${s.village}：${s.rows} 人，错误 ${s.counts.error} 条，警告 ${s.counts.warning} 条`);
    a.href = "/submissions/" + s.submission;
    a.className = "result";
    cell.appendChild(a);
    cell.appendChild(document.createElement("br"));
  }
  for (const f of data.failed || []) { cell.appendChild(text("div", `${f.file}：${f.error}`)).className = "error"; }
}

function uploadOne(file, tbody) {
  const row = tbody.insertRow();
  row.insertCell().textContent = file.name;
  const bar = document.createElement("progress");
  bar.max = 100; bar.value = 0;
  row.insertCell().appendChild(bar);
  const result = row.insertCell();
  result.textContent = "上传中……";
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", "/api/rosters");
    xhr.setRequestHeader("X-CSRF-Token", csrf());
    xhr.upload.onprogress = (e) => { if (e.lengthComputable) bar.value = Math.round(100 * e.loaded / e.total); };
    xhr.onload = () => {
      bar.value = 100;
      let data = {};
      try { data = JSON.parse(xhr.responseText); } catch (e) { data = { error: "服务器返回了无法识别的内容（" + xhr.status + "）。" }; }
      if (xhr.status === 200) { showResult(result, data); } else { result.textContent = data.error || ("上传失败（" + xhr.status + "）"); result.className = "error"; }
      resolve();
    };
    xhr.onerror = () => { result.textContent = "网络错误，上传失败，请重试。"; result.className = "error"; resolve(); };
    const form = new FormData();
    form.append("file", file, file.name);
    xhr.send(form);
  });
}

async function uploadAll(files) {
  const tbody = document.querySelector("#progress tbody");
  for (const f of files) { await uploadOne(f, tbody); }
}

const drop = document.getElementById("drop");
if (drop) {
  const input = document.getElementById("files");
  input.addEventListener("change", () => uploadAll(Array.from(input.files)));
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); uploadAll(Array.from(e.dataTransfer.files)); });
}

for (const b of document.querySelectorAll("button.copy")) {
  b.addEventListener("click", async () => {
    const area = document.getElementById(b.dataset.target);
    try { await navigator.clipboard.writeText(area.value); } catch (e) { area.select(); document.execCommand("copy"); }
    b.textContent = "已复制";
  });
}

const purge = document.getElementById("purge");
if (purge) {
  purge.addEventListener("click", async () => {
    const r = await postJson("/api/county/purge", {});
    document.getElementById("purge-result").textContent = r.ok ? `已删除 ${r.data.purged} 个原始文件。` : (r.data.error || "失败");
  });
}
