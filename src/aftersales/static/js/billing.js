// Billing screens: the customer's signature approving a quote (signature_pad canvas sent as a PNG data URL),
// and adding a row to editable charge lines.
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  function signaturePad(form) {
    if (typeof window.SignaturePad === "undefined") { return; }
    var canvas = form.querySelector("canvas[data-signature-pad]");
    var field = form.querySelector("input[name$=signature]");
    var empty = form.querySelector("[data-signature-empty]");
    var pad = new window.SignaturePad(canvas, {backgroundColor: "rgb(255,255,255)", penColor: "rgb(10,20,60)"});

    function resize() {
      var ratio = Math.max(window.devicePixelRatio || 1, 1);
      var data = pad.toData();
      canvas.width = canvas.offsetWidth * ratio;
      canvas.height = canvas.offsetHeight * ratio;
      canvas.getContext("2d").scale(ratio, ratio);
      pad.clear();
      pad.fromData(data);
    }
    window.addEventListener("resize", resize);
    resize();

    form.querySelector("[data-signature-clear]").addEventListener("click", function () {
      pad.clear();
      field.value = "";
    });
    form.addEventListener("submit", function (event) {
      if (pad.isEmpty()) {
        event.preventDefault();
        if (empty) { empty.classList.remove("hidden"); }
        return;
      }
      if (empty) { empty.classList.add("hidden"); }
      field.value = pad.toDataURL("image/png");
    });
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
    document.querySelectorAll("form[data-quote-signature-form]").forEach(signaturePad);
    document.querySelectorAll("form.charge-lines-form").forEach(lineEditor);
  });
})();
