/*
 * WhatPro Hub dashboard script, for Chatwoot's DASHBOARD_SCRIPTS.
 *
 * It runs in Chatwoot's own page (same origin as Chatwoot) and:
 *   - finds the Chatwoot account from the URL (/app/accounts/{id}/…) and follows SPA route changes;
 *   - asks the hub, without credentials, whether that account is linked, and stops if it is not,
 *     so the session of an unlinked account is never sent anywhere;
 *   - reads the Chatwoot session cookie (cw_d_session_info) only to exchange it at the hub for a
 *     short-lived instance token, which it keeps in memory (this closure) and never stores;
 *   - adds sidebar entries for the hub features that are enabled, cloned from a native entry so
 *     they look native in light and dark themes, and re-inserts them when Vue re-renders;
 *   - opens the hub pages in an iframe panel over Chatwoot's main area, and hands them the instance
 *     token only when they ask with a nonce, only from the hub origin, only to frames it trusts,
 *     and always with an exact targetOrigin (never '*').
 * Any failure adds nothing and logs exactly one console line starting with [whatpro].
 *
 * Plain ES2017, no dependencies. The server replaces __WHATPRO_HUB_URL__ with the hub's public URL.
 */
(function (global) {
  'use strict';

  var HUB_URL = '__WHATPRO_HUB_URL__';
  var LOG_PREFIX = '[whatpro]';
  var SESSION_COOKIE = 'cw_d_session_info';
  /** Sidebar features, in display order. */
  var MENU_FEATURES = ['kanban', 'internal_chat', 'hub_admin'];
  /** Inside an account, on a page with the sidebar (research doc §3). */
  var ACCOUNT_PATH = /^\/app\/accounts\/(\d+)\/(?!onboarding(?:\/|$)|suspended(?:\/|$))/;
  var NONCE = /^[A-Za-z0-9_-]{16,128}$/;
  var REQUEST_TIMEOUT_MS = 15000;
  /** Refresh the instance token this long before it expires. */
  var REFRESH_MARGIN_MS = 2 * 60 * 1000;
  var PANEL_Z_INDEX = '60';
  /** Below this aside width (on a wide viewport) the sidebar is collapsed: icons only. */
  var COLLAPSED_BELOW_PX = 160;
  var WIDE_VIEWPORT_PX = 768;

  // Classes of Chatwoot 4.15 (used when no native entry can be copied) and the state classes
  // that must not be copied from the donor entry.
  var FALLBACK = {
    li: 'grid gap-1 text-sm cursor-pointer select-none min-w-0',
    header: 'flex items-center gap-2 px-1.5 py-1 rounded-lg h-8 min-w-0',
    iconBox: 'relative flex items-center gap-2',
    labelBox: 'flex items-center gap-1.5 flex-grow justify-between min-w-0 flex-1',
    collapsedWrap: 'relative',
    collapsed: 'flex items-center justify-center size-10 rounded-lg',
  };
  var INACTIVE = ['text-n-slate-11', 'hover:bg-n-alpha-2'];
  var ACTIVE = ['text-n-slate-12', 'bg-n-alpha-2', 'font-medium'];
  var STATE_CLASSES = ['bg-n-alpha-2', 'text-n-slate-12', 'text-n-slate-11', 'hover:bg-n-alpha-2', 'font-medium', 'active',
    'router-link-active', 'router-link-exact-active'];

  var LABELS = {
    en: { kanban: 'Kanban', internal_chat: 'Internal chat', hub_admin: 'Hub admin', close: 'Close', panel: 'WhatPro Hub', unread: 'unread' },
    pt: { kanban: 'Kanban', internal_chat: 'Chat interno', hub_admin: 'Admin do Hub', close: 'Fechar', panel: 'WhatPro Hub', unread: 'não lidas' },
    es: { kanban: 'Kanban', internal_chat: 'Chat interno', hub_admin: 'Admin del Hub', close: 'Cerrar', panel: 'WhatPro Hub', unread: 'sin leer' },
  };

  // Lucide-style 24×24 stroke icons (Chatwoot's icon classes have no CSS for names it never uses).
  var ICONS = {
    kanban: ['M6 5v11', 'M12 5v6', 'M18 5v14', 'M3 3h18v18H3z'],
    internal_chat: ['M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z', 'M8 9h8', 'M8 13h5'],
    hub_admin: ['M12 22s8-4 8-10V5l-8-3-8 3v7c0 6 8 10 8 10z', 'M9 12l2 2 4-4'],
  };

  // ---------------------------------------------------------------------------------------------
  // Pure helpers (unit-tested through the test hook at the end).

  /** The origin of the hub URL, or '' when the URL was not baked in or is not http(s). */
  function originOf(url) {
    try {
      var u = new URL(url);
      if (u.protocol !== 'https:' && u.protocol !== 'http:') return '';
      return u.origin;
    } catch (e) {
      return '';
    }
  }

  /** The Chatwoot account id of a dashboard path, or null. */
  function accountFromPath(pathname) {
    var m = ACCOUNT_PATH.exec(String(pathname || ''));
    if (!m) return null;
    var id = Number(m[1]);
    return Number.isSafeInteger(id) && id > 0 ? id : null;
  }

  /** Percent-decodes like js-cookie's reader: runs of %XX are decoded, broken runs kept as they are. */
  function decodeCookieValue(value) {
    try {
      return decodeURIComponent(value);
    } catch (e) {
      return value.replace(/(%[0-9A-Fa-f]{2})+/g, function (run) {
        try {
          return decodeURIComponent(run);
        } catch (e2) {
          return run;
        }
      });
    }
  }

  function parseJSONObject(text) {
    try {
      var v = JSON.parse(text);
      return v && typeof v === 'object' && !Array.isArray(v) ? v : null;
    } catch (e) {
      return null;
    }
  }

  /**
   * Reads Chatwoot's session from a cookie header string (document.cookie). Chatwoot's SPA writes
   * cw_d_session_info with js-cookie as JSON.stringify(every response header of /auth/sign_in), keys
   * lower-case; other writers may quote the value, CGI-escape it or change the case of the keys.
   * Returns {accessToken, client, uid} or null. Never throws.
   */
  function parseSessionCookie(cookieHeader, nowMs) {
    if (typeof cookieHeader !== 'string' || cookieHeader === '') return null;
    var parts = cookieHeader.split(';');
    for (var i = 0; i < parts.length; i++) {
      var part = parts[i];
      var eq = part.indexOf('=');
      if (eq < 0) continue;
      if (part.slice(0, eq).trim() !== SESSION_COOKIE) continue;
      var session = sessionFromValue(part.slice(eq + 1).trim(), nowMs);
      if (session) return session;
    }
    return null;
  }

  function sessionFromValue(raw, nowMs) {
    if (raw.length > 16384) return null;
    if (raw.length >= 2 && raw.charAt(0) === '"' && raw.charAt(raw.length - 1) === '"') raw = raw.slice(1, -1);
    var candidates = [raw, decodeCookieValue(raw)];
    // Twice-encoded values, and CGI escaping ('+' for a space) as a last resort: js-cookie writes
    // a literal '+', which must stay a '+' when the plain reading works.
    candidates.push(decodeCookieValue(candidates[1]));
    candidates.push(decodeCookieValue(raw.replace(/\+/g, ' ')));
    for (var i = 0; i < candidates.length; i++) {
      var obj = parseJSONObject(candidates[i]);
      if (obj) return sessionFromObject(obj, nowMs);
    }
    return null;
  }

  function sessionFromObject(obj, nowMs) {
    var fields = {};
    Object.keys(obj).forEach(function (k) {
      var key = k.toLowerCase().replace(/_/g, '-');
      if (!(key in fields)) fields[key] = obj[k];
    });
    var accessToken = fields['access-token'];
    var client = fields.client;
    var uid = fields.uid;
    if (!nonEmptyString(accessToken) || !nonEmptyString(client) || !nonEmptyString(uid)) return null;
    if (accessToken.length + client.length + uid.length > 600) return null;
    var expiry = Number(fields.expiry);
    if (fields.expiry !== undefined && fields.expiry !== null && fields.expiry !== '' && Number.isFinite(expiry) &&
      expiry * 1000 <= (typeof nowMs === 'number' ? nowMs : Date.now())) {
      return null; // the devise token has expired
    }
    return { accessToken: accessToken, client: client, uid: uid };
  }

  function nonEmptyString(v) {
    return typeof v === 'string' && v.trim() !== '';
  }

  /** A hub page's request for a token: {type:'whatpro:hello', nonce}. */
  function isHello(data) {
    return isPlainObject(data) && data.type === 'whatpro:hello' && typeof data.nonce === 'string' && NONCE.test(data.nonce);
  }

  /** The Chatwoot path a whatpro:navigate message asks for, inside the same account, or null. */
  function navigatePath(data, chatwootAccountId) {
    if (!isPlainObject(data) || data.type !== 'whatpro:navigate') return null;
    var id = data.conversation_id;
    if (typeof id !== 'number' || !Number.isSafeInteger(id) || id <= 0) return null;
    if (typeof chatwootAccountId !== 'number' || !Number.isSafeInteger(chatwootAccountId) || chatwootAccountId <= 0) return null;
    return '/app/accounts/' + chatwootAccountId + '/conversations/' + id;
  }

  function isPlainObject(v) {
    return v !== null && typeof v === 'object' && !Array.isArray(v);
  }

  /** Whether an iframe's src attribute points at the hub origin. */
  function frameOnOrigin(frame, origin, baseHref) {
    var src = frame && frame.getAttribute && frame.getAttribute('src');
    if (!src) return false;
    try {
      return new URL(src, baseHref).origin === origin;
    } catch (e) {
      return false;
    }
  }

  /** The class list of a donor header without Chatwoot's state classes. */
  function stripState(className) {
    return String(className || '').split(/\s+/).filter(function (c) {
      return c !== '' && STATE_CLASSES.indexOf(c) < 0;
    });
  }

  function headerClasses(donorClassName, active) {
    var base = stripState(donorClassName || FALLBACK.header);
    return base.concat(active ? ACTIVE : INACTIVE).join(' ');
  }

  /** The chat entry's badge: mentions first ("@2"), else the unread count (capped), else ''. */
  function badgeText(unread, mentions) {
    if (typeof mentions === 'number' && mentions > 0) return '@' + (mentions > 99 ? '99+' : mentions);
    if (typeof unread === 'number' && unread > 0) return unread > 99 ? '99+' : String(unread);
    return '';
  }

  /** Whether a room's mute holds at nowMs (a muted_until in the past does not). */
  function roomMuted(room, nowMs) {
    if (!room || room.muted !== true) return false;
    if (room.muted_until === null || room.muted_until === undefined) return true;
    var until = Date.parse(room.muted_until);
    return !Number.isFinite(until) || until > nowMs;
  }

  /**
   * Whether a chat.message.created deserves a browser notification: a text message by someone
   * else, not deleted, in a room of the viewer that is neither muted nor archived, and a DM or a
   * mention of the viewer (by id or @room).
   */
  function chatNotifies(message, room, me, nowMs) {
    if (!isPlainObject(message) || !isPlainObject(room) || typeof me !== 'string' || me === '') return false;
    if (message.kind !== 'text' || message.author_id === me || message.deleted_at) return false;
    if (room.archived_at || roomMuted(room, nowMs)) return false;
    if (room.type === 'dm' || room.type === 'group_dm') return true;
    return message.mentions_room === true || (Array.isArray(message.mentions) && message.mentions.indexOf(me) >= 0);
  }

  function labelsFor(locale) {
    var lang = String(locale || '').toLowerCase().slice(0, 2);
    return LABELS[lang] || LABELS.en;
  }

  // ---------------------------------------------------------------------------------------------
  // Runtime.

  function start(win) {
    var doc = win.document;
    var HUB_ORIGIN = originOf(HUB_URL);
    var consoleRef = win.console;

    if (win.__whatproDashboardScript) return; // loaded twice: the first copy does the work
    try {
      Object.defineProperty(win, '__whatproDashboardScript', { value: true });
    } catch (e) {
      return;
    }

    var state = {
      gen: 0,
      chatwootAccount: null,
      hubAccount: null,
      token: null,
      expiresAt: 0,
      expiresAtText: '',
      role: '',
      userId: '',
      enabled: [],
      ready: null,
      exchanging: null,
      refreshTimer: 0,
      logged: false,
    };
    var panel = null; // {feature, host, iframe, cleanup: []}
    var scheduled = 0;
    var observedAside = null;
    var asideObserver = null;

    function log(message) {
      if (state.logged) return;
      state.logged = true;
      try {
        consoleRef.warn(LOG_PREFIX + ' ' + message);
      } catch (e) {
        // no console
      }
    }

    if (!HUB_ORIGIN) {
      log('the dashboard script has no hub URL; serve it from the hub at /embed/dashboard-script.js.');
      return;
    }

    function locale() {
      var cfg = win.chatwootConfig;
      return (cfg && cfg.selectedLocale) || doc.documentElement.lang || (win.navigator && win.navigator.language) || 'en';
    }

    function theme() {
      return doc.body && doc.body.classList.contains('dark') ? 'dark' : 'light';
    }

    // ---- HTTP --------------------------------------------------------------------------------

    function request(method, path, body, token) {
      var headers = { Accept: 'application/json' };
      if (body !== undefined) headers['Content-Type'] = 'application/json';
      if (token) headers.Authorization = 'Bearer ' + token;
      var controller = typeof AbortController === 'function' ? new AbortController() : null;
      var timer = setTimeout(function () {
        if (controller) controller.abort();
      }, REQUEST_TIMEOUT_MS);
      return win.fetch(HUB_URL + path, {
        method: method,
        headers: headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        credentials: 'omit',
        mode: 'cors',
        cache: 'no-store',
        signal: controller ? controller.signal : undefined,
      }).then(function (res) {
        return res.text().then(function (text) {
          var json = parseJSONObject(text);
          if (!res.ok) {
            var code = json && json.error && typeof json.error.code === 'string' ? ' ' + json.error.code : '';
            throw new Error(method + ' ' + path.split('?')[0] + ' answered ' + res.status + code);
          }
          if (!json) throw new Error(method + ' ' + path.split('?')[0] + ' answered something that is not JSON');
          return json;
        });
      }, function (err) {
        throw new Error(method + ' ' + path.split('?')[0] + ' failed (' + (err && err.name === 'AbortError' ? 'timeout' : 'network error') + ')');
      }).then(function (v) {
        clearTimeout(timer);
        return v;
      }, function (err) {
        clearTimeout(timer);
        throw err;
      });
    }

    // ---- session exchange --------------------------------------------------------------------

    /** Exchanges the current Chatwoot session for an instance token (one exchange at a time). */
    function exchange(gen) {
      if (state.exchanging) return state.exchanging;
      var session = parseSessionCookie(doc.cookie, Date.now());
      if (!session) return Promise.reject(new Error('no Chatwoot session (cookie ' + SESSION_COOKIE + ') to sign in with'));
      var body = {
        access_token: session.accessToken,
        client: session.client,
        uid: session.uid,
        chatwoot_account_id: state.chatwootAccount,
      };
      session = null; // the session lives only for this request
      state.exchanging = request('POST', '/api/v1/auth/chatwoot', body).then(function (res) {
        body = null;
        if (gen !== state.gen) throw new Error('stale');
        var expires = Date.parse(res.expires_at);
        if (typeof res.token !== 'string' || res.token === '' || !Number.isFinite(expires) || res.account_id !== state.hubAccount) {
          throw new Error('the hub answered the sign-in with an unexpected body');
        }
        state.token = res.token;
        state.expiresAt = expires;
        state.expiresAtText = res.expires_at;
        state.role = res.user && typeof res.user.role === 'string' ? res.user.role : '';
        state.userId = res.user && typeof res.user.id === 'string' ? res.user.id : '';
        scheduleRefresh(gen);
        return res.token;
      }, function (err) {
        body = null;
        throw err;
      });
      var done = function () {
        state.exchanging = null;
      };
      state.exchanging.then(done, done);
      return state.exchanging;
    }

    function scheduleRefresh(gen) {
      clearTimeout(state.refreshTimer);
      var delay = Math.max(10000, state.expiresAt - Date.now() - REFRESH_MARGIN_MS);
      state.refreshTimer = setTimeout(function () {
        if (gen !== state.gen) return;
        exchange(gen).catch(function (err) {
          if (gen !== state.gen || err.message === 'stale') return;
          log('could not renew the WhatPro Hub token: ' + err.message + '.');
          if (state.expiresAt - Date.now() > 60000) {
            state.refreshTimer = setTimeout(function () {
              if (gen === state.gen) scheduleRefresh(gen);
            }, 60000);
          }
        });
      }, delay);
    }

    /** A token valid for at least another minute, or null. */
    function freshToken() {
      var ready = state.ready || Promise.resolve();
      var gen = state.gen;
      return ready.then(function () {
        if (gen !== state.gen || !state.token) return null;
        if (state.expiresAt - Date.now() > 60000) return state.token;
        return exchange(gen).then(function () {
          return gen === state.gen ? state.token : null;
        }, function () {
          return null;
        });
      }, function () {
        return null;
      });
    }

    // ---- account lifecycle -------------------------------------------------------------------

    function reset() {
      state.gen++;
      clearTimeout(state.refreshTimer);
      state.hubAccount = null;
      state.token = null;
      state.expiresAt = 0;
      state.expiresAtText = '';
      state.role = '';
      state.userId = '';
      state.enabled = [];
      stopChat();
      state.ready = null;
      state.exchanging = null;
      state.logged = false;
      closePanel(false);
      removeEntries();
    }

    function init(chatwootAccount) {
      reset();
      state.chatwootAccount = chatwootAccount;
      if (chatwootAccount === null) return;
      var gen = state.gen;
      state.ready = request('GET', '/embed/context?chatwoot_account_id=' + chatwootAccount).catch(function (err) {
        // Without CORS (this Chatwoot's origin is linked to no hub account) the browser reports a network error.
        throw new Error('could not ask WhatPro Hub at ' + HUB_ORIGIN + ' whether Chatwoot account ' + chatwootAccount +
          ' is linked (' + err.message + '; is this Chatwoot linked to the hub?)');
      }).then(function (ctx) {
        if (gen !== state.gen) throw new Error('stale');
        if (ctx.linked !== true || typeof ctx.account_id !== 'string' || ctx.account_id === '') {
          throw new Error('Chatwoot account ' + chatwootAccount + ' is not linked to WhatPro Hub at ' + HUB_ORIGIN);
        }
        state.hubAccount = ctx.account_id;
        return exchange(gen);
      }).then(function () {
        if (gen !== state.gen) throw new Error('stale');
        return request('GET', '/api/v1/features?account_id=' + encodeURIComponent(state.hubAccount), undefined, state.token)
          .catch(function (err) {
            throw new Error('could not read the enabled features: ' + err.message);
          });
      }).then(function (res) {
        if (gen !== state.gen) throw new Error('stale');
        if (res.account_id !== state.hubAccount || !isPlainObject(res.features)) {
          throw new Error('the hub answered the features request with an unexpected body');
        }
        state.enabled = MENU_FEATURES.filter(function (f) {
          // hub_admin is for admins only; the server says so too, this is belt and braces.
          return res.features[f] === true && (f !== 'hub_admin' || state.role === 'admin');
        });
        ensureEntries();
        if (state.enabled.indexOf('internal_chat') >= 0) startChat(gen);
      });
      state.ready.catch(function (err) {
        if (gen !== state.gen || !err || err.message === 'stale') return;
        state.enabled = [];
        removeEntries();
        log(err.message + '; no WhatPro menu added.');
      });
    }

    // ---- routes ------------------------------------------------------------------------------

    var lastRoute = win.location.pathname + win.location.search;

    function onRouteMaybe() {
      var route = win.location.pathname + win.location.search;
      if (route === lastRoute) return;
      lastRoute = route;
      closePanel(false);
      var account = accountFromPath(win.location.pathname);
      if (account !== state.chatwootAccount) init(account);
      else schedule();
    }

    function safely(fn) {
      return function () {
        try {
          return fn.apply(this, arguments);
        } catch (e) {
          // Never let the hub break Chatwoot.
          return undefined;
        }
      };
    }

    ['pushState', 'replaceState'].forEach(function (name) {
      var original = win.history[name];
      if (typeof original !== 'function') return;
      var check = safely(onRouteMaybe);
      win.history[name] = function () {
        var out = original.apply(this, arguments);
        check();
        return out;
      };
    });
    win.addEventListener('popstate', safely(onRouteMaybe));
    if (win.navigation && typeof win.navigation.addEventListener === 'function') {
      win.navigation.addEventListener('navigatesuccess', safely(onRouteMaybe));
    }

    /** Navigates Chatwoot's router without a page load. */
    function chatwootNavigate(path) {
      try {
        var mount = doc.querySelector('#app');
        var app = mount && mount.__vue_app__;
        var router = app && app.config && app.config.globalProperties && app.config.globalProperties.$router;
        if (router && typeof router.push === 'function') {
          router.push(path);
          return;
        }
      } catch (e) {
        // fall through to the history API
      }
      win.history.pushState(win.history.state, '', path);
      var ev;
      try {
        ev = new PopStateEvent('popstate', { state: win.history.state });
      } catch (e) {
        ev = doc.createEvent('Event');
        ev.initEvent('popstate', false, false);
      }
      win.dispatchEvent(ev);
    }

    // ---- sidebar -----------------------------------------------------------------------------

    function findSidebar() {
      var asides = doc.querySelectorAll('aside');
      for (var i = 0; i < asides.length; i++) {
        var aside = asides[i];
        var nav = childByTag(aside, 'NAV');
        var ul = nav && childByTag(nav, 'UL');
        if (!ul) continue;
        if (!aside.querySelector('a[href*="/search"]')) continue;
        if (!aside.querySelector('#sidebar-account-switcher') && !aside.querySelector('section button')) continue;
        return { aside: aside, ul: ul };
      }
      return null;
    }

    function childByTag(el, tag) {
      for (var c = el.firstElementChild; c; c = c.nextElementSibling) if (c.tagName === tag) return c;
      return null;
    }

    function isCollapsed(aside) {
      if (win.innerWidth < WIDE_VIEWPORT_PX) return false;
      var w = parseFloat(aside.style.width);
      return Number.isFinite(w) && w < COLLAPSED_BELOW_PX;
    }

    /** Class lists copied from a live, native top-level entry (or the 4.15 fallbacks). */
    function donorClasses(ul, collapsed) {
      var out = {
        li: FALLBACK.li, header: FALLBACK.header, iconBox: FALLBACK.iconBox, labelBox: FALLBACK.labelBox,
        collapsedWrap: FALLBACK.collapsedWrap, collapsed: FALLBACK.collapsed,
      };
      var items = [];
      for (var li = ul.firstElementChild; li; li = li.nextElementSibling) {
        if (li.tagName === 'LI' && !li.hasAttribute('data-whatpro-entry')) items.push(li);
      }
      if (collapsed) {
        for (var i = 0; i < items.length; i++) {
          var wrap = childByTag(items[i], 'DIV');
          var btn = wrap && (childByTag(wrap, 'A') || childByTag(wrap, 'BUTTON'));
          if (btn) {
            out.li = items[i].className || out.li;
            out.collapsedWrap = wrap.className || out.collapsedWrap;
            out.collapsed = btn.className || out.collapsed;
            break;
          }
        }
        return out;
      }
      // Prefer the leaf-style "My Inbox" entry (an <a role=button>), then any group header.
      var best = null;
      for (var j = 0; j < items.length && !best; j++) {
        var a = childByTag(items[j], 'A');
        if (a && a.getAttribute('role') === 'button') best = { li: items[j], header: a };
      }
      for (var k = 0; k < items.length && !best; k++) {
        var d = childByTag(items[k], 'DIV');
        if (d && d.getAttribute('role') === 'button') best = { li: items[k], header: d };
      }
      if (best) {
        out.li = best.li.className || out.li;
        out.header = best.header.className || out.header;
        var boxes = best.header.children;
        if (boxes[0] && boxes[0].tagName === 'DIV' && boxes[0].className) out.iconBox = boxes[0].className;
        if (boxes[1] && boxes[1].tagName === 'DIV' && boxes[1].className) out.labelBox = boxes[1].className;
      }
      return out;
    }

    function el(tag, attrs) {
      var node = doc.createElement(tag);
      Object.keys(attrs || {}).forEach(function (k) {
        node.setAttribute(k, attrs[k]);
      });
      for (var i = 2; i < arguments.length; i++) if (arguments[i]) node.appendChild(arguments[i]);
      return node;
    }

    function icon(feature) {
      var ns = 'http://www.w3.org/2000/svg';
      var svg = doc.createElementNS(ns, 'svg');
      svg.setAttribute('viewBox', '0 0 24 24');
      svg.setAttribute('width', '16');
      svg.setAttribute('height', '16');
      svg.setAttribute('fill', 'none');
      svg.setAttribute('stroke', 'currentColor');
      svg.setAttribute('stroke-width', '2');
      svg.setAttribute('stroke-linecap', 'round');
      svg.setAttribute('stroke-linejoin', 'round');
      svg.setAttribute('aria-hidden', 'true');
      svg.setAttribute('focusable', 'false');
      (ICONS[feature] || []).forEach(function (d) {
        var path = doc.createElementNS(ns, 'path');
        path.setAttribute('d', d);
        svg.appendChild(path);
      });
      var box = el('span', { class: 'whatpro-icon size-4', 'aria-hidden': 'true' });
      box.appendChild(svg);
      return box;
    }

    function pageURL(feature) {
      return HUB_URL + '/embed/app/' + encodeURIComponent(feature) + '?account=' + encodeURIComponent(state.hubAccount);
    }

    function buildEntry(feature, ul, collapsed) {
      var cls = donorClasses(ul, collapsed);
      var labels = labelsFor(locale());
      var label = labels[feature] || feature;
      var active = !!(panel && panel.feature === feature);
      var link = el('a', {
        href: pageURL(feature),
        role: 'button',
        draggable: 'false',
        title: label,
        'data-testid': 'whatpro-menu-' + feature,
        'data-whatpro-link': feature,
      });
      var li = el('li', { class: cls.li, 'data-whatpro-entry': feature, 'data-whatpro-form': collapsed ? 'collapsed' : 'expanded' });
      if (collapsed) {
        link.className = headerClasses(cls.collapsed, active);
        link.setAttribute('aria-label', label);
        link.appendChild(icon(feature));
        li.appendChild(el('div', { class: cls.collapsedWrap }, link));
      } else {
        link.className = headerClasses(cls.header, active);
        link.appendChild(el('div', { class: cls.iconBox }, icon(feature)));
        var text = el('span', { class: 'truncate ' + (active ? 'font-medium text-sm' : 'text-body-main') });
        text.textContent = label;
        link.appendChild(el('div', { class: cls.labelBox }, text));
        li.appendChild(link);
      }
      if (active) link.setAttribute('aria-current', 'page');
      if (feature === 'internal_chat') {
        var badge = el('span', { 'data-whatpro-badge': '', 'data-testid': 'whatpro-chat-badge', class: 'whatpro-badge' });
        (collapsed ? link : (link.lastElementChild || link)).appendChild(badge);
        paintBadge(badge);
      }
      link.addEventListener('click', safely(function (e) {
        if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return; // a new tab: the browser's job
        e.preventDefault();
        e.stopPropagation();
        if (feature === 'internal_chat') askNotificationPermission();
        openPanel(feature);
      }));
      return li;
    }

    function ourEntries() {
      return Array.prototype.slice.call(doc.querySelectorAll('[data-whatpro-entry]'));
    }

    function removeEntries() {
      ourEntries().forEach(function (n) {
        n.remove();
      });
    }

    /** Makes the sidebar end with exactly our entries, in order and in the right form. Idempotent. */
    function ensureEntries() {
      scheduled = 0;
      if (!state.enabled.length || !state.token) {
        if (ourEntries().length) removeEntries();
        return;
      }
      var sb = findSidebar();
      if (!sb) return;
      watchAside(sb.aside);
      var form = isCollapsed(sb.aside) ? 'collapsed' : 'expanded';
      var existing = ourEntries();
      var tail = [];
      for (var n = sb.ul.lastElementChild; n && tail.length < state.enabled.length; n = n.previousElementSibling) tail.unshift(n);
      var intact = existing.length === state.enabled.length && tail.length === state.enabled.length &&
        tail.every(function (node, i) {
          return node.getAttribute('data-whatpro-entry') === state.enabled[i] && node.getAttribute('data-whatpro-form') === form;
        });
      if (intact) return;
      var focused = doc.activeElement && doc.activeElement.getAttribute && doc.activeElement.getAttribute('data-whatpro-link');
      removeEntries();
      state.enabled.forEach(function (feature) {
        sb.ul.appendChild(buildEntry(feature, sb.ul, form === 'collapsed'));
      });
      if (focused) focusEntry(focused);
    }

    function schedule() {
      if (scheduled) return;
      scheduled = setTimeout(safely(ensureEntries), 30);
    }

    function watchAside(aside) {
      if (aside === observedAside || typeof MutationObserver !== 'function') return;
      if (asideObserver) asideObserver.disconnect();
      observedAside = aside;
      // The collapsed/expanded switch changes only the aside's inline width.
      asideObserver = new MutationObserver(safely(schedule));
      asideObserver.observe(aside, { attributes: true, attributeFilter: ['style'] });
    }

    function focusEntry(feature) {
      var link = doc.querySelector('[data-whatpro-link="' + feature + '"]');
      if (link && typeof link.focus === 'function') link.focus();
    }

    function setActive(feature, active) {
      var link = doc.querySelector('[data-whatpro-link="' + feature + '"]');
      if (!link) return;
      var collapsed = link.parentElement && link.parentElement.tagName === 'DIV' && link.parentElement.parentElement &&
        link.parentElement.parentElement.getAttribute('data-whatpro-form') === 'collapsed';
      link.className = headerClasses(link.className, active);
      if (active) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
      var text = collapsed ? null : link.querySelector('.truncate');
      if (text) text.className = 'truncate ' + (active ? 'font-medium text-sm' : 'text-body-main');
    }


    // ---- chat badge and notifications --------------------------------------------------------
    // The script follows the chat topic itself, so the badge is live and mentions and DMs notify
    // whether or not the chat panel is open; notifications come from Chatwoot's origin, where the
    // person can allow them (a cross-origin frame may not ask).

    var chat = { gen: -1, socket: null, seq: null, rooms: {}, people: {}, unread: 0, mentions: 0, timer: 0, retry: 0, attempt: 0, refresh: 0, live: false };

    function chatPath(rest) {
      return '/api/v1/accounts/' + encodeURIComponent(state.hubAccount) + '/chat' + rest;
    }

    function paintBadge(node) {
      var text = badgeText(chat.unread, chat.mentions);
      node.textContent = text;
      node.style.display = text ? '' : 'none';
      node.setAttribute('data-unread', String(chat.unread));
      node.setAttribute('data-mentions', String(chat.mentions));
      // Whether the counts follow the hub live (the chat socket is subscribed).
      node.setAttribute('data-live', chat.live ? 'true' : 'false');
      var labels = labelsFor(locale());
      if (text) node.setAttribute('aria-label', text + ' ' + (labels.unread || 'unread'));
      else node.removeAttribute('aria-label');
    }

    function paintBadges() {
      var nodes = doc.querySelectorAll('[data-whatpro-badge]');
      for (var i = 0; i < nodes.length; i++) paintBadge(nodes[i]);
    }

    function stopChat() {
      chat.gen = -1;
      clearTimeout(chat.timer);
      clearTimeout(chat.retry);
      clearTimeout(chat.refresh);
      var s = chat.socket;
      chat.socket = null;
      if (s) {
        s.onopen = s.onmessage = s.onclose = s.onerror = null;
        try {
          s.close(4900, 'closed');
        } catch (e) {
          // already closed
        }
      }
      chat.seq = null;
      chat.rooms = {};
      chat.unread = 0;
      chat.mentions = 0;
      chat.live = false;
      chat.attempt = 0;
      paintBadges();
    }

    /** Reads the rooms (their seq is where the topic resumes) and the totals. */
    function loadChat(gen) {
      return freshToken().then(function (token) {
        if (!token || gen !== chat.gen) throw new Error('stale');
        return Promise.all([
          request('GET', chatPath('/rooms'), undefined, token),
          request('GET', chatPath('/unread'), undefined, token),
          Object.keys(chat.people).length ? null : request('GET', chatPath('/people'), undefined, token).catch(function () {
            return null;
          }),
        ]);
      }).then(function (answers) {
        if (gen !== chat.gen) throw new Error('stale');
        var rooms = {};
        (Array.isArray(answers[0].data) ? answers[0].data : []).forEach(function (r) {
          if (isPlainObject(r) && typeof r.id === 'string') rooms[r.id] = r;
        });
        chat.rooms = rooms;
        if (answers[2] && Array.isArray(answers[2].data)) {
          answers[2].data.forEach(function (p) {
            if (isPlainObject(p) && typeof p.id === 'string') chat.people[p.id] = String(p.name || '');
          });
        }
        setTotals(answers[1]);
        var seq = Number(answers[0].seq);
        return Number.isSafeInteger(seq) ? seq : null;
      });
    }

    function setTotals(u) {
      if (!isPlainObject(u)) return;
      chat.unread = Number(u.unread_count) || 0;
      chat.mentions = Number(u.mention_count) || 0;
      paintBadges();
    }

    /** The totals again, shortly after a burst of events (the hub keeps them exact). */
    function refreshTotals(gen) {
      clearTimeout(chat.refresh);
      chat.refresh = setTimeout(function () {
        freshToken().then(function (token) {
          if (!token || gen !== chat.gen) return null;
          return request('GET', chatPath('/unread'), undefined, token);
        }).then(function (u) {
          if (u && gen === chat.gen) setTotals(u);
        }, function () {
          // The next event or reconnect reads them again.
        });
      }, 250);
    }

    function startChat(gen) {
      stopChat();
      if (typeof win.WebSocket !== 'function') return;
      chat.gen = gen;
      loadChat(gen).then(function (seq) {
        chat.seq = seq;
        connectChat(gen);
      }, function () {
        retryChat(gen);
      });
    }

    function retryChat(gen) {
      if (gen !== chat.gen) return;
      clearTimeout(chat.retry);
      var delay = Math.min(30000, 1000 * Math.pow(2, chat.attempt)) * (0.7 + 0.3 * Math.random());
      chat.attempt++;
      chat.retry = setTimeout(function () {
        if (gen !== chat.gen) return;
        if (chat.seq === null) startChat(gen);
        else connectChat(gen);
      }, delay);
    }

    function connectChat(gen) {
      freshToken().then(function (token) {
        if (!token || gen !== chat.gen) throw new Error('stale');
        return request('POST', '/api/v1/realtime/tickets', { account_id: state.hubAccount }, token);
      }).then(function (res) {
        if (gen !== chat.gen) return;
        if (typeof res.ticket !== 'string' || res.ticket === '') throw new Error('no ticket');
        var url = HUB_URL.replace(/^http/, 'ws') + '/api/v1/realtime?ticket=' + encodeURIComponent(res.ticket);
        var socket = new win.WebSocket(url);
        chat.socket = socket;
        socket.onopen = safely(function () {
          var msg = { type: 'subscribe', topics: ['chat'] };
          if (chat.seq !== null) msg.last_seq = chat.seq;
          socket.send(JSON.stringify(msg));
          touchChat(gen, socket);
        });
        socket.onmessage = safely(function (ev) {
          touchChat(gen, socket);
          onChatMessage(gen, socket, parseJSONObject(typeof ev.data === 'string' ? ev.data : ''));
        });
        socket.onclose = safely(function () {
          if (chat.socket !== socket) return;
          chat.socket = null;
          chat.live = false;
          paintBadges();
          clearTimeout(chat.timer);
          retryChat(gen);
        });
      }).catch(function (err) {
        if (err && err.message === 'stale') return;
        retryChat(gen);
      });
    }

    /** A socket silent for 75 s (the hub pings every 30 s) is dead: start over. */
    function touchChat(gen, socket) {
      clearTimeout(chat.timer);
      chat.timer = setTimeout(function () {
        if (chat.socket !== socket) return;
        chat.socket = null;
        socket.onopen = socket.onmessage = socket.onclose = socket.onerror = null;
        try {
          socket.close(4900, 'silent');
        } catch (e) {
          // already closed
        }
        retryChat(gen);
      }, 75000);
    }

    function onChatMessage(gen, socket, msg) {
      if (!msg || gen !== chat.gen) return;
      if (msg.type === 'subscribed') {
        chat.attempt = 0;
        chat.live = true;
        paintBadges();
        refreshTotals(gen);
        return;
      }
      if (msg.type === 'resync') {
        chat.seq = null;
        loadChat(gen).then(function (seq) {
          chat.seq = seq;
          if (chat.socket === socket) socket.send(JSON.stringify(seq === null ? { type: 'subscribe', topics: ['chat'] } : { type: 'subscribe', topics: ['chat'], last_seq: seq }));
        }, function () {
          if (chat.socket === socket) socket.close();
        });
        return;
      }
      if (msg.type !== 'event' || msg.topic !== 'chat' || typeof msg.seq !== 'number') return;
      if (chat.seq !== null && msg.seq <= chat.seq) return; // replayed twice
      chat.seq = msg.seq;
      var data = isPlainObject(msg.data) ? msg.data : {};
      var roomId = typeof data.room_id === 'string' ? data.room_id : '';
      var room = chat.rooms[roomId];
      switch (msg.event) {
        case 'chat.room.created':
        case 'chat.room.member_added':
        case 'chat.room.updated':
        case 'chat.room.archived':
        case 'chat.room.unarchived':
          if (isPlainObject(data.room)) {
            var merged = room || { muted: false, muted_until: null };
            Object.keys(data.room).forEach(function (k) {
              merged[k] = data.room[k];
            });
            chat.rooms[roomId] = merged;
          }
          break;
        case 'chat.room.member_removed':
          if (Array.isArray(data.user_ids) && data.user_ids.indexOf(state.userId) >= 0) delete chat.rooms[roomId];
          break;
        case 'chat.room.settings':
          if (room && data.user_id === state.userId) {
            room.muted = data.muted === true;
            room.muted_until = data.muted_until || null;
          }
          break;
        case 'chat.message.created':
          if (chatNotifies(data.message, room, state.userId, Date.now())) notifyChat(data.message, room);
          break;
      }
      refreshTotals(gen);
    }

    function notifyChat(message, room) {
      var N = win.Notification;
      if (typeof N !== 'function' || N.permission !== 'granted') return;
      // The person is reading the chat panel already.
      if (panel && panel.feature === 'internal_chat' && doc.visibilityState === 'visible' && doc.hasFocus && doc.hasFocus()) return;
      var who = chat.people[message.author_id] || labelsFor(locale()).internal_chat;
      var title = room.type === 'dm' || !room.name ? who : who + ' · ' + room.name;
      var body = String(message.content || '').replace(/[*_~`>#]/g, '').replace(/\s+/g, ' ').trim().slice(0, 140);
      try {
        var n = new N(title, { body: body, tag: 'whatpro-chat-' + message.id });
        n.onclick = safely(function () {
          win.focus();
          openPanel('internal_chat', message.room_id);
          n.close();
        });
      } catch (e) {
        // Some browsers show notifications only from a service worker.
      }
    }

    function askNotificationPermission() {
      var N = win.Notification;
      if (typeof N !== 'function' || N.permission !== 'default' || typeof N.requestPermission !== 'function') return;
      try {
        var asked = N.requestPermission();
        if (asked && typeof asked.catch === 'function') asked.catch(function () {});
      } catch (e) {
        // an old browser's callback form: nothing to do
      }
    }

    // ---- panel -------------------------------------------------------------------------------

    function mainArea() {
      return doc.querySelector('aside + main');
    }

    function placePanel() {
      if (!panel) return;
      var main = mainArea();
      var r = main ? main.getBoundingClientRect() : null;
      var s = panel.host.style;
      if (r && r.width > 0 && r.height > 0) {
        s.top = r.top + 'px';
        s.left = r.left + 'px';
        s.width = r.width + 'px';
        s.height = r.height + 'px';
      } else {
        s.top = '0px';
        s.left = '0px';
        s.width = '100vw';
        s.height = '100vh';
      }
    }

    function openPanel(feature, roomId) {
      if (panel && panel.feature === feature && !roomId) {
        panel.close.focus();
        return;
      }
      closePanel(false);
      var labels = labelsFor(locale());
      var label = labels[feature] || feature;
      var inner = doc.querySelector('#app > #app') || doc.querySelector('[dir]');
      var host = el('div', {
        'data-whatpro-panel-host': feature,
        'data-testid': 'whatpro-panel-host',
        role: 'region',
        'aria-label': label + ' · ' + labels.panel,
        dir: (inner && inner.getAttribute('dir')) || doc.documentElement.getAttribute('dir') || 'ltr',
      });
      host.style.cssText = 'position:fixed;z-index:' + PANEL_Z_INDEX + ';display:flex;flex-direction:column;' +
        'background:rgb(var(--surface-1, 254 254 254));color:rgb(var(--slate-12, 28 32 36));box-sizing:border-box;';
      var title = el('span', { class: 'whatpro-panel-title' });
      title.textContent = label;
      var close = el('button', { type: 'button', class: 'whatpro-panel-close', 'data-testid': 'whatpro-panel-close', 'aria-label': labels.close, title: labels.close });
      close.textContent = '\u00d7';
      var bar = el('div', { class: 'whatpro-panel-bar' }, title, close);
      var iframe = el('iframe', {
        src: pageURL(feature) + (roomId && /^[A-Za-z0-9_-]{1,64}$/.test(roomId) ? '&room=' + encodeURIComponent(roomId) : ''),
        title: label,
        allow: 'clipboard-write',
        'data-testid': 'whatpro-panel',
        referrerpolicy: 'strict-origin-when-cross-origin',
      });
      iframe.style.cssText = 'border:0;flex:1 1 auto;width:100%;min-height:0;display:block;background:transparent;';
      host.appendChild(bar);
      host.appendChild(iframe);
      panel = { feature: feature, host: host, iframe: iframe, close: close, cleanup: [] };
      close.addEventListener('click', safely(function () {
        closePanel(true);
      }));
      doc.body.appendChild(host);
      doc.documentElement.setAttribute('data-whatpro-panel', feature);
      placePanel();
      var place = safely(placePanel);
      win.addEventListener('resize', place);
      panel.cleanup.push(function () {
        win.removeEventListener('resize', place);
      });
      if (typeof ResizeObserver === 'function') {
        var ro = new ResizeObserver(place);
        var main = mainArea();
        if (main) ro.observe(main);
        var sb = findSidebar();
        if (sb) ro.observe(sb.aside);
        panel.cleanup.push(function () {
          ro.disconnect();
        });
      }
      setActive(feature, true);
      closeMobileFlyout();
      close.focus();
    }

    function closePanel(restoreFocus) {
      if (!panel) return;
      var p = panel;
      panel = null;
      p.cleanup.forEach(function (fn) {
        fn();
      });
      p.host.remove();
      doc.documentElement.removeAttribute('data-whatpro-panel');
      setActive(p.feature, false);
      if (restoreFocus) focusEntry(p.feature);
    }

    function closeMobileFlyout() {
      if (win.innerWidth >= WIDE_VIEWPORT_PX) return;
      var sb = findSidebar();
      var launcher = doc.querySelector('#mobile-sidebar-launcher button') || doc.querySelector('#mobile-sidebar-launcher');
      if (!sb || !launcher) return;
      if (sb.aside.getBoundingClientRect().left >= 0) launcher.click();
    }

    // ---- messages from hub frames ------------------------------------------------------------

    /** The iframe whose window sent a message, if it is ours or a Dashboard App frame on the hub. */
    function trustedFrame(source) {
      if (!source) return null;
      if (panel && panel.iframe.contentWindow === source) return panel.iframe;
      var frames = doc.getElementsByTagName('iframe');
      for (var i = 0; i < frames.length; i++) {
        var f = frames[i];
        if (f.contentWindow === source && frameOnOrigin(f, HUB_ORIGIN, win.location.href)) return f;
      }
      return null;
    }

    function onMessage(event) {
      if (event.origin !== HUB_ORIGIN) return; // Chatwoot's own strings and everyone else's messages
      var data = event.data;
      if (!isPlainObject(data) || typeof data.type !== 'string' || data.type.indexOf('whatpro:') !== 0) return;
      var frame = trustedFrame(event.source);
      if (!frame) return;
      var target = frame.contentWindow;
      if (isHello(data)) {
        var nonce = data.nonce;
        freshToken().then(safely(function (token) {
          if (!token || frame.contentWindow !== target) return;
          target.postMessage({
            type: 'whatpro:token',
            nonce: nonce,
            token: token,
            expires_at: state.expiresAtText,
            account_id: state.hubAccount,
            chatwoot_account_id: state.chatwootAccount,
            theme: theme(),
            locale: locale(),
          }, HUB_ORIGIN);
        }));
        return;
      }
      if (data.type === 'whatpro:navigate') {
        var path = navigatePath(data, state.chatwootAccount);
        if (!path || !state.token) return;
        // The conversation may be the page already open under the panel: no route change would
        // close it, so the panel makes way first.
        if (panel && frame === panel.iframe) closePanel(false);
        chatwootNavigate(path);
        return;
      }
      if (data.type === 'whatpro:close' && panel && frame === panel.iframe) closePanel(true);
    }

    /** Tells the hub frames (our panel, Dashboard App frames on the hub) that Chatwoot's theme changed. */
    var lastTheme = null;
    function onThemeChange() {
      var now = theme();
      if (now === lastTheme) return;
      lastTheme = now;
      if (!state.token) return;
      var frames = doc.getElementsByTagName('iframe');
      for (var i = 0; i < frames.length; i++) {
        var f = frames[i];
        if (f.contentWindow && ((panel && f === panel.iframe) || frameOnOrigin(f, HUB_ORIGIN, win.location.href))) {
          f.contentWindow.postMessage({ type: 'whatpro:theme', theme: now }, HUB_ORIGIN);
        }
      }
    }

    // ---- wiring ------------------------------------------------------------------------------

    var style = el('style', { 'data-whatpro-style': '' });
    // :where() keeps these fallbacks weaker than Chatwoot's own utility classes.
    style.textContent = [
      ':where([data-whatpro-entry]) a{color:rgb(var(--slate-11,96 100 108));text-decoration:none;cursor:pointer}',
      ':where([data-whatpro-entry]) a:hover{background-color:rgba(var(--alpha-2,196,197,198,0.22))}',
      ':where([data-whatpro-entry]) a[aria-current="page"]{color:rgb(var(--slate-12,28 32 36));background-color:rgba(var(--alpha-2,196,197,198,0.22))}',
      ':where([data-whatpro-entry]) a:focus-visible{outline:2px solid #2781F6;outline-offset:-2px}',
      '.whatpro-icon{display:inline-grid;place-items:center;width:1rem;height:1rem;flex-shrink:0}',
      '.whatpro-icon svg{width:1rem;height:1rem;display:block}',
      '.whatpro-badge{display:inline-grid;place-items:center;min-width:1.125rem;height:1.125rem;padding:0 .3rem;border-radius:9999px;' +
        'background:rgb(var(--ruby-9,229 70 102));color:#fff;font-size:.6875rem;font-weight:600;line-height:1;margin-inline-start:auto;flex-shrink:0}',
      '[data-whatpro-form="collapsed"] .whatpro-badge{position:absolute;top:.125rem;inset-inline-end:.125rem;min-width:1rem;height:1rem;font-size:.625rem}',
      'html[data-whatpro-panel] aside nav li:not([data-whatpro-entry]) .bg-n-alpha-2{background-color:transparent}',
      '.whatpro-panel-bar{display:flex;align-items:center;justify-content:space-between;gap:.5rem;height:2.5rem;padding:0 .5rem 0 1rem;' +
        'border-bottom:1px solid rgb(var(--border-weak,234 234 234));flex:0 0 auto;font-size:.875rem;font-weight:500}',
      '.whatpro-panel-close{display:grid;place-items:center;width:2rem;height:2rem;border:0;border-radius:.5rem;background:transparent;' +
        'color:rgb(var(--slate-11,96 100 108));font-size:1.25rem;line-height:1;cursor:pointer}',
      '.whatpro-panel-close:hover{background-color:rgba(var(--alpha-2,196,197,198,0.22));color:rgb(var(--slate-12,28 32 36))}',
      '.whatpro-panel-close:focus-visible{outline:2px solid #2781F6;outline-offset:1px}',
    ].join('\n');

    function boot() {
      (doc.head || doc.documentElement).appendChild(style);
      win.addEventListener('message', safely(onMessage));
      doc.addEventListener('keydown', safely(function (e) {
        if (panel && (e.key === 'Escape' || e.key === 'Esc')) {
          e.preventDefault();
          closePanel(true);
        }
      }), true);
      // Native headers stop propagation, so listen in the capture phase: any native entry closes the panel.
      doc.addEventListener('click', safely(function (e) {
        if (!panel || !e.target || typeof e.target.closest !== 'function') return;
        if (e.target.closest('aside nav') && !e.target.closest('[data-whatpro-entry]')) closePanel(false);
      }), true);
      if (typeof MutationObserver === 'function') {
        new MutationObserver(safely(schedule)).observe(doc.body || doc.documentElement, { childList: true, subtree: true });
        // Chatwoot marks dark mode with a class on <body> (themeHelper.js).
        lastTheme = theme();
        new MutationObserver(safely(onThemeChange)).observe(doc.body, { attributes: true, attributeFilter: ['class'] });
      }
      win.addEventListener('resize', safely(schedule));
      init(accountFromPath(win.location.pathname));
    }

    if (doc.body) boot();
    else doc.addEventListener('DOMContentLoaded', safely(boot));
  }

  // Unit tests load this file with a hook object set and receive the pure helpers instead of a run.
  var hook = global.__whatproDashboardScriptTest;
  if (hook && typeof hook === 'object') {
    hook.exports = {
      HUB_URL: HUB_URL,
      originOf: originOf,
      accountFromPath: accountFromPath,
      parseSessionCookie: parseSessionCookie,
      isHello: isHello,
      navigatePath: navigatePath,
      frameOnOrigin: frameOnOrigin,
      headerClasses: headerClasses,
      labelsFor: labelsFor,
      badgeText: badgeText,
      roomMuted: roomMuted,
      chatNotifies: chatNotifies,
      start: start,
    };
    return;
  }
  start(global);
})(window);
