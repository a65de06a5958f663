// Progressive enhancement only: the page works the same without it.
"use strict";
document.addEventListener("DOMContentLoaded", function () {
  // Show the host's details only when the client sleeps at someone's home.
  var host = document.getElementById("f-host");
  var details = document.querySelector(".if-host");
  if (host && details) {
    var sync = function () { details.hidden = host.value === "none"; };
    host.addEventListener("change", sync);
    sync();
  }
  // After a check, start reading at the answer (or at the list of answers to correct).
  var target = document.getElementById("problems") ? document.querySelector(".problems")
    : document.getElementById("answer");
  if (target) {
    if (!target.hasAttribute("tabindex")) { target.setAttribute("tabindex", "-1"); }
    target.focus();
  }
});
