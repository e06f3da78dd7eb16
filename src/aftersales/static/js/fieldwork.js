// Engineer's work page: position with the arrival, take-back fields shown only for "device taken back",
// and dynamic rows for parts used.
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") { fn(); } else { document.addEventListener("DOMContentLoaded", fn); }
  }

  ready(function () {
    // Arrival: ask the browser for the position once the page loads; the form submits with or without it.
    var arrive = document.querySelector("form[data-geolocate]");
    if (arrive && navigator.geolocation) {
      navigator.geolocation.getCurrentPosition(function (pos) {
        var lat = arrive.querySelector("input[name$=latitude]");
        var lng = arrive.querySelector("input[name$=longitude]");
        if (lat && lng) {
          lat.value = pos.coords.latitude.toFixed(6);
          lng.value = pos.coords.longitude.toFixed(6);
        }
        var status = arrive.querySelector("[data-geo-status]");
        if (status) { status.textContent = "✓ " + lat.value + ", " + lng.value; }
      }, function () { /* refused or unavailable: arrival without position */ }, {timeout: 10000, maximumAge: 60000});
    }

    // Take-back fields follow the outcome radio buttons.
    var takeback = document.querySelector("[data-takeback]");
    if (takeback) {
      var wanted = takeback.getAttribute("data-takeback-value");
      var form = takeback.closest("form");
      var sync = function () {
        var checked = form.querySelector("input[name$=outcome]:checked");
        takeback.classList.toggle("hidden", !(checked && checked.value === wanted));
      };
      form.addEventListener("change", function (event) {
        if (event.target.name && /outcome$/.test(event.target.name)) { sync(); }
      });
      sync();
    }

    // Parts used: add and remove rows from a <template>.
    var list = document.querySelector("[data-parts]");
    var template = document.querySelector("template[data-part-template]");
    var add = document.querySelector("[data-part-add]");
    if (list && template && add) {
      add.addEventListener("click", function () {
        list.appendChild(template.content.cloneNode(true));
        var rows = list.querySelectorAll("[data-part-row]");
        var input = rows[rows.length - 1].querySelector("input");
        if (input) { input.focus(); }
      });
      list.addEventListener("click", function (event) {
        var remove = event.target.closest("[data-part-remove]");
        if (remove) { remove.closest("[data-part-row]").remove(); }
      });
    }
  });
})();
