// Dispatch board: narrow the cards to those matching what the dispatcher types (number, customer, city).
(function () {
  "use strict";
  document.addEventListener("input", function (event) {
    var box = event.target.closest("[data-board-filter]");
    if (!box) { return; }
    var needle = box.value.trim().toLowerCase();
    document.querySelectorAll("[data-board-card]").forEach(function (card) {
      var hit = !needle || card.textContent.toLowerCase().indexOf(needle) !== -1;
      card.classList.toggle("hidden", !hit);
    });
  });
  // Enter in the filter box must not submit the day form.
  document.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && event.target.closest("[data-board-filter]")) { event.preventDefault(); }
  });
})();
