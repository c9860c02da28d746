// Cross-checks duplex's adapter/redis/internal/notepack against notepack.io.
//
//   node notepack.js < cases
//
// stdin: JSON lines, stdout: one JSON line per input line.
//   {"op":"encode","js":"<JavaScript expression>"} -> {"ok":true,"hex":"..."}
//   {"op":"decode","hex":"..."}                      -> {"ok":true,"desc":...} or {"ok":false,"error":".."}
// desc describes a decoded value without losing what JSON would lose:
//   null, true/false and strings as themselves; {"$":"undef"};
//   {"$":"num","v":"<String(n)>"} ("-0" for negative zero);
//   {"$":"buf","hex":..} (Buffer); {"$":"ab","hex":..} (ArrayBuffer);
//   {"$":"date","v":"<String(getTime())>"}; arrays as arrays of descs;
//   {"$":"obj","kv":[[key,desc],...]} (Object.keys order).
"use strict";

const readline = require("readline");
const notepack = require("notepack.io");

function describe(v) {
  if (v === null) return null;
  if (v === undefined) return { $: "undef" };
  if (typeof v === "boolean" || typeof v === "string") return v;
  if (typeof v === "number") return { $: "num", v: Object.is(v, -0) ? "-0" : String(v) };
  if (Buffer.isBuffer(v)) return { $: "buf", hex: v.toString("hex") };
  if (v instanceof ArrayBuffer) return { $: "ab", hex: Buffer.from(v).toString("hex") };
  if (v instanceof Date) return { $: "date", v: String(v.getTime()) };
  if (Array.isArray(v)) return v.map(describe);
  if (typeof v === "object") return { $: "obj", kv: Object.keys(v).map((k) => [k, describe(v[k])]) };
  return { $: "other", v: String(v) };
}

const rl = readline.createInterface({ input: process.stdin });
rl.on("line", (line) => {
  const c = JSON.parse(line);
  try {
    if (c.op === "encode") {
      // eslint-disable-next-line no-eval
      const value = (0, eval)("(" + c.js + ")");
      process.stdout.write(JSON.stringify({ ok: true, hex: notepack.encode(value).toString("hex") }) + "\n");
    } else if (c.op === "decode") {
      const v = notepack.decode(Buffer.from(c.hex, "hex"));
      process.stdout.write(JSON.stringify({ ok: true, desc: describe(v) }) + "\n");
    } else if (c.op === "json") {
      // JSON.stringify of a decoded value (as socket.io-parser writes it when
      // it has no binary).
      const v = notepack.decode(Buffer.from(c.hex, "hex"));
      process.stdout.write(JSON.stringify({ ok: true, json: JSON.stringify(v) }) + "\n");
    } else {
      throw new Error("unknown op " + c.op);
    }
  } catch (err) {
    process.stdout.write(JSON.stringify({ ok: false, error: String(err && err.message) }) + "\n");
  }
});
