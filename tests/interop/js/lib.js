'use strict';
// Shared helpers for the ably-js interop peers (peer.js, compat.js): config, JSON-line events,
// client options for the sandbox, state waits, and the scenario runner. Every observation is
// printed as one JSON line {"event": ..., ...}; the last line is {"event":"done"} or
// {"event":"fatal", ...}.

const Ably = require('ably');

const cfg = JSON.parse(process.argv[2]);

function emit(event, data) {
  process.stdout.write(JSON.stringify(Object.assign({ event: event, t: Date.now() }, data || {})) + '\n');
}

function errInfo(e) {
  if (!e) return null;
  return {
    code: e.code === undefined ? null : e.code,
    statusCode: e.statusCode === undefined ? null : e.statusCode,
    message: String(e.message === undefined ? e : e.message),
  };
}

// A hard stop: a hung SDK must never hang the test run.
setTimeout(() => {
  emit('fatal', { message: 'hard deadline of ' + (cfg.deadlineMs || 55000) + ' ms reached' });
  process.exit(3);
}, cfg.deadlineMs || 55000).unref();

const COMMON = {
  endpoint: '127.0.0.1',
  port: cfg.port,
  tlsPort: cfg.port,
  tls: !!cfg.tls,
  useBinaryProtocol: !!cfg.binary,
  disableConnectivityCheck: true,
  realtimeRequestTimeout: cfg.realtimeRequestTimeout || 5000,
  disconnectedRetryTimeout: 1000,
  fallbackHosts: [],
  logLevel: cfg.logLevel || 0,
};

function ablyVersion() {
  const path = require('path');
  const manifest = path.join(path.dirname(require.resolve('ably')), '..', 'package.json');
  return JSON.parse(require('fs').readFileSync(manifest, 'utf8')).version;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error('timeout after ' + ms + ' ms: ' + what)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Resolves with the first connection state change satisfying pred (seen after the call).
function waitState(rt, pred, ms, what) {
  return withTimeout(
    new Promise((resolve) => {
      const listener = function (sc) {
        if (pred(sc, this.event)) {
          rt.connection.off(listener);
          resolve(sc);
        }
      };
      rt.connection.on(listener);
    }),
    ms,
    what,
  );
}

function watch(rt, label) {
  rt.connection.on(function (sc) {
    emit('state', {
      client: label,
      previous: sc.previous,
      current: sc.current,
      change: this.event,
      reason: errInfo(sc.reason),
      connectionId: rt.connection.id || null,
      connectionKey: rt.connection.key || null,
    });
  });
}

const signer = new Ably.Rest(Object.assign({}, COMMON, { key: cfg.key }));
const state = { callbackCalls: 0 };

// An application's authCallback: sign a TokenRequest locally with the key (no HTTP here; the
// SDK then exchanges it at /keys/{keyName}/requestToken).
function authCallback(tokenParams, cb) {
  state.callbackCalls += 1;
  const params = Object.assign({}, tokenParams);
  if (cfg.clientId !== undefined) params.clientId = cfg.clientId;
  if (cfg.ttl !== undefined) params.ttl = cfg.ttl;
  if (cfg.capability !== undefined && params.capability === undefined) params.capability = cfg.capability;
  emit('auth_callback', { call: state.callbackCalls, params: tokenParams || null });
  signer.auth.createTokenRequest(params).then(
    (tr) => cb(null, tr),
    (e) => cb(e, null),
  );
}

function realtimeOptions(mode) {
  const o = Object.assign({}, COMMON);
  if (mode === 'key') Object.assign(o, { key: cfg.key });
  else if (mode === 'token') o.token = cfg.token;
  else if (mode === 'callback') o.authCallback = authCallback;
  else if (mode === 'authurl') Object.assign(o, { authUrl: cfg.authUrl, authParams: cfg.authParams || {} });
  else throw new Error('unknown mode ' + mode);
  if (cfg.clientId !== undefined && mode !== 'callback') o.clientId = cfg.clientId;
  return o;
}

async function connect(mode, label) {
  const rt = new Ably.Realtime(realtimeOptions(mode));
  watch(rt, label || 'main');
  await waitState(rt, (sc) => sc.current === 'connected' || sc.current === 'failed', 30000, 'connected');
  if (rt.connection.state !== 'connected') {
    throw Object.assign(new Error('connection failed'), { reason: errInfo(rt.connection.errorReason) });
  }
  emit('connected', {
    client: label || 'main',
    connectionId: rt.connection.id,
    connectionKey: rt.connection.key,
    clientId: rt.auth.clientId === undefined ? null : rt.auth.clientId,
  });
  return rt;
}

async function closeClient(rt) {
  const state = rt.connection.state;
  if (state !== 'closed' && state !== 'failed') {
    rt.close();
    if (rt.connection.state !== 'closed') {
      await waitState(rt, (sc) => sc.current === 'closed' || sc.current === 'failed', 15000, 'closed');
    }
  }
  emit('closed', { state: rt.connection.state });
}

async function attach(rt, name) {
  const channel = rt.channels.get(name);
  try {
    await withTimeout(channel.attach(), 20000, 'attach ' + name);
    emit('attach', { channel: name, ok: true, state: channel.state });
  } catch (e) {
    emit('attach', { channel: name, ok: false, state: channel.state, error: errInfo(e) });
  }
  return channel;
}

async function publish(channel) {
  try {
    await withTimeout(channel.publish('greeting', { hello: 'world' }), 20000, 'publish');
    emit('publish', { channel: channel.name, ok: true });
  } catch (e) {
    emit('publish', { channel: channel.name, ok: false, error: errInfo(e) });
  }
}

function tokenDetails(td) {
  return {
    token: td.token,
    keyName: td.keyName === undefined ? null : td.keyName,
    issued: td.issued,
    expires: td.expires,
    capability: td.capability,
    clientId: td.clientId === undefined ? null : td.clientId,
  };
}

async function requestToken(params) {
  const tr = await signer.auth.createTokenRequest(params);
  emit('token_request', { tokenRequest: tr });
  // Exchange exactly this TokenRequest (an authCallback handing it over is how ably-js takes one).
  const td = await signer.auth.requestToken(params, { authCallback: (_p, cb) => cb(null, tr) });
  return { tr: tr, td: td };
}

// Run cfg.scenario from the given table; exits the process when it finishes.
function run(scenarios) {
  async function main() {
    const fn = scenarios[cfg.scenario];
    if (!fn) throw new Error('unknown scenario ' + cfg.scenario);
    emit('start', { scenario: cfg.scenario, ably: ablyVersion() });
    await fn();
    // Let CLOSE frames flush before the process exits (sdk-peers §3.3).
    await sleep(200);
  }

  main().then(
    () => {
      emit('done', {});
      process.exit(0);
    },
    (e) => {
      const stack = e && e.stack ? String(e.stack) : null;
      emit('fatal', { error: errInfo(e), reason: e && e.reason ? e.reason : null, stack: stack });
      process.exit(1);
    },
  );
}

module.exports = {
  Ably, cfg, state, emit, errInfo, COMMON, sleep, withTimeout, waitState, watch, signer,
  authCallback, realtimeOptions, connect, closeClient, attach, publish, tokenDetails, requestToken, run,
};
