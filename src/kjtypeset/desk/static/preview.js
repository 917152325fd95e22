// The live preview pane (issue 18): one EventSource; the server sends the state and only
// the pages whose image changed. Each image URL names its pixels, so an unchanged page is
// never fetched again. Shared by the desk's issue page and `kjtypeset preview`.
"use strict";
(() => {
  const pane = document.querySelector("[data-preview]");
  if (!pane) return;
  const base = pane.dataset.preview;
  const pages = pane.querySelector("#pages");
  const errorLine = pane.querySelector("#error");
  const warningLines = pane.querySelector("#warnings");
  const statusLine = pane.querySelector("#status");
  let count = 0;

  function figure() {
    const figure = document.createElement("figure");
    const img = document.createElement("img");
    img.decoding = "async";
    figure.append(img, document.createElement("figcaption"));
    return figure;
  }

  function show(state) {
    errorLine.textContent = state.error || "";
    errorLine.hidden = !state.error;
    const warnings = state.warnings || [];
    warningLines.textContent = warnings.join("\n");
    warningLines.hidden = warnings.length === 0;
    const when = state.finished ? new Date(state.finished * 1000).toLocaleTimeString("zh-CN") : "";
    const repainted = state.repainted !== null && state.repainted !== undefined && state.repainted < state.count
      ? `（重绘 ${state.repainted} 页）` : "";
    statusLine.textContent = state.building ? "排版中……"
      : state.error ? (state.count ? `${when} 排版出错，下面仍是上一次成功的结果` : `${when} 排版出错`)
      : `${when} 已更新：${state.count} 页${repainted}，用时 ${state.seconds} 秒`;
    pane.dataset.version = state.version;
    pane.dataset.building = state.building ? "1" : "";
    if (state.count === 0) return;  // nothing laid out yet, or the last good pages stay
    pages.querySelector(".empty")?.remove();
    let figures = pages.querySelectorAll("figure");
    for (let i = figures.length; i < state.count; i++) pages.append(figure());
    for (let i = figures.length - 1; i >= state.count; i--) figures[i].remove();
    figures = pages.querySelectorAll("figure");
    for (const page of state.changed) {
      const target = figures[page.index];
      const img = target.querySelector("img");
      img.width = page.width; img.height = page.height;
      img.alt = page.text;
      const url = base + page.image;
      if (img.getAttribute("src") !== url) img.src = url;
      target.dataset.page = page.number;
      target.querySelector("figcaption").textContent = `第 ${page.number} 页`;
    }
    count = state.count;
  }

  const source = new EventSource(base + "events");
  source.addEventListener("preview", (event) => show(JSON.parse(event.data)));
  source.addEventListener("moved", (event) => {
    statusLine.textContent = JSON.parse(event.data).message;
    source.close();
  });
  source.onerror = () => {
    if (source.readyState !== EventSource.CLOSED) statusLine.textContent = "与程序的连接已断开（是否已退出？），正在重试……";
  };
})();
