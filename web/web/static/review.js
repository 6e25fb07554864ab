// The review queue by keyboard: j/k move, Enter or o open, a approve, r reject with a reason,
// u undo. A decision waits a few seconds in the page before it is sent, because an approval
// emails both companies and cannot be recalled once sent; leaving the page sends it at once.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const table = document.getElementById("queue");
  if (!table) return;
  const rows = Array.from(table.querySelectorAll("tr.queue-row"));
  const text = table.dataset;
  const undoSeconds = Number(text.undoSeconds || 5);
  const csrf = document.querySelector('meta[name="csrf-token"]').content;
  const undoBar = document.getElementById("undo-bar");
  const undoText = document.getElementById("undo-text");
  const dialog = document.getElementById("reject-dialog");
  const reason = document.getElementById("reject-reason");
  const reasonError = document.getElementById("reject-reason-error");
  let current = -1;
  let pending = null; // {row, action, body, timer}

  function select(index) {
    if (!rows.length) return;
    current = Math.max(0, Math.min(rows.length - 1, index));
    rows.forEach((row, i) => row.classList.toggle("current", i === current));
    const link = rows[current].querySelector("a.match-link");
    if (link) link.focus();
  }

  function statusCell(row) { return row.querySelector('[data-role="status"]'); }

  async function send(decision) {
    const { row, action, body } = decision;
    try {
      const response = await fetch(`/console/matches/${row.dataset.matchId}/${action}`, {
        method: "POST", keepalive: true,
        headers: { "Accept": "application/json", "X-CSRF-Token": csrf, "Content-Type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams(body),
      });
      const answer = await response.json().catch(() => ({}));
      if (!response.ok) throw new Error(answer.detail || `${response.status}`);
      statusCell(row).textContent = action === "approve" ? text.textApproved : text.textRejected;
      row.dataset.status = answer.status || row.dataset.status;
      row.classList.add("decided");
    } catch (error) {
      statusCell(row).textContent = `${text.textFailed} ${error.message}`;
    }
  }

  function flush() {
    if (!pending) return;
    clearTimeout(pending.timer);
    const decision = pending;
    pending = null;
    undoBar.hidden = true;
    return send(decision);
  }

  function decide(action, body = {}) {
    if (current < 0) select(0);
    const row = rows[current];
    if (!row || row.dataset.status !== "proposed" || row.classList.contains("decided")) return;
    flush();
    const waiting = action === "approve" ? text.textApproving : text.textRejecting;
    statusCell(row).textContent = waiting;
    row.classList.add("decided");
    pending = { row, action, body, timer: setTimeout(flush, undoSeconds * 1000) };
    undoText.textContent = `${waiting} — ${row.querySelector("a.match-link").textContent}`;
    undoBar.hidden = false;
    select(current + 1);
  }

  function undo() {
    if (!pending) return;
    clearTimeout(pending.timer);
    const { row } = pending;
    pending = null;
    row.classList.remove("decided");
    statusCell(row).textContent = text.textUndone;
    undoBar.hidden = true;
    select(rows.indexOf(row));
  }

  function askReason() {
    if (current < 0) select(0);
    const row = rows[current];
    if (!row || row.dataset.status !== "proposed" || row.classList.contains("decided")) return;
    reason.value = "";
    reasonError.hidden = true;
    reason.removeAttribute("aria-invalid");
    document.getElementById("reject-which").textContent = row.querySelector("a.match-link").textContent;
    dialog.showModal();
    reason.focus();
  }

  document.getElementById("reject-form").addEventListener("submit", (event) => {
    if (!reason.value.trim()) {
      event.preventDefault();
      reasonError.hidden = false;
      reason.setAttribute("aria-invalid", "true");
      reason.focus();
      return;
    }
    const body = { reason: reason.value.trim() };
    setTimeout(() => decide("reject", body), 0);
  });
  document.getElementById("reject-cancel").addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => { if (current >= 0) select(current); });
  document.getElementById("undo-button").addEventListener("click", undo);
  window.addEventListener("pagehide", flush);
  rows.forEach((row, i) => row.addEventListener("focusin", () => {
    current = i;
    rows.forEach((r, j) => r.classList.toggle("current", j === i));
  }));

  document.addEventListener("keydown", (event) => {
    if (dialog.open || event.altKey || event.ctrlKey || event.metaKey) return;
    const tag = (event.target.tagName || "").toLowerCase();
    if (["input", "select", "textarea"].includes(tag)) return;
    const actions = {
      j: () => (current === rows.length - 1 ? turnPage("next", "#from-keys") : select(current + 1)),
      k: () => (current === 0 ? turnPage("prev", "#from-keys-last") : select(current - 1)),
      o: () => current >= 0 && flushThen(() => { window.location.href = rows[current].dataset.href; }),
      a: () => decide("approve"), r: askReason, u: undo,
    };
    if (event.key === "Enter" && tag !== "a" && tag !== "button" && current >= 0) { actions.o(); event.preventDefault(); return; }
    const run = actions[event.key];
    if (run) { run(); event.preventDefault(); }
  });

  async function flushThen(next) { await flush(); next(); }

  // Past the last row, j turns to the next page (and k before the first to the previous one), so
  // a reviewer can work through a hundred matches without the mouse.
  function turnPage(rel, mark) {
    const link = document.querySelector(`.pager a[rel="${rel}"]`);
    if (link) flushThen(() => { window.location.href = link.href + mark; });
  }

  if (window.location.hash === "#from-keys") select(0);
  if (window.location.hash === "#from-keys-last") select(rows.length - 1);
});
