// Cross-check of duplex's protocol codecs against the reference parsers.
//
// Reads a JSON corpus on stdin (written by protocol/crosscheck_test.go), runs
// every case through engine.io-parser 5.2.3 and socket.io-parser 4.2.7 from
// interop/node_modules, and writes the results as JSON on stdout. Binary data
// travels as {"$bin": "<base64>"} in both directions. The Go test compares.
"use strict";

const eio = require("engine.io-parser");
const sio = require("socket.io-parser");

function readStdin() {
  return new Promise((resolve, reject) => {
    const chunks = [];
    process.stdin.on("data", (c) => chunks.push(c));
    process.stdin.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    process.stdin.on("error", reject);
  });
}

const isBin = (v) => Buffer.isBuffer(v) || v instanceof ArrayBuffer || ArrayBuffer.isView(v);
const toBuf = (v) => (v instanceof ArrayBuffer ? Buffer.from(v) : Buffer.from(v.buffer, v.byteOffset, v.byteLength));

// mark replaces binary values by {"$bin": base64}, keeping key order.
function mark(v) {
  if (isBin(v)) return { $bin: toBuf(v).toString("base64") };
  if (Array.isArray(v)) return v.map(mark);
  if (v && typeof v === "object") {
    const o = {};
    for (const k of Object.keys(v)) o[k] = mark(v[k]);
    return o;
  }
  return v;
}

// unmark turns {"$bin": base64} back into Buffers.
function unmark(v) {
  if (Array.isArray(v)) return v.map(unmark);
  if (v && typeof v === "object") {
    const keys = Object.keys(v);
    if (keys.length === 1 && keys[0] === "$bin") return Buffer.from(v.$bin, "base64");
    const o = {};
    for (const k of keys) o[k] = unmark(v[k]);
    return o;
  }
  return v;
}

function eioPacket(p) {
  return p.bin !== undefined ? { type: p.type, data: Buffer.from(p.bin, "base64") } : { type: p.type, data: p.data };
}

function eioDesc(p) {
  if (p.type === "error") return { type: "error" };
  if (p.data === undefined) return { type: p.type };
  if (isBin(p.data)) return { type: p.type, bin: toBuf(p.data).toString("base64") };
  return { type: p.type, data: p.data };
}

function encodeOne(p, supportsBinary) {
  let out;
  eio.encodePacket(eioPacket(p), supportsBinary, (e) => (out = e));
  return isBin(out) ? { $bin: toBuf(out).toString("base64") } : out;
}

// sioDecode feeds frames (strings or {"$bin"}) to a fresh reference decoder.
function sioDecode(frames) {
  const d = new sio.Decoder();
  const got = [];
  d.on("decoded", (p) => got.push(p));
  try {
    for (const f of frames) d.add(typeof f === "string" ? f : unmark(f));
  } catch (e) {
    return { error: String(e.message || e) };
  } finally {
    d.destroy();
  }
  if (got.length !== 1) return { error: `decoded ${got.length} packets` };
  return { packet: got[0] };
}

function sioDesc(p) {
  const o = { type: p.type, nsp: p.nsp };
  if (p.id !== undefined) o.id = p.id;
  if (p.data !== undefined) o.data = mark(p.data);
  return o;
}

function sioEncode(p) {
  return new sio.Encoder().encode(p).map((f) => (typeof f === "string" ? f : { $bin: toBuf(f).toString("base64") }));
}

function jsOnly() {
  const ab = new Uint8Array([7, 8, 9]).buffer;
  return [
    { type: 2, nsp: "/", data: ["lone", "\ud800", "x\udfffy"] },
    { type: 2, nsp: "/", data: ["keys", { b: 1, 2: "two", a: [1, { 10: 0, 1: 1 }] }] },
    { type: 2, nsp: "/", data: ["date", new Date(0), { toJSON: () => "custom" }] },
    { type: 2, nsp: "/", data: ["undef", undefined, [undefined, () => 1], { u: undefined, k: 1 }] },
    { type: 2, nsp: "/", data: ["nums", 1e21, 1e-7, -0, 0.1 + 0.2, 2 ** 53 + 2, NaN, Infinity, -Infinity] },
    { type: 2, nsp: "/", data: [42, "numeric name"] },
    { type: 2, nsp: "/", data: [1.5] },
    { type: 2, nsp: "/bin", id: 0, data: ["bin", ab, new Uint16Array([1, 256]), { deep: [Buffer.from("hi")] }] },
    { type: 3, nsp: "/", id: 9, data: [] },
    { type: 3, nsp: "/", id: 9, data: [Buffer.alloc(0), null] },
    { type: 4, nsp: "/x", data: { message: "m", data: [1, "<>&\u2028"] } },
    { type: 4, nsp: "/x", data: "legacy" },
    { type: 0, nsp: "/é", data: { token: "\u001e\u0000" } },
  ];
}

async function main() {
  const corpus = JSON.parse(await readStdin());
  const out = { eio: [], eio_invalid: [], payloads: [], sio: [], sio_invalid: [] };

  for (const c of corpus.eio) {
    out.eio.push({
      text: encodeOne(c.pkt, false),
      ws: encodeOne(c.pkt, true),
      decoded: eioDesc(eio.decodePacket(c.go, "nodebuffer")),
    });
  }
  for (const s of corpus.eio_invalid) {
    out.eio_invalid.push(eioDesc(eio.decodePacket(s, "nodebuffer")).type === "error");
  }
  for (const c of corpus.payloads) {
    let enc;
    eio.encodePayload(c.pkts.map(eioPacket), (e) => (enc = e));
    out.payloads.push({ enc, decoded: eio.decodePayload(c.go, "nodebuffer").map(eioDesc) });
  }
  for (const c of corpus.sio) {
    const r = { enc: sioEncode(unmark(c.pkt)) };
    const dec = sioDecode(c.go);
    if (dec.error) {
      r.error = dec.error;
    } else {
      r.decoded = sioDesc(dec.packet);
      r.reenc = sioEncode(dec.packet);
      r.valid = sio.isPacketValid(dec.packet);
    }
    out.sio.push(r);
  }
  for (const frames of corpus.sio_invalid) {
    const dec = sioDecode(frames);
    out.sio_invalid.push(dec.error ? { error: dec.error } : { decoded: sioDesc(dec.packet) });
  }
  // Packets only JavaScript can write: the reference encodes them, the Go
  // test decodes the frames and compares with the data as the reference's own
  // decoder sees it.
  out.js_only = jsOnly().map((p) => {
    const enc = sioEncode(p);
    const dec = sioDecode(enc);
    return { enc, decoded: dec.error ? null : sioDesc(dec.packet), error: dec.error };
  });
  process.stdout.write(JSON.stringify(out));
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
