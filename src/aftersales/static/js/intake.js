// Intake without a mouse: Enter in the search box picks the best result (waiting for the search if it is still
// running), arrow keys move through the results, and after a pick the focus goes on to the request form.
(function () {
  "use strict";
  var input = document.getElementById("intake-q");
  var results = document.getElementById("intake-results");
  if (!input || !results) { return; }
  var pickWhenLoaded = false;
  var focusFormAfterPick = false;

  function picks() { return Array.prototype.slice.call(results.querySelectorAll(".pick")); }
  function best() { return results.querySelector(".pick[data-best]") || results.querySelector(".pick"); }
  function resultsQuery() {
    var box = results.querySelector("[data-q]");
    return box ? box.getAttribute("data-q") : null;
  }

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter") {
      event.preventDefault();
      var q = input.value.trim();
      var first = best();
      if (resultsQuery() === q && first) {
        first.click();
      } else if (q.length >= 2) {
        pickWhenLoaded = true;
        window.htmx.trigger(input, "intake-search");
      }
    } else if (event.key === "ArrowDown") {
      var target = best();
      if (target) { event.preventDefault(); target.focus(); }
    }
  });

  results.addEventListener("keydown", function (event) {
    if (event.key !== "ArrowDown" && event.key !== "ArrowUp") { return; }
    var list = picks();
    var index = list.indexOf(document.activeElement);
    if (index < 0) { return; }
    event.preventDefault();
    if (event.key === "ArrowDown" && index < list.length - 1) { list[index + 1].focus(); }
    if (event.key === "ArrowUp") { (index > 0 ? list[index - 1] : input).focus(); }
  });

  results.addEventListener("click", function (event) {
    if (event.target.closest(".pick")) { focusFormAfterPick = true; }
  });

  // afterSettle, not afterSwap: only then has htmx wired up the new links, so a click fetches the fragment.
  document.body.addEventListener("htmx:afterSettle", function (event) {
    var target = event.detail.target;
    if (target === results && pickWhenLoaded) {
      pickWhenLoaded = false;
      var first = best();
      if (first) { first.click(); }
    }
    if (target && target.id === "selection" && focusFormAfterPick) {
      focusFormAfterPick = false;
      var next = target.querySelector("[data-autofocus]") || document.getElementById("id_summary");
      if (next) { next.focus(); }
    }
  });
})();
