// The deal explorer: a page over the JSON API (/api/v1, described at /api/openapi.json).
// Every figure comes from the server's engine; this file only lays figures out.
"use strict";

const $ = (sel, el = document) => el.querySelector(sel);
const esc = (s) => String(s ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" }[c]));
const fmt = (v, dp) => (v === null || v === undefined || !isFinite(v)) ? "–" : Number(v).toLocaleString("en-US", { minimumFractionDigits: dp, maximumFractionDigits: dp });
const money = (v) => fmt(v, 0);

async function api(path, body) {
  const opts = body === undefined ? {} : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) };
  const r = await fetch("/api/v1" + path, opts);
  let j = null;
  try { j = await r.json(); } catch (_) { /* not JSON */ }
  if (!r.ok) throw new Error((j && j.error) || `HTTP ${r.status}`);
  return j;
}

// ---------------------------------------------------------------- deal list
async function showList() {
  const app = $("#app");
  app.innerHTML = `<h1>Deals</h1><p class="muted">Deals found in the server's deals folder.</p><div class="card"><table class="t deals" id="deal-list"><thead><tr><th>Deal</th><th>Title</th></tr></thead><tbody></tbody></table></div>`;
  try {
    const { deals } = await api("/deals");
    const body = $("#deal-list tbody");
    body.innerHTML = deals.length ? deals.map((d) => `<tr><td><a href="#/deal/${encodeURIComponent(d.id)}" data-deal="${esc(d.id)}">${esc(d.id)}</a></td><td>${d.error ? `<span class="error">${esc(d.error)}</span>` : esc(d.title || d.name)}</td></tr>`).join("")
      : `<tr><td colspan="2" class="muted">No deal folders (a folder with a deal.toml) here.</td></tr>`;
  } catch (e) {
    app.insertAdjacentHTML("beforeend", `<div class="error">${esc(e.message)}</div>`);
  }
}

// ---------------------------------------------------------------- charts (SVG)
const COLORS = ["#1f5fbf", "#d9480f", "#2b8a3e", "#862e9c", "#c92a2a", "#0b7285", "#e67700", "#5c940d", "#364fc7", "#a61e4d", "#495057", "#087f5b"];

function ticks(lo, hi, n) {
  if (!(hi > lo)) { hi = lo + 1; }
  const raw = (hi - lo) / n, mag = Math.pow(10, Math.floor(Math.log10(raw)));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw);
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) out.push(+v.toFixed(10));
  return out;
}

function lineChart(title, xs, series, yfmt) {
  const W = 520, H = 240, L = 58, R = 10, T = 10, B = 40;
  const vals = series.flatMap((s) => s.values.filter((v) => isFinite(v)));
  let lo = Math.min(0, ...vals), hi = Math.max(...vals, 0);
  const yt = ticks(lo, hi, 5); lo = Math.min(lo, yt[0]); hi = Math.max(hi, yt[yt.length - 1]);
  const n = Math.max(xs.length - 1, 1);
  const X = (i) => L + (W - L - R) * i / n, Y = (v) => T + (H - T - B) * (1 - (v - lo) / ((hi - lo) || 1));
  let g = "";
  for (const t of yt) g += `<line x1="${L}" x2="${W - R}" y1="${Y(t)}" y2="${Y(t)}" stroke="#edf0f4"/><text x="${L - 4}" y="${Y(t) + 4}" text-anchor="end" font-size="10" fill="#667085">${esc(yfmt(t))}</text>`;
  const step = Math.max(1, Math.ceil(xs.length / 6));
  for (let i = 0; i < xs.length; i += step) g += `<text x="${X(i)}" y="${H - B + 14}" text-anchor="middle" font-size="10" fill="#667085">${esc(xs[i])}</text>`;
  g += `<line x1="${L}" x2="${W - R}" y1="${Y(lo)}" y2="${Y(lo)}" stroke="#98a2b3"/>`;
  series.forEach((s, k) => {
    const pts = s.values.map((v, i) => isFinite(v) ? `${X(i).toFixed(1)},${Y(v).toFixed(1)}` : null).filter(Boolean).join(" ");
    g += `<polyline fill="none" stroke="${COLORS[k % COLORS.length]}" stroke-width="1.6" points="${pts}"><title>${esc(s.name)}</title></polyline>`;
  });
  const legend = series.map((s, k) => `<span style="color:${COLORS[k % COLORS.length]}">■</span> ${esc(s.name)}`).join(" &nbsp;");
  return `<div class="chart card"><div class="title">${esc(title)}</div><svg viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">${g}</svg><div class="muted" style="font-size:11px">${legend}</div></div>`;
}

// ---------------------------------------------------------------- deal page
const state = { id: null, deal: null, seq: 0, periodTable: "bonds", offset: 0, pageRows: 100, speeds: "0,80,100,150,180", runs: 0 };

function row(label, control, hint) {
  return `<div class="row"><label>${label}</label>${control}</div>${hint ? `<div class="hint">${hint}</div>` : ""}`;
}
const numInput = (id, v, title) => `<input id="${id}" class="num" inputmode="decimal" value="${v}" title="${esc(title)}" autocomplete="off">`;

function scenarioPanel(d) {
  const rates = [`<option value="pricing">Pricing: ${esc(d.pricing_index)} flat at ${fmt(d.pricing_index_rate_pct, 2)}%</option>`];
  if (d.has_curves) rates.push(`<option value="deal_curves">Deal forward curves</option>`);
  rates.push(`<option value="flat">Every index flat at…</option>`);
  return `<div class="card panel" id="scenario">
    <h2>Scenario</h2>
    <fieldset><legend>Prepayments</legend>
      ${row("Speed as", `<select id="speed-kind"><option value="speed_pct">% of pricing speed</option><option value="cpr_pct">CPR %</option><option value="psa_pct">PSA %</option></select>`)}
      ${row("Speed", numInput("speed", 100, "prepayment speed"), `100% of pricing = ${esc(d.pricing_speed)}`)}
    </fieldset>
    <fieldset><legend>Defaults</legend>
      ${row("Rate as", `<select id="default-kind"><option value="cdr_pct">CDR %</option><option value="sda_pct">SDA %</option></select>`)}
      ${row("Default rate", numInput("default", 0, "default rate"))}
      ${row("Severity %", numInput("severity", 0, "loss severity"))}
      ${row("Lag (months)", numInput("lag", 0, "months from default to liquidation"))}
    </fieldset>
    <fieldset><legend>Rates</legend>
      ${row("Index", `<select id="rates">${rates.join("")}</select>`)}
      ${row("Flat level %", numInput("index-rate", fmt(d.pricing_index_rate_pct, 2), "every index at this level"))}
      ${row("Shock (bp)", numInput("shock-bps", 0, "parallel shift of every index"))}
      ${row("From period", numInput("shock-from", 1, "first period shifted"))}
    </fieldset>
    <fieldset><legend>Pricing</legend>
      ${row("To", `<select id="horizon"><option value="call">Call</option><option value="maturity">Maturity</option></select>`)}
      ${row("Priced from", `<select id="quote-kind"><option value="price">Price (% of par)</option><option value="dm_bps">DM (bp)</option><option value="yield_pct">Yield (%)</option>${d.has_curves ? `<option value="spread_bps">Spread to forwards (bp)</option>` : ""}</select>`)}
      ${row("Value", numInput("quote", 100, "the price, DM, yield or spread every bond is priced at"), "the other measures are solved from it")}
      ${row("Settle", `<input id="settle" placeholder="${esc(d.dates.settlement)} (flat)" title="settlement date YYYY-MM-DD; empty: the deal's, flat" autocomplete="off">`)}
    </fieldset>
    <div id="scenario-error" class="error" hidden></div>
    <div class="status" id="status"></div>
  </div>`;
}

function readNumber(id, label) {
  const raw = $("#" + id).value.trim();
  if (raw === "") throw new Error(`${label}: enter a number`);
  const v = Number(raw.replace(/,/g, ""));
  if (!isFinite(v)) throw new Error(`${label}: expected a number, found \`${raw}\``);
  return v;
}

// The form as the API's scenario (its field names; the server checks every range).
function scenario() {
  const s = {};
  s[$("#speed-kind").value] = readNumber("speed", "Speed");
  s[$("#default-kind").value] = readNumber("default", "Default rate");
  s.severity_pct = readNumber("severity", "Severity");
  s.lag_months = readNumber("lag", "Lag");
  const rates = $("#rates").value;
  if (rates === "deal_curves") s.rates = "deal_curves";
  if (rates === "flat") s.index_rate_pct = readNumber("index-rate", "Flat level");
  const shock = readNumber("shock-bps", "Shock");
  if (shock !== 0) { s.shock_bps = shock; s.shock_from = readNumber("shock-from", "From period"); }
  s.horizon = $("#horizon").value;
  s[$("#quote-kind").value] = readNumber("quote", "Priced from");
  const settle = $("#settle").value.trim();
  if (settle !== "") s.settlement = settle;
  return s;
}

function showError(msg) {
  const e = $("#scenario-error");
  e.hidden = !msg;
  e.textContent = msg || "";
}

function bondTable(r) {
  const cols = [
    ["bond", "Class", (b) => esc(b.bond), null],
    ["original_balance", "Balance", (b) => money(b.original_balance), (b) => b.original_balance],
    ["price", "Price", (b) => fmt(b.price, 3), (b) => b.price],
    ["wal_years", "WAL", (b) => fmt(b.wal_years, 2), (b) => b.wal_years],
    ["dm_bps", "DM (bp)", (b) => fmt(b.dm_bps, 1), (b) => b.dm_bps],
    ["yield_pct", "Yield %", (b) => fmt(b.yield_pct, 3), (b) => b.yield_pct],
    ["spread_bps", "Spread (bp)", (b) => fmt(b.spread_bps, 1), (b) => b.spread_bps],
    ["mod_duration", "Mod Dur", (b) => fmt(b.mod_duration, 2), (b) => b.mod_duration],
    ["eff_duration", "Eff Dur", (b) => fmt(b.eff_duration, 2), (b) => b.eff_duration],
    ["eff_convexity", "Eff Cvx", (b) => fmt(b.eff_convexity, 2), (b) => b.eff_convexity],
    ["window", "Window", (b) => b.first_period ? `${b.first_period} – ${b.last_period}` : "–", null],
    ["first_principal", "First", (b) => esc(b.first_principal || "–"), null],
    ["last_principal", "Last", (b) => esc(b.last_principal || "–"), null],
    ["first_loss", "First loss", (b) => esc(b.first_loss || "–"), null],
    ["writedown", "Written down", (b) => money(b.writedown - b.reimbursed), (b) => b.writedown - b.reimbursed],
    ["principal_loss_pct", "Loss %", (b) => fmt(b.principal_loss_pct, 2), (b) => b.principal_loss_pct],
  ];
  const head = cols.map(([k, h, , v]) => `<th class="${v || k === "window" ? "n" : ""}">${h}</th>`).join("");
  const body = r.bonds.map((b) => `<tr>${cols.map(([k, , show, val]) => {
    const v = val ? val(b) : null;
    const dv = v === null || v === undefined ? "" : ` data-value="${v}"`;
    return `<td class="${val || k === "window" ? "n" : ""}" data-bond="${esc(b.bond)}" data-col="${k}"${dv}>${show(b)}</td>`;
  }).join("")}</tr>`).join("");
  return `<table class="t" id="bond-table"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function renderRun(r) {
  $("#bonds").innerHTML = `<h2>Bonds <span class="muted">— ${esc(r.speed)}, to ${esc(r.horizon)}, at ${esc(r.quote)}${r.settlement ? `, settling ${esc(r.settlement)}` : ""}</span></h2>
    <div class="scroll">${bondTable(r)}</div>
    <p class="muted" id="pool-loss">Pool loss ${money(r.pool_loss)} (${fmt(r.pool_loss_pct, 3)}% of the cut-off balance)${r.call_period ? `; called in period ${r.call_period}` : ""}.</p>`;
  const xs = r.series.payment_date.map((d) => d.slice(0, 7));
  $("#charts").innerHTML =
    lineChart("Bond balances", xs, r.series.bonds.map((b) => ({ name: b.bond, values: b.balance })), (v) => (v / 1e6).toFixed(0) + "m") +
    lineChart("Available Funds Rate and index, %", xs, [{ name: "Available Funds Rate", values: r.series.afr_pct }, { name: "Bond index", values: r.series.index_pct }], (v) => v.toFixed(2)) +
    lineChart("Pool balance", xs, [{ name: "Pool", values: r.series.pool_balance }], (v) => (v / 1e6).toFixed(0) + "m");
  $("#status").textContent = r.kept ? `Answered in ${Math.round(r.elapsed_ms)} ms (a run the server kept).` : `Ran in ${Math.round(r.elapsed_ms)} ms on the server (with effective duration: three runs).`;
}

function downloadsHtml(s) {
  const q = `?scenario=${encodeURIComponent(JSON.stringify(s))}&speeds=${encodeURIComponent(state.speeds)}`;
  const base = `/api/v1/deals/${encodeURIComponent(state.id)}/download/`;
  const tables = [["bonds", "Bond cash flows (tranche run)"], ["ledger", "Ledger (tranche run --ledger)"], ["summary", "Bond summary (tranche run --summary)"], ["price-table", "Price/DM table"], ["afr", "Available Funds Rate schedule"], ["term-sheet", "Term-sheet summary"]]
    .concat(state.deal.collateral.map((t) => [t.id, "Collateral: " + t.title]));
  const link = (name, ext) => `<a href="${base}${encodeURIComponent(name)}.${ext}${q}" download="${esc(state.id)}-${esc(name)}.${ext}" data-download="${esc(name)}.${ext}">${ext.toUpperCase()}</a>`;
  return tables.map(([n, label]) => `<span>${esc(label)}</span>${link(n, "csv")}${link(n, "xlsx")}`).join("") +
    `<span><b>Whole report</b> (tranche report, at the scenario's price and the table's speeds)</span>${`<a href="${base}report.html${q}" download="${esc(state.id)}-report.html" data-download="report.html">HTML</a>`}${`<a href="${base}report.xlsx${q}" download="${esc(state.id)}-report.xlsx" data-download="report.xlsx">XLSX</a>`}`;
}

async function loadPage() {
  const s = state.current;
  if (!s) return;
  const seq = state.seq;
  try {
    const p = await api(`/deals/${encodeURIComponent(state.id)}/periods`, { scenario: s, table: state.periodTable, offset: state.offset, limit: state.pageRows });
    if (seq !== state.seq) return;
    const numeric = (c) => p.rows.length && p.rows.every((r) => r[c] === "" || isFinite(Number(r[c])));
    const isNum = p.columns.map((_, c) => numeric(c));
    $("#period-table").innerHTML = `<thead><tr>${p.columns.map((c, i) => `<th class="${isNum[i] ? "n" : ""}">${esc(c)}</th>`).join("")}</tr></thead><tbody>${p.rows.map((r) => `<tr>${r.map((c, i) => `<td class="${isNum[i] ? "n" : ""}">${esc(c)}</td>`).join("")}</tr>`).join("")}</tbody>`;
    const last = Math.min(p.offset + p.rows.length, p.total);
    $("#page-info").textContent = `Rows ${p.total ? p.offset + 1 : 0}–${last} of ${p.total.toLocaleString("en-US")}`;
    $("#prev").disabled = p.offset === 0;
    $("#next").disabled = last >= p.total;
  } catch (e) { showError(e.message); }
}

async function loadPriceTable() {
  const s = Object.assign({}, state.current);
  delete s.speed_pct; delete s.horizon;
  if (!("price" in s)) {
    $("#price-table").innerHTML = `<p class="muted">The Price/DM table is solved at a price: choose "Priced from: Price".</p>`;
    return;
  }
  if ("cpr_pct" in s || "psa_pct" in s) {
    $("#price-table").innerHTML = `<p class="muted">The Price/DM table's columns are percentages of the pricing speed: choose "% of pricing speed".</p>`;
    return;
  }
  const speeds = state.speeds.split(",").map((x) => Number(x.trim()));
  const seq = state.seq;
  try {
    const t = await api(`/deals/${encodeURIComponent(state.id)}/price-table`, { scenario: s, speeds });
    if (seq !== state.seq) return;
    const head = `<tr><th>Class</th><th>To</th><th></th>${t.speeds.map((v) => `<th class="n">${fmt(v, 0)}%</th>`).join("")}</tr>`;
    const groups = {};
    for (const r of t.rows) (groups[r.class + "|" + r.horizon] ||= []).push(r);
    const lines = [["DM (bp)", (r) => fmt(r.dm_bps, 1), "dm_bps"], ["WAL", (r) => fmt(r.wal_years, 2), "wal_years"], ["Mod Dur", (r) => fmt(r.mod_duration, 2), "mod_duration"], ["Window", (r) => r.first_principal ? `${r.first_principal} – ${r.last_principal}` : "–", null]];
    let body = "";
    for (const [k, rows] of Object.entries(groups)) {
      const [cls, h] = k.split("|");
      lines.forEach(([label, show, key], i) => {
        body += `<tr>${i === 0 ? `<td rowspan="${lines.length}"><b>${esc(cls)}</b></td><td rowspan="${lines.length}">${esc(h)}</td>` : ""}<td class="muted">${label}</td>${rows.map((r) => `<td class="n" data-class="${esc(cls)}" data-horizon="${esc(h)}" data-speed="${r.speed_pct}"${key && r[key] !== null ? ` data-${key}="${r[key]}"` : ""}>${show(r)}</td>`).join("")}</tr>`;
      });
    }
    $("#price-table").innerHTML = `<p class="muted">At ${fmt(t.price, 3)}, the scenario's rates and defaults; speeds in percent of the pricing speed.</p><div class="scroll"><table class="t">${head}${body}</table></div>`;
  } catch (e) { $("#price-table").innerHTML = `<div class="error">${esc(e.message)}</div>`; }
}

// The breakeven request of the card and the current scenario (the default rate is what is
// solved for, severities and lags are the card's, and yield/DM targets need a price).
function breakevenRequest() {
  const s = Object.assign({}, state.current);
  delete s.cdr_pct; delete s.sda_pct; delete s.severity_pct; delete s.lag_months;
  const list = (id, label) => $("#" + id).value.split(",").map((x) => x.trim()).filter((x) => x !== "").map((x) => {
    const v = Number(x);
    if (!isFinite(v)) throw new Error(`${label}: expected numbers separated by commas, found \`${x}\``);
    return v;
  });
  const rest = { target: $("#be-target").value.trim(), over: $("#be-over").value, severities: list("be-severities", "severities"), lags: list("be-lags", "lags") };
  return { scenario: s, rest };
}

async function solveBreakevens() {
  if (!state.current) return;
  const out = $("#be-result");
  let req;
  try { req = breakevenRequest(); } catch (e) { out.innerHTML = `<div class="error">${esc(e.message)}</div>`; return; }
  const seq = state.seq;
  out.innerHTML = `<p class="muted">Solving…</p>`;
  document.body.dataset.solving = "1";
  try {
    const t0 = performance.now();
    const b = await api(`/deals/${encodeURIComponent(state.id)}/breakeven`, Object.assign({ scenario: req.scenario }, req.rest));
    if (seq !== state.seq) { out.innerHTML = ""; return; }
    const head = `<tr><th>Class</th><th>Target</th><th class="n">Speed %</th><th class="n">Severity %</th><th class="n">Lag</th><th class="n">Breakeven (${esc(b.unit)})</th><th class="n">Pool loss %</th><th class="n">Class loss %</th><th>Note</th></tr>`;
    const body = b.rows.map((r) => `<tr><td>${esc(r.class)}</td><td>${esc(r.target)}</td><td class="n">${r.speed_pct === null ? "–" : fmt(r.speed_pct, 0)}</td><td class="n">${fmt(r.severity_pct, 0)}</td><td class="n">${r.lag_months}</td><td class="n" data-class="${esc(r.class)}" data-col="rate"${r.rate === null ? "" : ` data-value="${r.rate}"`}>${fmt(r.rate, b.over === "cdr" ? 2 : 1)}</td><td class="n">${fmt(r.pool_loss_pct, 2)}</td><td class="n">${fmt(r.class_loss_pct, 4)}</td><td class="muted">${esc(r.note)}</td></tr>`).join("");
    out.innerHTML = `<div class="scroll"><table class="t" id="be-table">${head}${body}</table></div><p class="status">Solved in ${Math.round(performance.now() - t0)} ms.</p>`;
    const q = `?scenario=${encodeURIComponent(JSON.stringify(req.scenario))}&breakeven=${encodeURIComponent(JSON.stringify(req.rest))}`;
    const base = `/api/v1/deals/${encodeURIComponent(state.id)}/download/breakeven`;
    $("#be-downloads").innerHTML = ` <a href="${base}.csv${q}" download="${esc(state.id)}-breakeven.csv" data-download="breakeven.csv">CSV</a> <a href="${base}.xlsx${q}" download="${esc(state.id)}-breakeven.xlsx" data-download="breakeven.xlsx">XLSX</a>`;
  } catch (e) {
    out.innerHTML = `<div class="error" id="be-error">${esc(e.message)}</div>`;
  } finally {
    delete document.body.dataset.solving;
  }
}

async function rerun() {
  let s;
  try { s = scenario(); } catch (e) { showError(e.message); return; }
  // A field's change event follows its input events: the same scenario is not run again.
  if (state.current && JSON.stringify(s) === JSON.stringify(state.current) && $("#scenario-error").hidden) return;
  const seq = ++state.seq;
  const t0 = performance.now();
  document.body.dataset.busy = "1";
  $("#results").classList.add("busy");
  try {
    const r = await api(`/deals/${encodeURIComponent(state.id)}/run`, s);
    if (seq !== state.seq) return;
    showError("");
    state.current = s;
    renderRun(r);
    $("#be-result").innerHTML = `<p class="muted">Press Solve for the breakevens of this scenario.</p>`;
    $("#be-downloads").innerHTML = "";
    $("#downloads").innerHTML = downloadsHtml(s);
    await Promise.all([loadPage(), loadPriceTable()]);
    // The whole update (run, page of periods, Price/DM table), for people and tests.
    if (seq === state.seq) document.body.dataset.updateMs = String(Math.round(performance.now() - t0));
  } catch (e) {
    if (seq === state.seq) showError(e.message);
  } finally {
    if (seq === state.seq) {
      $("#results").classList.remove("busy");
      state.runs += 1;
      document.body.dataset.runs = String(state.runs);
      delete document.body.dataset.busy;
    }
  }
}

function debounce(f, ms) { let t; return () => { clearTimeout(t); t = setTimeout(f, ms); }; }

function termSheet(d) {
  const w = (x) => x ? `${x[0]} – ${x[1]}` : "–";
  return `<table class="t" id="term-sheet"><thead><tr><th>Class</th><th class="n">Balance</th><th>Type</th><th class="n">WAL call</th><th class="n">WAL mat</th><th class="n">MDur call</th><th class="n">MDur mat</th><th class="n">Window call</th><th class="n">Window mat</th><th>Last scheduled</th></tr></thead><tbody>${
    d.term_sheet.map((r) => `<tr><td>${esc(r.class)}</td><td class="n">${money(r.balance)}</td><td>${esc(r.tranche_type)}</td><td class="n">${fmt(r.wal_call, 2)}</td><td class="n">${fmt(r.wal_maturity, 2)}</td><td class="n">${fmt(r.mod_duration_call, 2)}</td><td class="n">${fmt(r.mod_duration_maturity, 2)}</td><td class="n">${w(r.window_call)}</td><td class="n">${w(r.window_maturity)}</td><td>${esc(r.last_scheduled_payment || "–")}</td></tr>`).join("")
  }</tbody></table>`;
}

function reportTable(t) {
  const head = t.columns.map((c, i) => `<th class="${t.rows.some((r) => r.cells[i] && r.cells[i].value !== undefined) ? "n" : ""}">${esc(c)}</th>`).join("");
  const body = t.rows.map((r) => `<tr class="${r.total ? "total" : ""}">${r.cells.map((c) => `<td class="${c.value !== undefined ? "n" : ""}"${c.value !== undefined ? ` data-value="${esc(c.value)}"` : ""}>${esc(c.text)}</td>`).join("")}</tr>`).join("");
  return `<div class="card"><h2>${esc(t.title)}</h2>${t.notes.map((n) => `<div class="muted">${esc(n)}</div>`).join("")}<div class="scroll"><table class="t" id="c-${esc(t.id)}"><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table></div></div>`;
}

async function showDeal(id) {
  const app = $("#app");
  app.innerHTML = `<p class="muted">Loading ${esc(id)}…</p>`;
  let d;
  try { d = await api(`/deals/${encodeURIComponent(id)}`); } catch (e) {
    app.innerHTML = `<p><a href="#/">← Deals</a></p><div class="error">${esc(e.message)}</div>`;
    return;
  }
  Object.assign(state, { id, deal: d, offset: 0, current: null });
  const dt = d.dates;
  app.innerHTML = `<p><a href="#/">← Deals</a></p>
    <h1 id="deal-title">${esc(d.title || d.name)}</h1>
    <p class="muted">Cut-off ${esc(dt.cut_off)} · closing ${esc(dt.closing)} · settlement ${esc(dt.settlement)} · first payment ${esc(dt.first_payment)} · pricing speed ${esc(d.pricing_speed)}</p>
    <div class="layout">
      ${scenarioPanel(d)}
      <div id="results">
        <div class="card" id="bonds"></div>
        <div class="charts" id="charts"></div>
        <div class="card"><h2>Period by period</h2>
          <div class="tabs"><button id="tab-bonds" class="on">Bond cash flows</button><button id="tab-ledger">Ledger</button></div>
          <div class="scroll"><table class="t" id="period-table"></table></div>
          <div class="pager"><button id="prev">← Previous</button><button id="next">Next →</button><span id="page-info" class="muted"></span></div>
        </div>
        <div class="card"><h2>Price/DM table</h2>
          ${row("Speeds %", `<input id="pt-speeds" value="${state.speeds}" title="percent of the pricing speed, comma-separated">`)}
          <div id="price-table"></div>
        </div>
        <div class="card" id="breakevens"><h2>Breakevens <span class="muted">— the default rate at which each class reaches the target, at the scenario's speed, rates, horizon and price</span></h2>
          <div class="be-form">
            ${row("Target", `<input id="be-target" value="first-loss" title="first-loss, loss-pct=X, yield=Y or dm=D">`)}
            ${row("Solve for", `<select id="be-over"><option value="cdr">CDR %</option><option value="sda">SDA %</option></select>`)}
            ${row("Severities %", `<input id="be-severities" value="40" title="comma-separated">`)}
            ${row("Lags (months)", `<input id="be-lags" value="12" title="comma-separated">`)}
            <div class="row"><label></label><button class="b" id="be-solve">Solve</button><span id="be-downloads"></span></div>
          </div>
          <div id="be-result"></div></div>
        <div class="card"><h2>Downloads</h2><div class="downloads" id="downloads"></div></div>
        <div class="card"><h2>Term-sheet summary <span class="muted">— 100% of the pricing speed, at par</span></h2><div class="scroll">${termSheet(d)}</div></div>
        <details class="card" open><summary>Collateral</summary>${d.collateral.map(reportTable).join("")}</details>
      </div>
    </div>`;
  const go = debounce(rerun, 120);
  $("#scenario").addEventListener("input", go);
  $("#scenario").addEventListener("change", go);
  $("#pt-speeds").addEventListener("change", () => { state.speeds = $("#pt-speeds").value; if (state.current) { $("#downloads").innerHTML = downloadsHtml(state.current); loadPriceTable(); } });
  const tab = (t) => { state.periodTable = t; state.offset = 0; $("#tab-bonds").classList.toggle("on", t === "bonds"); $("#tab-ledger").classList.toggle("on", t === "ledger"); loadPage(); };
  $("#tab-bonds").onclick = () => tab("bonds");
  $("#tab-ledger").onclick = () => tab("ledger");
  $("#be-solve").onclick = solveBreakevens;
  $("#prev").onclick = () => { state.offset = Math.max(0, state.offset - state.pageRows); loadPage(); };
  $("#next").onclick = () => { state.offset += state.pageRows; loadPage(); };
  await rerun();
}

function route() {
  const m = location.hash.match(/^#\/deal\/(.+)$/);
  if (m) showDeal(decodeURIComponent(m[1])); else showList();
}
window.addEventListener("hashchange", route);
route();
