// Every page: show that a form is working while the network answers, and take the reader to the
// error summary when a form comes back with problems.
"use strict";
document.documentElement.classList.add("js");

document.addEventListener("DOMContentLoaded", () => {
  const summary = document.querySelector("[data-focus-on-load]");
  if (summary) summary.focus();
  const busy = document.getElementById("busy");
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (event.defaultPrevented || form.method === "dialog") return;
    if (form.method.toLowerCase() === "get") {
      // Filters left at "any" stay out of the address, so a shared view reads cleanly.
      form.querySelectorAll("select, input").forEach((field) => { if (!field.value) field.disabled = true; });
    }
    const button = event.submitter || form.querySelector("button[type=submit]");
    if (button) {
      // A second press would send the form twice; the page that answers replaces this one.
      if (button.getAttribute("aria-busy") === "true") { event.preventDefault(); return; }
      button.setAttribute("aria-busy", "true");
    }
    if (busy) busy.hidden = false;
  });
  window.addEventListener("pageshow", () => {
    if (busy) busy.hidden = true;
    document.querySelectorAll("button[aria-busy=true]").forEach((b) => b.removeAttribute("aria-busy"));
    document.querySelectorAll("form select:disabled, form input:disabled").forEach((f) => { f.disabled = false; });
  });
});
