// Interop check of the Go Engine.IO server (server/engine) with the official
// engine.io-client. Usage: node engine/client.js <url> <mode> [pings] [serverclose]
//   url:  http://127.0.0.1:PORT (the server is mounted at /engine.io/)
//   mode: websocket | polling | upgrade (transports polling+websocket)
//   pings: if > 0, also wait for that many server pings before closing
//   serverclose: instead of closing, send "close-me" and expect the server to
//     close the session (reason "transport close" on the client)
// The Go side echoes every message. Prints one result per line:
//   open <transport> | upgraded <transport> | echo text <data> |
//   echo binary <hex> | ping <n> | closed <reason> | error <msg>
// and exits 0 when every check passed, 1 otherwise.
"use strict";
const { Socket } = require("engine.io-client");

const [url, mode, pingsArg] = process.argv.slice(2);
const wantPings = Number(pingsArg || 0);
const serverClose = process.argv[5] === "serverclose";
const transports = {
  websocket: ["websocket"],
  polling: ["polling"],
  upgrade: ["polling", "websocket"],
}[mode];
if (!url || !transports) {
  console.log("error usage: client.js <url> websocket|polling|upgrade [pings]");
  process.exit(2);
}

const out = (line) => process.stdout.write(line + "\n");
const fail = (msg) => {
  out("error " + msg);
  process.exit(1);
};
setTimeout(() => fail("timeout"), 20000).unref();

const socket = new Socket(url, { transports, upgrade: mode === "upgrade" });
const received = [];
let pings = 0;
let upgraded = mode !== "upgrade";
let echoed = false;

let done = false;
function maybeDone() {
  if (!done && upgraded && echoed && pings >= wantPings) {
    done = true;
    if (serverClose) {
      socket.send("close-me");
    } else {
      socket.close();
    }
  }
}

function sendAll() {
  socket.send("hello-" + mode);
  socket.send("caf\u00e9 \u{1F600} -free");
  socket.send(Buffer.from([1, 2, 3, 4, 0xff, 0]));
}

socket.on("open", () => {
  out("open " + socket.transport.name);
  if (mode !== "upgrade") sendAll();
});
socket.on("upgrade", (t) => {
  out("upgraded " + t.name);
  upgraded = true;
  sendAll();
});
socket.on("message", (data) => {
  let line;
  if (typeof data === "string") {
    line = "text " + data;
  } else {
    line = "binary " + Buffer.from(data).toString("hex");
  }
  out("echo " + line);
  received.push(line);
  if (received.length === 3) {
    const want = ["text hello-" + mode, "text caf\u00e9 \u{1F600} -free", "binary 01020304ff00"];
    for (let i = 0; i < 3; i++) {
      if (received[i] !== want[i]) fail(`echo ${i}: got ${received[i]}, want ${want[i]}`);
    }
    echoed = true;
    maybeDone();
  }
});
socket.on("ping", () => {
  pings++;
  out("ping " + pings);
  maybeDone();
});
socket.on("error", (err) => fail(String(err && err.message ? err.message : err)));
socket.on("close", (reason) => {
  out("closed " + reason);
  if (!echoed || !upgraded || pings < wantPings) fail("closed early");
  if (serverClose && reason !== "transport close") fail("close reason " + reason);
  // Let the close packet (a POST over polling) reach the server before exiting.
  setTimeout(() => process.exit(0), 300);
});
