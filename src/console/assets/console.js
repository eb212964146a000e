// The console's one script. Pages work without it; it adds local times, live updates, the requester typeahead
// and small keyboard conveniences. It never builds markup from strings: text goes in through textContent, and
// live updates swap in regions of the page as the server rendered (and escaped) them.
(function () {
  'use strict';

  var lang = document.documentElement.lang || 'en';

  function localizeTimes(root) {
    var fmt;
    try {
      fmt = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' });
    } catch (e) {
      return;
    }
    root.querySelectorAll('time[datetime]').forEach(function (el) {
      var d = new Date(el.getAttribute('datetime'));
      if (!isNaN(d.getTime())) {
        if (!el.title) el.title = el.textContent;
        el.textContent = fmt.format(d);
      }
    });
  }

  // Live updates: every [data-live] region carries a stamp of what it shows. When the server's event stream says
  // a ticket changed (the queue: any ticket; a ticket page: its own), the page is fetched again in the background
  // and a region whose stamp changed is replaced by the new one.
  var csrfMeta = document.querySelector('meta[name="tb-csrf"]');
  var csrf = csrfMeta ? csrfMeta.getAttribute('content') : '';
  var ticketNumber = document.body.getAttribute('data-ticket');

  function makeRefresher() {
    var announcer = document.getElementById('live-announcer');
    var busy = false;
    var again = false;
    var timer = null;
    function run() {
      if (busy) {
        again = true;
        return;
      }
      busy = true;
      // A ticket page shown after a refused form has the form's address: fetch the ticket itself.
      var url = ticketNumber ? '/tickets/' + encodeURIComponent(ticketNumber) : location.href;
      fetch(url, { credentials: 'same-origin', headers: { accept: 'text/html' }, cache: 'no-store' })
        .then(function (res) {
          if (!res.ok || res.redirected) return null;
          return res.text();
        })
        .then(function (text) {
          if (!text) return;
          var doc = new DOMParser().parseFromString(text, 'text/html');
          var changed = false;
          document.querySelectorAll('[data-live]').forEach(function (old) {
            var fresh = doc.querySelector('[data-live="' + old.getAttribute('data-live') + '"]');
            if (!fresh || fresh.getAttribute('data-stamp') === old.getAttribute('data-stamp')) return;
            if (old.contains(document.activeElement) || old.querySelector('input[type="checkbox"]:checked')) {
              again = true; // do not pull the focus or a selection away; after the next signal
              return;
            }
            var node = document.importNode(fresh, true);
            localizeTimes(node);
            old.replaceWith(node);
            changed = true;
          });
          // The composer's version follows the thread (a live region: the agent saw the new messages). The
          // properties, tags and visibility forms keep the version they were loaded at, so a save over a change the
          // agent did not see is refused and explained, never applied.
          var freshComposer = doc.querySelector('form[data-draft]');
          var myComposer = document.querySelector('form[data-draft]');
          if (changed && freshComposer && myComposer)
            ['version', 'seen'].forEach(function (name) {
              var a = freshComposer.querySelector('input[name="' + name + '"]');
              var b = myComposer.querySelector('input[name="' + name + '"]');
              if (a && b) b.value = a.value;
            });
          if (changed && announcer) announcer.textContent = announcer.getAttribute('data-updated-text') || '';
          if (changed) document.dispatchEvent(new CustomEvent('tb:refreshed'));
        })
        .catch(function () {})
        .then(function () {
          busy = false;
          if (again) {
            again = false;
            schedule(1500);
          }
        });
    }
    function schedule(ms) {
      if (timer) return;
      timer = setTimeout(function () {
        timer = null;
        run();
      }, ms || 250);
    }
    return schedule;
  }

  function setUnread(n) {
    var badge = document.getElementById('unread-count');
    if (!badge) return;
    badge.textContent = n > 0 ? String(n) : '';
    badge.hidden = !(n > 0);
    badge.setAttribute('aria-label', n + ' ' + (document.body.getAttribute('data-unread-label') || ''));
    var link = document.getElementById('nav-notifications');
    if (link) link.classList.toggle('has-unread', n > 0);
  }

  function startLive() {
    if (!document.body.hasAttribute('data-agent')) return;
    var hasRegions = !!document.querySelector('[data-live]');
    var refresh = makeRefresher();
    if (!window.EventSource) {
      // No event streams in this browser: look again every few seconds instead.
      if (hasRegions)
        setInterval(function () {
          if (!document.hidden) refresh(0);
        }, 4000);
      return;
    }
    var es = new EventSource('/console/events' + (ticketNumber ? '?ticket=' + encodeURIComponent(ticketNumber) : ''));
    var opened = false;
    es.addEventListener('open', function () {
      // Between the server drawing this page and the stream opening (and during a reconnect) a signal may have
      // gone by: look once, then follow the signals.
      if (hasRegions) refresh(opened ? 250 : 50);
      opened = true;
    });
    es.addEventListener('ticket', function (e) {
      if (!hasRegions) return;
      var d = JSON.parse(e.data);
      if (ticketNumber && String(d.number) !== ticketNumber) return;
      refresh();
    });
    es.addEventListener('resync', function () {
      if (hasRegions) refresh();
    });
    es.addEventListener('notifications', function (e) {
      setUnread(JSON.parse(e.data).unread);
    });
    es.addEventListener('presence', function (e) {
      var d = JSON.parse(e.data);
      var box = document.getElementById('presence');
      if (!box) return;
      box.textContent = d.text || '';
      box.hidden = !d.text;
      box.classList.toggle('presence-replying', d.people.some(function (p) { return p.state === 'replying'; }));
    });
    es.addEventListener('signed_out', function () {
      es.close();
    });
    window.addEventListener('pagehide', function () {
      es.close();
    });
  }

  // Presence: the ticket page says every 15 s that the agent is here, and whether they are typing a reply.
  function startPresence() {
    if (!ticketNumber || !csrf) return;
    var state = 'viewing';
    var typedAt = 0;
    function post(s, beacon) {
      var body = new URLSearchParams({ ticket: ticketNumber, state: s, _csrf: csrf });
      if (beacon && navigator.sendBeacon) return navigator.sendBeacon('/console/presence', body);
      fetch('/console/presence', { method: 'POST', credentials: 'same-origin', body: body, keepalive: true }).catch(function () {});
    }
    function beat() {
      if (document.hidden) return;
      var now = state === 'replying' && Date.now() - typedAt < 20000 ? 'replying' : 'viewing';
      state = now;
      post(state);
    }
    beat();
    setInterval(beat, 15000);
    var body = document.getElementById('reply-body');
    if (body)
      body.addEventListener('input', function () {
        typedAt = Date.now();
        if (state !== 'replying') {
          state = 'replying';
          post(state);
        }
      });
    document.addEventListener('visibilitychange', function () {
      if (!document.hidden) beat();
    });
    window.addEventListener('pagehide', function () {
      post('gone', true);
    });
  }

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text) e.textContent = text;
    return e;
  }

  function startTypeahead(root) {
    var input = root.querySelector('#requester-query');
    var list = root.querySelector('#requester-results');
    var hidden = root.querySelector('#requester-id');
    var chosen = root.querySelector('#requester-chosen');
    var status = root.querySelector('#requester-status');
    var clear = root.querySelector('#requester-clear');
    var addUser = document.getElementById('add-user');
    var items = [];
    var active = -1;
    var timer = null;
    var seq = 0;
    var chosenName = '';

    function close() {
      list.hidden = true;
      list.replaceChildren();
      input.setAttribute('aria-expanded', 'false');
      input.removeAttribute('aria-activedescendant');
      active = -1;
    }

    function choose(i) {
      var u = items[i];
      if (!u) return;
      hidden.value = u.id;
      chosenName = u.name;
      root.querySelector('#requester-chosen-name').textContent = u.name;
      root.querySelector('#requester-chosen-email').textContent = u.email;
      chosen.hidden = false;
      input.value = u.name;
      status.textContent = '';
      close();
    }

    function highlight(i) {
      var opts = list.querySelectorAll('[role="option"]');
      opts.forEach(function (o, j) {
        o.setAttribute('aria-selected', j === i ? 'true' : 'false');
      });
      active = i;
      if (opts[i]) {
        input.setAttribute('aria-activedescendant', opts[i].id);
        opts[i].scrollIntoView({ block: 'nearest' });
      }
    }

    function offerAdd(q) {
      status.replaceChildren();
      status.append(el('span', null, root.getAttribute('data-no-match') + ' '));
      var b = el('button', 'btn btn-small', root.getAttribute('data-add-label'));
      b.type = 'button';
      b.id = 'requester-add';
      b.addEventListener('click', function () {
        addUser.open = true;
        var target = q.indexOf('@') > 0 ? document.getElementById('new-email') : document.getElementById('new-name');
        if (target && !target.value) target.value = q;
        (document.getElementById('new-name') || target).focus();
      });
      status.append(b);
    }

    function render(q) {
      list.replaceChildren();
      if (!items.length) {
        close();
        offerAdd(q);
        return;
      }
      status.textContent = '';
      items.forEach(function (u, i) {
        var li = el('li', 'option');
        li.id = 'requester-opt-' + i;
        li.setAttribute('role', 'option');
        li.setAttribute('aria-selected', 'false');
        li.append(el('strong', null, u.name), el('span', 'muted', ' ' + u.email));
        if (u.organization) li.append(el('span', 'option-org', u.organization));
        li.addEventListener('mousedown', function (e) {
          e.preventDefault();
          choose(i);
        });
        list.append(li);
      });
      list.hidden = false;
      input.setAttribute('aria-expanded', 'true');
      active = -1;
    }

    function search() {
      var q = input.value.trim();
      var mine = ++seq;
      if (!q) {
        close();
        status.textContent = '';
        return;
      }
      fetch('/console/users.json?q=' + encodeURIComponent(q), { credentials: 'same-origin', headers: { accept: 'application/json' } })
        .then(function (res) {
          return res.ok ? res.json() : null;
        })
        .then(function (data) {
          if (!data || mine !== seq) return;
          items = data.users || [];
          render(q);
        })
        .catch(function () {});
    }

    input.addEventListener('input', function () {
      if (hidden.value && input.value !== chosenName) {
        hidden.value = '';
        chosen.hidden = true;
      }
      clearTimeout(timer);
      timer = setTimeout(search, 150);
    });
    input.addEventListener('keydown', function (e) {
      var open = !list.hidden;
      if (e.key === 'ArrowDown' && open) {
        e.preventDefault();
        highlight(Math.min(active + 1, items.length - 1));
      } else if (e.key === 'ArrowUp' && open) {
        e.preventDefault();
        highlight(Math.max(active - 1, 0));
      } else if (e.key === 'Enter' && open) {
        e.preventDefault();
        choose(active >= 0 ? active : 0);
      } else if (e.key === 'Escape' && open) {
        e.preventDefault();
        close();
      }
    });
    input.addEventListener('blur', function () {
      setTimeout(close, 150);
    });
    clear.addEventListener('click', function () {
      hidden.value = '';
      chosenName = '';
      chosen.hidden = true;
      input.value = '';
      input.focus();
    });
  }

  // Ctrl/Cmd+Enter sends the reply from the message box.
  function startComposer() {
    var body = document.getElementById('reply-body');
    if (!body) return;
    body.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) {
        e.preventDefault();
        body.form.requestSubmit();
      }
    });
  }

  // Macros: choosing one in the composer puts its text at the cursor (and its public/internal mode and status).
  function startMacros() {
    var pick = document.getElementById('macro-pick');
    var body = document.getElementById('reply-body');
    if (!pick || !body) return;
    pick.addEventListener('change', function () {
      var opt = pick.options[pick.selectedIndex];
      if (!opt || !opt.value) return;
      var text = opt.getAttribute('data-body') || '';
      var at = body.selectionStart || body.value.length;
      body.value = body.value.slice(0, at) + text + body.value.slice(body.selectionEnd || at);
      var mode = document.getElementById(opt.getAttribute('data-public') === '1' ? 'mode-public' : 'mode-internal');
      if (mode) mode.checked = true;
      var status = document.getElementById('reply-status');
      if (status && opt.getAttribute('data-status')) status.value = opt.getAttribute('data-status');
      pick.value = '';
      body.focus();
      body.setSelectionRange(at + text.length, at + text.length);
      body.dispatchEvent(new Event('input'));
    });
  }

  // Drafts: what an agent types in a ticket's message box is kept in this browser (localStorage, per ticket and
  // agent) until it is sent, so a reload, a stale refusal or signing in again loses nothing.
  function startDrafts() {
    var form = document.querySelector('form[data-draft]');
    var body = document.getElementById('reply-body');
    if (!form || !body) return;
    var who = document.body.getAttribute('data-agent-id') || '';
    var key = 'tb-draft:' + who + ':' + form.getAttribute('data-draft');
    var store;
    try {
      store = window.localStorage;
    } catch (e) {
      return;
    }
    var sent = /[?&]done=(reply|note)\b/.test(location.search);
    if (sent) store.removeItem(key);
    var saved = null;
    try {
      saved = JSON.parse(store.getItem(key) || 'null');
    } catch (e) {}
    if (saved && saved.body && !body.value) {
      body.value = saved.body;
      var m = document.getElementById(saved.mode === 'public' ? 'mode-public' : 'mode-internal');
      if (m) m.checked = true;
      var note = document.getElementById('draft-restored');
      if (note) note.hidden = false;
    }
    var t = null;
    function save() {
      var mode = form.querySelector('input[name="mode"]:checked');
      if (body.value.trim()) store.setItem(key, JSON.stringify({ body: body.value, mode: mode ? mode.value : 'internal', at: Date.now() }));
      else store.removeItem(key);
    }
    body.addEventListener('input', function () {
      clearTimeout(t);
      t = setTimeout(save, 300);
    });
    form.addEventListener('change', save);
  }

  // Keyboard shortcuts (listed on "?"). Never while typing in a field, except Escape.
  function startShortcuts() {
    var dialog = document.getElementById('shortcuts');
    var opener = document.getElementById('shortcuts-open');
    if (!dialog) return;
    if (opener)
      opener.addEventListener('click', function () {
        dialog.showModal();
      });
    var pendingG = false;
    var current = -1;
    function rows() {
      return Array.prototype.slice.call(document.querySelectorAll('#queue-live tbody tr'));
    }
    function mark(i) {
      var r = rows();
      if (!r.length) return;
      current = Math.max(0, Math.min(i, r.length - 1));
      r.forEach(function (row, j) {
        row.classList.toggle('kbd-current', j === current);
      });
      r[current].scrollIntoView({ block: 'nearest' });
    }
    document.addEventListener('keydown', function (e) {
      var tag = (e.target && e.target.tagName) || '';
      var typing = tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || (e.target && e.target.isContentEditable);
      if (typing || e.ctrlKey || e.metaKey || e.altKey) return;
      var k = e.key;
      if (pendingG) {
        pendingG = false;
        if (k === 'q') location.href = '/tickets';
        else if (k === 'n') location.href = '/notifications';
        return;
      }
      if (k === '?') {
        e.preventDefault();
        if (dialog.open) dialog.close();
        else dialog.showModal();
      } else if (k === 'g') pendingG = true;
      else if (k === '/') {
        var q = document.getElementById('f-q');
        if (q) {
          e.preventDefault();
          q.focus();
        }
      } else if (k === 'j' || k === 'k') {
        if (rows().length) {
          e.preventDefault();
          mark(current + (k === 'j' ? 1 : -1));
        }
      } else if ((k === 'o' || k === 'Enter') && current >= 0) {
        var link = rows()[current] && rows()[current].querySelector('td.subject a');
        if (link) link.click();
      } else if (k === 'x' && current >= 0) {
        var box = rows()[current] && rows()[current].querySelector('input[type="checkbox"]');
        if (box) box.checked = !box.checked;
      } else if (k === 'r' || k === 'n') {
        var body = document.getElementById('reply-body');
        var mode = document.getElementById(k === 'r' ? 'mode-public' : 'mode-internal');
        if (body && mode) {
          e.preventDefault();
          mode.checked = true;
          body.focus();
        }
      } else if (k === 'm') {
        var pick = document.getElementById('macro-pick');
        if (pick) {
          e.preventDefault();
          pick.focus();
          if (pick.showPicker) {
            try {
              pick.showPicker();
            } catch (err) {}
          }
        }
      }
    });
    document.addEventListener('tb:refreshed', function () {
      if (current >= 0) mark(current);
    });
  }

  document.addEventListener('DOMContentLoaded', function () {
    localizeTimes(document);
    startLive();
    startPresence();
    document.querySelectorAll('[data-typeahead]').forEach(startTypeahead);
    startComposer();
    startMacros();
    startDrafts();
    startShortcuts();
  });
})();
