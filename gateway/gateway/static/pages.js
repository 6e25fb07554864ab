// The pages' only script: it talks to the public API /api/v1 and writes text (never HTML) into the page.
"use strict";

const TOKEN_KEY = "unionMatch.accessToken";
const STATUS_RU = {
  proposed: "на рассмотрении агентства", approved: "одобрено агентством, ждёт ответов сторон",
  rejected: "отклонено агентством", introduced: "обе стороны заинтересованы, контакты отправлены по почте",
  closed: "закрыто",
};
const ANSWER_RU = { interested: "Интересно", declined: "Не интересно" };
const ENTERPRISE_STATUS_RU = { pending: "на проверке агентства", verified: "проверено агентством", suspended: "приостановлено" };
const COUNTRY_RU = { RU: "Россия", BY: "Беларусь" };

const byId = (id) => document.getElementById(id);

function say(text, isError = false) {
  const message = byId("message");
  message.textContent = text;
  message.classList.toggle("error", isError);
}

async function callApi(path, { method = "GET", body, form, signedIn = true } = {}) {
  const headers = { Accept: "application/json" };
  const token = sessionStorage.getItem(TOKEN_KEY);
  if (signedIn && token) headers.Authorization = `Bearer ${token}`;
  let payload;
  if (form) payload = new URLSearchParams(form);
  if (body) { headers["Content-Type"] = "application/json"; payload = JSON.stringify(body); }
  const response = await fetch(`/api/v1${path}`, { method, headers, body: payload });
  let data = null;
  try { data = await response.json(); } catch (_) { /* an empty or non-JSON answer */ }
  return { status: response.status, ok: response.ok, data };
}

// Problem details (RFC 9457) told in the user's words; `told` gives a page's own words for a status.
function explain(reply, told = {}) {
  const detail = reply.data && reply.data.detail ? ` (${reply.data.detail})` : "";
  if (told[reply.status]) return told[reply.status];
  switch (reply.status) {
    case 401: return "Вы не вошли или сессия истекла. Войдите снова.";
    case 403: return "У этой учётной записи нет доступа. Войдите под учётной записью нужной компании.";
    case 404: return "Не найдено.";
    case 409: return `Сейчас это сделать нельзя${detail}.`;
    case 429: return "Слишком много запросов. Подождите немного и попробуйте снова.";
    default: return `Не удалось выполнить запрос (код ${reply.status})${detail}.`;
  }
}

const MATCH_TOLD = {
  403: "У этой учётной записи нет доступа к предложению. Войдите под учётной записью компании, которой пришло письмо.",
  404: "Предложение не найдено или адресовано другой компании. Войдите под учётной записью компании, которой пришло письмо.",
};

// --- partner suggestion ----------------------------------------------------------------------

function suggestionPage(main) {
  const matchId = main.dataset.matchId;
  const signIn = byId("sign-in");
  let myEnterprises = [];

  function showSignIn(text, isError = false) {
    sessionStorage.removeItem(TOKEN_KEY);
    byId("match").hidden = true;
    signIn.hidden = false;
    say(text, isError);
    byId("email").focus();
  }

  function showMatch(match) {
    const mineIsNeed = myEnterprises.includes(match.need_enterprise_id);
    const mineIsOffer = myEnterprises.includes(match.offer_enterprise_id);
    const partner = mineIsNeed && !mineIsOffer ? match.offer : match.need;
    byId("partner").textContent = `${partner.enterprise_name} (${partner.city})`;
    byId("offer-title").textContent = match.offer.title;
    byId("need-title").textContent = match.need.title;
    byId("score").textContent = `${Math.round(match.score * 100)} из 100`;
    byId("status").textContent = STATUS_RU[match.status] || match.status;
    const mine = mineIsNeed ? match.need_answer : mineIsOffer ? match.offer_answer : null;
    byId("my-answer").textContent = mine ? ANSWER_RU[mine] : "ещё нет";
    const reasons = byId("reasons");
    reasons.replaceChildren(...match.reasons.ru.map((reason) => {
      const item = document.createElement("li");
      item.textContent = reason;
      return item;
    }));
    signIn.hidden = true;
    byId("match").hidden = false;
  }

  async function load() {
    const me = await callApi("/auth/me");
    if (me.status === 401) return showSignIn("Сессия истекла. Войдите снова.", true);
    if (!me.ok) return say(explain(me), true);
    myEnterprises = me.data.enterprise_ids;
    const reply = await callApi(`/matches/${matchId}`);
    if (reply.status === 401) return showSignIn("Сессия истекла. Войдите снова.", true);
    if (!reply.ok) {
      byId("match").hidden = true;
      say(explain(reply, MATCH_TOLD), true);
      // Another company's account may be the one the email was meant for.
      signIn.hidden = reply.status !== 403 && reply.status !== 404;
      return;
    }
    say("");
    showMatch(reply.data);
  }

  signIn.addEventListener("submit", async (event) => {
    event.preventDefault();
    const reply = await callApi("/auth/token", {
      method: "POST", signedIn: false,
      form: { username: byId("email").value, password: byId("password").value },
    });
    if (reply.status === 401 || reply.status === 400) return say("Неверная электронная почта или пароль.", true);
    if (!reply.ok) return say(explain(reply), true);
    sessionStorage.setItem(TOKEN_KEY, reply.data.access_token);
    byId("password").value = "";
    await load();
  });

  for (const button of document.querySelectorAll("button[data-answer]")) {
    button.addEventListener("click", async () => {
      const result = byId("answer-result");
      const answer = button.dataset.answer;
      const reply = await callApi(`/matches/${matchId}/respond`, { method: "POST", body: { answer } });
      result.classList.toggle("error", !reply.ok);
      if (reply.status === 401) return showSignIn("Сессия истекла. Войдите снова, чтобы ответить.", true);
      if (!reply.ok) {
        const notNow = `на это предложение сейчас нельзя ответить: оно ещё не одобрено, уже закрыто или ваш ответ уже учтён${reply.data && reply.data.detail ? ` (${reply.data.detail})` : ""}.`;
        result.textContent = `Ответ не записан: ${explain(reply, { ...MATCH_TOLD, 409: notNow })}`;
        return;
      }
      showMatch(reply.data);
      result.textContent = `Ваш ответ «${ANSWER_RU[answer]}» записан. Статус: ${STATUS_RU[reply.data.status] || reply.data.status}.`;
    });
  }

  byId("sign-out").addEventListener("click", () => showSignIn("Вы вышли."));

  if (sessionStorage.getItem(TOKEN_KEY)) load();
  else showSignIn("Войдите, чтобы увидеть предложение.");
}

// --- public enterprise profile ---------------------------------------------------------------

async function enterprisePage(main) {
  // Always anonymous: the public profile never carries the private contacts, whoever looks.
  const [reply, sectors] = await Promise.all([
    callApi(`/enterprises/${main.dataset.enterpriseId}`, { signedIn: false }),
    callApi("/sectors", { signedIn: false }),
  ]);
  if (!reply.ok) return say(explain(reply, { 404: "Предприятие не найдено." }), true);
  const enterprise = reply.data;
  const sectorNames = {};
  for (const sector of (sectors.ok ? sectors.data.items : [])) sectorNames[sector.id] = sector.names.ru || sector.id;
  byId("name").textContent = enterprise.name;
  document.title = `${enterprise.name} — Union Match`;
  byId("enterprise-status").textContent = ENTERPRISE_STATUS_RU[enterprise.status] || enterprise.status;
  byId("country").textContent = COUNTRY_RU[enterprise.country] || enterprise.country;
  byId("city").textContent = enterprise.city;
  byId("sectors").textContent = enterprise.sectors.map((id) => sectorNames[id] || id).join(", ");
  byId("description").textContent = enterprise.description;
  byId("profile").hidden = false;
}

// --- the signed links of the emails: address confirmation and unsubscribe ------------------------
// The API answers problem details for a forged, altered or expired token: 400 from /auth/confirm,
// 422 from /unsubscribe (the token fails validation either way).

const CONFIRM_TOLD = {
  400: "Ссылка для подтверждения недействительна или срок её действия истёк. Проверьте, что открыли ссылку из письма «Добро пожаловать» целиком, без изменений.",
  422: "Ссылка для подтверждения недействительна: похоже, она скопирована не полностью. Откройте ссылку из письма «Добро пожаловать» целиком.",
};
const UNSUBSCRIBE_INVALID = "Ссылка для отписки недействительна или срок её действия истёк. Откройте ссылку «Отписаться» из последнего письма с предложением.";
const UNSUBSCRIBE_TOLD = { 400: UNSUBSCRIBE_INVALID, 422: UNSUBSCRIBE_INVALID };

async function confirmPage(main) {
  // Anonymous on purpose: the link proves the address by itself, whoever is signed in here.
  const token = encodeURIComponent(main.dataset.token);
  const reply = await callApi(`/auth/confirm?token=${token}`, { signedIn: false });
  if (!reply.ok) return say(explain(reply, CONFIRM_TOLD), true);
  say(`Адрес электронной почты подтверждён: ${reply.data.email}.`);
  byId("next").hidden = false;
}

async function unsubscribePage(main) {
  // Unsubscribing here, from the page's script, rather than while the server renders the page,
  // keeps the mail scanners that fetch every link in an email (without running scripts) from
  // unsubscribing the company on its behalf.
  const token = encodeURIComponent(main.dataset.token);
  const reply = await callApi(`/unsubscribe?token=${token}`, { signedIn: false });
  if (!reply.ok) return say(explain(reply, UNSUBSCRIBE_TOLD), true);
  say("Вы отписались: предприятие больше не будет получать предложения о партнёрстве.");
  byId("unsubscribed").hidden = false;
}

document.addEventListener("DOMContentLoaded", () => {
  const main = document.querySelector("main[data-page]");
  if (!main) return;
  if (main.dataset.page === "suggestion") suggestionPage(main);
  if (main.dataset.page === "enterprise") enterprisePage(main);
  if (main.dataset.page === "confirm") confirmPage(main);
  if (main.dataset.page === "unsubscribe") unsubscribePage(main);
});
