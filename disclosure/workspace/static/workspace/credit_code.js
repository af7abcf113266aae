// As-you-type check of the unified social credit code (GB 32100-2015): a port of
// disclosure/credit_code.py's credit_code_problem. The tables and messages come from the page
// (json_script "credit-code-rules"); the server checks again, so this only saves a round trip.
(function () {
  "use strict";
  var node = document.getElementById("credit-code-rules");
  if (!node) { return; }
  var rules = JSON.parse(node.textContent);

  function fill(message, values) {
    return message.replace(/%\((\w+)\)[sd]/g, function (_m, key) { return String(values[key]); });
  }

  function normalize(raw) {
    var out = "";
    raw = raw.trim();
    for (var i = 0; i < raw.length; i++) {
      var c = raw.charCodeAt(i);
      if ((c >= 0xFF10 && c <= 0xFF19) || (c >= 0xFF21 && c <= 0xFF3A) || (c >= 0xFF41 && c <= 0xFF5A)) { c -= 0xFEE0; }
      if (c >= 97 && c <= 122) { c -= 32; }
      out += String.fromCharCode(c);
    }
    return out;
  }

  function problem(code) {
    var m = rules.messages;
    var chars = Array.from(code);
    if (chars.length !== rules.length) { return fill(m.length, {length: chars.length}); }
    for (var i = 0; i < chars.length; i++) {
      if (rules.charset.indexOf(chars[i]) < 0) { return fill(m.charset, {position: i + 1, character: chars[i]}); }
    }
    var categories = rules.categories[chars[0]];
    if (!categories) { return fill(m.authority, {authority: chars[0]}); }
    if (categories.indexOf(chars[1]) < 0) { return fill(m.pair, {authority: chars[0], category: chars[1]}); }
    for (var p = 3; p <= 8; p++) {
      if ("0123456789".indexOf(chars[p - 1]) < 0) { return fill(m.division, {position: p, character: chars[p - 1]}); }
    }
    var total = 0;
    for (var k = 0; k < 17; k++) { total += rules.charset.indexOf(chars[k]) * rules.weights[k]; }
    var expected = rules.charset.charAt((31 - total % 31) % 31);
    if (chars[17] !== expected) { return fill(m.check, {expected: expected, actual: chars[17]}); }
    return null;
  }

  document.querySelectorAll("input[data-credit-code]").forEach(function (input) {
    var out = document.createElement("p");
    out.className = "live-check";
    out.id = input.id + "_live";
    out.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", out);
    input.setAttribute("aria-describedby", ((input.getAttribute("aria-describedby") || "") + " " + out.id).trim());
    function check() {
      var code = normalize(input.value);
      if (!code) { out.textContent = ""; out.className = "live-check"; input.removeAttribute("aria-invalid"); return; }
      var message = problem(code);
      out.textContent = message || rules.messages.ok;
      out.className = "live-check " + (message ? "bad" : "good");
      if (message) { input.setAttribute("aria-invalid", "true"); } else { input.removeAttribute("aria-invalid"); }
    }
    input.addEventListener("input", check);
    if (input.value) { check(); }
  });
})();
