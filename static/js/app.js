// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  // Send the CSRF token with every htmx request.
  document.addEventListener("htmx:configRequest", function (evt) {
    var token = document.body && document.body.getAttribute("data-csrf");
    if (token) { evt.detail.headers["X-CSRF-Token"] = token; }
  });
  // Form errors come back as 422 with the form's block: swap them (see replan/web.py).
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var status = evt.detail.xhr.status;
    if (status === 422 || status === 429 || status === 409) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
    }
  });

  // Warn before leaving a page whose form (marked data-warn-unsaved) has edits not yet saved.
  var unsaved = new Set();
  function watched(target) {
    return target && target.closest ? target.closest("form[data-warn-unsaved]") : null;
  }
  ["input", "change"].forEach(function (type) {
    document.addEventListener(type, function (evt) {
      var form = watched(evt.target);
      if (form) { unsaved.add(form); }
    });
  });
  document.addEventListener("submit", function (evt) { unsaved.delete(evt.target); });
  // A form sent back with errors (data-unsaved) holds edits that are not saved yet.
  function pending() {
    unsaved.forEach(function (form) { if (!form.isConnected) { unsaved.delete(form); } });
    document.querySelectorAll("form[data-warn-unsaved][data-unsaved]").forEach(function (form) {
      unsaved.add(form);
    });
  }
  document.addEventListener("DOMContentLoaded", pending);
  document.addEventListener("htmx:afterSettle", pending);
  window.addEventListener("beforeunload", function (evt) {
    if (unsaved.size) { evt.preventDefault(); evt.returnValue = ""; }
  });
})();
