// The Node side of the cluster benchmark (duplexbench -scenarios cluster): the
// contract of server.js on the pinned socket.io@4.8.4 (websocket transport
// only) joined to a Redis cluster by the pinned adapters of interop/cluster,
// plus "pbcast", as bench/clusterserver answers it.
//
//   node cluster.js --mode streams|classic|sharded|none --redis HOST:PORT
//
// Prints "listening <port>" once the adapter's subscriptions are made.
//   pbcast({count,size,interval,room?}, ack) -> emit "msg" count times, one
//       every interval ms; each message is a size-byte string starting with
//       its emit time (19 digits of Unix nanoseconds) padded with "x"; ack()
//       after the last.
"use strict";
const path = require("path");
const http = require("http");
const mods = path.join(__dirname, "..", "..", "interop", "cluster", "node_modules");
const need = (name) => require(path.join(mods, name));
const { Server } = need("socket.io");

function arg(name, def) {
  const i = process.argv.indexOf("--" + name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}
const mode = arg("mode", "none");
const url = "redis://" + arg("redis", "127.0.0.1:6379");
const clamp = (v, hi) => Math.max(0, Math.min(Number(v) || 0, hi));

// The emit time in Unix nanoseconds, 19 digits (performance.now() keeps
// sub-millisecond precision; Date.now() has none).
function stamp() {
  const ns = BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6));
  return ns.toString().padStart(19, "0");
}

async function adapter() {
  const fail = (err) => { process.stderr.write("redis: " + err + "\n"); process.exit(1); };
  if (mode === "none") return undefined;
  if (mode === "streams") {
    const c = need("redis5").createClient({ url });
    c.on("error", fail);
    await c.connect();
    return need("@socket.io/redis-streams-adapter").createAdapter(c);
  }
  const pub = need("redis").createClient({ url });
  pub.on("error", fail);
  const sub = pub.duplicate();
  sub.on("error", fail);
  await Promise.all([pub.connect(), sub.connect()]);
  const ra = need("@socket.io/redis-adapter");
  if (mode === "classic") return ra.createAdapter(pub, sub);
  if (mode === "sharded") return ra.createShardedAdapter(pub, sub);
  throw new Error("unknown mode " + mode);
}

async function main() {
  const opts = { transports: ["websocket"], serveClient: false };
  const a = await adapter();
  if (a) opts.adapter = a;
  const httpServer = http.createServer();
  const io = new Server(httpServer, opts);
  io.on("connection", (socket) => {
    socket.on("echo", (...args) => {
      const ack = args.pop();
      if (typeof ack === "function") ack(...args);
    });
    socket.on("join", (room, ack) => {
      socket.join(String(room));
      if (typeof ack === "function") ack();
    });
    socket.on("bcast", (o, ack) => {
      const count = clamp(o && o.count, 1e6);
      const s = "x".repeat(clamp(o && o.size, 1e6));
      const target = o && o.room ? io.to(String(o.room)) : io;
      for (let i = 0; i < count; i++) target.emit("msg", s);
      if (typeof ack === "function") ack();
    });
    socket.on("pbcast", (o, ack) => {
      const count = clamp(o && o.count, 1e5);
      const pad = "x".repeat(Math.max(0, clamp(o && o.size, 1e6) - 19));
      const every = clamp(o && o.interval, 1000);
      const target = o && o.room ? io.to(String(o.room)) : io;
      let sent = 0;
      const one = () => {
        if (sent >= count) {
          if (typeof ack === "function") ack();
          return;
        }
        target.emit("msg", stamp() + pad);
        sent++;
        setTimeout(one, sent >= count ? 0 : every);
      };
      one();
    });
  });
  // Wait for the adapter's subscriptions (the "sub" connection's commands
  // are queued after them).
  if (a && mode !== "streams") await new Promise((r) => setTimeout(r, 200));
  httpServer.listen(0, "127.0.0.1", () => {
    process.stdout.write(`listening ${httpServer.address().port}\n`);
  });
  const stop = () => { io.close(); process.exit(0); };
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((err) => {
  process.stderr.write(String(err && err.stack ? err.stack : err) + "\n");
  process.exit(1);
});
