// Destructive actions ask first. Without JavaScript a link marked `data-confirm` opens its confirmation page (a GET
// that changes nothing) whose red button posts the action. With it, the same page is fetched and its question,
// consequence and form are shown in a <dialog> over the current page, so confirming posts the action from here;
// on any failure (a sign-in page, a network error) the link is simply followed.
(function () {
  "use strict";

  if (typeof window.fetch !== "function" || typeof window.DOMParser !== "function") {
    return;
  }
  var probe = document.createElement("dialog");
  if (typeof probe.showModal !== "function") {
    return;
  }

  var pageToken = function () {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  };

  var build = function (content, opener) {
    var dialog = document.createElement("dialog");
    dialog.className = "confirm-dialog border-0 rounded-3 shadow p-4";
    dialog.setAttribute("aria-labelledby", "confirm-dialog-title");
    dialog.setAttribute("aria-describedby", "confirm-dialog-message");

    var title = document.createElement("h2");
    title.className = "h5 mb-3";
    title.id = "confirm-dialog-title";
    title.textContent = content.querySelector("[data-confirm-title]").textContent;

    var message = document.createElement("p");
    message.id = "confirm-dialog-message";
    message.textContent = content.querySelector("[data-confirm-message]").textContent;

    var form = document.importNode(content.querySelector("[data-confirm-form]"), true);
    // The page's own token where it has one (the fetched page's is equally valid for this session).
    var token = pageToken();
    var tokenInput = form.querySelector("input[name=csrfmiddlewaretoken]");
    if (token && tokenInput) {
      tokenInput.value = token;
    }
    var cancelLink = form.querySelector("[data-confirm-cancel]");
    var cancel = document.createElement("button");
    cancel.type = "button";
    cancel.className = cancelLink ? cancelLink.className : "btn btn-link";
    cancel.textContent = cancelLink ? cancelLink.textContent : "";
    cancel.setAttribute("data-confirm-close", "");
    if (cancelLink) {
      cancelLink.replaceWith(cancel);
    } else {
      form.appendChild(cancel);
    }
    var submit = form.querySelector("[type=submit]");
    if (submit) {
      submit.id = "confirm-dialog-submit";
    }

    dialog.appendChild(title);
    dialog.appendChild(message);
    dialog.appendChild(form);
    cancel.addEventListener("click", function () {
      dialog.close();
    });
    dialog.addEventListener("close", function () {
      dialog.remove();
      opener.focus();
    });
    return dialog;
  };

  document.addEventListener("click", function (event) {
    var link = event.target.closest ? event.target.closest("a[data-confirm]") : null;
    if (!link || event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) {
      return;
    }
    event.preventDefault();
    var href = link.href;
    fetch(href, { credentials: "same-origin", headers: { Accept: "text/html" }, redirect: "manual" })
      .then(function (response) {
        if (!response.ok) {
          throw new Error("no confirmation page");
        }
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var content = page.querySelector("[data-confirm-content]");
        if (!content) {
          throw new Error("no confirmation page");
        }
        var dialog = build(content, link);
        document.body.appendChild(dialog);
        dialog.showModal();
        // The least destructive choice takes the focus: Enter or Escape keeps things as they are.
        dialog.querySelector("[data-confirm-close]").focus();
      })
      .catch(function () {
        window.location.assign(href);
      });
  });
})();
