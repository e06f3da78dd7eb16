// Billing screens: adding a row to editable charge lines (the quote's signature pad is js/signature.js).
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  function lineEditor(form) {
    var add = form.querySelector("[data-line-add]");
    var body = form.querySelector("[data-lines]");
    var template = form.querySelector("template[data-line-template]");
    if (!add || !body || !template) { return; }
    add.addEventListener("click", function () {
      var row = template.content.firstElementChild.cloneNode(true);
      body.appendChild(row);
      var input = row.querySelector("input[name=line_description]");
      if (input) { input.focus(); }
    });
  }

  ready(function () {
    document.querySelectorAll("form.charge-lines-form").forEach(lineEditor);
  });
})();
