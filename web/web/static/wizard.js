// The registration number is checked while it is typed: the page asks the web application,
// which says in the page's language whether the number is right and, if not, why.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll("[data-live-check]").forEach((input) => {
    const [country, scheme] = input.dataset.liveCheck.split(":");
    const said = document.getElementById(`${input.id}-live`);
    let timer = null;
    input.addEventListener("input", () => {
      clearTimeout(timer);
      const value = input.value.trim();
      if (!value) { said.textContent = ""; said.className = "live-check"; return; }
      timer = setTimeout(async () => {
        const query = new URLSearchParams({ country, scheme, value });
        try {
          const response = await fetch(`/my/register/check-legal-id?${query}`, { headers: { Accept: "application/json" } });
          const answer = await response.json();
          if (input.value.trim() !== value) return; // typed on meanwhile
          said.textContent = answer.message;
          said.className = `live-check ${answer.valid ? "ok" : "bad"}`;
        } catch (_) { said.textContent = ""; }
      }, 300);
    });
  });
});
