// Drives the Go Socket.IO server (package server) with the official
// socket.io-client@4.8.4. Usage: node server/client.js <url> <scenario> [transport]
// transport: websocket | polling | upgrade (default upgrade); the "many"
// scenario also takes "mixed" (the three in turn, one per client). Prints one line
// per observation ("<key> <json>") for the Go test to check; exits 1 on a
// failure. It waits for events, never for a time: the Go test bounds the run
// (runClient's context) and kills the process when it hangs.
"use strict";
const { io } = require("socket.io-client");

const [url, scenario, mode = "upgrade"] = process.argv.slice(2);
const modes = { websocket: ["websocket"], polling: ["polling"], upgrade: ["polling", "websocket"] };
const transports = modes[mode];

function out(key, value) { console.log(key + " " + JSON.stringify(value === undefined ? null : value)); }
function hex(b) { return Buffer.from(b).toString("hex"); }
function connect(nsp = "/", opts = {}) {
  return io(url + nsp, Object.assign({ transports, forceNew: true, reconnection: false }, opts));
}
function once(sock, ev) { return new Promise((resolve) => sock.once(ev, (...a) => resolve(a))); }
function done() { out("done"); setTimeout(() => process.exit(0), 50); }

const scenarios = {
  async basic() {
    const s = connect();
    s.on("ask", (n, cb) => cb(n + 1));
    s.on("binsrv", (b, o) => out("binsrv", [hex(b), hex(o.nested[0]), o.text]));
    const askedP = once(s, "asked");
    const [w] = await Promise.all([once(s, "welcome"), once(s, "connect")]);
    out("welcome", w);
    out("id", typeof s.id === "string" && s.id.length === 20);
    const a = await new Promise((r) => s.emit("hello", "x", 1, (...args) => r(args)));
    out("hello-ack", a);
    out("hello-ack2", await s.emitWithAck("hello", "y"));
    const b = await s.emitWithAck("bin", Buffer.from([1, 2, 3]), { nested: [Buffer.from([4, 5])] });
    out("bin-ack", [hex(b.buf), hex(b.nested[0]), b.len]);
    const [asked] = await askedP;
    out("asked", asked);
    s.emit("binsrv-please");
    await once(s, "binsrv");
    if (mode === "upgrade") {
      for (let i = 0; i < 100 && s.io.engine.transport.name !== "websocket"; i++) await new Promise((r) => setTimeout(r, 50));
    }
    out("transport", s.io.engine.transport.name);
    // Events after the upgrade (or on the only transport).
    out("after", await s.emitWithAck("hello", "z"));
    s.disconnect();
    done();
  },

  // Binary inside objects, both ways: socket.io-client's "should send binary
  // data (as an ArrayBuffer) mixed with json" against a server decoding into
  // a map, and a server sending []byte fields of a struct, in an event and an ack.
  async binary() {
    const s = connect();
    await once(s, "connect");
    const ackP = once(s, "jsonbuff-ack");
    s.emit("jsonbuff", { hello: "lol", message: new Uint8Array([1, 2]).buffer, goodbye: "gotcha" });
    out("jsonbuff-ack", (await ackP)[0]);
    const fileP = once(s, "file");
    const reply = await s.emitWithAck("file-please");
    const [f] = await fileP;
    const desc = (x) => ({ name: x.name, isBuffer: Buffer.isBuffer(x.data), data: hex(x.data), parts: x.parts.map(hex) });
    out("file", desc(f));
    out("file-ack", desc(reply));
    s.disconnect();
    done();
  },

  async namespaces() {
    const admin = connect("/admin");
    await once(admin, "connect");
    out("admin", await admin.emitWithAck("whoami"));
    const nope = connect("/nope");
    const [e1] = await once(nope, "connect_error");
    out("nope", e1.message);
    const bad = connect("/auth", { auth: { token: "bad" } });
    const [e2] = await once(bad, "connect_error");
    out("auth-refused", { message: e2.message, data: e2.data });
    const good = connect("/auth", { auth: { token: "ok" } });
    await once(good, "connect");
    out("auth-ok", await good.emitWithAck("auth"));
    const dyn = connect("/dyn-42");
    await once(dyn, "connect");
    out("dyn", await dyn.emitWithAck("name"));
    // Several namespaces over one Engine.IO session (multiplexing).
    const m = io(url + "/", { transports });
    const m2 = io(url + "/admin", { transports });
    await Promise.all([once(m, "connect"), once(m2, "connect")]);
    out("multiplexed", m.io === m2.io);
    out("mux-admin", await m2.emitWithAck("whoami"));
    for (const x of [admin, nope, bad, good, dyn, m, m2]) x.disconnect();
    done();
  },

  async rooms() {
    const socks = [connect(), connect(), connect()];
    await Promise.all(socks.map((s) => once(s, "connect")));
    const got = socks.map(() => []);
    socks.forEach((s, i) => s.on("news", (m) => got[i].push(m)));
    await socks[0].emitWithAck("join", "red");
    await socks[1].emitWithAck("join", "red");
    await socks[2].emitWithAck("join", "blue");
    await socks[0].emitWithAck("shout", "red", "r1"); // to red, except the sender
    await socks[2].emitWithAck("all-but", "red", "b1"); // everyone except red
    await socks[1].emitWithAck("everyone", "e1");
    // A broadcast to a socket is written before the server answers its next
    // request: one round trip each, and every broadcast has arrived.
    await Promise.all(socks.map((s) => s.emitWithAck("sync")));
    out("got", got);
    socks.forEach((s) => s.disconnect());
    done();
  },

  async broadcastack() {
    const socks = [connect(), connect(), connect()];
    await Promise.all(socks.map((s) => once(s, "connect")));
    socks.forEach((s, i) => s.on("q", (x, cb) => cb(x + i)));
    out("answers", await socks[0].emitWithAck("collect"));
    socks.forEach((s) => s.disconnect());
    done();
  },

  async volatile() {
    const s = connect();
    await once(s, "connect");
    const got = [];
    s.on("v", (n) => got.push(n));
    s.emit("go");
    await once(s, "end");
    out("volatile-got-some", got.length > 0);
    s.disconnect();
    done();
  },

  async disconnects() {
    // Server-side namespace disconnect.
    const a = connect();
    await once(a, "connect");
    a.emit("kick");
    const [r1] = await once(a, "disconnect");
    out("kick", r1);
    // Client-side disconnect.
    const b = connect();
    await once(b, "connect");
    const bp = once(b, "disconnect");
    b.disconnect();
    const [r2] = await bp;
    out("client", r2);
    // Server closes the whole session.
    const c = connect();
    await once(c, "connect");
    c.emit("close");
    const [r3] = await once(c, "disconnect");
    out("close", r3);
    // The server closes the Engine.IO session itself.
    const e = connect();
    await once(e, "connect");
    e.emit("conn-close");
    const [r5] = await once(e, "disconnect");
    out("forced", r5);
    // Client closes the transport.
    const d = connect();
    await once(d, "connect");
    const dp = once(d, "disconnect");
    d.io.engine.close();
    const [r4] = await dp;
    out("transport", r4);
    done();
  },

  async recovery() {
    const s = io(url, { transports, reconnectionDelay: 100, reconnectionDelayMax: 200 });
    const got = [];
    const first = once(s, "e"); // at least one event, so the client has an offset
    s.on("e", (...a) => got.push(a[0]));
    await once(s, "connect");
    const id = s.id;
    out("first-recovered", s.recovered);
    await first;
    await s.emitWithAck("join", "room1");
    s.emit("ready");
    await once(s, "closing-soon");
    const again = once(s, "connect");
    s.io.engine.close(); // forced transport close: recoverable
    await again;
    out("recovered", s.recovered);
    out("same-id", s.id === id);
    // The missed events come with the CONNECT reply, before the answer to
    // this request.
    const rooms = await s.emitWithAck("rooms");
    out("got", got);
    out("rooms", rooms);
    s.disconnect();
    done();
  },

  async many() {
    const n = 200;
    const socks = [];
    const kinds = Object.keys(modes);
    for (let i = 0; i < n; i++) {
      socks.push(mode === "mixed" ? connect("/", { transports: modes[kinds[i % kinds.length]] }) : connect());
    }
    await Promise.all(socks.map((s) => once(s, "connect")));
    const acks = await Promise.all(socks.map((s, i) => s.emitWithAck("echo", i)));
    out("acks-ok", acks.every((a, i) => a === i));
    const all = Promise.all(socks.map((s) => once(s, "all")));
    socks[0].emit("bcast");
    const got = await all;
    out("bcast-ok", got.length === n && got.every((a) => a[0] === "hi"));
    // A second round of acks, after the upgrades of the "upgrade" clients.
    const acks2 = await Promise.all(socks.map((s, i) => s.emitWithAck("echo", { i })));
    out("acks2-ok", acks2.every((a, i) => a.i === i));
    const names = {};
    for (const s of socks) names[s.io.engine.transport.name] = (names[s.io.engine.transport.name] || 0) + 1;
    out("transports", names);
    socks.forEach((s) => s.disconnect());
    // Stay alive until the server has seen every disconnect (exiting at once
    // would cut the polling requests that carry them).
    const w = connect("/", { transports: ["websocket"] });
    await once(w, "connect");
    out("drained", await w.emitWithAck("drained"));
    w.disconnect();
    done();
  },
};

scenarios[scenario]().catch((e) => { console.log("error " + JSON.stringify(String(e && e.stack || e))); process.exit(1); });
