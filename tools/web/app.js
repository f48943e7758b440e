// allybrief-web: the live briefing page.
//
// State comes from /events (Server-Sent Events): a "snapshot" event holds
// the whole briefing, each "delta" event one changed item; both carry the
// briefing sequence as their SSE id, so when the connection drops the
// browser reconnects with Last-Event-ID and the server resumes right after
// what this page has.  A delta whose sequence is not the next one is
// never applied: the page drops it (a duplicate) or starts over from a
// fresh snapshot (a gap).  Everything is drawn with DOM calls and
// textContent: article text never becomes markup.
'use strict';

(function () {
  const CHANGED_MS = 4000;          // how long a changed item stands out
  const SILENT_MS = 15000;          // no event for this long: the stream is stale

  const state = {
    seq: 0,
    summary: {},
    items: new Map(),               // key -> item
    changed: new Map(),             // key -> time it changed
    selected: null,                 // key shown in the evidence panel
    lastEventAt: 0,
    sink: 'live',
    sinkHeardMs: 0,
  };
  const $ = (id) => document.getElementById(id);
  let source = null;
  let renderQueued = false;

  // ---- small helpers ---------------------------------------------------

  function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'class') node.className = value;
      else node.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children.flat()) {
      if (child === undefined || child === null || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function formatTime(ms) {
    if (!ms) return '–';
    const date = new Date(ms);
    return date.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
  }

  function plural(count, word) {
    return count + ' ' + word + (count === 1 ? '' : 's');
  }

  // Hedges other than "asserted" are reports, not facts: say which.
  function isHedged(hedge) {
    return hedge && hedge !== 'asserted';
  }

  // Links only to web pages; anything else stays plain text.
  function safeUrl(url) {
    return /^https?:\/\//i.test(url || '') ? url : null;
  }

  // Split a sentence around a byte range [start, end) of its UTF-8 form.
  function splitAtBytes(sentence, match) {
    if (!Array.isArray(match) || match.length !== 2) return [sentence, '', ''];
    const bytes = new TextEncoder().encode(sentence);
    const [start, end] = match;
    if (!(start >= 0 && end >= start && end <= bytes.length)) return [sentence, '', ''];
    const decoder = new TextDecoder();
    return [decoder.decode(bytes.subarray(0, start)), decoder.decode(bytes.subarray(start, end)),
            decoder.decode(bytes.subarray(end))];
  }

  function itemTitle(item) {
    const topic = item.topic_label || item.type || item.topic;
    return item.label ? topic + ' — ' + item.label : topic;
  }

  function sideValue(side) {
    return side.label || side.value || '(no value)';
  }

  // ---- filters -----------------------------------------------------------

  function filterValues() {
    return {
      type: $('filter-type').value,
      actor: $('filter-actor').value,
      hedge: $('filter-hedge').value,
      search: $('filter-search').value.trim().toLowerCase(),
    };
  }

  function searchText(item) {
    const parts = [item.key, item.label, item.topic_label, item.type, item.hedge];
    for (const actor of item.actors || []) parts.push(actor);
    for (const attribution of item.attributions || []) parts.push(attribution);
    for (const side of item.sides || []) {
      parts.push(side.label, side.value);
      for (const article of side.articles || []) parts.push(article.title, article.source);
      for (const evidence of side.evidence || []) parts.push(evidence.sentence);
    }
    return parts.filter(Boolean).join('\n').toLowerCase();
  }

  function matches(item, filter) {
    if (filter.type && item.type !== filter.type) return false;
    if (filter.actor && !(item.actors || []).includes(filter.actor)) return false;
    if (filter.hedge && item.hedge !== filter.hedge
        && !(item.sides || []).some((side) => side.hedge === filter.hedge)) return false;
    if (filter.search && !searchText(item).includes(filter.search)) return false;
    return true;
  }

  // Keep each select's choices in step with the items, keeping the choice.
  function refreshSelect(id, values) {
    const select = $(id);
    const chosen = select.value;
    const wanted = ['', ...[...values].sort()];
    if (chosen && !wanted.includes(chosen)) wanted.push(chosen);
    const have = [...select.options].map((option) => option.value);
    if (have.join('\n') === wanted.join('\n')) return;
    select.replaceChildren(...wanted.map((value) => el('option', { value }, value || 'all')));
    select.value = chosen;
  }

  function refreshFilters() {
    const types = new Set(), actors = new Set(), hedges = new Set();
    for (const item of state.items.values()) {
      if (item.type) types.add(item.type);
      for (const actor of item.actors || []) actors.add(actor);
      if (item.hedge) hedges.add(item.hedge);
      for (const side of item.sides || []) if (side.hedge) hedges.add(side.hedge);
    }
    refreshSelect('filter-type', types);
    refreshSelect('filter-actor', actors);
    refreshSelect('filter-hedge', hedges);
  }

  // ---- drawing -----------------------------------------------------------

  function hedgeBadge(hedge) {
    return isHedged(hedge) ? el('span', { class: 'badge hedge', title: 'not stated as fact' }, hedge) : null;
  }

  function articleLine(article) {
    const copies = article.copies || [];
    return el('li', {},
      article.title || article.id,
      article.source ? ' — ' + article.source : '',
      article.published ? ' (' + article.published + ')' : '',
      isHedged(article.hedge) ? [' ', hedgeBadge(article.hedge)] : null,
      copies.length ? el('span', { class: 'copies' }, ' + ' + plural(copies.length, 'copy') + ': ' + copies.join(', ')) : null);
  }

  function sideBlock(item, side) {
    const copies = (side.articles_total || 0) - (side.support || 0);
    return el('div', { class: 'side' + (side.newest ? ' newest' : ''), 'data-value': side.value },
      el('div', { class: isHedged(side.hedge) ? 'hedged' : '' },
        isHedged(side.hedge) ? [hedgeBadge(side.hedge), ' '] : null,
        el('strong', { class: 'value-text' }, sideValue(side)), ' ',
        side.newest ? el('span', { class: 'badge newest' }, 'newest') : null),
      el('div', { class: 'meta' },
        el('span', {}, plural(side.support || 0, 'independent article')),
        copies > 0 ? el('span', {}, plural(copies, 'copy')) : null,
        side.latest_published ? el('span', {}, 'latest ' + side.latest_published) : null),
      el('ul', {}, (side.articles || []).map(articleLine),
        side.articles_omitted ? el('li', { class: 'copies' }, side.articles_omitted + ' older not listed') : null));
  }

  function itemCard(item) {
    const sides = item.sides || [];
    const newest = sides.find((side) => side.newest) || sides[0] || {};
    const hedged = isHedged(item.hedge);
    const copies = sides.reduce((sum, side) => sum + (side.articles_total || 0) - (side.support || 0), 0);
    const card = el('article', {
      class: 'item' + (item.conflict ? ' conflict' : '') + (state.changed.has(item.key) ? ' changed' : '')
        + (state.selected === item.key ? ' selected' : ''),
      'data-key': item.key, 'data-type': item.type, tabindex: 0,
      'aria-label': itemTitle(item) + (item.conflict ? ' (conflict)' : ''),
    },
      el('div', { class: 'title' }, item.conflict ? [el('span', { class: 'badge conflict' }, 'conflict'), ' '] : null,
        itemTitle(item)),
      el('div', { class: 'key' }, item.key),
      item.conflict
        ? el('div', { class: 'sides' }, sides.map((side) => sideBlock(item, side)))
        : el('div', { class: 'value' + (hedged ? ' hedged' : '') },
            hedged ? [hedgeBadge(item.hedge), ' '] : null,
            el('span', { class: 'value-text' }, sideValue(newest))),
      el('div', { class: 'meta' },
        el('span', { class: 'support' }, 'support: ' + plural(item.support || 0, 'independent article')
          + (copies > 0 ? ' (+' + plural(copies, 'copy') + ')' : '')),
        el('span', {}, 'hedge: ' + (item.hedge || 'unknown')),
        (item.attributions || []).length ? el('span', {}, 'according to: ' + item.attributions.join('; ')) : null,
        el('span', {}, 'first seen ' + formatTime(item.first_seen_ms)),
        el('span', {}, 'last seen ' + formatTime(item.last_updated_ms))),
      item.conflict ? null : el('ul', {}, (newest.articles || []).map(articleLine)));
    card.addEventListener('click', () => showEvidence(item.key));
    card.addEventListener('keydown', (event) => {
      if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); showEvidence(item.key); }
    });
    return card;
  }

  function compareItems(a, b) {
    if (a.conflict !== b.conflict) return a.conflict ? -1 : 1;
    const topic = (a.topic || '').localeCompare(b.topic || '');
    return topic || (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  }

  function renderHeader() {
    const summary = state.summary || {};
    $('stat-articles').textContent = summary.articles ?? '–';
    $('stat-sources').textContent = summary.sources ?? '–';
    $('stat-items').textContent = summary.items ?? state.items.size;
    $('stat-conflicts').textContent = summary.conflicts ?? '–';
    $('stat-updated').textContent = formatTime(summary.last_update_ms);
    $('stat-seq').textContent = state.seq;
  }

  function renderConnection() {
    const conn = $('conn');
    let kind, text;
    const silent = state.lastEventAt && Date.now() - state.lastEventAt > SILENT_MS;
    if (!source || source.readyState !== EventSource.OPEN) {
      kind = 'reconnecting';
      text = 'reconnecting…';
    } else if (state.sink !== 'live' || silent) {
      kind = 'stale';
      const since = state.sink !== 'live' ? state.sinkHeardMs : state.lastEventAt;
      text = since ? 'stale since ' + formatTime(since) : 'waiting for the sink';
    } else {
      kind = 'live';
      text = 'live';
    }
    conn.className = 'conn conn-' + kind;
    conn.dataset.state = kind;
    if (conn.textContent !== text) conn.textContent = text;
  }

  function render() {
    renderQueued = false;
    renderHeader();
    renderConnection();
    refreshFilters();
    const filter = filterValues();
    const items = [...state.items.values()].sort(compareItems);
    const shown = items.filter((item) => matches(item, filter));
    const conflicts = shown.filter((item) => item.conflict);
    $('conflicts').replaceChildren(...(conflicts.length ? conflicts.map(itemCard)
      : [el('p', { class: 'empty' }, 'No conflicts' + (items.some((i) => i.conflict) ? ' match the filters.' : '.'))]));
    const groups = new Map();
    for (const item of shown) {
      if (item.conflict) continue;
      const label = item.topic_label || item.topic;
      if (!groups.has(label)) groups.set(label, []);
      groups.get(label).push(item);
    }
    const blocks = [];
    for (const [label, group] of groups) {
      blocks.push(el('section', { class: 'topic-group', 'data-topic': group[0].topic },
        el('h3', { class: 'topic' }, label + ' (' + group.length + ')'), group.map(itemCard)));
    }
    $('topics').replaceChildren(...(blocks.length ? blocks : [el('p', { class: 'empty' }, 'No items.')]));
    $('filter-count').textContent = shown.length === items.length
      ? plural(items.length, 'item') : shown.length + ' of ' + plural(items.length, 'item') + ' shown';
    if (state.selected) renderEvidence();
  }

  function scheduleRender() {
    if (renderQueued) return;
    renderQueued = true;
    requestAnimationFrame(render);
  }

  // ---- evidence panel ------------------------------------------------------

  function findArticle(side, id) {
    for (const article of side.articles || []) {
      if (article.id === id) return { article, copyOf: null };
      if ((article.copies || []).includes(id)) return { article, copyOf: article.id };
    }
    return { article: null, copyOf: null };
  }

  function renderEvidence() {
    const item = state.items.get(state.selected);
    const body = $('evidence-body');
    if (!item) {
      body.replaceChildren(el('p', { class: 'empty' }, 'This item is no longer in the briefing.'));
      return;
    }
    $('evidence-title').textContent = itemTitle(item);
    const blocks = [];
    for (const side of item.sides || []) {
      blocks.push(el('h3', {}, isHedged(side.hedge) ? [hedgeBadge(side.hedge), ' '] : null, sideValue(side),
        side.newest && item.conflict ? [' ', el('span', { class: 'badge newest' }, 'newest')] : null));
      if (!(side.evidence || []).length) blocks.push(el('p', { class: 'empty' }, 'No evidence sentence kept.'));
      for (const evidence of side.evidence || []) {
        const [before, matched, after] = splitAtBytes(evidence.sentence || '', evidence.match);
        const { article, copyOf } = findArticle(side, evidence.article);
        const url = article && safeUrl(article.url);
        blocks.push(el('blockquote', { class: 'sentence', 'data-article': evidence.article },
          before, matched ? el('mark', {}, matched) : null, after));
        blocks.push(el('div', { class: 'source' },
          article ? (url ? el('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, article.title || url)
                         : (article.title || article.id)) : 'article ' + evidence.article,
          article && article.source ? ' — ' + article.source : '',
          article && article.published ? ', ' + article.published : '',
          copyOf ? ' (a copy of ' + copyOf + ')' : ''));
      }
    }
    body.replaceChildren(...blocks);
  }

  function showEvidence(key) {
    state.selected = key;
    $('evidence').hidden = false;
    render();
  }

  function hideEvidence() {
    state.selected = null;
    $('evidence').hidden = true;
    render();
  }

  // ---- the stream ----------------------------------------------------------

  function markChanged(key) {
    state.changed.set(key, Date.now());
    setTimeout(() => {
      if (Date.now() - (state.changed.get(key) || 0) >= CHANGED_MS - 50) {
        state.changed.delete(key);
        scheduleRender();
      }
    }, CHANGED_MS);
  }

  function onSnapshot(event) {
    const document_ = JSON.parse(event.data);
    const before = state.items;
    state.items = new Map();
    for (const item of document_.items || []) {
      state.items.set(item.key, item);
      const old = before.get(item.key);
      if (before.size && (!old || old.last_updated_ms !== item.last_updated_ms)) markChanged(item.key);
    }
    state.summary = document_.summary || {};
    state.seq = Number(event.lastEventId || document_.seq || 0);
    scheduleRender();
  }

  function onDelta(event) {
    const delta = JSON.parse(event.data);
    if (delta.seq <= state.seq) return;              // already have it
    if (delta.seq !== state.seq + 1) {               // a gap: start over
      connect();
      return;
    }
    if (delta.op === 'item_removed') state.items.delete(delta.key);
    else if (delta.item) state.items.set(delta.key, delta.item);
    if (delta.summary) state.summary = delta.summary;
    state.seq = delta.seq;
    markChanged(delta.key);
    scheduleRender();
  }

  function onStatus(event) {
    const status = JSON.parse(event.data);
    state.sink = status.sink;
    state.sinkHeardMs = status.last_heard_ms;
    renderConnection();
  }

  function connect() {
    if (source) source.close();
    // A fresh stream (no Last-Event-ID) starts with a snapshot.
    source = new EventSource('/events');
    const seen = (handler) => (event) => { state.lastEventAt = Date.now(); handler(event); };
    source.addEventListener('snapshot', seen(onSnapshot));
    source.addEventListener('delta', seen(onDelta));
    source.addEventListener('status', seen(onStatus));
    source.addEventListener('open', () => { state.lastEventAt = Date.now(); renderConnection(); });
    source.addEventListener('error', () => {
      renderConnection();
      // The browser retries by itself unless the server refused the stream.
      if (source.readyState === EventSource.CLOSED) setTimeout(() => connect(), 2000);
    });
    renderConnection();
  }

  // ---- start -------------------------------------------------------------

  for (const id of ['filter-type', 'filter-actor', 'filter-hedge']) $(id).addEventListener('change', render);
  $('filter-search').addEventListener('input', render);
  $('filters').addEventListener('submit', (event) => event.preventDefault());
  $('evidence-close').addEventListener('click', hideEvidence);
  document.addEventListener('keydown', (event) => { if (event.key === 'Escape' && state.selected) hideEvidence(); });
  setInterval(renderConnection, 1000);
  connect();
})();
