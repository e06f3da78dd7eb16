// A customer's signature (service receipt, RMA return receipt, quote approval): a signature_pad canvas in a form
// marked data-signature-form (or data-quote-signature-form), sent as a PNG data URL.
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

    // Size the drawing surface to the element and the screen's pixel ratio, keeping what was drawn.
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
        canvas.focus();
        return;
      }
      if (empty) { empty.classList.add("hidden"); }
      field.value = pad.toDataURL("image/png");
    });
  }

  ready(function () {
    document.querySelectorAll("form[data-signature-form], form[data-quote-signature-form]").forEach(signaturePad);
  });
})();
