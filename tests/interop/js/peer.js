'use strict';
// ably-js as an interop peer for tokenlab's sandbox (driven by tests/interop/jspeer.py).
//
// Usage: node peer.js '<json config>'   (NODE_PATH must point at build/node-peers/node_modules)
// Config: {scenario, port, key, binary?, deadlineMs?, ...scenario fields}. Every observation
// is printed as one JSON line {"event": ..., ...}; the last line is {"event":"done"} or
// {"event":"fatal", ...}. The SDK is used exactly as an application would, except for the
// endpoint options and the internal presence call marked RAW below.

const {
  Ably, cfg, state, emit, errInfo, COMMON, sleep, withTimeout, waitState, watch, signer, connect, closeClient, attach,
  publish, tokenDetails, requestToken, run,
} = require('./lib');

const scenarios = {
  // REST: createTokenRequest -> requestToken; then a tampered MAC must be refused by the server.
  async rest_token() {
    const params = {};
    if (cfg.clientId !== undefined) params.clientId = cfg.clientId;
    if (cfg.capability !== undefined) params.capability = cfg.capability;
    if (cfg.ttl !== undefined) params.ttl = cfg.ttl;
    const { td } = await requestToken(params);
    emit('token_details', tokenDetails(td));
    const tr = await signer.auth.createTokenRequest(params);
    const forged = Object.assign({}, tr, { mac: Buffer.alloc(32, 7).toString('base64') });
    try {
      await signer.auth.requestToken(params, { authCallback: (_p, cb) => cb(null, forged) });
      emit('forged', { ok: true });
    } catch (e) {
      emit('forged', { ok: false, error: errInfo(e) });
    }
  },

  // The SDK's own token-auth path: a key with useTokenAuth signs and requests by itself.
  async rest_use_token_auth() {
    const opts = Object.assign({}, COMMON, { key: cfg.key, useTokenAuth: true });
    if (cfg.clientId !== undefined) opts.clientId = cfg.clientId;
    const rest = new Ably.Rest(opts);
    const td = await rest.auth.authorize();
    emit('token_details', tokenDetails(td));
  },

  // Realtime in one auth mode; attach + publish to prove the connection is usable.
  async realtime() {
    const rt = await connect(cfg.mode);
    if (cfg.channel) await publish(await attach(rt, cfg.channel));
    await closeClient(rt);
  },

  // Stay connected and idle for cfg.holdMs; the server's HEARTBEATs must keep the connection
  // alive (the client gives up after maxIdleInterval + realtimeRequestTimeout of silence).
  async idle() {
    const rt = await connect('key');
    const changes = [];
    rt.connection.on(function (sc) {
      changes.push({ current: sc.current, change: this.event, reason: errInfo(sc.reason) });
    });
    await sleep(cfg.holdMs);
    emit('idle', { state: rt.connection.state, changes: changes, connectionId: rt.connection.id });
    await closeClient(rt);
  },

  // Short-TTL tokens from an authCallback; the server disconnects with 40142 (or sends AUTH
  // first when the reauth lead allows); the SDK must renew and keep its connection id.
  async renewal() {
    const rt = await connect('callback');
    const first = rt.connection.id;
    const want = cfg.expect; // 'disconnect' (40142) or 'update' (server AUTH)
    let sawDisconnect = null;
    rt.connection.on('disconnected', (sc) => (sawDisconnect = errInfo(sc.reason)));
    if (want === 'update') {
      await waitState(rt, (sc, ev) => ev === 'update', cfg.waitMs || 10000, 'update event');
    } else {
      let down = false;
      const backUp = (sc) => {
        down = down || sc.current === 'disconnected';
        return down && sc.current === 'connected';
      };
      await waitState(rt, backUp, (cfg.waitMs || 10000) + 8000, 'disconnected then connected again');
    }
    emit('renewed', {
      before: first,
      after: rt.connection.id,
      state: rt.connection.state,
      callbacks: state.callbackCalls,
      disconnect: sawDisconnect,
    });
    await closeClient(rt);
  },

  // authorize() with a new capability: a channel refused before is allowed afterwards.
  async authorize() {
    const rt = await connect('callback');
    const first = rt.connection.id;
    await attach(rt, cfg.deniedChannel);
    let updates = 0;
    rt.connection.on('update', () => (updates += 1));
    try {
      const td = await withTimeout(rt.auth.authorize({ capability: cfg.newCapability }), 30000, 'authorize');
      emit('authorized', { ok: true, capability: td.capability, connectionId: rt.connection.id, before: first });
    } catch (e) {
      emit('authorized', { ok: false, error: errInfo(e) });
    }
    await sleep(50);
    emit('updates', { count: updates, state: rt.connection.state });
    await attach(rt, cfg.allowedChannel);
    await closeClient(rt);
  },

  // A token string for one clientId (or none) plus a clientId option: only the server can tell.
  async client_id_mismatch() {
    const params = cfg.tokenClientId ? { clientId: cfg.tokenClientId } : {};
    const { td } = await requestToken(params);
    emit('token_details', tokenDetails(td));
    const rt = new Ably.Realtime(Object.assign({}, COMMON, { token: td.token, clientId: cfg.clientId }));
    watch(rt, 'main');
    const sc = await waitState(rt, (s) => s.current === 'connected' || s.current === 'failed', 30000, 'outcome');
    emit('outcome', { state: sc.current, reason: errInfo(sc.reason), clientId: rt.auth.clientId || null });
    await closeClient(rt);
  },

  // In-band AUTH with a token for another clientId. The authCallback's second answer is a
  // TokenDetails whose clientId field still says cfg.clientId while the token itself was issued
  // for cfg.reauthClientId (a buggy auth server), so the SDK cannot notice and only the SERVER
  // can refuse the AUTH: connection ERROR 40102 -> FAILED (ably-protocol §7.6, §12 item 11).
  async reauth_client_id_change() {
    const cb = (tokenParams, done) => {
      state.callbackCalls += 1;
      emit('auth_callback', { call: state.callbackCalls, params: tokenParams || null });
      if (state.callbackCalls === 1) {
        signer.auth.createTokenRequest({ clientId: cfg.clientId }).then((tr) => done(null, tr), (e) => done(e, null));
        return;
      }
      signer.auth.requestToken({ clientId: cfg.reauthClientId }).then(
        (td) => done(null, Object.assign(tokenDetails(td), { clientId: cfg.clientId })),
        (e) => done(e, null),
      );
    };
    const rt = new Ably.Realtime(Object.assign({}, COMMON, { authCallback: cb }));
    watch(rt, 'main');
    await waitState(rt, (sc) => sc.current === 'connected', 30000, 'connected');
    emit('connected', { client: 'main', connectionId: rt.connection.id, clientId: rt.auth.clientId || null });
    try {
      await withTimeout(rt.auth.authorize(), 30000, 'authorize');
      emit('authorized', { ok: true });
    } catch (e) {
      emit('authorized', { ok: false, error: errInfo(e) });
    }
    emit('outcome', { state: rt.connection.state, reason: errInfo(rt.connection.errorReason) });
    await closeClient(rt);
  },

  // Presence with an anonymous token: client-side refusal, then what the server does with a
  // presence ENTER that reaches it without a clientId, and with a clientId the token lacks.
  async presence_anonymous() {
    const { td } = await requestToken({});
    emit('token_details', tokenDetails(td));
    cfg.token = td.token;
    const rt = await connect('token');
    const channel = await attach(rt, cfg.channel);
    try {
      await withTimeout(channel.presence.enter('hi'), 20000, 'enter');
      emit('enter', { ok: true, side: 'client' });
    } catch (e) {
      emit('enter', { ok: false, side: 'client', error: errInfo(e) });
    }
    try {
      // RAW: _enterOrUpdateClient is the SDK's internal send path behind enter(); calling it
      // skips only enter()'s client-side anonymous check, so the ENTER goes to the server.
      await withTimeout(channel.presence._enterOrUpdateClient(undefined, undefined, 'hi', 'enter'), 20000, 'raw enter');
      emit('raw_enter', { ok: true });
    } catch (e) {
      emit('raw_enter', { ok: false, error: errInfo(e) });
    }
    try {
      await withTimeout(channel.presence.enterClient('mallory', 'hi'), 20000, 'enterClient');
      emit('enter_client', { ok: true });
    } catch (e) {
      emit('enter_client', { ok: false, error: errInfo(e) });
    }
    emit('after', { state: rt.connection.state, channelState: channel.state });
    // Positive control: an identified client may enter on the same channel.
    cfg.clientId = cfg.identifiedClientId;
    const ok = await connect('key', 'identified');
    const ch2 = await attach(ok, cfg.channel);
    try {
      await withTimeout(ch2.presence.enter('hi'), 20000, 'identified enter');
      emit('identified_enter', { ok: true });
    } catch (e) {
      emit('identified_enter', { ok: false, error: errInfo(e) });
    }
    await closeClient(ok);
    await closeClient(rt);
  },
};

run(scenarios);
