// Progressive enhancements of the customer form; the form works fully without them (the server checks all).
// 1. Live primary-domain check while typing (debounced), against customers:domain_check.
// 2. Live hint when the company name ends in a web suffix such as ".com" (the pattern comes from the server).
// 3. The state/province list narrowed to the chosen country, and hidden for countries without states.
(function () {
  "use strict";

  var domain = document.querySelector("[data-domain-check-url]");
  var domainMessage = document.getElementById("domain-check-message");
  if (domain && domainMessage) {
    var timer = null;
    var latest = 0;
    var show = function (text, ok) {
      domainMessage.textContent = text;
      domainMessage.classList.toggle("text-success", ok === true);
      domainMessage.classList.toggle("text-danger", ok === false);
    };
    var check = function () {
      var value = domain.value.trim();
      if (!value) {
        show("", null);
        return;
      }
      var ticket = ++latest;
      var url = domain.getAttribute("data-domain-check-url") + "?prefix=" + encodeURIComponent(value);
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          return response.ok ? response.json() : null;
        })
        .then(function (data) {
          // An older request answering late must not overwrite the answer for what is typed now.
          if (data && ticket === latest) {
            show(data.message, data.available);
          }
        })
        .catch(function () {
          /* The check is a convenience: on a network error the server still checks on submit. */
        });
    };
    domain.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(check, 350);
    });
  }

  var company = document.querySelector("[data-warn-pattern]");
  var companyWarning = document.getElementById("company-name-warning");
  if (company && companyWarning) {
    var pattern = null;
    try {
      pattern = new RegExp(company.getAttribute("data-warn-pattern"), "i");
    } catch (error) {
      pattern = null; // an older browser without look-behind support: no live hint, the next page still warns
    }
    var warn = function () {
      var hit = pattern !== null && pattern.test(company.value.normalize("NFKC"));
      companyWarning.textContent = hit ? company.getAttribute("data-warn-message") : "";
      companyWarning.classList.toggle("d-none", !hit);
    };
    company.addEventListener("input", warn);
    warn();
  }

  var country = document.querySelector("[data-state-country]");
  var state = document.querySelector("[data-state-select]");
  var stateWrapper = document.getElementById("state-wrapper");
  if (country && state) {
    var narrow = function () {
      var prefix = country.value + "-";
      var any = false;
      Array.prototype.forEach.call(state.querySelectorAll("optgroup"), function (group) {
        var mine = Array.prototype.some.call(group.children, function (option) {
          return option.value.indexOf(prefix) === 0;
        });
        group.hidden = !mine;
        group.disabled = !mine;
        any = any || mine;
      });
      if (state.value && state.value.indexOf(prefix) !== 0) {
        state.value = "";
      }
      if (stateWrapper) {
        stateWrapper.hidden = !any;
      }
    };
    country.addEventListener("change", narrow);
    narrow();
  }
})();
