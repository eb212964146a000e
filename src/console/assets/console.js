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
      fetch(location.href, { credentials: 'same-origin', headers: { accept: 'text/html' }, cache: 'no-store' })
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
          // The forms' versions follow the page: a save after a pushed update is checked against what is shown.
          ['version', 'seen', 'was_status', 'was_priority', 'was_assignee'].forEach(function (name) {
            var fresh = doc.querySelectorAll('input[type="hidden"][name="' + name + '"]');
            var mine = document.querySelectorAll('input[type="hidden"][name="' + name + '"]');
            if (fresh.length !== mine.length || name.indexOf('was_') === 0) return;
            mine.forEach(function (input, i) {
              input.value = fresh[i].value;
            });
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
      // A reconnect may have missed signals: catch up once.
      if (opened && hasRegions) refresh();
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

  document.addEventListener('DOMContentLoaded', function () {
    localizeTimes(document);
    startLive();
    startPresence();
    document.querySelectorAll('[data-typeahead]').forEach(startTypeahead);
    startComposer();
  });
})();
