// Login page of the Chatwoot simulator. It signs in through /auth/sign_in and
// stores the session exactly as Chatwoot's SPA does (setAuthCredentials in
// app/javascript/dashboard/store/utils/api.js): js-cookie 3 writes
// cw_d_session_info = JSON.stringify(every response header, lower-case keys),
// path=/, expires in differenceInDays(expiry, now) days, and no SameSite:
// the SPA's Cookies.defaults = { sameSite: 'Lax' } is js-cookie 2's API and
// does nothing in js-cookie 3 (only the MFA path writes SameSite=Lax).
(function () {
  'use strict';

  // js-cookie 3's default write converter.
  function encodeValue(value) {
    return encodeURIComponent(value).replace(
      /%(2[346BF]|3[AC-F]|40|5[BDE]|60|7[BCD])/g,
      decodeURIComponent
    );
  }

  function setSessionCookie(headers) {
    var expiry = Number(headers.expiry) * 1000;
    var days = Math.trunc((expiry - Date.now()) / 864e5);
    var expires = new Date(Date.now() + days * 864e5).toUTCString();
    document.cookie =
      'cw_d_session_info=' + encodeValue(JSON.stringify(headers)) +
      '; path=/; expires=' + expires;
  }

  // fetch lists header names lower-cased and sorted, as axios gets them
  // from XMLHttpRequest.getAllResponseHeaders().
  function headerObject(response) {
    var out = {};
    response.headers.forEach(function (value, key) {
      out[key] = value;
    });
    return out;
  }

  function homePath(user) {
    var accounts = (user && user.accounts) || [];
    var chosen = accounts.find(function (a) { return a.id === user.account_id; }) || accounts[0];
    return chosen ? '/app/accounts/' + chosen.id + '/dashboard' : '/app/no-accounts';
  }

  function applyTheme() {
    // The v3 login app toggles "dark" on <html>, unlike the dashboard.
    var scheme = localStorage.getItem('color_scheme') || 'auto';
    var dark = scheme === 'dark' ||
      (scheme === 'auto' && window.matchMedia('(prefers-color-scheme: dark)').matches);
    document.documentElement.classList.toggle('dark', dark);
  }

  document.addEventListener('DOMContentLoaded', function () {
    applyTheme();
    var form = document.querySelector('[data-testid="login_form"]');
    var error = document.querySelector('[data-testid="login_error"]');
    form.addEventListener('submit', function (event) {
      event.preventDefault();
      error.hidden = true;
      fetch('/auth/sign_in', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
        body: JSON.stringify({
          email: form.email_address.value,
          password: form.password.value,
        }),
      })
        .then(function (response) {
          return response.json().then(function (body) {
            if (!response.ok) {
              throw new Error((body.errors && body.errors[0]) || 'Login failed');
            }
            setSessionCookie(headerObject(response));
            window.location = homePath(body.data);
          });
        })
        .catch(function (err) {
          error.textContent = err.message;
          error.hidden = false;
        });
    });
  });
})();
