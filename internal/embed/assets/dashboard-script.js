/* WhatPro Hub dashboard script: replaced by the full script in this change. */
(function () {
  "use strict";
  var HUB_URL = "__WHATPRO_HUB_URL__";
  if (window.console) console.info("[whatpro] dashboard script loaded from " + HUB_URL);
})();
