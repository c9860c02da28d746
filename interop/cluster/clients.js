// Official socket.io-client 4.8 clients for duplex's adapter/redis interop
// tests, driven by JSON lines (one process holds many clients).
//
//   node clients.js
//
// stdin: one command per line, {"id":N,"op":...}; each gets {"id":N,"ok":true,
// "result":..} or {"id":N,"ok":false,"error":".."} on stdout. Ops:
//   connect {name,url,rooms,transports,query,localAddress}  -> {id} once connected
//        (query gets name and rooms, comma-joined; transports default
//        ["polling","websocket"]; the client answers every event that has an
//        ack with {name})
//   emit {name,event,args}                    -> true
//   emitWithAck {name,event,args,timeout}     -> the ack's value
//   close {name}                              -> true
//   state {name}                              -> {connected,id,recovered,transport}
//   exit {}
// stdout events:
//   {"ev":"event","name":..,"event":..,"args":[..],"sid":..}  an event received
//   {"ev":"connect","name":..,"sid":..,"recovered":bool}      every (re)connection
//   {"ev":"disconnect","name":..,"reason":..}
//   {"ev":"connect_error","name":..,"msg":..}
// Binary values cross JSON as {"$bin":"<base64>"} both ways.
"use strict";

const http = require("http");
const readline = require("readline");
const { io } = require("socket.io-client");

function replacer(key, value) {
  if (value && value.type === "Buffer" && Array.isArray(value.data)) {
    return { $bin: Buffer.from(value.data).toString("base64") };
  }
  if (value instanceof ArrayBuffer) {
    return { $bin: Buffer.from(value).toString("base64") };
  }
  return value;
}

function out(obj) {
  process.stdout.write(JSON.stringify(obj, replacer) + "\n");
}

function revive(v) {
  if (Array.isArray(v)) return v.map(revive);
  if (v && typeof v === "object") {
    if (typeof v.$bin === "string" && Object.keys(v).length === 1) {
      return Buffer.from(v.$bin, "base64");
    }
    const o = {};
    for (const k of Object.keys(v)) o[k] = revive(v[k]);
    return o;
  }
  return v;
}

const sockets = new Map();

function get(name) {
  const s = sockets.get(name);
  if (!s) throw new Error("no client " + name);
  return s;
}

const ops = {
  connect: (c) =>
    new Promise((resolve, reject) => {
      if (sockets.has(c.name)) throw new Error("client exists: " + c.name);
      const query = Object.assign({}, c.query || {}, { name: c.name, rooms: (c.rooms || []).join(",") });
      const s = io(c.url, {
        transports: c.transports || ["polling", "websocket"],
        query,
        forceNew: true,
        reconnectionDelay: 100,
        reconnectionDelayMax: 500,
        // From a given local address (127.0.0.x), to test address stickiness.
        agent: c.localAddress ? new http.Agent({ localAddress: c.localAddress, keepAlive: true }) : undefined,
      });
      sockets.set(c.name, s);
      let first = true;
      s.onAny((event, ...args) => {
        const last = args[args.length - 1];
        if (typeof last === "function") {
          args.pop();
          last({ name: c.name });
        }
        out({ ev: "event", name: c.name, event, args, sid: s.id });
      });
      s.on("connect", () => {
        out({ ev: "connect", name: c.name, sid: s.id, recovered: !!s.recovered });
        if (first) {
          first = false;
          resolve({ id: s.id });
        }
      });
      s.on("disconnect", (reason) => out({ ev: "disconnect", name: c.name, reason }));
      s.on("connect_error", (err) => {
        out({ ev: "connect_error", name: c.name, msg: err.message });
      });
      setTimeout(() => {
        if (first) reject(new Error("client " + c.name + " did not connect to " + c.url));
      }, c.timeout || 10000);
    }),
  emit: (c) => {
    get(c.name).emit(c.event, ...revive(c.args || []));
    return true;
  },
  emitWithAck: (c) => get(c.name).timeout(c.timeout || 2000).emitWithAck(c.event, ...revive(c.args || [])),
  close: (c) => {
    get(c.name).close();
    sockets.delete(c.name);
    return true;
  },
  state: (c) => {
    const s = get(c.name);
    return { connected: s.connected, id: s.id, recovered: !!s.recovered, transport: s.io.engine && s.io.engine.transport ? s.io.engine.transport.name : "" };
  },
  exit: () => {
    for (const s of sockets.values()) s.close();
    setImmediate(() => process.exit(0));
    return true;
  },
};

const rl = readline.createInterface({ input: process.stdin });
rl.on("line", async (line) => {
  let c;
  try {
    c = JSON.parse(line);
  } catch (err) {
    out({ ok: false, error: "bad command: " + err.message });
    return;
  }
  try {
    const fn = ops[c.op];
    if (!fn) throw new Error("unknown op " + c.op);
    out({ id: c.id, ok: true, result: await fn(c) });
  } catch (err) {
    out({ id: c.id, ok: false, error: String(err && err.message ? err.message : err) });
  }
});
rl.on("close", () => {
  for (const s of sockets.values()) s.close();
  process.exit(0);
});
out({ ready: true });
