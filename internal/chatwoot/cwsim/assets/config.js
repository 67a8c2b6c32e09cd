// Stands in for the inline <script> of Chatwoot's vueapp layout that sets
// window.chatwootConfig and window.globalConfig before any other script, so
// a DASHBOARD_SCRIPTS snippet finds them. It is external to keep the page
// free of inline script.
(function () {
  'use strict';
  var boot = JSON.parse(document.getElementById('cwsim-bootstrap').textContent);
  window.__cwsimBoot = boot;
  window.chatwootConfig = {
    hostURL: window.location.origin,
    websocketURL: '',
    selectedLocale: 'en',
    enabledLanguages: [{ name: 'English (en)', iso_639_1_code: 'en' }],
    appVersion: boot.version,
  };
  window.globalConfig = {
    INSTALLATION_NAME: 'Chatwoot',
    BRAND_NAME: 'Chatwoot',
    LOGO: '',
    LOGOUT_REDIRECT_LINK: '/app/login',
  };
})();
