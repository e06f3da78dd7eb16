// Small behaviours for every page. No inline scripts: the Content-Security-Policy allows only our own files.
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var toggle = event.target.closest("[data-toggle=nav]");
    if (toggle) {
      document.getElementById("mainnav").classList.toggle("open");
    }
    // A menu group closes when the user clicks anywhere else.
    document.querySelectorAll("details.navgroup[open]").forEach(function (group) {
      if (!group.contains(event.target)) { group.removeAttribute("open"); }
    });
    var confirmEl = event.target.closest("[data-confirm]");
    if (confirmEl && !window.confirm(confirmEl.getAttribute("data-confirm"))) {
      event.preventDefault();
      event.stopImmediatePropagation();
    }
  }, true);
  // Submit a select's form when it changes (filters on list pages).
  document.addEventListener("change", function (event) {
    var el = event.target.closest("[data-autosubmit]");
    if (el && el.form) { el.form.requestSubmit ? el.form.requestSubmit() : el.form.submit(); }
  });
  // Show local times of <time data-local> in the browser's own zone is not needed: the server renders the
  // user's zone. Keep htmx errors visible instead of failing silently.
  document.addEventListener("htmx:responseError", function (event) {
    var target = event.detail.target;
    if (target && event.detail.xhr && event.detail.xhr.status >= 400 && event.detail.xhr.status < 500) {
      target.innerHTML = event.detail.xhr.responseText;
    }
  });
})();
