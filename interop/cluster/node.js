// A Node socket.io cluster member for duplex's adapter/redis interop tests: an
// official socket.io 4.8 server on a Redis adapter (classic, sharded or
// streams), or a server-less @socket.io/redis-emitter, driven by JSON lines.
//
//   node node.js --mode classic|sharded|streams|emitter --redis HOST:PORT
//                [--port N] [--name n3] [--recovery MS] [--requests-timeout MS]
//                [--subscription-mode dynamic|static|dynamic-private]
//
// stdout: one JSON object per line. The first is {"ready":true,"port":N}
// (port 0 for the emitter); then the replies to the commands, and events:
//   {"ev":"connection","id":..,"name":..}        a client connected
//   {"ev":"disconnect","id":..,"name":..,"reason":..}
//   {"ev":"sse","event":..,"args":[..]}          serverSideEmit received (answered
//                                                 with the node's name when it has an ack)
//   {"ev":"error","msg":..}                      a Redis client error
// stdin: one command per line, {"id":N,"op":...}; each gets {"id":N,"ok":true,
// "result":..} or {"id":N,"ok":false,"error":".."}. Ops (selectors "rooms",
// "except" are arrays, default []; "nsp" picks the namespace, default "/"):
//   emit {event,args,rooms,except,volatile,local}         -> true
//   emitWithAck {event,args,rooms,except,timeout}         -> [ack values] (error on timeout)
//   fetchSockets {rooms,except}                           -> [{id,rooms,data,handshake}]
//   socketsJoin {rooms,except,join} / socketsLeave {rooms,except,leave}
//   disconnectSockets {rooms,except,close}
//   serverSideEmit {event,args}                           -> true
//   serverSideEmitWithAck {event,args}                    -> [responses] (error after --requests-timeout)
//   serverCount {}                                        -> N
//   allRooms {}                                           -> [rooms of every node]
//   exit {}                                               (exits 0)
// Binary values cross JSON as {"$bin":"<base64>"} both ways.
//
// Namespaces "/" and "/admin" have these handlers. Clients: on connection a socket gets data {name, node} (name from the
// handshake query "name") and joins the rooms listed in the query "rooms"
// (comma-separated). A socket's "join"/"leave" events (room, ack) change its
// rooms; "whoami" (ack) answers {id, name, node, rooms}.
"use strict";

const http = require("http");
const readline = require("readline");
const { Server } = require("socket.io");

function arg(name, def) {
  const i = process.argv.indexOf("--" + name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}

const mode = arg("mode", "classic");
const redisAddr = arg("redis", "127.0.0.1:6379");
const port = parseInt(arg("port", "0"), 10);
const name = arg("name", "node");
const recovery = parseInt(arg("recovery", "0"), 10);
const requestsTimeout = parseInt(arg("requests-timeout", "5000"), 10);
const subscriptionMode = arg("subscription-mode", "dynamic");

function out(obj) {
  process.stdout.write(JSON.stringify(obj, replacer) + "\n");
}

function replacer(key, value) {
  if (value && value.type === "Buffer" && Array.isArray(value.data)) {
    return { $bin: Buffer.from(value.data).toString("base64") };
  }
  if (value instanceof ArrayBuffer) {
    return { $bin: Buffer.from(value).toString("base64") };
  }
  return value;
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

function onError(err) {
  out({ ev: "error", msg: String(err && err.message ? err.message : err) });
}

async function redisClients() {
  const url = "redis://" + redisAddr;
  if (mode === "streams") {
    const { createClient } = require("redis5");
    const c = createClient({ url });
    c.on("error", onError);
    await c.connect();
    return [c];
  }
  const { createClient } = require("redis");
  const pub = createClient({ url });
  pub.on("error", onError);
  const sub = pub.duplicate();
  sub.on("error", onError);
  await Promise.all([pub.connect(), sub.connect()]);
  return [pub, sub];
}

function selector(target, cmd) {
  let op = cmd.nsp && cmd.nsp !== "/" ? target.of(cmd.nsp) : target;
  if (cmd.rooms && cmd.rooms.length) op = op.to(cmd.rooms);
  if (cmd.except && cmd.except.length) op = op.except(cmd.except);
  return op;
}

async function main() {
  const clients = await redisClients();
  let io = null;
  let target; // what selectors start from: the namespace or the emitter

  if (mode === "emitter") {
    const { Emitter } = require("@socket.io/redis-emitter");
    target = new Emitter(clients[0]);
  } else {
    let adapter;
    if (mode === "classic") {
      adapter = require("@socket.io/redis-adapter").createAdapter(clients[0], clients[1], { requestsTimeout });
    } else if (mode === "sharded") {
      adapter = require("@socket.io/redis-adapter").createShardedAdapter(clients[0], clients[1], { subscriptionMode });
    } else if (mode === "streams") {
      adapter = require("@socket.io/redis-streams-adapter").createAdapter(clients[0]);
    } else {
      throw new Error("unknown mode " + mode);
    }
    const opts = { adapter };
    if (recovery > 0) {
      opts.connectionStateRecovery = { maxDisconnectionDuration: recovery, skipMiddlewares: true };
    }
    const httpServer = http.createServer();
    io = new Server(httpServer, opts);
    const setup = (nsp) => nsp.on("connection", (socket) => {
      const q = socket.handshake.query;
      if (!socket.recovered) {
        socket.data = { name: q.name || "", node: name };
        if (q.rooms) socket.join(String(q.rooms).split(",").filter(Boolean));
      }
      out({ ev: "connection", nsp: socket.nsp.name, id: socket.id, name: socket.data.name, recovered: socket.recovered });
      socket.on("join", (room, ack) => {
        socket.join(room);
        if (typeof ack === "function") ack(true);
      });
      socket.on("leave", (room, ack) => {
        socket.leave(room);
        if (typeof ack === "function") ack(true);
      });
      socket.on("whoami", (ack) => {
        if (typeof ack === "function") ack({ id: socket.id, name: socket.data.name, node: name, rooms: [...socket.rooms] });
      });
      socket.on("disconnect", (reason) => out({ ev: "disconnect", id: socket.id, name: socket.data.name, reason }));
    });
    for (const n of ["/", "/admin"]) {
      const nsp = io.of(n);
      setup(nsp);
      nsp.on("hello", (...args) => {
        const ack = typeof args[args.length - 1] === "function" ? args.pop() : null;
        out({ ev: "sse", nsp: n, event: "hello", args });
        if (ack) ack(name);
      });
    }
    target = io;
    // SIGTERM: a graceful stop, whose disconnects persist the recovery
    // sessions (SIGKILL would lose them: docs/cluster.md).
    process.on("SIGTERM", () => {
      io.close();
      setTimeout(() => process.exit(0), 300);
    });
    await new Promise((resolve) => httpServer.listen(port, "127.0.0.1", resolve));
  }

  const ops = {
    emit: (c) => {
      let op = selector(target, c);
      if (c.volatile) op = op.volatile;
      if (c.local) op = op.local;
      op.emit(c.event, ...revive(c.args || []));
      return true;
    },
    emitWithAck: (c) => selector(target, c).timeout(c.timeout || 2000).emitWithAck(c.event, ...revive(c.args || [])),
    fetchSockets: async (c) => {
      const sockets = await selector(target, c).fetchSockets();
      return sockets.map((s) => ({ id: s.id, rooms: [...s.rooms], data: s.data, handshake: s.handshake }));
    },
    socketsJoin: (c) => { selector(target, c).socketsJoin(c.join); return true; },
    socketsLeave: (c) => { selector(target, c).socketsLeave(c.leave); return true; },
    disconnectSockets: (c) => { selector(target, c).disconnectSockets(!!c.close); return true; },
    serverSideEmit: (c) => { selector(target, { nsp: c.nsp }).serverSideEmit(c.event, ...revive(c.args || [])); return true; },
    serverSideEmitWithAck: (c) => selector(target, { nsp: c.nsp }).serverSideEmitWithAck(c.event, ...revive(c.args || [])), // bounded by --requests-timeout
    serverCount: (c) => target.of(c.nsp || "/").adapter.serverCount(),
    allRooms: async (c) => [...(await target.of(c.nsp || "/").adapter.allRooms())],
    exit: () => { setImmediate(() => process.exit(0)); return true; },
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
  rl.on("close", () => process.exit(0));
  out({ ready: true, port: io ? io.httpServer.address().port : 0, mode, name });
}

process.on("unhandledRejection", (err) => {
  onError(err);
});

main().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err) + "\n");
  process.exit(1);
});
