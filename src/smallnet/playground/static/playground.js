// smallnet playground: the page. smallnet, on the server, does all the learning; this draws what
// it sends (frames) and sends what the user changes. Sections: choices, state and URL, the API,
// drawing, the network view, controls, the run loop, start.
"use strict";

// -- choices (the server checks them again: smallnet/playground/settings.py) ---------------------

const LEARNING_RATES = [0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const REG_RATES = [0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10];
const ACTIVATIONS = ["tanh", "relu", "sigmoid", "identity", "leaky_relu", "elu", "silu", "gelu"];
const OPTIMIZERS = { sgd: "SGD", momentum: "Momentum", adam: "Adam" };
const REGULARIZATIONS = { none: "None", l1: "L1", l2: "L2" };
const FEATURES = ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"];
const FEATURE_NAMES = { "x1^2": "x1²", "x2^2": "x2²", "x1*x2": "x1·x2" };
const DATASETS = {
  classification: ["circle", "xor", "gauss", "spiral", "tutorial"],
  regression: ["reg-plane", "reg-gauss"],
};
const DROPOUTS = [0, 0.1, 0.2, 0.3, 0.5];
const MAX_LAYERS = 6, MAX_UNITS = 8, MAX_UPLOAD_MB = 8;  // as the server's limits
const TARGET_EPOCHS_PER_SECOND = 30;  // TensorFlow Playground trains one epoch a frame
// smallnet.plot's colours (matplotlib's tab10), one meaning throughout: class k is
// CLASS_COLOURS[k]; blue is low (negative, class 0), orange high (positive, class 1).
const CLASS_COLOURS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b",
  "#e377c2", "#7f7f7f"];
const [LOW_HEX, HIGH_HEX] = CLASS_COLOURS;
const NODE = 40, ROW_GAP = 52, TOP = 56;
let gap = 110;  // between layers: less where the window is narrow

const DEFAULTS = {
  dataset: "circle", problem: "classification", classes: 2, noise: 0, train_percent: 50,
  batch_size: 10, seed: 1, features: ["x1", "x2"], layers: [4, 2], activations: ["tanh", "tanh"],
  dropout: [0, 0], learning_rate: 0.03, optimizer: "sgd", regularization: "none",
  regularization_rate: 0, upload: "", x_column: "", y_column: "", label_column: "",
};
const PAGE_DEFAULTS = { show_test: false, discretize: false };
// The tutorial's recipe: its 3-4-1 sigmoid network, full-batch steps at learning rate 1.
const TUTORIAL = { layers: [4], activations: ["sigmoid"], dropout: [0], learning_rate: 1,
  optimizer: "sgd", regularization: "none", regularization_rate: 0, seed: 1 };

// -- state and URL -------------------------------------------------------------------------------

let settings = structuredClone(DEFAULTS);  // what the server builds the run from
let page = { ...PAGE_DEFAULTS };           // what only the page uses
let run = null;       // the server's answer to reset: session, data, first frame
let frame = null;     // the latest frame
let playing = false;
let hover = null;     // the neuron shown large: {layer, unit} or {feature}
let curve = [];       // [train loss, test loss] per frame
let csvFile = null;   // {name, text} of the uploaded file, for a reload
const stats = { frames: 0, firstEpoch: 0, since: 0 };  // read by the benchmark
const $ = (id) => document.getElementById(id);

const LISTS = ["features", "layers", "activations", "dropout"];
const NUMBERS = ["classes", "noise", "train_percent", "batch_size", "seed", "learning_rate",
  "regularization_rate"];

function toHash() {
  const parts = [];
  for (const [key, value] of Object.entries({ ...settings, ...page })) {
    const text = Array.isArray(value) ? value.join(",") : typeof value === "boolean" ?
      (value ? "1" : "0") : String(value);
    parts.push(`${key}=${encodeURIComponent(text)}`);
  }
  return parts.join("&");
}

function presets(dataset = settings.dataset) {  // the defaults, the tutorial's for its data
  return dataset === "tutorial" ? { ...DEFAULTS, ...TUTORIAL, dataset } : DEFAULTS;
}

function fromHash(hash) {
  const parts = hash.replace(/^#/, "").split("&").filter(Boolean).map((part) => {
    const [key, raw = ""] = part.split("=");
    try { return [key, decodeURIComponent(raw)]; } catch (e) { return [key, raw]; }
  });
  const dataset = (parts.find(([key]) => key === "dataset") || [])[1];
  const values = structuredClone(presets(dataset)), own = { ...PAGE_DEFAULTS };
  for (const [key, text] of parts) {
    if (key in PAGE_DEFAULTS) own[key] = text === "1" || text === "true";
    else if (!(key in DEFAULTS)) continue;  // an old or foreign key: the defaults stand
    else if (LISTS.includes(key)) {
      const items = text === "" ? [] : text.split(",");
      values[key] = key === "features" || key === "activations" ? items : items.map(Number);
    } else if (NUMBERS.includes(key)) {
      values[key] = text !== "" && Number.isFinite(Number(text)) ? Number(text) : text;  // the server says what's wrong
    } else values[key] = text;
  }
  return [values, own];
}

function saveHash() { history.replaceState(null, "", "#" + toHash()); }

// -- the API -------------------------------------------------------------------------------------

let queue = Promise.resolve();  // one request at a time, in order

function serial(task) {
  const next = queue.then(task, task);
  queue = next.catch(() => {});
  return next;
}

async function post(path, body, raw = false) {
  let response;
  try {
    response = await fetch(path, {
      method: "POST",
      headers: { "Content-Type": raw ? "text/csv" : "application/json", ...(raw ? raw : {}) },
      body: raw ? body : JSON.stringify(body),
    });
  } catch (error) {
    throw new Error("The server doesn't answer: is `smallnet playground` still running?");
  }
  if (!response.ok) {
    let text = `${response.status} ${response.statusText}`, answerSetting = null;
    try {
      const answer = await response.json();
      text = answer.error || text;
      answerSetting = answer.setting || null;
    } catch (e) { /* not JSON */ }
    const error = new Error(text);
    error.status = response.status;
    error.setting = answerSetting;
    throw error;
  }
  return response;
}

async function api(name, body = {}) {
  try {
    return await (await post(`/api/${name}`, { session: run && run.session, ...body })).json();
  } catch (error) {
    if (error.status === 404) {  // the server restarted: start again, once this request is done
      pause();
      setTimeout(async () => {
        await reset();
        say("The server was restarted, so the run starts again from epoch 0.", true);
      }, 0);
      return null;
    }
    throw error;
  }
}

function say(text, info = false) {
  const box = $("message");
  box.hidden = !text;
  box.textContent = text || "";
  box.className = info ? "info" : "";
}

// -- drawing -------------------------------------------------------------------------------------

function hexToRgb(hex) {
  const n = parseInt(hex.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

const LOW = hexToRgb(LOW_HEX), GREY = hexToRgb("#e8eaeb"), HIGH = hexToRgb(HIGH_HEX);

function mix(a, b, t) { return a.map((v, i) => Math.round(v + (b[i] - v) * t)); }

// The colour of each byte value q (v = q / 127.5 - 1): blue at -1, grey at 0, orange at 1.
const SCALE = Array.from({ length: 256 }, (_, q) => {
  const v = q / 127.5 - 1;
  return v < 0 ? mix(GREY, LOW, -v) : mix(GREY, HIGH, v);
});
const STEPPED = Array.from({ length: 256 }, (_, q) => (q >= 128 ? HIGH : LOW));

function colourOf(v) {  // a value in [-1, 1] as CSS
  const q = Math.max(0, Math.min(255, Math.round((v + 1) * 127.5)));
  return `rgb(${SCALE[q].join(",")})`;
}

function bytes(b64) {
  const text = atob(b64), out = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i++) out[i] = text.charCodeAt(i);
  return out;
}

function paint(canvas, values, colours = SCALE) {  // values: a square grid, row by row
  const side = Math.round(Math.sqrt(values.length));
  if (canvas.width !== side) canvas.width = canvas.height = side;
  const ctx = canvas.getContext("2d"), image = ctx.createImageData(side, side);
  for (let i = 0; i < values.length; i++) {
    const [r, g, b] = colours[values[i]];
    image.data.set([r, g, b, 255], i * 4);
  }
  ctx.putImageData(image, 0, 0);
}

function paintClasses(canvas, classes, confidence) {
  const side = Math.round(Math.sqrt(classes.length));
  if (canvas.width !== side) canvas.width = canvas.height = side;
  const ctx = canvas.getContext("2d"), image = ctx.createImageData(side, side);
  const k = run.labels.length, floor = 1 / k;
  for (let i = 0; i < classes.length; i++) {
    const p = confidence[i] / 255;  // the class's probability
    const t = page.discretize ? 1 : Math.max(0, (p - floor) / (1 - floor));
    image.data.set([...mix(GREY, hexToRgb(CLASS_COLOURS[classes[i]]), 0.25 + 0.75 * t), 255], i * 4);
  }
  ctx.putImageData(image, 0, 0);
}


function drawOutput() {
  const canvas = $("output-heatmap");
  if (!frame || tutorial()) return;
  const shown = hover && neuronGrid(hover);
  if (shown) return paint(canvas, bytes(shown));
  const out = frame.output;
  if (out.class) return paintClasses(canvas, bytes(out.class), bytes(out.confidence));
  const discrete = page.discretize && settings.problem === "classification";
  paint(canvas, bytes(out.value), discrete ? STEPPED : SCALE);
}

function drawPoints() {
  const canvas = $("output-points"), ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  if (!run || tutorial()) return;
  const [[x0, x1], [y0, y1]] = run.domain, w = canvas.width, h = canvas.height;
  const dot = (row, test) => {
    const px = ((row[0] - x0) / (x1 - x0)) * w, py = ((y1 - row[1]) / (y1 - y0)) * h;
    ctx.beginPath();
    ctx.arc(px, py, 6.5, 0, 2 * Math.PI);
    ctx.fillStyle = settings.problem === "regression" ? colourOf(row[2]) :
      CLASS_COLOURS[row[2]];
    ctx.fill();
    ctx.lineWidth = test ? 2.5 : 1.2;
    // a regression's middling values are pale: a dark rim keeps them in sight
    ctx.strokeStyle = test ? "#000" : settings.problem === "regression" ? "#555" : "#fff";
    ctx.stroke();
  };
  run.train.forEach((row) => dot(row, false));
  if (page.show_test) run.test.forEach((row) => dot(row, true));
}

function drawCurve() {
  const canvas = $("loss-curve"), ctx = canvas.getContext("2d");
  const w = canvas.width, h = canvas.height;
  ctx.clearRect(0, 0, w, h);
  const finite = curve.flat().filter((v) => v !== null && isFinite(v));
  if (curve.length < 2 || !finite.length) return;
  const top = Math.max(...finite) || 1;
  [[0, "#777"], [1, "#000"]].forEach(([k, colour]) => {
    ctx.beginPath();
    curve.forEach((pair, i) => {
      if (pair[k] === null) return;
      const x = (i / (curve.length - 1)) * w, y = h - (pair[k] / top) * (h - 4) - 2;
      i ? ctx.lineTo(x, y) : ctx.moveTo(x, y);
    });
    ctx.strokeStyle = colour;
    ctx.lineWidth = 1.5;
    ctx.stroke();
  });
}

function drawTutorialTable() {
  const box = $("tutorial-table");
  box.hidden = !tutorial();
  if (!tutorial() || !frame) return;
  const rows = run.train.map((row, i) => `<tr><td>${row.slice(0, 3).join("</td><td>")}</td>` +
    `<td>${row[3]}</td><td>${frame.predictions[i].toFixed(4)}</td></tr>`);
  box.innerHTML = "<p>The tutorial's four rows: y is the first input.</p><table>" +
    "<tr><th>x1</th><th>x2</th><th>x3</th><th>y</th><th>output</th></tr>" +
    rows.join("") + "</table>";
}

function drawLegend() {
  const box = $("legend");
  if (!run) return;
  if (settings.problem === "regression" || run.labels.length === 2 || tutorial()) {
    const range = run.target_range.map((v) => Number(v.toPrecision(4)));
    const [lo, hi] = settings.problem === "regression" ? range.map(String) :
      [`class ${run.labels[0]}`, `class ${run.labels[1]}`];
    box.innerHTML = `<span>${esc(lo)}</span><span class="bar"></span><span>${esc(hi)}</span>`;
  } else {
    box.innerHTML = run.labels.map((name, k) => `<span><span class="swatch" ` +
      `data-colour="${k}"></span>${esc(name)}</span>`).join("");
    box.querySelectorAll(".swatch").forEach((s) => {
      s.style.background = CLASS_COLOURS[s.dataset.colour];
    });
  }
}

function esc(text) {
  return String(text).replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]);
}

function showFrame(next) {
  frame = next;
  stats.frames++;
  $("epoch").textContent = String(frame.epoch);
  const loss = (v) => (v === null ? "-" : v !== 0 && (Math.abs(v) < 0.001 || Math.abs(v) >= 1000) ?
    v.toPrecision(3) : v.toFixed(3));
  $("train-loss").textContent = loss(frame.train_loss);
  $("test-loss").textContent = loss(frame.test_loss);
  curve.push([frame.train_loss, frame.test_loss]);
  if (curve.length > 600) curve = curve.filter((_, i) => i % 2 === 0);  // keep it light
  if (frame.message) say(frame.message);
  else if (frame.diverged === false && $("message").textContent.includes("diverged")) say("");
  drawNeurons();
  drawLinks();
  drawOutput();
  drawCurve();
  drawTutorialTable();
}

// -- the network view ----------------------------------------------------------------------------

function tutorial() { return settings.dataset === "tutorial"; }

function inputNames() { return tutorial() ? ["x1", "x2", "x3"] : FEATURES; }

function activeInputs() { return tutorial() ? ["x1", "x2", "x3"] : settings.features; }

function columns() {  // units per column: inputs, each hidden layer, the output
  const outputs = run && run.labels.length > 2 ? run.labels.length : 1;
  return [inputNames().length, ...settings.layers, outputs];
}

function position(layer, unit) {
  const x = 60 + layer * gap, y = TOP + unit * ROW_GAP;
  return { x, y };
}

function neuronGrid(which) {
  if (!frame) return null;
  if (which.feature) return run.features[which.feature] || null;
  return (frame.neurons[which.layer] || [])[which.unit] || null;
}

function buildNetwork() {
  const box = $("network");
  box.querySelectorAll(".node, .layer-head").forEach((el) => el.remove());
  const counts = columns();
  gap = Math.max(70, Math.min(110, (box.clientWidth - 60 - NODE - 10) / (counts.length - 1)));
  counts.forEach((n, layer) => {
    for (let unit = 0; unit < n; unit++) box.appendChild(makeNode(layer, unit));
    if (layer > 0 && layer < counts.length - 1) box.appendChild(layerHead(layer - 1));
  });
  const svg = $("links"), width = 60 + (counts.length - 1) * gap + NODE + 20;
  const height = TOP + Math.max(...counts) * ROW_GAP;
  svg.setAttribute("width", width);
  svg.setAttribute("height", height);
  box.style.minHeight = `${height + 10}px`;
  svg.innerHTML = "";
  $("layer-number").textContent = String(settings.layers.length);
  $("add-layer").disabled = settings.layers.length >= MAX_LAYERS;
  $("remove-layer").disabled = settings.layers.length === 0;
}

function makeNode(layer, unit) {
  const el = document.createElement("div"), { x, y } = position(layer, unit);
  el.className = "node";
  el.style.left = `${x}px`;
  el.style.top = `${y}px`;
  el.appendChild(document.createElement("canvas"));
  const last = layer === columns().length - 1;
  if (layer === 0) {
    const name = inputNames()[unit];
    el.classList.add("input");
    el.classList.toggle("off", !activeInputs().includes(name));
    el.dataset.testid = `feature-${name}`;
    el.title = tutorial() ? `input ${name}` : `${FEATURE_NAMES[name] || name}: click to use it or not`;
    const label = document.createElement("span");
    label.className = "name";
    label.textContent = FEATURE_NAMES[name] || name;
    el.appendChild(label);
    if (!tutorial()) el.addEventListener("click", () => toggleFeature(name));
    el.addEventListener("mouseenter", () => { hover = tutorial() ? null : { feature: name }; drawOutput(); });
  } else {
    el.dataset.testid = last ? `output-${unit}` : `neuron-${layer}-${unit}`;
    const bias = document.createElement("div");
    bias.className = "bias";
    bias.dataset.testid = `bias-${layer - 1}-${unit}`;
    bias.addEventListener("click", (event) => editWeight(event, layer - 1, "bias", unit));
    el.appendChild(bias);
    el.addEventListener("mouseenter", () => { hover = { layer: layer - 1, unit }; drawOutput(); });
  }
  el.addEventListener("mouseleave", () => { hover = null; drawOutput(); });
  el.dataset.layer = layer;
  el.dataset.unit = unit;
  return el;
}

function layerHead(k) {
  const el = document.createElement("div"), { x } = position(k + 1, 0);
  el.className = "layer-head";
  const width = Math.min(NODE + 60, gap - 6);
  el.style.left = `${x + NODE / 2 - width / 2}px`;
  el.style.top = "0px";
  el.style.width = `${width}px`;
  const n = settings.layers[k];
  el.innerHTML = `<div class="neuron-buttons">` +
    `<button data-testid="add-neuron-${k}" title="Add a neuron"${n >= MAX_UNITS ? " disabled" : ""}>+</button>` +
    `<button data-testid="remove-neuron-${k}" title="Remove a neuron"${n <= 1 ? " disabled" : ""}>&minus;</button></div>` +
    `<select data-testid="layer-activation-${k}" title="This layer's activation">` +
    ACTIVATIONS.map((a) => `<option${a === settings.activations[k] ? " selected" : ""}>${a}</option>`).join("") +
    `</select>` + (tutorial() ? "" : `<select data-testid="layer-dropout-${k}" title="Dropout after this layer">` +
    DROPOUTS.map((r) => `<option value="${r}"${r === settings.dropout[k] ? " selected" : ""}>` +
    `${r ? `dropout ${r}` : "no dropout"}</option>`).join("") + `</select>`);
  el.querySelector(`[data-testid=add-neuron-${k}]`).addEventListener("click", () => changeUnits(k, 1));
  el.querySelector(`[data-testid=remove-neuron-${k}]`).addEventListener("click", () => changeUnits(k, -1));
  el.querySelector("select").addEventListener("change", (event) => {
    settings.activations[k] = event.target.value;
    restart();
  });
  const dropout = el.querySelector(`[data-testid=layer-dropout-${k}]`);
  if (dropout) dropout.addEventListener("change", (event) => {
    settings.dropout[k] = Number(event.target.value);
    restart();
  });
  return el;
}

function drawNeurons() {
  document.querySelectorAll("#network .node").forEach((el) => {
    const layer = Number(el.dataset.layer), unit = Number(el.dataset.unit);
    const canvas = el.querySelector("canvas");
    if (layer === 0) {
      if (tutorial()) paint(canvas, run.train.map((row) => Math.round(row[unit] * 255)));  // 0 or 1
      else paint(canvas, bytes(run.features[inputNames()[unit]]));
    } else {
      const grid = frame.neurons[layer - 1] && frame.neurons[layer - 1][unit];
      if (grid) paint(canvas, bytes(grid));
    }
    if (layer > 0) {
      const bias = frame.weights[layer - 1].b;
      const b = el.querySelector(".bias");
      b.hidden = bias === null;
      if (bias !== null) {
        b.style.background = colourOf(Math.tanh(bias[unit]));
        b.title = `bias ${bias[unit].toFixed(3)}: click to edit`;
      }
    }
  });
}

function drawLinks() {
  const svg = $("links");
  const active = activeInputs().map((name) => inputNames().indexOf(name));
  let html = "";
  frame.weights.forEach((layerWeights, k) => {
    layerWeights.w.forEach((row, i) => {
      const from = k === 0 ? active[i] : i;
      const a = position(k, from);
      row.forEach((w, j) => {
        const end = position(k + 1, j);
        const x0 = a.x + NODE, y0 = a.y + NODE / 2, x1 = end.x, y1 = end.y + NODE / 2;
        const mid = (x0 + x1) / 2;
        const d = `M${x0},${y0} C${mid},${y0} ${mid},${y1} ${x1},${y1}`;
        const width = Math.min(10, 1 + Math.abs(w) * 1.8);
        const colour = w >= 0 ? HIGH_HEX : LOW_HEX;
        html += `<path class="link" d="${d}" stroke="${colour}" stroke-width="${width.toFixed(2)}" ` +
          `stroke-opacity="${Math.min(1, 0.35 + Math.abs(w) / 2).toFixed(2)}"></path>` +
          `<path class="hit" d="${d}" data-testid="weight-${k}-${i}-${j}" data-k="${k}" data-i="${i}" ` +
          `data-j="${j}"><title>weight ${w.toFixed(3)}: click to edit</title></path>`;
      });
    });
  });
  svg.innerHTML = html;
}

let editing = null;

function editWeight(event, k, i, j) {
  event.stopPropagation();
  const box = $("weight-box"), input = $("weight-editor");
  const value = i === "bias" ? frame.weights[k].b[j] : frame.weights[k].w[i][j];
  editing = { layer: k, row: i, column: j };
  $("weight-label").textContent = i === "bias" ? `bias of neuron ${j + 1}, layer ${k + 1}` :
    `weight ${i + 1} → ${j + 1}, layer ${k + 1}`;
  input.value = value;
  box.style.left = `${event.pageX + 8}px`;
  box.style.top = `${event.pageY + 8}px`;
  box.hidden = false;
  input.focus();
  input.select();
}

async function commitWeight() {
  const text = $("weight-editor").value.trim(), value = Number(text);
  const target = editing;
  $("weight-box").hidden = true;
  editing = null;
  if (!target) return;
  if (text === "" || !Number.isFinite(value)) {  // a number field reads "" for what isn't one
    return say("A weight must be a number, such as -0.5 or 2e-3: it is unchanged.");
  }
  say("");
  await guarded(async () => {
    const next = await serial(() => api("weight", { ...target, value }));
    if (next) showFrame(next);
  });
}

// -- controls ------------------------------------------------------------------------------------

function fillSelect(id, values, labels = null) {
  const select = $(id);
  select.innerHTML = values.map((v) => `<option value="${v}">${labels ? labels[v] : v}</option>`).join("");
}

function choose(id, value) {  // a value from a link that the list lacks joins it
  const select = $(id);
  if (![...select.options].some((o) => o.value === value)) {
    select.add(new Option(value, value));
  }
  select.value = value;
}

function showSettings() {
  choose("learning-rate", String(settings.learning_rate));
  choose("regularization-rate", String(settings.regularization_rate));
  if (settings.activations.length) $("activation").value = settings.activations[0];
  $("optimizer").value = settings.optimizer;
  $("regularization").value = settings.regularization;
  $("problem").value = settings.problem;
  $("classes").value = String(settings.classes);
  $("classes-field").hidden = !["gauss", "spiral"].includes(settings.dataset);
  $("noise").closest(".slider").hidden = settings.dataset === "csv";
  for (const id of ["show-test", "discretize"]) $(id).closest("label").hidden = tutorial();
  for (const [id, key, text] of [["train-percent", "train_percent", (v) => `${v}%`],
    ["noise", "noise", (v) => String(v)], ["batch-size", "batch_size", (v) => String(v)]]) {
    $(id).value = String(settings[key]);
    $(`${id}-value`).textContent = text(settings[key]);
  }
  $("show-test").checked = page.show_test;
  $("discretize").checked = page.discretize;
  $("trace-box").hidden = !tutorial();
  // the tutorial's four rows take full-batch steps: no split, noise or batches to pick
  for (const id of ["train-percent", "batch-size", "regenerate"]) {
    $(id).closest(".slider, button").hidden = tutorial();
  }
  if (tutorial()) $("noise").closest(".slider").hidden = true;
  document.querySelectorAll("#datasets button").forEach((b) => {
    b.classList.toggle("selected", b.dataset.name === settings.dataset);
    b.hidden = !(DATASETS[settings.problem].includes(b.dataset.name) ||
      (b.dataset.name === "csv" && settings.dataset === "csv"));
  });
}

function thumbnail(name, points) {
  const button = document.createElement("button");
  button.dataset.testid = `dataset-${name === "gauss" ? "gauss" : name}`;
  button.dataset.name = name;
  button.title = name;
  if (points) {
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 40;
    const ctx = canvas.getContext("2d");
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, 40, 40);
    for (const [x, y, label] of points) {
      ctx.fillStyle = name.startsWith("reg") ? colourOf(label) : CLASS_COLOURS[label];
      ctx.fillRect(((x + 6) / 12) * 38, ((6 - y) / 12) * 38, 2.5, 2.5);
    }
    button.appendChild(canvas);
  } else button.textContent = name;
  button.addEventListener("click", () => (name === "csv" ? $("csv-file").click() : chooseDataset(name)));
  return button;
}

function chooseDataset(name) {
  if (name === settings.dataset && name !== "csv") return;
  leaveTutorial(name);
  settings.dataset = name;
  if (!["gauss", "spiral"].includes(name)) settings.classes = 2;
  restart();
}

function leaveTutorial(name) {  // the tutorial's recipe comes with its data, and goes with it
  if (name === "tutorial") Object.assign(settings, structuredClone(TUTORIAL));
  else if (settings.dataset === "tutorial") {
    for (const key of Object.keys(TUTORIAL)) settings[key] = structuredClone(DEFAULTS[key]);
  }
}

function toggleFeature(name) {
  const on = settings.features.includes(name);
  if (on && settings.features.length === 1) return say("Keep at least one input feature.", true);
  settings.features = on ? settings.features.filter((f) => f !== name) :
    FEATURES.filter((f) => f === name || settings.features.includes(f));
  restart();
}

function changeLayers(delta) {
  const n = settings.layers.length + delta;
  if (n < 0 || n > MAX_LAYERS) return;
  if (delta > 0) {
    settings.layers.push(2);
    settings.activations.push(settings.activations[settings.activations.length - 1] || $("activation").value);
    settings.dropout.push(0);
  } else {
    settings.layers.pop();
    settings.activations.pop();
    settings.dropout.pop();
  }
  restart();
}

function changeUnits(k, delta) {
  const n = settings.layers[k] + delta;
  if (n < 1 || n > MAX_UNITS) return;
  settings.layers[k] = n;
  restart();
}

async function changeRates() {  // mid-run: the weights stay
  settings.learning_rate = Number($("learning-rate").value);
  settings.regularization_rate = Number($("regularization-rate").value);
  saveHash();
  await guarded(async () => {
    const next = await serial(() => api("set", {
      learning_rate: settings.learning_rate, regularization_rate: settings.regularization_rate,
    }));
    if (next) { say(""); showFrame(next); }
  });
}

async function uploadCsv(file) {
  if (!file) return;
  if (file.size > MAX_UPLOAD_MB * 2 ** 20) {
    return say(`${file.name}: ${(file.size / 2 ** 20).toFixed(1)} MB; the playground takes up to ${MAX_UPLOAD_MB} MB`);
  }
  say("");
  await guarded(async () => {
    const text = await file.text();
    await sendCsv(file.name, text);
    csvFile = { name: file.name, text };
    try { localStorage.setItem(`smallnet-csv-${settings.upload}`, JSON.stringify(csvFile)); }
    catch (e) { /* too large to keep: a reload asks for the file again */ }
  });
}

async function sendCsv(name, text) {
  const answer = await (await post("/api/upload", text, { "X-Filename": encodeURIComponent(name) })).json();
  const numeric = answer.columns.filter((c) => c.numeric).map((c) => c.name);
  if (numeric.length < 2) throw new Error(`${name}: the playground needs two columns of numbers, and this file has ${numeric.length}`);
  const names = answer.columns.map((c) => c.name);
  csvColumns = answer.columns;
  const fill = (id, choices, chosen) => {
    $(id).innerHTML = choices.map((c) => `<option${c === chosen ? " selected" : ""}>${esc(c)}</option>`).join("");
  };
  const keep = settings.upload === answer.upload;
  const x = keep ? settings.x_column : numeric[0], y = keep ? settings.y_column : numeric[1];
  // the label: a column of 2 to 8 classes, text first, else numbers to fit, else the last column
  const others = answer.columns.filter((c) => c.name !== x && c.name !== y);
  const classes = others.filter((c) => c.distinct >= 2 && c.distinct <= 8);
  const guess = classes.find((c) => !c.numeric) || classes[0] ||
    others.filter((c) => c.numeric).pop() || others[others.length - 1] ||
    answer.columns[answer.columns.length - 1];
  const label = keep ? settings.label_column : guess.name;
  fill("csv-x", numeric, x);
  fill("csv-y", numeric, y);
  fill("csv-label", names, label);
  $("csv-name").textContent = `${name}: ${answer.rows} rows. Pick the columns, then use them.`;
  $("csv-columns").hidden = false;
  settings.upload = answer.upload;
}

let csvColumns = [];  // the upload's columns: name, numeric, distinct

function useCsvColumns() {
  const label = csvColumns.find((c) => c.name === $("csv-label").value);
  // many different numbers are values to fit, not classes
  if (settings.dataset !== "csv" || settings.label_column !== $("csv-label").value) {
    settings.problem = label && label.numeric && label.distinct > 8 ? "regression" : "classification";
  }
  leaveTutorial("csv");
  settings.dataset = "csv";
  settings.x_column = $("csv-x").value;
  settings.y_column = $("csv-y").value;
  settings.label_column = $("csv-label").value;
  settings.classes = 2;
  restart();
}

async function exportFile(kind) {
  await guarded(async () => {
    const response = await serial(() => post(`/api/export/${kind}`, {
      session: run.session, csv_name: csvFile ? csvFile.name : "data.csv" }));
    const blob = await response.blob();
    const match = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
    const link = document.createElement("a");
    link.href = URL.createObjectURL(blob);
    link.download = match ? match[1] : `playground.${kind}`;
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  });
}

async function guarded(task) {  // an error is said on the page; the page goes on
  try {
    await task();
  } catch (error) {
    say(error.message || String(error));
    pause();
  }
}

function bindControls() {
  showPlaying();
  fillSelect("learning-rate", LEARNING_RATES);
  fillSelect("regularization-rate", REG_RATES);
  fillSelect("activation", ACTIVATIONS);
  fillSelect("optimizer", Object.keys(OPTIMIZERS), OPTIMIZERS);
  fillSelect("regularization", Object.keys(REGULARIZATIONS), REGULARIZATIONS);
  fillSelect("problem", ["classification", "regression"], { classification: "Classification", regression: "Regression" });
  fillSelect("classes", [2, 3, 4, 5, 6, 7, 8]);
  $("play").addEventListener("click", () => (playing ? pause() : play()));
  $("step").addEventListener("click", () => step());
  $("reset").addEventListener("click", () => restart());
  $("regenerate").addEventListener("click", () => {
    settings.seed = Math.floor(Math.random() * 2 ** 31);
    restart();
  });
  $("learning-rate").addEventListener("change", changeRates);
  $("regularization-rate").addEventListener("change", changeRates);
  $("activation").addEventListener("change", (event) => {
    settings.activations = settings.layers.map(() => event.target.value);
    restart();
  });
  for (const [id, key] of [["optimizer", "optimizer"], ["regularization", "regularization"]]) {
    $(id).addEventListener("change", (event) => { settings[key] = event.target.value; restart(); });
  }
  $("problem").addEventListener("change", (event) => {
    settings.problem = event.target.value;
    if (settings.dataset !== "csv") chooseDataset(DATASETS[settings.problem][0]);
    else restart();
  });
  $("classes").addEventListener("change", (event) => { settings.classes = Number(event.target.value); restart(); });
  for (const [id, key] of [["train-percent", "train_percent"], ["noise", "noise"], ["batch-size", "batch_size"]]) {
    $(id).addEventListener("input", (event) => {
      $(`${id}-value`).textContent = event.target.value + (key === "train_percent" ? "%" : "");
    });
    $(id).addEventListener("change", (event) => { settings[key] = Number(event.target.value); restart(); });
  }
  $("show-test").addEventListener("change", (event) => { page.show_test = event.target.checked; saveHash(); drawPoints(); });
  $("discretize").addEventListener("change", (event) => { page.discretize = event.target.checked; saveHash(); drawOutput(); });
  $("add-layer").addEventListener("click", () => changeLayers(1));
  $("remove-layer").addEventListener("click", () => changeLayers(-1));
  $("csv-file").addEventListener("change", (event) => uploadCsv(event.target.files[0]));
  $("csv-train").addEventListener("click", useCsvColumns);
  for (const kind of ["model", "onnx", "python"]) {
    $(`export-${kind}`).addEventListener("click", () => exportFile(kind));
  }
  $("links").addEventListener("click", (event) => {
    const d = event.target.dataset;
    if (d.k !== undefined) editWeight(event, Number(d.k), Number(d.i), Number(d.j));
  });
  $("weight-editor").addEventListener("keydown", (event) => {
    if (event.key === "Enter") commitWeight();
    if (event.key === "Escape") { $("weight-box").hidden = true; editing = null; say(""); }
  });
  $("weight-editor").addEventListener("blur", () => { if (editing) commitWeight(); });
  // A list or slider let go of the keys once chosen: space and the arrow are the player's again.
  const controls = "select, input[type=range], input[type=checkbox]";
  document.addEventListener("change", (event) => {
    if (event.target.matches(controls)) event.target.blur();
  });
  for (const kind of ["click", "pointerup", "mouseup"]) {  // clicked, even without a change
    document.addEventListener(kind, (event) => {
      if (event.target.matches("input[type=range], input[type=checkbox]")) event.target.blur();
    });
  }
  document.addEventListener("keydown", (event) => {
    if (event.target.closest("input, select, textarea")) return;  // typing, not playing
    if (event.key === " ") { event.preventDefault(); playing ? pause() : play(); }
    if (event.key === "ArrowRight") { event.preventDefault(); step(); }
  });
  window.addEventListener("hashchange", () => {  // a link pasted into this tab
    if (location.hash.slice(1) !== toHash()) start();
  });
}

// -- the run loop --------------------------------------------------------------------------------

function nextPaint() { return new Promise((resolve) => requestAnimationFrame(() => resolve())); }

function showPlaying() {
  $("play").classList.toggle("playing", playing);
  $("play").setAttribute("aria-pressed", String(playing));
  const icon = playing ? "M6 5h4v14H6zm8 0h4v14h-4z" : "M8 5v14l11-7z";  // pause, play
  $("play").innerHTML = `<svg viewBox="0 0 24 24" width="28" height="28" aria-hidden="true">` +
    `<path d="${icon}" fill="currentColor"/></svg>`;
}

async function play() {
  if (playing || !run) return;
  say("");  // an old message is old news once the user goes on
  playing = true;
  showPlaying();
  stats.frames = 0;
  stats.firstEpoch = frame ? frame.epoch : 0;
  stats.since = performance.now();
  let perFrame = 1, lastTrace = 0, last = performance.now();
  const train = () => serial(() => api("train", { epochs: perFrame }));
  let pending = train();
  while (true) {
    let next;
    try {
      next = await pending;
    } catch (error) {
      say(error.message);
      break;
    }
    if (next) showFrame(next);
    if (!playing || !next || next.diverged) break;
    pending = train();  // the server trains the next frame while this one is drawn
    if (tutorial() && last - lastTrace > 500) { lastTrace = last; showTrace(); }
    await nextPaint();
    // More epochs a frame while the pace is short of the target and frames stay quick.
    const now = performance.now(), took = now - last, pace = (perFrame * 1000) / took;
    last = now;
    if (pace < TARGET_EPOCHS_PER_SECOND && took < 50 && perFrame < 20) perFrame++;
    else if (took > 80 && perFrame > 1) perFrame--;
  }
  pause();
}

function pause() {
  if (!playing) return;
  playing = false;
  showPlaying();
  if (tutorial()) showTrace();
}

async function step() {
  if (!run) return;
  pause();
  say("");
  await guarded(async () => {
    const next = await serial(() => api("step"));
    if (next) showFrame(next);
    if (tutorial()) await showTrace();
  });
}

async function showTrace() {
  if (!tutorial() || !run) return;
  try {
    const answer = await serial(() => api("trace"));
    if (answer) $("trace").textContent = `Epoch ${answer.epoch}: the step to epoch ${answer.epoch + 1}\n\n${answer.text}`;
  } catch (error) { say(error.message); }
}

// -- start ---------------------------------------------------------------------------------------

function restart() {
  pause();
  say("");
  return reset();
}

async function reset() {
  saveHash();
  const said = [];
  for (let tries = 0; ; tries++) {
    try {
      const answer = await serial(() => post("/api/reset", { settings }).then((r) => r.json()));
      run = answer;
      settings = structuredClone(answer.settings);  // the page's own copy, to change freely
      break;
    } catch (error) {
      said.push(error.message);
      if (error.setting && error.setting in DEFAULTS && tries < 8) {
        settings[error.setting] = structuredClone(presets()[error.setting]);  // just that one back
        continue;
      }
      say(`${said.join("; ")}. The last good set-up is back.`);
      settings = structuredClone(run ? run.settings : DEFAULTS);
      saveHash();
      showSettings();
      if (!run && tries < 9) continue;
      return;
    }
  }
  saveHash();
  if (said.length) say(`${said.join("; ")}: ${said.length === 1 ? "that setting is" : "those are"} back to the default.`);
  else if (run.notice) say(run.notice, true);
  curve = [];
  hover = null;
  showSettings();
  buildNetwork();
  drawLegend();
  drawPoints();
  showFrame(run.frame);
  if (tutorial()) await showTrace();
}

async function start() {
  [settings, page] = fromHash(location.hash);
  if (settings.dataset === "csv") {  // the file itself is in this browser, not in the URL
    const kept = localStorage.getItem(`smallnet-csv-${settings.upload}`);
    try {
      if (!kept) throw new Error("upload the CSV file again: this browser no longer has it");
      csvFile = JSON.parse(kept);
      const chosen = { ...settings };
      await sendCsv(csvFile.name, csvFile.text);
      Object.assign(settings, chosen);
    } catch (error) {
      say(error.message);
      settings = structuredClone(DEFAULTS);
    }
  }
  await reset();
}

async function boot() {
  bindControls();
  const box = $("datasets"), shapes = await (await fetch("/api/thumbnails")).json();
  for (const name of [...DATASETS.classification, ...DATASETS.regression, "csv"]) {
    if (name !== "csv") box.appendChild(thumbnail(name, shapes[name]));
  }
  box.appendChild(thumbnail("csv", null));
  await start();
}

window.playground = { stats, play, pause, step, show: (f) => showFrame(f), get frame() { return frame; }, get run() { return run; } };
boot().catch((error) => say(error.message || String(error)));
