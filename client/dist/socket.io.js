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

  // ---- the handshake, started while client.wasm loads ----
  // The Engine.IO polling handshake (a GET that opens the session) does not
  // depend on the Go client: the loader sends it as soon as io() is called
  // before the client has started, and the client's first request for the
  // same URL (client/engine, polling_js.go) takes this response instead of
  // sending its own, so that the round trip overlaps the download and
  // compile of client.wasm.
  var handshakes = []; // [key, Promise<Response>]
  function handshakeKey(href) {
    var u = new URL(href, global.location ? global.location.href : undefined);
    u.searchParams.delete("t");
    u.searchParams.sort();
    return u.origin + u.pathname + "?" + u.searchParams.toString();
  }
  function prefetchHandshake(url, opts) {
    try {
      var ts = opts.transports;
      if (ts && ts.length && ts[0] !== "polling") return;
      if (typeof fetch !== "function" || typeof URL !== "function") return;
      var where = endpoint(url, opts);
      var path = typeof opts.path === "string" && opts.path ? opts.path : "/socket.io/";
      if (path.charAt(path.length - 1) !== "/") path += "/";
      if (path.charAt(0) !== "/") path = "/" + path;
      var u = new URL(where[0]);
      u.pathname = path;
      u.searchParams.set("EIO", "4");
      u.searchParams.set("transport", "polling");
      var key = handshakeKey(u.href);
      u.searchParams.set("t", Date.now().toString(36) + Math.random().toString(36).slice(2, 6));
      var p = fetch(u.href, { method: "GET", cache: "no-store" });
      p.catch(function () {}); // the client reports the failure when it takes it
      handshakes.push([key, p]);
    } catch (e) {
      // a bad URL: the Go client reports it
    }
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
        return { name: self._h ? self._h.transport() || undefined : undefined };
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
    this._queue = []; // [method, args] made before the backend was ready
    this._h = null;
    if (loadError) {
      setTimeout(function () {
        self._connectError(message(loadError), "null");
      });
      return;
    }
    if (!backend) {
      pending.push(this);
      prefetchHandshake(url, opts);
    }
    whenReady(function (b) {
      try {
        var where = endpoint(url, self._opts);
        self._h = b.socket(
          where[0],
          where[1],
          backendOptions(self._opts),
          function () {
            self._fromBackend.apply(self, arguments);
          },
          function (cb) {
            var a = self.auth;
            if (typeof a === "function") a(cb);
            else cb(a === undefined ? null : a);
          }
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
  // _fromBackend receives what the Go client reports.
  Socket.prototype._fromBackend = function (kind, a, b, c, d) {
    switch (kind) {
      case "connect":
        this.id = a;
        this.connected = true;
        this.recovered = !!b;
        this._active = true;
        this.emitReserved("connect");
        break;
      case "disconnect":
        this.id = undefined;
        this.connected = false;
        this._active = !!b;
        this.emitReserved("disconnect", a);
        break;
      case "connect_error":
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
  Socket.prototype._dispatch = function (name, args, ackID) {
    if (ackID >= 0) {
      var self = this,
        done = false;
      args.push(function () {
        if (done) return;
        done = true;
        var e = encode(Array.prototype.slice.call(arguments));
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
    this._call("emit", [ev, e[0], e[1], ack, timeout, !!flags.volatile]);
    return this;
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
    this._call("connect", []);
    return this;
  };
  Socket.prototype._do_connect = function () {
    this._h.connect();
  };
  Socket.prototype.disconnect = Socket.prototype.close = function () {
    this._call("disconnect", []);
    return this;
  };
  Socket.prototype._do_disconnect = function () {
    this._h.disconnect();
  };

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
    // takeHandshake returns, once, the response promise of a handshake the
    // loader sent for url (its t parameter aside), or undefined.
    takeHandshake: function (url) {
      var key;
      try {
        key = handshakeKey(url);
      } catch (e) {
        return undefined;
      }
      for (var i = 0; i < handshakes.length; i++) {
        if (handshakes[i][0] === key) return handshakes.splice(i, 1)[0][1];
      }
      return undefined;
    },
    // stats counts the frames received through receive, the batches (tasks)
    // they came in and the calls into Go that carried them.
    stats: { frames: 0, batches: 0, calls: 0 },
    // receive takes over the message events of the Go client's WebSocket ws
    // (client/engine, websocket_js.go) and passes them to fn in batches: a
    // message event queues the frame and, if none is pending, a task; that
    // task hands every frame queued meanwhile to fn, text frames together as
    // fn(0, bytes, n) (each frame: its UTF-8 length, 4 bytes little-endian,
    // then its bytes; at most about 1 MB per call), a binary frame as
    // fn(1, Uint8Array). Frames that arrive while the page is busy are thus
    // handed over in one call into Go instead of one each. A close or error
    // event first hands over the frames before it.
    receive: function (ws, fn) {
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
            if (ws.onmessage === onmessage) {
              fn(1, new Uint8Array(d));
              stats.calls++;
            }
            continue;
          }
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
      function onmessage(ev) {
        pending.push(ev.data);
        if (!scheduled) {
          scheduled = true;
          setTimeout(flush, 0);
        }
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
    if (global.console) console.error("duplex: loading the Socket.IO client failed:", err);
    waiting = [];
    var ps = pending;
    pending = [];
    for (var i = 0; i < ps.length; i++) ps[i]._connectError(message(err), "null");
  }
  function loadScript(src) {
    return new Promise(function (resolve, reject) {
      var s = document.createElement("script");
      s.src = src;
      s.onload = resolve;
      s.onerror = function () {
        reject(new Error("cannot load " + src));
      };
      (document.head || document.documentElement).appendChild(s);
    });
  }
  var wasmURL = base + "client.wasm?v=" + VERSION;
  function bytesOf(r) {
    if (!r.ok) throw new Error("cannot load " + wasmURL + ": HTTP " + r.status);
    return r.arrayBuffer();
  }
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
    .catch(fail);
})(typeof globalThis !== "undefined" ? globalThis : window);
