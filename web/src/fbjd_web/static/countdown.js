/* Live countdown of the time left to handle a record: <span data-deadline="ISO">…</span> shows
   "剩余 X 分 Y 秒" each second and "已超过处理时限" once passed. Spans swapped in by htmx count too. */
(function () {
  "use strict";

  function text(ms) {
    if (ms <= 0) { return "已超过处理时限"; }
    var s = Math.floor(ms / 1000);
    var h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
    return "剩余 " + (h ? h + " 小时 " : "") + m + " 分 " + (sec < 10 ? "0" : "") + sec + " 秒";
  }

  function tick() {
    var nodes = document.querySelectorAll("[data-deadline]");
    var at = Date.now();
    for (var i = 0; i < nodes.length; i++) {
      var deadline = Date.parse(nodes[i].getAttribute("data-deadline"));
      if (isNaN(deadline)) { continue; }
      var left = deadline - at;
      nodes[i].textContent = text(left);
      nodes[i].classList.toggle("bad", left <= 0);
      nodes[i].classList.toggle("warn", left > 0 && left < 10 * 60000);
    }
  }

  document.addEventListener("DOMContentLoaded", function () { tick(); window.setInterval(tick, 1000); });
  document.addEventListener("htmx:afterSwap", tick);
})();
