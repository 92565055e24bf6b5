// DCAgent pages: a little plain JavaScript (no framework, no CDN). Each part starts only on a
// page that has its element.
"use strict";

// Floor plan: the drawing again through server-sent events (/rooms/ID/live) whenever what it
// shows changes; the same page instance, no reload.
(function () {
  const plan = document.querySelector("[data-live-floor]");
  if (!plan) return;
  const status = document.getElementById("live-status");
  const source = new EventSource(plan.getAttribute("data-live-floor"));
  source.addEventListener("plan", (e) => {
    const data = JSON.parse(e.data);
    plan.innerHTML = data.svg;
    for (const r of data.racks) {
      const value = document.querySelector('[data-rack-value="' + r.id + '"]');
      if (value && r.value !== null) value.textContent = (Math.round(r.value * 10) / 10) + value.textContent.replace(/^[-0-9.]+/, "").replace(/^[^ ]*$/, "");
      const state = document.querySelector('[data-rack-state="' + r.id + '"]');
      if (state) { state.setAttribute("data-state", r.state); state.title = r.reason || ""; }
    }
    plan.setAttribute("data-updated", String(data.at));
    if (status) { status.textContent = status.getAttribute("data-live") + " " + data.at_text; status.classList.remove("off"); }
  });
  source.onerror = () => { if (status) { status.textContent = status.getAttribute("data-offline"); status.classList.add("off"); } };
})();

// Events console: the list is read again when the event log changes (/api/v1/events/stream),
// with the same filters, and swapped in place; the page is not reloaded.
(function () {
  const live = document.querySelector("[data-live-events]");
  if (!live) return;
  let timer = null;
  const refresh = () => {
    fetch(location.href, { credentials: "same-origin" })
      .then((r) => r.text())
      .then((html) => {
        const next = new DOMParser().parseFromString(html, "text/html").getElementById("events-live");
        const current = document.getElementById("events-live");
        if (!next || !current) return;
        current.innerHTML = next.innerHTML;
        const status = document.getElementById("events-live-status");
        if (status) status.textContent = status.getAttribute("data-live") + " " + new Date().toLocaleTimeString();
      });
  };
  const source = new EventSource(live.getAttribute("data-live-events"));
  source.addEventListener("change", () => { clearTimeout(timer); timer = setTimeout(refresh, 300); });
  source.onerror = () => {
    const status = document.getElementById("events-live-status");
    if (status) status.textContent = status.getAttribute("data-offline");
  };
})();

// Rack page: the fit check answers as the move/add form changes, before saving.
(function () {
  const form = document.querySelector("form[data-fit-check]");
  if (!form) return;
  const out = document.getElementById("fit-answer");
  let timer = null;
  const check = () => {
    const body = new URLSearchParams(new FormData(form));
    fetch(form.getAttribute("data-fit-check"), { method: "POST", body: body, headers: { "Content-Type": "application/x-www-form-urlencoded" }, credentials: "same-origin" })
      .then((r) => r.json())
      .then((a) => {
        out.textContent = "";
        out.className = a.fits ? "fit-ok" : "fit-bad";
        const head = document.createElement("strong");
        head.textContent = a.summary;
        out.appendChild(head);
        if (a.problems && a.problems.length) {
          const ul = document.createElement("ul");
          for (const p of a.problems) { const li = document.createElement("li"); li.textContent = p; ul.appendChild(li); }
          out.appendChild(ul);
        }
      })
      .catch(() => { out.textContent = out.getAttribute("data-unavailable"); out.className = "fit-bad"; });
  };
  form.addEventListener("input", () => { clearTimeout(timer); timer = setTimeout(check, 250); });
  form.addEventListener("change", () => { clearTimeout(timer); timer = setTimeout(check, 50); });
  check();
})();
