// A Node socket.io cluster member instrumented by @socket.io/admin-ui, for
// duplex's multi-node Admin UI test (adapter/redis/internal/admincluster): an
// official socket.io 4.8 server on a Redis adapter (classic or streams) with
// instrument() of @socket.io/admin-ui 0.5.1 (from interop/admin).
//
//   ADMIN_HASH=<bcrypt hash> node cluster/admin-node.js --mode classic|streams
//        --redis HOST:PORT --name SERVER_ID
//
// stdout: "listening <port>" once the server listens.
"use strict";

const http = require("http");
const path = require("path");
const { Server } = require("socket.io");
const { instrument } = require(path.join(__dirname, "..", "admin", "node_modules", "@socket.io", "admin-ui"));

function arg(name, def) {
  const i = process.argv.indexOf("--" + name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : def;
}

const mode = arg("mode", "streams");
const url = "redis://" + arg("redis", "127.0.0.1:6379");
const name = arg("name", "node");

async function adapter() {
  if (mode === "streams") {
    const c = require("redis5").createClient({ url });
    c.on("error", (e) => console.error("redis:", e.message));
    await c.connect();
    return require("@socket.io/redis-streams-adapter").createAdapter(c);
  }
  if (mode === "classic") {
    const pub = require("redis").createClient({ url });
    pub.on("error", (e) => console.error("redis:", e.message));
    const sub = pub.duplicate();
    sub.on("error", (e) => console.error("redis:", e.message));
    await Promise.all([pub.connect(), sub.connect()]);
    return require("@socket.io/redis-adapter").createAdapter(pub, sub);
  }
  throw new Error("unknown mode " + mode);
}

async function main() {
  const httpServer = http.createServer();
  const io = new Server(httpServer, { adapter: await adapter() });
  instrument(io, {
    auth: { type: "basic", username: "admin", password: process.env.ADMIN_HASH },
    serverId: name,
    mode: "development",
  });
  await new Promise((resolve) => httpServer.listen(0, "127.0.0.1", resolve));
  console.log("listening " + httpServer.address().port);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
