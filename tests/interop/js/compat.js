'use strict';
// ably-js driven through the behaviours its own test suite checks (issue 12), one scenario per
// behaviour; tests/interop/test_sdk_*.py assert what the ably-js test asserts.
//
// Usage: node compat.js '<json config>'   (see lib.js for the config and the event lines)

const { Ably, cfg, state, emit, errInfo, COMMON, sleep, withTimeout, waitState, watch, signer, connect, closeClient } =
  require('./lib');

// Poll until pred() holds (bounded by ms).
async function until(pred, ms, what) {
  const deadline = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > deadline) throw new Error('timeout after ' + ms + ' ms: ' + what);
    await sleep(20);
  }
}

// RAW: ably-js's own test helper simulateDroppedConnection: go DISCONNECTED, then drop the
// transports without a close, so the next connect() resumes.
async function dropConnection(rt) {
  await new Promise((resolve) => {
    rt.connection.once('disconnected', () => {
      rt.connection.connectionManager.disconnectAllTransports();
      resolve();
    });
    rt.connection.connectionManager.requestState({ state: 'disconnected' });
  });
}

// Subscribe to each channel; received[name] collects message data in arrival order, and
// attached[name] the `resumed` flag of every ATTACHED state change.
async function listen(rt, names) {
  const received = {};
  const attached = {};
  for (const name of names) {
    const channel = rt.channels.get(name);
    received[name] = [];
    attached[name] = [];
    channel.on('attached', (sc) => attached[name].push(sc.resumed));
    await withTimeout(channel.subscribe((m) => received[name].push(m.data)), 5000, 'attach ' + name);
  }
  return { received, attached };
}

// Token auth: both SDKs refuse Basic auth over plain HTTP (40103).
const publisher = new Ably.Rest(Object.assign({}, COMMON, { key: cfg.key, useTokenAuth: true }));

async function publishAll(names, prefix, count) {
  for (let i = 0; i < count; i += 1) {
    for (const name of names) await publisher.channels.get(name).publish('m', prefix + ' ' + i);
  }
}

// Every connection state change from creation on, so no transition slips between two waits.
function track(rt) {
  const seen = [];
  const waiters = [];
  rt.connection.on(function (sc) {
    seen.push({ current: sc.current, change: this.event, reason: errInfo(sc.reason) });
    for (const w of waiters.slice()) w();
  });
  // Resolves with the first change at index >= from satisfying pred.
  function until(pred, from, ms, what) {
    return withTimeout(
      new Promise((resolve) => {
        const check = () => {
          for (let i = from; i < seen.length; i += 1) {
            if (pred(seen[i])) {
              waiters.splice(waiters.indexOf(check), 1);
              resolve(i);
              return;
            }
          }
        };
        waiters.push(check);
        check();
      }),
      ms,
      what,
    );
  }
  return { seen, until };
}

function expiryOptions(mode) {
  const o = Object.assign({}, COMMON);
  if (cfg.clientId !== undefined) o.clientId = cfg.clientId;
  if (mode === 'callback') {
    o.authCallback = (tokenParams, cb) => {
      state.callbackCalls += 1;
      const params = Object.assign({}, tokenParams, { ttl: cfg.ttl });
      signer.auth.requestToken(params).then(
        (td) => cb(null, cfg.asString ? td.token : td),
        (e) => cb(e, null),
      );
    };
  }
  return o;
}

const scenarios = {
  // auth_token_expires, auth_token_string_expiry_with_token, auth_tokenDetails_expiry_with_
  // authcallback, auth_token_string_expiry_with_authcallback: connect with a short token,
  // record what happens at its expiry and what the connection does next.
  async expiry() {
    const o = expiryOptions(cfg.mode);
    if (cfg.mode === 'tokenDetails' || cfg.mode === 'token') {
      const params = { ttl: cfg.ttl };
      if (cfg.clientId !== undefined) params.clientId = cfg.clientId;
      const td = await signer.auth.requestToken(params);
      if (cfg.mode === 'token') o.token = td.token;
      else Object.assign(o, { tokenDetails: td, queryTime: true });
    }
    const rt = new Ably.Realtime(o);
    watch(rt, 'main');
    const t = track(rt);
    const up = await t.until((sc) => sc.current === 'connected' || sc.current === 'failed', 0, 8000, 'connect');
    const first = rt.connection.id;
    emit('connected', { state: t.seen[up].current, connectionId: first });
    const down = await t.until((sc) => sc.current !== 'connected', up + 1, cfg.ttl + 8000, 'expiry');
    emit('expired', { state: t.seen[down].current, reason: t.seen[down].reason });
    const next =
      t.seen[down].current === 'failed'
        ? down
        : await t.until((sc) => sc.current === 'connected' || sc.current === 'failed', down + 1, 10000, 'after');
    emit('after', {
      state: t.seen[next].current,
      reason: t.seen[next].reason,
      before: first,
      connectionId: rt.connection.id,
      callbacks: state.callbackCalls,
      changes: t.seen.map((s) => s.current),
    });
    await closeClient(rt);
  },
};

Object.assign(scenarios, {
  // resume_active / ably-python's test_resume_receives_channel_messages_while_disconnected:
  // messages published over REST while the client is away arrive after the resume, in order,
  // once, and the re-ATTACHED carries RESUMED.
  async resume_active() {
    const names = cfg.channels;
    const rt = await connect('key');
    const { received, attached } = await listen(rt, names);
    await publishAll(names, 'before', 1);
    await until(() => names.every((n) => received[n].length === 1), 5000, 'before');
    const first = rt.connection.id;
    await dropConnection(rt);
    await publishAll(names, 'missed', cfg.count);
    rt.connection.connect();
    await waitState(rt, (sc) => sc.current === 'connected', 8000, 'reconnected');
    await publishAll(names, 'live', 1);
    await until(() => names.every((n) => received[n].length === cfg.count + 2), 8000, 'all');
    emit('resumed', { before: first, after: rt.connection.id, received, attached });
    await closeClient(rt);
  },

  // channel_resumed_flag + "recover multiple channels": a second client recovers the first's
  // connection with its recoveryKey; its channels attach RESUMED with what was missed.
  async recover() {
    const names = cfg.channels;
    const rt = await connect('key');
    const first = await listen(rt, names);
    await publishAll(names, 'before', 1);
    await until(() => names.every((n) => first.received[n].length === 1), 5000, 'before');
    const recoveryKey = rt.connection.createRecoveryKey();
    const before = rt.connection.id;
    await dropConnection(rt);
    await publishAll(names, 'missed', cfg.count);
    const rt2 = new Ably.Realtime(Object.assign({}, COMMON, { key: cfg.key, recover: recoveryKey }));
    watch(rt2, 'recovered');
    const sc = await waitState(rt2, (s) => s.current === 'connected' || s.current === 'failed', 8000, 'recovered');
    const second = await listen(rt2, names);
    await publishAll(names, 'live', 1);
    await until(() => names.every((n) => second.received[n].length === cfg.count + 1), 8000, 'all');
    emit('recovered', {
      before: before,
      after: rt2.connection.id,
      reason: errInfo(sc.reason),
      received: second.received,
      attached: second.attached,
      firstAttached: first.attached,
    });
    rt.close();
    await closeClient(rt2);
  },

  // history.test.js / rest history: limit, direction and Link pagination, presence history,
  // and rewind with HAS_BACKLOG (rewind_has_backlog_0/1).
  async history() {
    const name = cfg.channel;
    await publishAll([name], 'm', cfg.count);
    const pages = {};
    for (const direction of ['backwards', 'forwards']) {
      pages[direction] = [];
      let page = await publisher.channels.get(name).history({ limit: 2, direction: direction });
      for (;;) {
        pages[direction].push(page.items.map((m) => m.data));
        if (!page.hasNext()) break;
        page = await page.next();
      }
    }
    cfg.clientId = 'historian';
    const rt = await connect('key');
    const channel = rt.channels.get(name + '-presence');
    await channel.presence.enter('here');
    await channel.presence.leave('gone');
    const presence = await publisher.channels.get(name + '-presence').presence.history();
    const rewound = rt.channels.get(name, { params: { rewind: '2', unknown: 'x' } });
    const got = [];
    const change = await rewound.subscribe((m) => got.push(m.data));
    await until(() => got.length === 2, 5000, 'rewind messages');
    const empty = await rt.channels.get(name + '-empty', { params: { rewind: '1' } }).attach();
    emit('history', {
      pages: pages,
      presence: presence.items.map((p) => [p.action, p.clientId, p.data]),
      rewind: { hasBacklog: change.hasBacklog, got: got, params: rewound.params },
      emptyHasBacklog: empty.hasBacklog,
    });
    await closeClient(rt);
  },

  // channel.test.js attachWithChannelModes, attachWithChannelParamsBasicChannelsGet,
  // attachWithInvalidChannelParams (default modes) and channelattachinvalid.
  async channel_modes() {
    cfg.clientId = 'moder';
    const rt = await connect('key');
    const out = {};
    const plain = rt.channels.get('modes-default');
    await plain.attach();
    out.defaultModes = plain.modes;
    const limited = rt.channels.get('modes-limited', { modes: ['publish', 'presence_subscribe'] });
    await limited.attach();
    out.limitedModes = limited.modes;
    out.publish = await limited.publish(null, null).then(() => 'ok', (e) => errInfo(e).code);
    out.enter = await limited.presence.enterClient('someone', null).then(() => 'ok', (e) => errInfo(e).code);
    const params = { modes: 'subscribe', delta: 'vcdiff', unknown: 'x' };
    const byParams = rt.channels.get('modes-params', { params: params });
    await byParams.attach();
    out.params = byParams.params;
    out.paramModes = byParams.modes;
    const bad = rt.channels.get(':hell');
    out.invalid = await bad.attach().then(() => 'ok', (e) => errInfo(e).code);
    out.invalidReason = errInfo(bad.errorReason);
    await sleep(300);
    out.connection = rt.connection.state;
    emit('modes', out);
    await closeClient(rt);
  },

  // failure.test.js "invalid key": an app-less key fails the connection with 40101 (401).
  async bad_key() {
    const rt = new Ably.Realtime(Object.assign({}, COMMON, { key: cfg.badKey }));
    watch(rt, 'main');
    const sc = await waitState(rt, (s) => s.current === 'connected' || s.current === 'failed', 8000, 'outcome');
    emit('outcome', { state: sc.current, reason: errInfo(sc.reason) });
    await closeClient(rt);
  },

  // rest/message.test.js idempotent publishing and "publish with connectionKey": a repeated id
  // is delivered and stored once (REST and realtime); a bad connectionKey is 40006.
  async idempotent() {
    const name = cfg.channel;
    const rt = await connect('key');
    const { received } = await listen(rt, [name]);
    const connectionIds = [];
    rt.channels.get(name).subscribe((m) => connectionIds.push(m.connectionId || null));
    const rest = publisher.channels.get(name);
    for (let i = 0; i < 2; i += 1) await rest.publish([{ id: 'idem-rest', name: 'x', data: 'rest' }]);
    for (let i = 0; i < 2; i += 1) await rt.channels.get(name).publish([{ id: 'idem-rt', name: 'x', data: 'rt' }]);
    const bad = await rest.publish([{ name: 'x', data: 'bad', connectionKey: 'nope!nope' }]).then(
      () => 'ok',
      (e) => errInfo(e),
    );
    await rest.publish([{ name: 'x', data: 'behalf', connectionKey: rt.connection.key }]);
    await until(() => received[name].length >= 3, 5000, 'messages');
    const history = await rest.history();
    emit('idempotent', {
      received: received[name],
      history: history.items.map((m) => m.data).reverse(),
      bad: bad,
      behalf: connectionIds[received[name].indexOf('behalf')],
      connectionId: rt.connection.id,
    });
    await closeClient(rt);
  },

  // presence.test.js extras and leave-on-drop: a member's extras reach the other clients; when
  // its transport drops without CLOSE it leaves after remainPresentFor (transportParams).
  async presence_drop() {
    const name = cfg.channel;
    const member = new Ably.Realtime(
      Object.assign({}, COMMON, {
        key: cfg.key,
        clientId: 'ann',
        disconnectedRetryTimeout: 60000,
        transportParams: { remainPresentFor: cfg.remainPresentFor },
      }),
    );
    await waitState(member, (sc) => sc.current === 'connected', 30000, 'member connected');
    const rt = await connect('key');
    const events = [];
    await rt.channels.get(name).presence.subscribe((p) => events.push([p.action, p.clientId, p.extras || null]));
    // As presence.test.js does it: a PresenceMessage carrying extras.
    const message = Ably.Realtime.PresenceMessage.fromValues({ data: 'hi', extras: { headers: { k: 'v' } } });
    await member.channels.get(name).presence.enter(message);
    await until(() => events.length === 1, 10000, 'enter');
    const present = await rt.channels.get(name).presence.get();
    await dropConnection(member);
    await until(() => events.length === 2, 20000, 'leave after the drop');
    const after = await rt.channels.get(name).presence.get();
    emit('presence', {
      events: events,
      presentExtras: present.map((p) => p.extras || null),
      after: after.length,
    });
    member.close();
    await closeClient(rt);
  },

  // rest/batch.test.js (batchPublish, batchPresence), channel status (RSL8) and stats().
  async batch() {
    const specs = [
      { channels: ['channel0', 'channel3'], messages: [{ data: 'message1' }, { data: 'message2' }] },
      { channels: ['channel4', 'channel5'], messages: { data: 'message3' } },
    ];
    const many = await publisher.batchPublish(specs);
    const single = await publisher.batchPublish({ channels: ['channel0', 'channel3'], messages: { data: 'one' } });
    const history = await publisher.channels.get('channel0').history({ direction: 'forwards' });
    cfg.clientId = 'batchPresenceTest';
    const rt = await connect('key');
    await rt.channels.get('channel4').presence.enter('here');
    const presence = await publisher.batchPresence(['channel3', 'channel4']);
    const status = await publisher.channels.get('channel4').status();
    const stats = await publisher.stats();
    emit('batch', {
      many: many,
      single: single,
      history: history.items.map((m) => m.data),
      presence: presence,
      occupancy: status.status.occupancy.metrics,
      active: status.status.isActive,
      stats: stats.items.length,
    });
    await closeClient(rt);
  },

  // TLS: with the sandbox's certificate trusted (NODE_EXTRA_CA_CERTS), Basic auth with a key
  // works on REST, and realtime connects over WSS.
  async tls_basic() {
    const rest = new Ably.Rest(Object.assign({}, COMMON, { key: cfg.key }));
    await rest.channels.get('secure').publish('n', 'over tls');
    const history = await rest.channels.get('secure').history();
    const rt = await connect('key');
    emit('tls', { history: history.items.map((m) => m.data), state: rt.connection.state });
    await closeClient(rt);
  },
});

module.exports = { track };

if (require.main === module) require('./lib').run(scenarios);
