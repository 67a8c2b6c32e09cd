// The SPA shell's router for "/" and "/app": Chatwoot answers both with
// 200 and the Vue router decides where to go, from the session cookie the
// login page wrote: a live session goes to its account's dashboard,
// anything else to the login page.
(function () {
  'use strict';

  function sessionHeaders() {
    var entry = document.cookie.split('; ').find(function (c) {
      return c.indexOf('cw_d_session_info=') === 0;
    });
    if (!entry) return null;
    try {
      return JSON.parse(decodeURIComponent(entry.slice('cw_d_session_info='.length)));
    } catch (e) {
      return null;
    }
  }

  function homePath(user) {
    var accounts = (user && user.accounts) || [];
    var chosen = accounts.find(function (a) { return a.id === user.account_id; }) || accounts[0];
    return chosen ? '/app/accounts/' + chosen.id + '/dashboard' : '/app/login';
  }

  var h = sessionHeaders();
  if (!h || !h['access-token'] || !h.client || !h.uid) {
    window.location.replace('/app/login');
    return;
  }
  fetch('/auth/validate_token', {
    headers: { 'access-token': h['access-token'], client: h.client, uid: h.uid, Accept: 'application/json' },
  })
    .then(function (response) {
      if (!response.ok) throw new Error('invalid session');
      return response.json();
    })
    .then(function (body) {
      window.location.replace(homePath(body.payload && body.payload.data));
    })
    .catch(function () {
      window.location.replace('/app/login');
    });
})();
