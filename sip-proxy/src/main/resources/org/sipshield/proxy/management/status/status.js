// The status page: reads the admin API with the operator's credentials and refreshes itself.
// Every value a peer can shape (user agents, contacts, security lines) reaches the page through
// textContent only, never as markup: this file never assigns innerHTML.
"use strict";

const TOKEN_KEY = "sipshield.token";
const REFRESH_MS = 5000;
// The reference's display rules: lock for encrypted signalling and media, shield for authenticated,
// nothing for a call that is not authenticated.
const ICONS = {
  Encrypted: { name: "lock", glyph: "\u{1F512}" },
  Authenticated: { name: "shield", glyph: "\u{1F6E1}" },
  NotAuthenticated: { name: "none", glyph: "" },
};

const $ = (id) => document.getElementById(id);
let timer = null;
// Bumped by every sign-in and sign-out: a refresh that was under way then drops its answers.
let generation = 0;

function token() {
  return sessionStorage.getItem(TOKEN_KEY);
}

async function api(path) {
  const headers = {};
  if (token()) {
    headers.Authorization = "Bearer " + token();
  }
  const answer = await fetch(path, { headers, cache: "no-store", credentials: "same-origin" });
  if (answer.status === 401) {
    throw Object.assign(new Error("unauthorized"), { unauthorized: true });
  }
  if (!answer.ok) {
    throw new Error(path + ": HTTP " + answer.status);
  }
  return answer.json();
}

function text(value) {
  return value === null || value === undefined ? "" : String(value);
}

function cell(row, value, className) {
  const td = document.createElement("td");
  td.textContent = text(value);
  if (className) {
    td.className = className;
  }
  row.appendChild(td);
  return td;
}

function icon(security) {
  const known = ICONS[security] || ICONS.NotAuthenticated;
  const span = document.createElement("span");
  span.className = "icon";
  span.dataset.icon = known.name;
  span.title = text(security);
  span.textContent = known.glyph;
  return span;
}

function legCell(row, leg) {
  const td = cell(row, "", "leg");
  if (!leg) {
    return;
  }
  td.appendChild(icon(leg.security));
  for (const part of [leg.transport, leg.tlsSuite, leg.srtpSuite ? "SRTP " + leg.srtpSuite : null]) {
    if (part) {
      const span = document.createElement("span");
      span.textContent = part;
      td.appendChild(span);
    }
  }
}

function fill(tableId, items, columns, render) {
  const body = $(tableId).tBodies[0];
  body.replaceChildren();
  if (!items || items.length === 0) {
    const row = body.insertRow();
    const td = cell(row, "none", "empty");
    td.colSpan = columns;
    return;
  }
  for (const item of items) {
    render(body.insertRow(), item);
  }
}

// A destination is a string today; the trunk health work may make it an object (address, state).
function destination(d) {
  if (d === null || typeof d !== "object") {
    return text(d);
  }
  return Object.entries(d).map(([k, v]) => k + ": " + text(v)).join(", ");
}

function render(data) {
  fill("calls", data.calls, 8, (row, call) => {
    row.dataset.callId = text(call.callId);
    cell(row, call.id);
    cell(row, call.caller);
    cell(row, call.callee);
    cell(row, call.state);
    cell(row, call.setup);
    legCell(row, call.legA);
    legCell(row, call.legB);
    cell(row, "", "call-security").appendChild(icon(call.security));
  });
  fill("registrations", data.registrations, 7, (row, r) => {
    cell(row, r.device);
    cell(row, r.line);
    cell(row, r.contact);
    cell(row, r.transport);
    cell(row, r.source);
    cell(row, r.userAgent, "user-agent");
    cell(row, r.expires);
  });
  fill("trunks", data.trunks, 4, (row, t) => {
    cell(row, t.name);
    cell(row, t.securityProfile);
    const destinations = (t.destinations || []).map(destination).join("; ");
    cell(row, destinations, /down/i.test(destinations) ? "down" : "");
    cell(row, t.srtpAllowed ? "yes" : "no");
  });
  fill("certificates", data.certificates, 5, (row, c) => {
    cell(row, c.name);
    cell(row, c.subject);
    cell(row, c.issuer);
    cell(row, c.notAfter);
    cell(row, c.daysToExpiry, c.daysToExpiry < 30 ? "expiring" : "");
  });
  fill("events", data.events, 4, (row, e) => {
    cell(row, e.time);
    cell(row, e.level);
    cell(row, e.type);
    cell(row, e.text);
  });
}

function showSignIn(message) {
  $("data").hidden = true;
  for (const table of document.querySelectorAll("tbody")) {
    table.replaceChildren();
  }
  $("sign-in").hidden = false;
  $("sign-out").hidden = true;
  $("state").textContent = message;
  $("state").className = "error";
}

async function refresh() {
  clearTimeout(timer);
  const started = generation;
  try {
    // one request first: without credentials it is the only one refused (and logged as such)
    const calls = await api("/api/calls");
    const [registrations, trunks, certificates, events] = await Promise.all(
      ["/api/registrations", "/api/trunks", "/api/certificates", "/api/events"].map(api));
    if (started !== generation) {
      return;
    }
    render({ calls: calls.calls, registrations: registrations.registrations, trunks: trunks.trunks,
      certificates: certificates.certificates, events: events.events });
    $("sign-in").hidden = true;
    $("sign-out").hidden = !token();
    $("data").hidden = false;
    $("state").className = "";
    $("state").textContent = "updated " + new Date().toISOString();
  } catch (e) {
    if (started !== generation) {
      return;
    }
    if (e.unauthorized) {
      const hadToken = token() !== null;
      sessionStorage.removeItem(TOKEN_KEY);
      showSignIn(hadToken ? "token refused" : "not signed in");
      return;
    }
    $("state").className = "error";
    $("state").textContent = "refresh failed: " + e.message;
  }
  timer = setTimeout(refresh, REFRESH_MS);
}

document.addEventListener("DOMContentLoaded", () => {
  $("sign-in").addEventListener("submit", (event) => {
    event.preventDefault();
    sessionStorage.setItem(TOKEN_KEY, $("token").value.trim());
    $("token").value = "";
    generation++;
    refresh();
  });
  $("sign-out").addEventListener("click", () => {
    sessionStorage.removeItem(TOKEN_KEY);
    clearTimeout(timer);
    generation++;
    showSignIn("signed out");
  });
  refresh();
});
