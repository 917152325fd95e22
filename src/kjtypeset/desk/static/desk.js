// The desk's pages (issue 18): plain JavaScript, served by the desk itself (works offline).
// Every POST carries the session's CSRF token in the X-CSRF-Token header.
"use strict";
const CSRF = document.querySelector('meta[name="csrf"]')?.content || "";

async function post(url, body, json = false) {
  const headers = {"X-CSRF-Token": CSRF, "Accept": "application/json"};
  if (json) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(url, {method: "POST", headers, body, credentials: "same-origin"});
  } catch (error) {
    return {ok: false, error: "错误：与编辑台的连接已断开（是否已退出？）"};
  }
  try {
    return await response.json();
  } catch (error) {
    return {ok: false, error: `错误：编辑台返回了 ${response.status}（${await response.text().catch(() => "")}）`};
  }
}

function say(element, text, kind) {
  element.textContent = text || "";
  element.hidden = !text;
  if (kind) element.dataset.kind = kind;
}

document.addEventListener("DOMContentLoaded", () => {
  const desk = document.querySelector(".desk[data-issue]");
  if (desk) issuePage(desk);
});

function issuePage(desk) {
  // -- the masthead -------------------------------------------------------------------------
  const form = document.getElementById("fields");
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const saved = form.querySelector(".saved");
    saved.textContent = "保存中……";
    const result = await post("fields", new URLSearchParams(new FormData(form)));
    for (const field of form.querySelectorAll(".field")) {
      const key = field.dataset.field;
      say(field.querySelector(".field-error"), result.errors?.[key]);
      say(field.querySelector(".field-warning"), (result.warnings?.[key] || []).join("\n"));
      field.classList.toggle("invalid", Boolean(result.errors?.[key]));
    }
    const general = [result.error, ...(result.general || [])].filter(Boolean);
    say(form.querySelector(".form-messages"), general.join("\n"));
    if (result.ok) {
      reload();  // the banner at the top: an error the edit cured goes
      const labels = (result.changed || []).map((key) => form.querySelector(`[data-field="${key}"] label`).textContent);
      saved.textContent = labels.length ? `已保存：${labels.join("、")}（已写入 issue.yaml）` : "没有改动";
    } else {
      saved.textContent = "没有保存：请先改正标出的错误";
      form.querySelector(".field.invalid input, .field.invalid textarea")?.focus();
    }
  });

  // -- the articles ---------------------------------------------------------------------------
  const holder = document.getElementById("article-list");
  const message = document.getElementById("article-message");

  async function reload() {
    const response = await fetch("articles", {headers: {"Accept": "text/html"}, credentials: "same-origin"});
    if (!response.ok) return;
    holder.innerHTML = await response.text();
    const state = holder.querySelector("#manifest-state-update");
    if (state) document.getElementById("manifest-state").replaceChildren(state.content.cloneNode(true));
  }

  function entries() {
    return [...holder.querySelectorAll("li[data-file]")].map((li) => ({
      file: li.dataset.file, section: li.querySelector(".section").value.trim() || null,
    }));
  }

  async function arrange(text) {
    const result = await post("arrange", {articles: entries()}, true);
    message.textContent = result.ok ? (result.changed ? text : "") : result.error;
    message.dataset.kind = result.ok ? "" : "error";
    await reload();
  }

  let dragged = null;
  holder.addEventListener("dragstart", (event) => {
    dragged = event.target.closest("li[data-file]");
    if (!dragged) return;
    dragged.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", dragged.dataset.file);
  });
  holder.addEventListener("dragover", (event) => {
    if (!dragged) return;
    event.preventDefault();
    const over = event.target.closest("li[data-file]");
    if (!over || over === dragged) return;
    const box = over.getBoundingClientRect();
    over.parentNode.insertBefore(dragged, event.clientY < box.top + box.height / 2 ? over : over.nextSibling);
  });
  holder.addEventListener("drop", (event) => { if (dragged) event.preventDefault(); });
  holder.addEventListener("dragend", async () => {
    if (!dragged) return;
    dragged.classList.remove("dragging");
    dragged = null;
    await arrange("已调整文章顺序（已写入 issue.yaml）");
  });
  holder.addEventListener("click", async (event) => {
    const li = event.target.closest("li[data-file]");
    if (!li) return;
    if (event.target.matches(".move")) {
      const other = event.target.matches(".up") ? li.previousElementSibling : li.nextElementSibling;
      if (!other) return;
      if (event.target.matches(".up")) li.parentNode.insertBefore(li, other);
      else li.parentNode.insertBefore(other, li);
      await arrange("已调整文章顺序（已写入 issue.yaml）");
    } else if (event.target.matches(".remove")) {
      const title = li.querySelector(".title").textContent;
      if (!confirm(`从文章列表中移去《${title}》？\n文章文件会移到本期的“回收站”文件夹，不会删除。`)) return;
      const result = await post("remove", {index: Number(li.dataset.index), file: li.dataset.file}, true);
      message.textContent = result.ok ? result.message : result.error;
      message.dataset.kind = result.ok ? "" : "error";
      await reload();
    }
  });
  holder.addEventListener("change", async (event) => {
    if (event.target.matches(".section")) await arrange("已设定栏目（已写入 issue.yaml）");
  });

  // -- imports --------------------------------------------------------------------------------
  const zone = document.getElementById("dropzone");
  const input = document.getElementById("file-input");
  const report = document.getElementById("import-report");

  async function upload(files) {
    if (!files.length) return;
    const limit = Number(zone.dataset.max);
    const total = [...files].reduce((sum, file) => sum + file.size, 0);
    if (total > limit) {
      say(report, `错误：这些文件共 ${(total / 1e6).toFixed(1)} MB，超过每次上传的上限 ${limit / 1e6} MB：请分几次上传`);
      report.dataset.kind = "error";
      return;
    }
    const body = new FormData();
    for (const file of files) body.append("files", file, file.name);
    say(report, `导入 ${[...files].map((f) => f.name).join("、")}……`);
    report.dataset.kind = "";
    const result = await post("import", body);
    await reload();
    say(report, result.ok ? result.lines.join("\n") : result.error);
    report.dataset.kind = result.ok ? "ok" : "error";
  }

  zone.addEventListener("dragover", (event) => {
    if (![...event.dataTransfer.types].includes("Files")) return;
    event.preventDefault();
    zone.classList.add("over");
  });
  zone.addEventListener("dragleave", () => zone.classList.remove("over"));
  zone.addEventListener("drop", (event) => {
    if (!event.dataTransfer.files.length) return;
    event.preventDefault();
    zone.classList.remove("over");
    upload(event.dataTransfer.files);
  });
  input.addEventListener("change", () => { upload(input.files); input.value = ""; });

  // -- build and publish ------------------------------------------------------------------------
  const log = document.getElementById("job-log");
  const buttons = [document.getElementById("build"), document.getElementById("publish")];
  const downloads = document.getElementById("downloads");

  function follow(result, title) {
    if (!result.ok) {
      say(log, result.error);
      log.dataset.kind = "error";
      return;
    }
    buttons.forEach((b) => { b.disabled = true; });
    say(log, title);
    log.dataset.kind = "";
    const source = new EventSource(result.events);
    source.addEventListener("line", (event) => { log.textContent += "\n" + JSON.parse(event.data).text; });
    source.addEventListener("done", (event) => {
      source.close();
      const done = JSON.parse(event.data);
      log.textContent += `\n${done.ok ? "完成" : "出错"}（用时 ${done.seconds} 秒）`;
      log.dataset.kind = done.ok ? "ok" : "error";
      buttons.forEach((b) => { b.disabled = false; });
      if (done.downloads) {
        downloads.replaceChildren(...done.downloads.map((item) => {
          const li = document.createElement("li");
          const a = document.createElement("a");
          a.href = item.url; a.download = item.name;
          a.textContent = `${item.label} ${item.name}（${item.size}）`;
          li.append(a);
          return li;
        }));
      }
      if (done.archive && done.ok) {
        const li = document.createElement("li");
        const a = document.createElement("a");
        a.href = done.archive; a.textContent = "到档案室查看";
        li.append(a);
        downloads.append(li);
      }
    });
  }

  buttons[0].addEventListener("click", async () => {
    follow(await post("build", new URLSearchParams()), "排版中……");
  });

  const dialog = document.getElementById("publish-dialog");
  let plan = null;
  buttons[1].addEventListener("click", async () => {
    const response = await fetch("publish", {headers: {"Accept": "application/json"}, credentials: "same-origin"});
    plan = await response.json();
    document.getElementById("publish-text").textContent = plan.ok ? plan.text : "";
    say(document.getElementById("publish-error"), plan.ok ? "" : plan.error);
    document.getElementById("publish-confirm").disabled = !plan.ok;
    dialog.showModal();
  });
  dialog.addEventListener("close", async () => {
    if (dialog.returnValue !== "confirm" || !plan?.ok) return;
    follow(await post("publish", new URLSearchParams({revision: plan.revision})), `存档中：${plan.file}……`);
  });
}
