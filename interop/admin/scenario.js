// One scripted run against a server instrumented for the Admin UI, seen
// through the admin protocol as the UI sees it (socket.io-client on the
// admin namespace). Prints one JSON line: what the admin saw, with the ids
// replaced by the clients' names, so that runs against two servers compare.
// Usage: node admin/scenario.js http://127.0.0.1:port password
"use strict";
const { io } = require("socket.io-client");

const [url, password] = process.argv.slice(2);
const timeout = setTimeout(() => { console.error("timeout"); process.exit(1); }, 30000);

function connect(path, opts) {
  return new Promise((resolve, reject) => {
    const s = io(url + path, Object.assign({ forceNew: true, reconnection: false }, opts));
    s.once("connect", () => resolve(s));
    s.once("connect_error", reject);
  });
}

function waitFor(events, name, pred) {
  return new Promise((resolve) => {
    const check = () => {
      const i = events.findIndex((e) => e[0] === name && (!pred || pred(e.slice(1))));
      if (i >= 0) { const e = events[i]; events.splice(i, 1); resolve(e.slice(1)); return true; }
      return false;
    };
    if (check()) return;
    const t = setInterval(() => { if (check()) clearInterval(t); }, 10);
  });
}

(async () => {
  // The scripted clients: ws on "/", polling only on "/", ws on "/chat".
  const ws = await connect("/", { transports: ["websocket"] });
  const poll = await connect("/", { transports: ["polling"], upgrade: false });
  const chat = await connect("/chat", { transports: ["websocket"] });
  await ws.emitWithAck("hello", "world");
  const names = { [ws.id]: "ws", [poll.id]: "poll", [chat.id]: "chat" };

  // A wrong password is refused.
  let refused = "";
  await connect("/admin", { auth: { username: "admin", password: "wrong" } }).catch((e) => { refused = e.message; });

  const events = [];
  const admin = io(url + "/admin", { forceNew: true, reconnection: false, transports: ["websocket"],
    auth: { username: "admin", password } });
  admin.onAny((...args) => events.push(args));
  const [config] = await waitFor(events, "config");
  const [session] = await waitFor(events, "session");
  const [all] = await waitFor(events, "all_sockets");
  const [stats] = await waitFor(events, "server_stats", ([s]) => s.clientsCount === 4);
  names[admin.id] = "admin";

  const view = (s) => ({
    name: names[s.id] || "?",
    nsp: s.nsp,
    transport: s.transport,
    rooms: s.rooms.map((r) => names[r] ? "<own>" : r).sort(),
    clientIdShared: s.clientId === (all.find((o) => o.id !== s.id && o.clientId === s.clientId) || {}).clientId,
  });

  // Commands, filtered on one socket: poll joins vip, leaves it, chat is disconnected.
  admin.emit("join", "/", "vip", poll.id);
  const joined = await waitFor(events, "room_joined", ([nsp, room]) => room === "vip");
  admin.emit("leave", "/", "vip", poll.id);
  const left = await waitFor(events, "room_left", ([nsp, room]) => room === "vip");
  const got = new Promise((resolve) => ws.once("news", resolve));
  admin.emit("emit", "/", "lobby", "news", "for the lobby");
  const news = await got;
  const chatReason = new Promise((resolve) => chat.once("disconnect", resolve));
  admin.emit("_disconnect", "/chat", false, chat.id);
  const [dnsp, did, dreason] = await waitFor(events, "socket_disconnected", ([nsp]) => nsp === "/chat");
  const clientReason = await chatReason;
  ws.emit("hello", "again");
  const [rnsp, rid, rargs] = await waitFor(events, "event_received", ([nsp, id, args]) => args[1] === "again");
  const [stats2] = await waitFor(events, "server_stats", ([s]) => s.aggregatedEvents.some((e) => e.type === "packetsIn"));

  // The session id logs in without the password.
  const again = await connect("/admin", { auth: { sessionId: session } }).then(() => "ok", (e) => e.message);

  const out = {
    refused,
    features: config.supportedFeatures.slice().sort(),
    sockets: all.map(view).sort((a, b) => (a.nsp + a.name).localeCompare(b.nsp + b.name)),
    stats: {
      keys: Object.keys(stats).sort(),
      serverId: stats.serverId,
      clientsCount: stats.clientsCount,
      pollingClientsCount: stats.pollingClientsCount,
      namespaces: stats.namespaces.slice().sort((a, b) => a.name.localeCompare(b.name)),
      // The types every run has (disconnections depend on timing).
      aggregatedTypes: [...new Set(stats.aggregatedEvents.concat(stats2.aggregatedEvents).map((e) => e.type))]
        .filter((t) => t !== "rawDisconnection").sort(),
    },
    joined: [joined[0], joined[1], names[joined[2]], typeof joined[3]],
    left: [left[0], left[1], names[left[2]]],
    news,
    disconnected: [dnsp, names[did], dreason, clientReason],
    received: [rnsp, names[rid], rargs],
    sessionLogin: again,
  };
  console.log(JSON.stringify(out));
  clearTimeout(timeout);
  process.exit(0);
})().catch((e) => { console.error(e); process.exit(1); });
