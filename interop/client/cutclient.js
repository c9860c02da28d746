// socket.io-client 4.8.4 in the setup of the Go client's TestNodePollingCut:
// polling only, through the cutting proxy at argv[2]. Prints "connect
// recovered=<bool>", "disconnect <reason>" and "echo <value>"; emits
// "echo" "held" 700 ms after the first connect (the test arms the proxy on
// the first "connect" line), and exits after the echo arrives.
"use strict";
const { io } = require("socket.io-client");

const socket = io(process.argv[2], { transports: ["polling"], reconnectionDelay: 1500, randomizationFactor: 0 });
let first = true;
socket.on("connect", () => {
  console.log(`connect recovered=${socket.recovered}`);
  if (first) {
    first = false;
    setTimeout(() => socket.emit("echo", "held"), 700);
  }
});
socket.on("disconnect", (reason) => console.log(`disconnect ${reason}`));
socket.on("echo", (v) => {
  console.log(`echo ${v}`);
  setTimeout(() => { socket.disconnect(); process.exit(0); }, 100);
});
setTimeout(() => { console.log("timeout"); process.exit(1); }, 15000);
