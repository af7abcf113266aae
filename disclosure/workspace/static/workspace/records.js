// "Select all drafts" on the records list; the list works without it.
(function () {
  "use strict";
  var all = document.getElementById("select-all");
  if (!all) { return; }
  all.hidden = false;
  all.addEventListener("change", function () {
    document.querySelectorAll("input[name=record]").forEach(function (box) { box.checked = all.checked; });
  });
})();
