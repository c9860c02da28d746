/*! duplex: Socket.IO for Go. This loader defines io() at once, loads the Go
 * WebAssembly client (wasm_exec.js and client.wasm, from the directory of this
 * script) and replays the calls made before the client has started. */
(function (global) {
  "use strict";
  if (global.io && global.io.duplex) return;

  var VERSION = "__DUPLEX_VERSION__"; // replaced by the server with the files' hash
  var script = global.document && global.document.currentScript;
  var base = script && script.src ? script.src.split(/[?#]/)[0].replace(/[^\/]*$/, "") : "/socket.io/";
  var RESERVED = { connect: 1, connect_error: 1, disconnect: 1, disconnecting: 1, newListener: 1, removeListener: 1 };
  var now = function () { return global.performance ? performance.now() : Date.now(); };
  var timings = { loaderStart: now() };

  var backend = null; // set by the wasm client through duplex.ready(backend)
  var waiting = []; // callbacks waiting for the backend
  var loadError = null;
  var pending = []; // sockets created before the backend was ready

  function whenReady(fn) {
    if (backend) fn(backend);
    else waiting.push(fn);
  }

  // ---- a small event emitter (the subset of @socket.io/component-emitter in use) ----
  function Emitter() {
    this._l = {};
  }
  Emitter.prototype.on = Emitter.prototype.addEventListener = function (ev, fn) {
    (this._l[ev] = this._l[ev] || []).push(fn);
    return this;
  };
  Emitter.prototype.once = function (ev, fn) {
    var self = this;
    function on() {
      self.off(ev, on);
      fn.apply(this, arguments);
    }
    on.fn = fn;
    return this.on(ev, on);
  };
  Emitter.prototype.off = Emitter.prototype.removeListener = Emitter.prototype.removeAllListeners =
    Emitter.prototype.removeEventListener = function (ev, fn) {
      if (arguments.length === 0) {
        this._l = {};
        return this;
      }
      var ls = this._l[ev];
      if (!ls) return this;
      if (arguments.length === 1) {
        delete this._l[ev];
        return this;
      }
      for (var i = 0; i < ls.length; i++) {
        if (ls[i] === fn || ls[i].fn === fn) {
          ls.splice(i, 1);
          break;
        }
      }
      if (ls.length === 0) delete this._l[ev];
      return this;
    };
  Emitter.prototype.listeners = function (ev) {
    return (this._l[ev] || []).slice();
  };
  Emitter.prototype.hasListeners = function (ev) {
    return !!(this._l[ev] && this._l[ev].length);
  };
  Emitter.prototype.emitReserved = function (ev) {
    var args = Array.prototype.slice.call(arguments, 1);
    var ls = this.listeners(ev);
    for (var i = 0; i < ls.length; i++) {
      try {
        ls[i].apply(this, args);
      } catch (e) {
        reportError(e);
      }
    }
    return this;
  };

  function message(e) {
    return e && e.message ? e.message : String(e);
  }

  function reportError(e) {
    // A listener's exception must not break the client: report it as the
    // browser would report an uncaught one.
    setTimeout(function () {
      throw e;
    });
  }

  // ---- binary <-> placeholders, as socket.io-parser does ----
  // isBinary: ArrayBuffer and its views (Uint8Array, DataView ...). A Blob
  // would need an asynchronous read: it is sent as JSON ({}), not as binary.
  function isBinary(v) {
    return typeof ArrayBuffer !== "undefined" && (v instanceof ArrayBuffer || ArrayBuffer.isView(v));
  }
  function toBytes(v) {
    if (v instanceof ArrayBuffer) return new Uint8Array(v);
    return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
  }
  function deconstruct(v, bufs) {
    if (v === undefined) return null;
    if (typeof Blob !== "undefined" && v instanceof Blob) {
      // socket.io-client sends a Blob as an attachment; reading one is
      // asynchronous and would reorder emits: refuse it instead of sending {}.
      throw new TypeError("duplex: a Blob or File argument is not supported: pass await blob.arrayBuffer()");
    }
    if (isBinary(v)) {
      bufs.push(toBytes(v));
      return { _placeholder: true, num: bufs.length - 1 };
    }
    if (Array.isArray(v)) {
      var a = new Array(v.length);
      for (var i = 0; i < v.length; i++) a[i] = deconstruct(v[i], bufs);
      return a;
    }
    if (v && typeof v === "object" && typeof v.toJSON !== "function") {
      var o = {};
      for (var k in v) {
        if (Object.prototype.hasOwnProperty.call(v, k) && v[k] !== undefined && typeof v[k] !== "function") {
          o[k] = deconstruct(v[k], bufs);
        }
      }
      return o;
    }
    return v;
  }
  // encode returns [[json text of each argument], [Uint8Array...]].
  function encode(args) {
    var bufs = [];
    var texts = new Array(args.length);
    for (var i = 0; i < args.length; i++) texts[i] = JSON.stringify(deconstruct(args[i], bufs));
    return [texts, bufs];
  }
  function reconstruct(v, bufs) {
    if (Array.isArray(v)) {
      for (var i = 0; i < v.length; i++) v[i] = reconstruct(v[i], bufs);
      return v;
    }
    if (v && typeof v === "object") {
      if (v._placeholder === true && typeof v.num === "number" && v.num >= 0 && v.num < bufs.length) {
        var b = bufs[v.num];
        return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength ? b.buffer : b.slice().buffer;
      }
      for (var k in v) if (Object.prototype.hasOwnProperty.call(v, k)) v[k] = reconstruct(v[k], bufs);
    }
    return v;
  }
  var utf8 = new TextDecoder();
  // decode turns what the backend sends (json text, [Uint8Array...]) into args.
  function decode(json, bufs) {
    var a = JSON.parse(json || "[]");
    return bufs && bufs.length ? reconstruct(a, bufs) : a;
  }

  // ---- what the backend is given ----
  // endpoint returns [origin with the Engine.IO query string, namespace] of
  // url (absolute) and opts.query, as socket.io-client's url() and Manager do.
  function endpoint(url, opts) {
    var u = new URL(url);
    var q = new URLSearchParams(u.search);
    var extra = opts.query;
    if (typeof extra === "string") extra = Object.fromEntries(new URLSearchParams(extra));
    if (extra && typeof extra === "object") {
      for (var k in extra) if (Object.prototype.hasOwnProperty.call(extra, k)) q.set(k, String(extra[k]));
    }
    var search = q.toString();
    return [u.protocol + "//" + u.host + (search ? "?" + search : ""), u.pathname || "/"];
  }
  var OPTION_TYPES = {
    path: "string",
    transports: "object",
    upgrade: "boolean",
    reconnection: "boolean",
    reconnectionAttempts: "number",
    reconnectionDelay: "number",
    reconnectionDelayMax: "number",
    randomizationFactor: "number",
    timeout: "number",
    autoConnect: "boolean",
    ackTimeout: "number",
    retries: "number",
    forceNew: "boolean",
    multiplex: "boolean",
  };
  // backendOptions returns the options the Go backend reads, each of its
  // type, and auth (an object) as JSON text.
  function backendOptions(opts) {
    var o = {};
    for (var k in OPTION_TYPES) {
      if (typeof opts[k] === OPTION_TYPES[k] && opts[k] !== null) o[k] = opts[k];
    }
    if (o.transports) o.transports = Array.prototype.map.call(o.transports, String);
    return o;
  }

  // ---- the connection, started while client.wasm loads ----
  // Opening a connection does not depend on the Go client: when io() is
  // called before the client has started, the loader sends the Engine.IO
  // polling handshake (a GET that opens the session) at once and, when it
  // returns, what socket.io-client sends next on that session: the Socket.IO
  // CONNECT of the namespaces (a POST, with socket.auth) and the first poll
  // (a GET that the server answers with the CONNECT's reply). The Go client
  // then makes the same requests; io.duplex.take gives it these instead
  // (client/engine, polling_js.go), so that the round trips overlap the
  // download and compile of client.wasm and the Go client owns the session
  // from its first request on. The loader sends nothing more once the Go
  // client has taken a session.
  //
  // A CONNECT sent early must reach the Go Manager that has the socket: the
  // loader sends one only while a server (key) has one Manager in Go (the
  // sockets sharing it, as the backend shares them: no forceNew, multiplex,
  // each namespace once). A second Manager for the same server, or a socket
  // disconnected before the client started, makes the key "contested": its
  // session is closed if its CONNECT was sent (the Go client opens its own),
  // else handed over as a bare handshake, as any other session.
  var sessions = []; // Session, in creation order
  var managersByKey = {}; // key -> how many Go Managers the sockets made so far need
  var RS = "\x1e"; // the separator of packets in a polling payload
  function Session(key, href, connecting) {
    // A session that connects holds client.wasm back until the CONNECT's
    // reply is in (see load): _release lets it go, once.
    this._release = connecting ? hold() : function () {};
    this.key = key;
    this.href = href; // the handshake URL (with its t parameter)
    this.connecting = connecting; // may send CONNECTs and the first poll
    this.sockets = []; // the sockets whose CONNECT this session carries
    this.taken = false; // the Go client has taken the handshake
    this.closed = false;
    this.sid = null;
    this.connectNsps = null; // namespace -> true: sent in the CONNECT POST, not yet claimed
    this.connectDone = null; // Promise<{status, text}> of the CONNECT POST
    this.poll = null; // Promise<Response> of the first poll
    // aborts the loader's requests of the session (the Go client's context ends)
    this.abort = typeof AbortController === "function" ? new AbortController() : { abort: function () {}, signal: undefined };
    var self = this;
    var p = fetch(href, { method: "GET", cache: "no-store", signal: this.abort.signal }).then(function (r) {
      return r.text().then(function (t) {
        return { status: r.status, text: t };
      });
    });
    this.handshake = p;
    p.then(
      function (r) {
        self._opened(r);
      },
      function () {
        self._release(); // the Go client reports the failure when it takes it
      }
    );
  }
  // sidURL returns the session's request URL with a fresh t parameter.
  Session.prototype.sidURL = function () {
    var u = new URL(this.href);
    u.searchParams.set("sid", this.sid);
    u.searchParams.set("t", stamp());
    return u.href;
  };
  Session.prototype._opened = function (r) {
    if (!timings.handshake) timings.handshake = now();
    if (r.status !== 200 || r.text.charAt(0) !== "0") return this._release();
    var end = r.text.indexOf(RS);
    try {
      this.sid = JSON.parse(r.text.slice(1, end < 0 ? r.text.length : end)).sid;
    } catch (e) {
      return this._release(); // the Go client reports it
    }
    if (typeof this.sid !== "string" || !this.sid) {
      this.sid = null;
      return this._release();
    }
    if (this.closed) return this._close();
    if (this.taken && !this.poll && !this.connectDone) {
      var i = sessions.indexOf(this);
      if (i >= 0) sessions.splice(i, 1);
    }
    if (this.taken || !this.connecting) return this._release();
    // As socket.io-client on "open": each socket reads its auth (an object,
    // or a function called with a callback), then CONNECT, then the poll.
    var self = this;
    var waiting = this.sockets.length;
    var packets = [];
    this.sockets.forEach(function (sock, i) {
      var pre = (sock._pre = { session: self, done: false, value: null, waiters: [] });
      readAuth(sock, function (a) {
        if (pre.done) return;
        pre.done = true;
        pre.value = a;
        var w = pre.waiters;
        pre.waiters = [];
        for (var j = 0; j < w.length; j++) w[j](a);
        packets[i] = [sock._nsp, a];
        if (--waiting === 0) self._connect(packets);
      });
    });
    if (waiting > 0 && !this.poll) this._poll(); // an auth function that answers later
  };
  Session.prototype._connect = function (packets) {
    if (this.taken || this.closed || !this.connecting || this.connectDone) return;
    var body = [];
    this.connectNsps = {};
    for (var i = 0; i < packets.length; i++) {
      var nsp = packets[i][0];
      var a = packets[i][1];
      var data;
      try {
        data = a === undefined || a === null ? "" : JSON.stringify(a);
      } catch (e) {
        this.connectNsps = null; // the Go client reports the bad auth
        return this._poll();
      }
      body.push("40" + (nsp === "/" ? "" : nsp + ",") + data);
      this.connectNsps[nsp] = true;
    }
    this.connectDone = fetch(this.sidURL(), {
      method: "POST",
      cache: "no-store",
      signal: this.abort.signal,
      body: body.join(RS),
      headers: { "Content-Type": "text/plain;charset=UTF-8" },
    }).then(function (r) {
      return r.text().then(function (t) {
        return { status: r.status, text: t };
      });
    });
    this.connectDone.catch(function () {});
    if (!this.poll) this._poll();
  };
  Session.prototype._poll = function () {
    if (this.taken || this.closed || this.poll) return;
    var self = this;
    this.poll = fetch(this.sidURL(), { method: "GET", cache: "no-store", signal: this.abort.signal }).then(function (r) {
      return r.text().then(function (t) {
        return { status: r.status, text: t };
      });
    });
    this.poll.then(
      function (r) {
        if (!timings.polled) timings.polled = now(); // the CONNECT's reply is in
        self._replied(r);
        self._release();
      },
      function () {
        self._release();
      }
    );
  };
  // _replied reads the CONNECT's reply in the first poll's response: each
  // socket of the session is connected (or refused) when the server says so,
  // as socket.io-client's Socket.onpacket would, before the Go client has
  // started. The Go client still gets the whole response (take) and handles
  // it as usual: its connect for the same sid, or its connect_error for the
  // same refusal, is not reported a second time (Socket._fromBackend), and
  // the packets after the reply (the server's first emits) reach the page
  // through it, after connect.
  Session.prototype._replied = function (r) {
    if (r.status !== 200 || this.closed || !this.connecting || !this.connectNsps) return;
    var ps = r.text.split(RS);
    for (var i = 0; i < ps.length; i++) {
      var p = ps[i];
      var type = p.slice(0, 2);
      if (type !== "40" && type !== "44") continue;
      var nsp = "/",
        data = p.slice(2);
      if (data.charAt(0) === "/") {
        var comma = data.indexOf(",");
        nsp = comma < 0 ? data : data.slice(0, comma);
        data = comma < 0 ? "" : data.slice(comma + 1);
      }
      for (var j = 0; j < this.sockets.length; j++) {
        var sock = this.sockets[j];
        if (sock._nsp === nsp && sock._session === this && !sock._left && !sock.connected && !sock._early) sock._earlyReply(type, data);
      }
    }
  };
  // contest stops sending CONNECTs on the session; one already sent closes it.
  Session.prototype.contest = function () {
    if (this.taken || !this.connecting) return;
    this.connecting = false;
    this._release();
    for (var i = 0; i < this.sockets.length; i++) this.sockets[i]._pre = null;
    if (this.connectDone) {
      this.closed = true;
      this._close();
    }
  };
  // _close ends the session with a close packet (after the CONNECT POST: a
  // second POST in flight would be refused).
  Session.prototype._close = function () {
    this._release();
    var i = sessions.indexOf(this);
    if (i >= 0) sessions.splice(i, 1);
    if (!this.sid || this._closing) return;
    this._closing = true;
    var self = this;
    var send = function () {
      fetch(self.sidURL(), { method: "POST", cache: "no-store", body: "1", headers: { "Content-Type": "text/plain;charset=UTF-8" } }).catch(function () {});
    };
    if (this.connectDone) this.connectDone.then(send, send);
    else send();
  };
  function stamp() {
    return Date.now().toString(36) + Math.random().toString(36).slice(2, 6);
  }
  function readAuth(sock, cb) {
    var a = sock.auth;
    if (typeof a === "function") {
      try {
        a(function (v) {
          cb(v === undefined ? null : v);
        });
      } catch (e) {
        reportError(e);
        cb(null);
      }
    } else cb(a === undefined ? null : a);
  }
  function requestKey(href) {
    var u = new URL(href, global.location ? global.location.href : undefined);
    u.searchParams.delete("t");
    u.searchParams.sort();
    return u.origin + u.pathname + "?" + u.searchParams.toString();
  }
  // handshakeURL returns the Engine.IO polling handshake URL of a socket, or
  // null when it does not start with polling.
  function handshakeURL(url, opts) {
    var ts = opts.transports;
    if (ts && ts.length && String(ts[0]) !== "polling") return null;
    var where = endpoint(url, opts);
    var path = typeof opts.path === "string" && opts.path ? opts.path : "/socket.io/";
    if (path.charAt(path.length - 1) !== "/") path += "/";
    if (path.charAt(0) !== "/") path = "/" + path;
    var u = new URL(where[0]);
    u.pathname = path;
    u.searchParams.set("EIO", "4");
    u.searchParams.set("transport", "polling");
    return u;
  }
  // managerKey is the key the backend shares Managers by: the origin with its
  // query, and the path.
  function managerKey(url, opts) {
    var u = handshakeURL(url, Object.assign({}, opts, { transports: undefined }));
    return u ? requestKey(u.href) : "";
  }
  // track counts the Go Managers the sockets need (the rule of
  // backend.manager: a socket shares its server's Manager unless forceNew,
  // multiplex: false or its namespace is in use on it), and contests the
  // key's sessions when there are more than one.
  function track(sock) {
    var opts = sock._opts;
    var key = (sock._key = managerKey(sock._url, opts));
    var m = managersByKey[key] || (managersByKey[key] = { count: 0, nsps: {} });
    var share = !opts.forceNew && opts.multiplex !== false && !m.nsps[sock._nsp];
    sock._creates = !share || m.count === 0; // makes a Manager
    if (share) m.nsps[sock._nsp] = true;
    if (!share || m.count === 0) m.count++;
    if (m.count > 1) {
      for (var i = 0; i < sessions.length; i++) if (sessions[i].key === key) sessions[i].contest();
    }
  }
  // prefetch starts the connection of a socket made before the client has
  // started: a socket that makes a Go Manager gets a session (connecting
  // while its server has one Manager), one that shares the Manager joins the
  // connecting session while its handshake is in flight.
  function prefetch(sock) {
    try {
      if (sock._session || typeof fetch !== "function" || typeof URL !== "function" || typeof Response !== "function") return;
      var u = handshakeURL(sock._url, sock._opts);
      if (!u) return;
      var key = requestKey(u.href);
      var lone = managersByKey[sock._key].count === 1;
      if (!sock._creates) {
        for (var i = 0; i < sessions.length; i++) {
          var s = sessions[i];
          if (s.key === key && s.connecting && !s.taken && !s.sid) {
            s.sockets.push(sock);
            sock._session = s;
            return;
          }
        }
        return;
      }
      u.searchParams.set("t", stamp());
      var sess = new Session(key, u.href, lone);
      if (lone) sess.sockets.push(sock);
      sock._session = sess;
      sessions.push(sess);
    } catch (e) {
      // a bad URL: the Go client reports it
    }
  }
  // take gives the Go client, once, what the loader sent for its request
  // (method, url without its t parameter, body): undefined when nothing,
  // else [Promise<Response>, rest, AbortController] where rest is null, or
  // the part of the body still to send after that response (the CONNECTs
  // already sent are taken out of it; any POST of the session waits for the
  // loader's, as two POSTs of a session must not overlap).
  function take(method, href, body) {
    var key = requestKey(href);
    var sid = new URL(href).searchParams.get("sid");
    var i, s;
    if (!sid) {
      if (method !== "GET") return undefined;
      for (i = 0; i < sessions.length; i++) {
        s = sessions[i];
        if (s.key === key && !s.taken && !s.closed) {
          s.taken = true;
          // its first poll and CONNECT are handed over later; a session
          // still opening may get neither
          if (s.sid && !s.poll && !s.connectDone) sessions.splice(i, 1);
          return [s.handshake.then(respond), null, s.abort];
        }
      }
      return undefined;
    }
    for (i = 0; i < sessions.length; i++) if (sessions[i].sid === sid && sessions[i].taken) break;
    if (i === sessions.length) return undefined;
    s = sessions[i];
    var r;
    if (method === "GET") {
      if (!s.poll) return undefined;
      r = [s.poll.then(respond), null, s.abort];
      s.poll = null;
    } else if (method === "POST" && s.connectDone) {
      var rest = [];
      var ps = String(body).split(RS);
      for (var j = 0; j < ps.length; j++) {
        var p = ps[j];
        var nsp = p.slice(0, 2) === "40" ? (p.charAt(2) === "/" ? p.slice(2).split(",")[0] : "/") : null;
        if (nsp !== null && s.connectNsps[nsp]) delete s.connectNsps[nsp];
        else rest.push(p);
      }
      r = [s.connectDone.then(respond), rest.length ? rest.join(RS) : null, s.abort];
      for (var n in s.connectNsps) if (s.connectNsps.hasOwnProperty(n)) return r;
      s.connectDone = null; // every CONNECT claimed: later POSTs are the Go client's own
    } else return undefined;
    if (!s.poll && !s.connectDone) sessions.splice(i, 1);
    return r;
  }
  function respond(r) {
    return new Response(r.text, { status: r.status });
  }

  // ---- the Manager (socket.io), reduced to its events ----
  // Only the socket's own Manager exists (socket.io): its reconnection
  // events are reported; everything else of socket.io-client's Manager
  // throws, rather than doing nothing.
  var INTERNAL = {};
  var MANAGER_EVENTS = { reconnect_attempt: 1, reconnect: 1, reconnect_failed: 1, reconnect_error: 1 };
  function unsupported(what) {
    return function () {
      throw new Error("duplex: " + what + " is not supported by the Go client (see docs/browser.md)");
    };
  }
  function Manager(key) {
    if (key !== INTERNAL) unsupported("new io.Manager()")();
    Emitter.call(this);
  }
  Manager.prototype = Object.create(Emitter.prototype);
  Manager.prototype.on = Manager.prototype.addEventListener = function (ev, fn) {
    if (!MANAGER_EVENTS.hasOwnProperty(ev)) unsupported('the Manager event "' + ev + '"')();
    return Emitter.prototype.on.call(this, ev, fn);
  };
  ["socket", "open", "connect", "close", "disconnect", "reconnection", "reconnectionAttempts", "reconnectionDelay",
    "reconnectionDelayMax", "randomizationFactor", "timeout"].forEach(function (m) {
    Manager.prototype[m] = unsupported("socket.io." + m + "()");
  });
  // Options of socket.io-client the Go client does not implement: io()
  // throws when one is given.
  var UNSUPPORTED_OPTIONS = ["extraHeaders", "transportOptions", "parser", "protocols", "rememberUpgrade",
    "closeOnBeforeunload", "timestampRequests", "timestampParam", "withCredentials", "addTrailingSlash",
    "tryAllTransports", "forceBase64", "perMessageDeflate", "agent", "pfx", "key", "passphrase", "cert", "ca",
    "ciphers", "rejectUnauthorized"];

  // ---- the Socket ----
  function Socket(url, opts) {
    Emitter.call(this);
    opts = opts || {};
    for (var u = 0; u < UNSUPPORTED_OPTIONS.length; u++) {
      if (opts[UNSUPPORTED_OPTIONS[u]] !== undefined) unsupported('the option "' + UNSUPPORTED_OPTIONS[u] + '"')();
    }
    this.io = new Manager(INTERNAL);
    var self = this;
    // socket.io.engine.transport.name, as socket.io-client has it.
    this.io.engine = {
      get transport() {
        // the loader's session is a polling one
        return { name: (self._h && self._h.transport()) || (self._early && !self._early.left ? "polling" : undefined) };
      },
    };
    this.id = undefined;
    this.connected = false;
    this.recovered = false;
    this.flags = {};
    this._opts = opts;
    // socket.auth is read before every connection attempt (an object, or a
    // function called with a callback), as socket.io-client does.
    this.auth = opts.auth;
    this._anyIn = [];
    this._anyOut = [];
    this._epoch = 0; // connections ended so far (disconnect reports)
    this._queue = []; // [method, args] made before the backend was ready
    this._h = null;
    this._route = null; // the table of the Go Manager that has the socket (newRoute's add)
    if (loadError) {
      setTimeout(function () {
        self._connectError(message(loadError), "null");
      });
      return;
    }
    this._url = url;
    this._pre = null; // the auth the loader read for its early CONNECT
    this._early = null; // {sid, left, swallow}: connected by the loader, not yet by the Go client
    this._earlyErr = null; // the message of a refusal the loader reported
    this._retry = false; // connect() called since that refusal
    this._session = null;
    try {
      this._nsp = endpoint(url, opts)[1];
      track(this);
    } catch (e) {
      // a bad URL: the Go client reports it
    }
    if (!backend) {
      pending.push(this);
      if (opts.autoConnect !== false) prefetch(this);
      load(); // held until the CONNECT's reply is in when prefetch started a session
    }
    whenReady(function (b) {
      try {
        var where = endpoint(url, self._opts);
        var sink = function () {
          self._fromBackend.apply(self, arguments);
        };
        sink.socket = self; // for the fast path of receive (route)
        self._h = b.socket(
          where[0],
          where[1],
          backendOptions(self._opts),
          sink,
          function (cb) {
            // The auth of the loader's CONNECT, when the Go client took its
            // session: auth is called once per connection.
            var pre = self._pre;
            self._pre = null;
            if (pre && pre.session.taken && pre.session.connecting) {
              if (pre.done) cb(pre.value);
              else pre.waiters.push(cb);
              return;
            }
            var a = self.auth;
            if (typeof a === "function") a(cb);
            else cb(a === undefined ? null : a);
          },
          newRoute() // used when the backend makes a Manager for this socket
        );
      } catch (e) {
        self._connectError(message(e), "null");
        return;
      }
      var q = self._queue;
      self._queue = null;
      for (var i = 0; i < q.length; i++) self["_do_" + q[i][0]].apply(self, q[i][1]);
    });
  }
  Socket.prototype = Object.create(Emitter.prototype);
  Object.defineProperty(Socket.prototype, "disconnected", {
    get: function () {
      return !this.connected;
    },
  });
  Object.defineProperty(Socket.prototype, "active", {
    get: function () {
      return !!this._active;
    },
  });
  Object.defineProperty(Socket.prototype, "volatile", {
    get: function () {
      this.flags.volatile = true;
      return this;
    },
  });
  Socket.prototype._call = function (method, args) {
    if (this._queue) this._queue.push([method, args]);
    else if (this._h) this["_do_" + method].apply(this, args);
  };
  Socket.prototype._connectError = function (message, data) {
    var err = new Error(message);
    try {
      err.data = JSON.parse(data || "null");
    } catch (e) {
      err.data = null;
    }
    if (err.data === null) delete err.data;
    this.emitReserved("connect_error", err);
  };
  // _earlyReply handles the reply to the loader's CONNECT (type "40" or
  // "44", data its JSON text), as socket.io-client's Socket.onpacket: a 40
  // with a sid connects the socket (onconnect: id, recovered, connected,
  // then "connect"; the emits made so far stay in the loader's queue until
  // the Go client runs), a 44 is a connect_error with the server's message
  // and data, as the Go client reports it. A 40 without a sid is left to
  // the Go client.
  Socket.prototype._earlyReply = function (type, data) {
    var d;
    try {
      d = data ? JSON.parse(data) : null;
    } catch (e) {
      return;
    }
    if (type === "40") {
      if (!d || typeof d.sid !== "string" || !d.sid) return;
      this._early = { sid: d.sid, left: false, swallow: false };
      this.id = d.sid;
      this.recovered = false; // a first connection: no pid of a previous one
      this.connected = true;
      this._active = true;
      if (!timings.connected) timings.connected = now();
      this.emitReserved("connect");
      return;
    }
    var msg = "",
      errData = null;
    if (d && typeof d === "object") {
      msg = typeof d.message === "string" ? d.message : "";
      if (d.data !== undefined) errData = d.data;
    } else if (typeof d === "string") msg = d;
    this._earlyErr = msg;
    this._active = false;
    this._connectError(msg, JSON.stringify(errData));
  };
  // _lost reports the end of a connection the loader reported (the Go
  // client could not take it over), as socket.io-client reports a lost
  // transport.
  Socket.prototype._lost = function () {
    this.id = undefined;
    this.connected = false;
    this.emitReserved("disconnect", "transport error");
  };
  // _fromBackend receives what the Go client reports.
  Socket.prototype._fromBackend = function (kind, a, b, c, d) {
    var early = this._early;
    switch (kind) {
      case "connect":
        this._earlyErr = null;
        this._retry = false;
        if (early) {
          // The Go client connected: on the session the loader reported
          // (the same sid: already reported, unless the page has left it
          // since; its disconnect is not reported either), or on its own.
          if (a === early.sid && early.left) {
            early.swallow = true;
            break;
          }
          this._early = null;
          if (a === early.sid) {
            this.recovered = !!b;
            break;
          }
          if (!early.left) this._lost();
        }
        this.id = a;
        this.connected = true;
        this.recovered = !!b;
        this._active = true;
        this.emitReserved("connect");
        break;
      case "disconnect":
        this._epoch++; // the acks of the events the loader dispatched are void now
        if (early) {
          this._early = null;
          if (early.swallow) break;
        }
        this.id = undefined;
        this.connected = false;
        this._active = !!b;
        this.emitReserved("disconnect", a);
        break;
      case "connect_error":
        if (this._earlyErr !== null && this._earlyErr !== undefined) {
          var same = this._earlyErr === a;
          this._earlyErr = null;
          if (this._retry) {
            // connect() called since the loader reported the refusal: once
            // the Go client is done with it
            this._retry = false;
            var self = this;
            setTimeout(function () {
              if (!self.connected && self._h) self._h.connect();
            });
          }
          if (same) break; // the refusal the loader reported
        }
        if (early) {
          this._early = null;
          if (!early.left) this._lost();
        }
        this._connectError(a, b);
        break;
      case "event": {
        // a: a Uint8Array whose first b bytes are [name, ...args] as JSON
        // text (reused for the next event: read it now), c: attachments or
        // null, d: ack id or -1
        var args = decode(utf8.decode(a.subarray(0, b)), c);
        this._dispatch(args.shift(), args, d);
        break;
      }
      case "events": {
        // a: a Uint8Array whose first b bytes are [[ackID, name, ...args], ...]
        // as JSON text (reused: read it now), events without attachments
        var evs = JSON.parse(utf8.decode(a.subarray(0, b)));
        for (var i = 0; i < evs.length; i++) {
          var e = evs[i];
          var id = e.shift();
          this._dispatch(e.shift(), e, id);
        }
        break;
      }
      case "manager":
        this.io.emitReserved(a, b);
        break;
    }
  };
  // _dispatch hands an event to the listeners. ackID: -1 without an ack,
  // an id of the backend (>= 0: Go holds the event and its id on the wire),
  // or -2 - the ack id on the wire for an event the loader dispatched itself
  // (receive's fast path): its ack is void once the socket has disconnected,
  // as the backend voids its own, and the loader writes it itself when it
  // can (_sendAck).
  Socket.prototype._dispatch = function (name, args, ackID) {
    if (ackID !== -1) {
      var self = this,
        done = false,
        epoch = this._epoch;
      args.push(function () {
        if (done) return;
        done = true;
        if (ackID < -1 && self._epoch !== epoch) return;
        var e = encode(Array.prototype.slice.call(arguments));
        if (ackID < -1 && !e[1].length && self._sendAck(-2 - ackID, e[0])) return;
        self._toGo();
        var r = self._h ? self._h.ack(ackID, e[0], e[1]) : null;
        if (r instanceof Error) reportError(r);
      });
    }
    if (this._anyIn.length) {
      var any = this._anyIn.slice();
      var all = [name].concat(args);
      for (var i = 0; i < any.length; i++) {
        try {
          any[i].apply(this, all);
        } catch (e) {
          reportError(e);
        }
      }
    }
    // emitReserved(name, ...args) without its copies when there is one
    // listener: this runs for every received event.
    var ls = this._l[name];
    if (!ls) return;
    if (ls.length !== 1) {
      this.emitReserved.apply(this, [name].concat(args));
      return;
    }
    try {
      ls[0].apply(this, args);
    } catch (e) {
      reportError(e);
    }
  };
  Socket.prototype.emit = function (ev) {
    if (RESERVED.hasOwnProperty(ev)) throw new Error('"' + ev + '" is a reserved event name');
    var args = Array.prototype.slice.call(arguments, 1);
    var ack = typeof args[args.length - 1] === "function" ? args.pop() : null;
    var flags = this.flags;
    this.flags = {};
    var timeout = flags.timeout !== undefined ? flags.timeout : this._opts.ackTimeout;
    for (var i = 0; i < this._anyOut.length; i++) this._anyOut[i].apply(this, [ev].concat(args));
    if (flags.volatile && !this.connected) return this;
    var e = encode(args);
    if (!ack && !e[1].length && this._send(ev, e[0])) return this;
    this._call("emit", [ev, e[0], e[1], ack, timeout, !!flags.volatile]);
    return this;
  };
  // _send writes a plain emit (no ack, no attachment; texts: the JSON of
  // each argument) on the Manager's WebSocket itself, as the Go client
  // would write it, when Go would write it at once with nothing of its own
  // before it (_write), and the socket has no Retries (whose queue is Go's).
  // An emit through Go cost the page's main thread 1.6 ms in a profile,
  // this 0.4 ms, as socket.io-client's (docs/browser.md). false: the emit
  // goes through Go.
  Socket.prototype._send = function (ev, texts) {
    if (typeof ev !== "string" || this._opts.retries) return false;
    if (!this._write("42", "[" + JSON.stringify(ev), ",", texts)) return false;
    io.duplex.stats.sent++;
    return true;
  };
  // _sendAck writes the ACK of the event with ack id id, which the loader
  // dispatched itself (texts: the JSON of each argument, no attachment),
  // under _write's conditions: Go would send it at once (client's fastAck,
  // which keeps no state for these events) while the namespace is
  // connected. About 30 µs of main thread against 220 through Go
  // (BenchmarkBrowserAck). false: the ack goes through Go.
  Socket.prototype._sendAck = function (id, texts) {
    if (!this._write("43", id + "[", "", texts)) return false;
    io.duplex.stats.acked++;
    return true;
  };
  // _write writes the packet type + "/nsp," + head + texts (the first
  // preceded by first, the others by ",") + "]" on the Manager's
  // WebSocket, when Go would write it at once with nothing of its own
  // before it: the socket is connected on the Manager's connection (its
  // namespace is listed in the route with this socket as its sink), and
  // the connection is on the WebSocket the route holds with nothing queued
  // in Go (wsync, else fn() says so). false: nothing was written (a text
  // that is not JSON, undefined for one, goes to Go, which reports it).
  Socket.prototype._write = function (type, head, first, texts) {
    var r = this._route;
    if (!r || !r.ws) return false;
    var nsp = this._nsp;
    var sink = r.nsps[nsp];
    if (!sink || sink.socket !== this) return false;
    var frame = (nsp === "/" ? type : type + nsp + ",") + head;
    for (var i = 0; i < texts.length; i++) {
      if (typeof texts[i] !== "string") return false;
      frame += (i ? "," : first) + texts[i];
    }
    if (!r.wsync) {
      // fn() enters Go, which may change the table
      if (r.fn() !== true || r.nsps[nsp] !== sink) return false;
      r.wsync = true;
    }
    if (r.ws.readyState !== 1) return false;
    r.ws.send(frame + "]");
    return true;
  };
  // _toGo is called before a call into Go that may send a packet: the
  // loader's next emit asks Go first (route.wsync).
  Socket.prototype._toGo = function () {
    if (this._route) this._route.wsync = false;
  };
  Socket.prototype.send = function () {
    return this.emit.apply(this, ["message"].concat(Array.prototype.slice.call(arguments)));
  };
  Socket.prototype.write = Socket.prototype.send;
  Socket.prototype._do_emit = function (ev, json, bufs, ack, timeout, volatile) {
    var cb = null;
    if (ack) {
      var withErr = timeout !== undefined;
      cb = function (err, json, bufs) {
        if (err) {
          if (withErr) ack.call(this, new Error(err));
          return; // as socket.io-client: an ack without timeout is dropped
        }
        var args = decode(json, bufs);
        ack.apply(this, withErr ? [null].concat(args) : args);
      };
    }
    // The backend returns an Error instead of throwing across the Go boundary.
    this._toGo();
    var r = this._h.emit(ev, json, bufs, cb, timeout === undefined ? -1 : timeout, volatile);
    if (r instanceof Error) reportError(r);
  };
  Socket.prototype.emitWithAck = function (ev) {
    var self = this;
    var args = Array.prototype.slice.call(arguments, 1);
    var withErr = this.flags.timeout !== undefined || this._opts.ackTimeout !== undefined;
    return new Promise(function (resolve, reject) {
      args.push(function (a1, a2) {
        if (withErr) return a1 ? reject(a1) : resolve(a2);
        return resolve(a1);
      });
      self.emit.apply(self, [ev].concat(args));
    });
  };
  Socket.prototype.timeout = function (ms) {
    this.flags.timeout = ms;
    return this;
  };
  Socket.prototype.compress = function (c) {
    this.flags.compress = c;
    return this;
  };
  Socket.prototype.onAny = function (fn) {
    this._anyIn.push(fn);
    return this;
  };
  Socket.prototype.prependAny = function (fn) {
    this._anyIn.unshift(fn);
    return this;
  };
  Socket.prototype.offAny = function (fn) {
    if (!fn) this._anyIn = [];
    else this._anyIn = this._anyIn.filter(function (f) { return f !== fn; });
    return this;
  };
  Socket.prototype.listenersAny = function () {
    return this._anyIn.slice();
  };
  Socket.prototype.onAnyOutgoing = function (fn) {
    this._anyOut.push(fn);
    return this;
  };
  Socket.prototype.prependAnyOutgoing = function (fn) {
    this._anyOut.unshift(fn);
    return this;
  };
  Socket.prototype.offAnyOutgoing = function (fn) {
    if (!fn) this._anyOut = [];
    else this._anyOut = this._anyOut.filter(function (f) { return f !== fn; });
    return this;
  };
  Socket.prototype.listenersAnyOutgoing = function () {
    return this._anyOut.slice();
  };
  Socket.prototype.connect = Socket.prototype.open = function () {
    if (this._earlyErr !== null && this._earlyErr !== undefined) {
      // Refused on the loader's session (a connect_error handler trying
      // again): the Go client, which has yet to handle that refusal, would
      // take this call for its first attempt: it connects once it has.
      this._retry = true;
      return this;
    }
    if (!backend && !loadError && !this._left) prefetch(this);
    this._call("connect", []);
    return this;
  };
  Socket.prototype._do_connect = function () {
    this._toGo();
    this._h.connect();
  };
  Socket.prototype.disconnect = Socket.prototype.close = function () {
    if (!backend) {
      // Left before the client started: its early CONNECT is not handed over.
      this._left = true;
      if (this._session) this._session.contest();
    }
    var early = this._early;
    if (early && !early.left) {
      // Connected by the loader: disconnected now, as socket.io-client
      // reports it (the Go client, not connected yet, reports nothing).
      early.left = true;
      this._active = false;
      this.id = undefined;
      this.connected = false;
      this._call("disconnect", []);
      this.emitReserved("disconnect", "io client disconnect");
      return this;
    }
    this._call("disconnect", []);
    return this;
  };
  Socket.prototype._do_disconnect = function () {
    this._toGo();
    this._h.disconnect();
  };

  // newRoute returns a table for receive's fast path, one per Go Manager
  // (client/wasm, route.go; the backend uses the one given with the socket
  // that makes the Manager): sinks maps a namespace to the sink of its
  // socket (add), nsps the namespaces whose plain events the loader may
  // dispatch itself (set, by the Manager, as its sockets connect and
  // disconnect); busy is true while what was handed to Go, or the change
  // of the table, may not have reached the page yet.
  //
  // The table also carries what the loader's own emits need (Socket._send):
  // ws, the WebSocket receive last took over for the Manager, and its
  // receive function fn; wsync is true while fn() has said that ws is the
  // connection's transport with nothing of Go's to write before what the
  // loader writes, and nothing may have changed that since (Go clears it
  // when it queues a packet, the loader when it hands Go a call that may
  // send one).
  function newRoute() {
    return {
      nsps: Object.create(null),
      busy: true,
      sinks: Object.create(null),
      ws: null,
      fn: null,
      wsync: false,
      add: function (nsp, sink) {
        this.sinks[nsp] = sink;
        sink.socket._route = this;
      },
      set: function (nsp, on) {
        if (on && this.sinks[nsp]) {
          this.nsps[nsp] = this.sinks[nsp];
          this.busy = true; // what Go holds for nsp goes first
        } else delete this.nsps[nsp];
      },
    };
  }

  // fastEvent reads the prefix of the event frame d ("42..."): null unless
  // its namespace is listed in route and its payload starts right after it,
  // else {nsp, id (the ack id, or -1), json (the payload)}. An ack id longer
  // than 15 digits (beyond what a number holds exactly) goes through Go.
  function fastEvent(route, d) {
    var i = 2,
      nsp = "/";
    if (d.charCodeAt(2) === 47) {
      // "/"
      i = d.indexOf(",", 2);
      if (i < 0) return null;
      nsp = d.slice(2, i);
      i++;
    }
    if (!route.nsps[nsp]) return null;
    var id = -1,
      c = d.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      var start = i;
      id = 0;
      while (c >= 48 && c <= 57) {
        id = id * 10 + (c - 48);
        c = d.charCodeAt(++i);
      }
      if (i - start > 15) return null;
    }
    if (c !== 91) return null; // "[": Go refuses white space before it
    return { nsp: nsp, id: id, json: i ? d.slice(i) : d };
  }

  // io(url?, opts?) as socket.io-client's lookup: the URL's path is the namespace.
  function io(url, opts) {
    if (typeof url === "object" && url !== null) {
      opts = url;
      url = undefined;
    }
    if (url === undefined || url === null) url = global.location ? global.location.origin : "";
    else if (global.location && typeof URL === "function") url = new URL(url, global.location.href).href;
    return new Socket(url, opts);
  }
  io.connect = io;
  io.io = io;
  io.protocol = 5;
  io.Socket = Socket;
  io.Manager = Manager;
  io.duplex = {
    timings: timings,
    take: function (method, url, body) {
      try {
        return take(method, url, body);
      } catch (e) {
        return undefined;
      }
    },
    // stats counts the frames received through receive, the batches (tasks)
    // they came in, the calls into Go that carried them and the frames
    // dispatched without Go (fast);
    // sent counts the emits the loader wrote itself (Socket._send), acked
    // its acks (Socket._sendAck).
    stats: { frames: 0, batches: 0, calls: 0, fast: 0, sent: 0, acked: 0 },
    // receive takes over the message events of the Go client's WebSocket ws
    // (client/engine, websocket_js.go) and passes them to fn in batches: a
    // message event queues the frame and, if none is pending, a task; that
    // task hands every frame queued meanwhile to fn, text frames together as
    // fn(0, bytes, n) (each frame: its UTF-8 length, 4 bytes little-endian,
    // then its bytes; at most about 1 MB per call), a binary frame as
    // fn(1, Uint8Array). Frames that arrive while the page is busy are thus
    // handed over in one call into Go instead of one each. A close or error
    // event first hands over the frames before it.
    //
    // With route (newRoute, the Manager's table), a plain event
    // (42[...], 42<id>[...], 42/nsp,[...], 42/nsp,<id>[...]) of a namespace
    // the table lists is parsed and dispatched here, in its turn: the frames
    // before it are handed to fn first, then, if anything was handed to Go
    // since the last time, fn(2) must say that all of it has reached the
    // page (Go hands over what it holds, and answers false while it is still
    // busy: the event then goes through Go too). Anything else, or an event
    // whose JSON does not parse as [name, ...args] with a name that is not
    // reserved, goes through Go, which reports it as before. fn() says
    // whether the loader may write a frame on ws itself (Socket._send).
    receive: function (ws, fn, route) {
      var stats = io.duplex.stats;
      var pending = [];
      var scheduled = false;
      var enc = new TextEncoder();
      var buf = new Uint8Array(16 << 10);
      function flush() {
        scheduled = false;
        var q = pending;
        pending = [];
        var off = 0;
        var synced = true; // false once fn(2) said no in this batch
        stats.batches++;
        stats.frames += q.length;
        for (var i = 0; i < q.length; i++) {
          if (ws.onmessage !== onmessage) return; // closed by Go
          var d = q[i];
          if (typeof d !== "string") {
            if (off) {
              fn(0, buf, off);
              stats.calls++;
            }
            off = 0;
            if (route) route.busy = true;
            if (ws.onmessage === onmessage) {
              fn(1, new Uint8Array(d));
              stats.calls++;
            }
            continue;
          }
          if (route && synced && d.charCodeAt(1) === 50 && d.charCodeAt(0) === 52) {
            // "42": an event
            var ev = fastEvent(route, d);
            if (ev) {
              if (off) {
                fn(0, buf, off);
                stats.calls++;
                off = 0;
                route.busy = true;
                if (ws.onmessage !== onmessage) return;
              }
              if (route.busy) {
                if (fn(2) === true) route.busy = false;
                else synced = false;
                if (ws.onmessage !== onmessage) return;
              }
              if (!route.busy && dispatch(ev)) continue;
            }
          }
          if (route) route.busy = true;
          var need = off + 4 + d.length * 3; // UTF-8: at most 3 bytes per UTF-16 unit
          if (need > buf.length) {
            var nb = new Uint8Array(Math.max(need, buf.length * 2));
            nb.set(buf.subarray(0, off));
            buf = nb;
          }
          var n = enc.encodeInto(d, buf.subarray(off + 4)).written;
          buf[off] = n & 255;
          buf[off + 1] = (n >>> 8) & 255;
          buf[off + 2] = (n >>> 16) & 255;
          buf[off + 3] = n >>> 24;
          off += 4 + n;
          if (off >= 1 << 20) {
            fn(0, buf, off);
            stats.calls++;
            off = 0;
          }
        }
        if (off && ws.onmessage === onmessage) {
          fn(0, buf, off);
          stats.calls++;
        }
        // Kept for the next batch up to the size a full call needs (a new
        // buffer per batch, grown from small, costs more than the copies).
        if (buf.length > 4 << 20) buf = new Uint8Array(16 << 10);
      }
      // dispatch hands the event ev (fastEvent) to its socket, unless Go
      // must report it (false): its namespace is no longer listed (Go may
      // have changed the table), or its JSON is not [name, ...args] with a
      // name that is not reserved.
      function dispatch(ev) {
        var sink = route.nsps[ev.nsp];
        if (!sink) return false;
        var a;
        try {
          a = JSON.parse(ev.json);
        } catch (e) {
          return false; // Go reports it
        }
        if (!Array.isArray(a) || !a.length || typeof a[0] !== "string" || RESERVED.hasOwnProperty(a[0])) return false;
        stats.fast++;
        sink.socket._dispatch(a.shift(), a, ev.id < 0 ? -1 : -2 - ev.id);
        return true;
      }
      function onmessage(ev) {
        var d = ev.data;
        if (!scheduled && route && !route.busy && typeof d === "string" && d.charCodeAt(1) === 50 && d.charCodeAt(0) === 52) {
          // Nothing queued, nothing on its way through Go: an event the
          // loader dispatches goes at once, as socket.io-client does (a
          // task per batch only pays for the frames that go to Go), and
          // one it does not goes to Go at once, in its turn.
          var e = fastEvent(route, d);
          if (e) {
            if (dispatch(e)) {
              stats.batches++;
              stats.frames++;
              return;
            }
            pending.push(d);
            flush();
            return;
          }
        }
        pending.push(d);
        if (scheduled) return;
        scheduled = true;
        setTimeout(flush, 0);
      }
      function first(h) {
        return function (ev) {
          if (pending.length) flush();
          if (h) return h.call(ws, ev);
        };
      }
      ws.onmessage = onmessage;
      ws.onclose = first(ws.onclose);
      ws.onerror = first(ws.onerror);
      if (route) {
        route.ws = ws;
        route.fn = fn;
        route.wsync = false;
      }
    },
    // ready is called once by the Go wasm client with its backend object.
    ready: function (b) {
      timings.goStarted = now();
      backend = b;
      pending = [];
      var w = waiting;
      waiting = [];
      for (var i = 0; i < w.length; i++) w[i](b);
    },
  };
  global.io = io;

  // ---- load the Go runtime and the client ----
  function fail(err) {
    loadError = err;
    // The sessions opened for the client that did not start end now, not
    // at the server's ping timeout.
    var ss = sessions.slice();
    for (var j = 0; j < ss.length; j++) {
      ss[j].closed = true;
      ss[j]._close();
    }
    if (global.console) console.error("duplex: loading the Socket.IO client failed:", err);
    waiting = [];
    var ps = pending;
    pending = [];
    for (var i = 0; i < ps.length; i++) {
      var sock = ps[i];
      if (sock._earlyErr !== null && sock._earlyErr !== undefined && !sock._retry) continue; // refused by the server: ended
      if (sock._early) {
        // connected by the loader: its connection ends with the load
        var left = sock._early.left;
        sock._early = null;
        sock._active = false;
        if (!left) sock._lost();
      }
      sock._connectError(message(err), "null");
    }
  }
  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = src;
      s.onload = resolve;
      s.onerror = function () {
        // Why: the server's answer (an HTTP error: final), or none (the
        // network: fetch rejects with a TypeError, and the load is retried).
        var why = new Error("cannot load " + src);
        if (typeof fetch !== "function") return reject(why);
        fetch(src, { method: "HEAD", cache: "no-store" }).then(function (r) {
          reject(r.ok ? why : new Error("cannot load " + src + ": HTTP " + r.status));
        }, reject);
      };
      (document.head || document.documentElement).appendChild(s);
    });
  }
  // retryable reports whether a failed load is worth another try: the
  // network failed (fetch rejects with a TypeError), not the server (an HTTP
  // error) or the binary.
  function retryable(err) {
    return err instanceof TypeError;
  }
  var loadRetries = 0;
  // retryLoad handles a load that failed: one that failed for the network
  // (the server restarting while the page loads) is tried again, 0.5 s, 1 s,
  // 2 s... at most 5 s later, without end, as socket.io-client reconnects;
  // the connections the loader opened are lost meanwhile (disconnect
  // "transport error", the sessions closed), and the Go client opens its own
  // once it runs. Any other failure is final (fail).
  function retryLoad(err) {
    if (!retryable(err)) return fail(err);
    if (global.console) console.warn("duplex: loading the Socket.IO client failed, trying again:", message(err));
    var ss = sessions.slice();
    for (var j = 0; j < ss.length; j++) {
      ss[j].closed = true;
      ss[j]._close();
    }
    for (var i = 0; i < pending.length; i++) {
      var sock = pending[i];
      if (!sock._early) continue;
      var left = sock._early.left;
      sock._early = null;
      if (!left) sock._lost();
    }
    var delay = Math.min(5000, 500 * Math.pow(2, loadRetries++));
    setTimeout(function () {
      loadStarted = false;
      load();
    }, delay);
  }
  var wasmURL = base + "client.wasm?v=" + VERSION;
  function bytesOf(r) {
    if (!r.ok) throw new Error("cannot load " + wasmURL + ": HTTP " + r.status);
    return r.arrayBuffer();
  }
  // load fetches, compiles and starts client.wasm, once: on the first io()
  // call, or once the page has been parsed when no io() call comes first.
  // While a session the loader opened is connecting (handshake, CONNECT, the
  // poll that brings the reply), the load waits for its reply (at most
  // holdMax ms): on a page with few cores, fetching and compiling several MB
  // and starting Go take the CPU that handling the connection's responses
  // needs (measured on 2 cores, cold: connect 394 ms held by the load vs 248
  // ms, the first ack unchanged, since the Go client only takes over once it
  // has started either way).
  var loadStarted = false;
  var held = 0;
  var holdMax = 1000;
  // hold holds the load back until the function it returns is called (or
  // holdMax has passed).
  function hold() {
    held++;
    var done = false;
    var release = function () {
      if (done) return;
      done = true;
      if (--held === 0) load();
    };
    setTimeout(release, holdMax);
    return release;
  }
  function load() {
    if (loadStarted || held > 0) return;
    loadStarted = true;
    // Compile while downloading, and while wasm_exec.js loads: compiling needs
    // no imports, only instantiating does.
    var fetched = fetch(wasmURL, { credentials: "same-origin" });
    var compiled = (
      WebAssembly.compileStreaming
        ? WebAssembly.compileStreaming(fetched).catch(function () {
            // Another content type, or an HTTP error: compile from bytes (or say why not).
            return fetch(wasmURL, { credentials: "same-origin" }).then(bytesOf).then(function (b) {
              return WebAssembly.compile(b);
            });
          })
        : fetched.then(bytesOf).then(function (b) {
            return WebAssembly.compile(b);
          })
    ).then(function (m) {
      timings.compiled = now();
      return m;
    });
    var runtime = typeof global.Go === "function" ? Promise.resolve() : loadScript(base + "wasm_exec.js?v=" + VERSION);
    runtime = runtime.then(function () {
      timings.runtimeLoaded = now();
    });
    Promise.all([compiled, runtime])
      .then(function (r) {
        var go = new global.Go();
        return WebAssembly.instantiate(r[0], go.importObject).then(function (instance) {
          timings.instantiated = now();
          // memory: bytes of the wasm linear memory (the Go heap lives there).
          io.duplex.memory = function () {
            return instance.exports.mem.buffer.byteLength;
          };
          go.run(instance).then(function () {
            if (global.console) console.warn("duplex: the Go client exited");
          });
        });
      })
      .catch(retryLoad);
  }
  // A page that calls io() in a script after this one has it called before
  // the load starts (a timer set now can fire between the two scripts).
  if (typeof document !== "undefined" && document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () {
      setTimeout(load, 0);
    });
  } else {
    setTimeout(load, 0);
  }
})(typeof globalThis !== "undefined" ? globalThis : window);
