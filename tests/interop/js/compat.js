'use strict';
// ably-js driven through the behaviours its own test suite checks (issue 12), one scenario per
// behaviour; tests/interop/test_sdk_*.py assert what the ably-js test asserts.
//
// Usage: node compat.js '<json config>'   (see lib.js for the config and the event lines)

const { Ably, cfg, state, emit, errInfo, COMMON, withTimeout, watch, signer, closeClient } =
  require('./lib');

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

module.exports = { track };

if (require.main === module) require('./lib').run(scenarios);
