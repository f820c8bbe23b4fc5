// The staff form works fully without this. With it, Enter in the "Find customers" box searches and Enter in any
// other field saves (without it, Enter anywhere presses the form's first, hidden button: Save).
(function () {
  "use strict";

  var form = document.getElementById("staff-form");
  var find = document.getElementById("find-customers");
  var save = document.getElementById("staff-save");
  if (!form || !find || !save || typeof form.requestSubmit !== "function") {
    return;
  }
  form.addEventListener("keydown", function (event) {
    var target = event.target;
    if (event.key !== "Enter" || target.tagName !== "INPUT") {
      return;
    }
    event.preventDefault();
    form.requestSubmit(target.name === "customer_q" ? find : save);
  });
})();
