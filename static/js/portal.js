// Progressive enhancement for every page (docs/ui.md). Without JavaScript each page works as served; with it:
// a copy button beside IDs, dismissible messages, focus on the error summary, and a "Menu" toggle on small screens.
(function () {
  "use strict";
  var root = document.documentElement;
  root.classList.add("js");
  var labels = document.body ? document.body.dataset : {};

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  function addCopyButtons() {
    if (!navigator.clipboard) return;
    document.querySelectorAll("[data-copy]").forEach(function (el) {
      if (el.nextElementSibling && el.nextElementSibling.classList.contains("copy-button")) return;
      var value = el.getAttribute("data-copy") || el.textContent.trim();
      var button = document.createElement("button");
      var label = labels.copyLabel || "Copy";
      button.type = "button";
      // The icon is CSS (::before), so the cell's text stays the ID alone.
      button.className = "btn btn-sm btn-outline-secondary copy-button";
      button.title = label;
      button.setAttribute("aria-label", label);
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(value).then(function () {
          button.classList.add("is-copied");
          button.title = labels.copiedLabel || "Copied";
          button.setAttribute("aria-label", button.title);
          window.setTimeout(function () {
            button.classList.remove("is-copied");
            button.title = label;
            button.setAttribute("aria-label", label);
          }, 1500);
        });
      });
      el.insertAdjacentElement("afterend", button);
    });
  }

  function dismissibleMessages() {
    document.querySelectorAll(".portal-message[data-dismissible]").forEach(function (message) {
      var close = document.createElement("button");
      close.type = "button";
      close.className = "btn-close";
      close.setAttribute("aria-label", labels.closeLabel || "Close");
      close.addEventListener("click", function () { message.remove(); });
      message.appendChild(close);
    });
  }

  function focusErrorSummary() {
    var summary = document.querySelector(".error-summary");
    if (!summary) return;
    summary.focus();
    // A link of the summary focuses its field (a bare #fragment would only scroll to it).
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) return;
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (!field) return;
      event.preventDefault();
      var label = document.querySelector("label[for='" + field.id + "']");
      (label || field).scrollIntoView({ block: "center" });
      field.focus({ preventScroll: true });
    });
  }

  function menuToggle() {
    var sidebar = document.querySelector(".portal-sidebar");
    var bar = document.querySelector(".portal-topbar-inner");
    if (!sidebar || !bar) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "btn btn-sm btn-outline-light portal-menu-toggle";
    button.textContent = labels.menuLabel || "Menu";
    button.setAttribute("aria-expanded", "false");
    sidebar.id = sidebar.id || "portal-sidebar";
    button.setAttribute("aria-controls", sidebar.id);
    button.addEventListener("click", function () {
      var open = sidebar.classList.toggle("is-open");
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
    var brand = bar.querySelector(".portal-brand");
    if (brand) brand.insertAdjacentElement("afterend", button);
  }

  // A table wider than its card scrolls inside it: make that region reachable and named for keyboard users.
  function scrollableTables() {
    document.querySelectorAll(".table-responsive").forEach(function (region) {
      if (region.scrollWidth <= region.clientWidth + 1 || region.hasAttribute("tabindex")) return;
      var table = region.querySelector("table");
      var heading = region.closest("section, .card, main");
      heading = heading && heading.querySelector("h1, h2, h3");
      region.setAttribute("tabindex", "0");
      region.setAttribute("role", "region");
      var name = (table && table.querySelector("caption")) || heading;
      if (name) region.setAttribute("aria-label", name.textContent.trim());
    });
  }

  ready(function () {
    labels = document.body.dataset;
    scrollableTables();
    window.addEventListener("resize", scrollableTables);
    addCopyButtons();
    dismissibleMessages();
    menuToggle();
    focusErrorSummary();
  });
})();
