// Live preview of message templates on the rule admin page (notify/admin.py RuleAdmin).
// Each template form has a preview box beside it; typing in the template posts it (with the
// CSRF token) to the rule admin's preview view, which renders it with sample values and says
// how it goes by SMS. Text is only ever set with textContent: the preview shows what an admin
// typed and must never run it. Served from our own origin: the admin's CSP allows no inline
// script.
"use strict";
(function () {
  const DELAY_MS = 250;

  function setup(group) {
    const url = group.dataset.previewUrl;
    const form = group.closest("form");
    if (!url || !form) {
      return;
    }
    const token = form.querySelector("input[name=csrfmiddlewaretoken]");
    const trigger = document.getElementById("id_trigger");
    const timers = new WeakMap();
    const latest = new WeakMap();

    function field(row, selector) {
      const el = row.querySelector(selector);
      return el ? el.value : "";
    }

    function show(row, reply) {
      const box = row.querySelector(".template-preview");
      const summary = box.querySelector(".template-preview-summary");
      const subject = box.querySelector(".template-preview-subject");
      const text = box.querySelector(".template-preview-text");
      const flags = box.querySelector(".template-preview-flags");
      const cost = box.querySelector(".template-preview-cost");
      flags.replaceChildren();
      if (cost) {
        // What a thousand of these texts cost at the agency's price per segment.
        cost.hidden = !(reply.ok && reply.cost);
        cost.textContent = reply.ok ? reply.cost || "" : "";
      }
      box.classList.toggle("is-error", !reply.ok);
      box.dataset.encoding = reply.ok ? reply.encoding : "";
      box.dataset.segments = reply.ok ? String(reply.segments) : "";
      if (!reply.ok) {
        summary.textContent = reply.error;
        subject.hidden = true;
        text.textContent = "";
        return;
      }
      summary.textContent = reply.summary;
      subject.hidden = !reply.subject;
      subject.textContent = reply.subject;
      text.textContent = reply.text;
      for (const flag of reply.flags) {
        const item = document.createElement("li");
        item.textContent = flag.note;
        flags.appendChild(item);
      }
    }

    function refresh(row) {
      if (row.classList.contains("empty-form") || !row.querySelector("textarea.template-body")) {
        return;
      }
      const box = row.querySelector(".template-preview");
      if (!box) {
        return;
      }
      const data = new FormData();
      data.append("csrfmiddlewaretoken", token ? token.value : "");
      data.append("rule", group.dataset.rule || "");
      data.append("trigger", trigger ? trigger.value : "");
      data.append("language", field(row, "input.template-language"));
      data.append("subject", field(row, "input.template-subject"));
      data.append("body", field(row, "textarea.template-body"));
      const ticket = (latest.get(row) || 0) + 1;
      latest.set(row, ticket);
      box.setAttribute("aria-busy", "true");
      box.querySelector(".template-preview-summary").textContent = group.dataset.checking;
      fetch(url, { method: "POST", body: data, credentials: "same-origin" })
        .then((response) => response.json())
        .then((reply) => {
          if (latest.get(row) === ticket) {
            show(row, reply);
          }
        })
        .catch(() => {
          if (latest.get(row) === ticket) {
            show(row, { ok: false, error: group.dataset.unreachable });
          }
        })
        .finally(() => {
          if (latest.get(row) === ticket) {
            box.removeAttribute("aria-busy");
          }
        });
    }

    function later(row) {
      clearTimeout(timers.get(row));
      timers.set(row, setTimeout(() => refresh(row), DELAY_MS));
    }

    function rows() {
      return group.querySelectorAll(".template-form:not(.empty-form)");
    }

    // One listener for every template, including those added with "Add another".
    group.addEventListener("input", (event) => {
      const row = event.target.closest(".template-form");
      if (row) {
        later(row);
      }
    });
    if (trigger) {
      trigger.addEventListener("change", () => rows().forEach(refresh));
    }
    rows().forEach(refresh);
  }

  function start() {
    document.querySelectorAll(".template-inlines").forEach(setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
