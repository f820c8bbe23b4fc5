// The pager's "Rows per page" select shows the new size as soon as it changes; its button does the same without
// JavaScript.
for (const form of document.querySelectorAll("form[data-auto-submit]")) {
  for (const select of form.querySelectorAll("select")) {
    select.addEventListener("change", () => form.requestSubmit());
  }
}
