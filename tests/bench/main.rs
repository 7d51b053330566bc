//! `make bench`: what the sandbox costs, measured side by side in one run.
//!
//! (a) per-call overhead: fresh instance + the trivial `stats.count`, median and p99;
//! (b) `describe` on 1,000,000 rows x 10 numeric columns: through the sandbox, the same
//!     Rust code called natively, and pandas on the same data;
//! (c) starting a Python interpreter that imports pandas: the cost per request of the
//!     subprocess sandbox statbox replaces;
//! (d) correlation (Pearson, Spearman, Kendall with p-values) on 100,000 x 10 vs scipy/pandas;
//! (e) normality, fit and quality on the same 100,000 x 10 vs scipy/pandas;
//! (f) loading a 1 GiB CSV and its Parquet twin: statbox vs polars alone vs pandas, time
//!     and peak memory, and projection of 2 of 50 columns;
//! (g) training every ML model type: sandbox vs native Rust vs scikit-learn (see ml.rs).
//!
//! Timings vary between runs on shared machines; compare the ratios.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use rand::{RngExt, SeedableRng};
use serde_json::{Value, json};
use statbox_runtime::{Call, Limits, MemoryTable, Runtime, RuntimeConfig};
use statbox_stats::correlation::{Method, correlate_prepared, prepare};
use statbox_stats::describe::{MissingStrategy, summarize};
use statbox_stats::ops::observed_histogram;

const ROWS: usize = 1_000_000;
const COLS: usize = 10;
const OVERHEAD_CALLS: usize = 5_000;
const DESCRIBE_RUNS: usize = 9;
const CORR_ROWS: usize = 100_000;
const CORR_RUNS: usize = 3;

mod load;
mod ml;

struct Args {
    python: Option<PathBuf>,
    rows: usize,
    load_mib: usize,
    ml_rows: usize,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut args = Args { python: None, rows: ROWS, load_mib: 1024, ml_rows: 100_000 };
    let mut it = std::env::args().skip(1);
    while let Some(a) = it.next() {
        match a.as_str() {
            "--python" => args.python = Some(it.next().context("--python needs a path")?.into()),
            "--rows" => args.rows = it.next().context("--rows needs a number")?.parse()?,
            "--load-mb" => args.load_mib = it.next().context("--load-mb needs a number")?.parse()?,
            "--ml-rows" => args.ml_rows = it.next().context("--ml-rows needs a number")?.parse()?,
            "--only-ml" => {
                ml::run(args.ml_rows, args.python.as_ref())?;
                std::process::exit(0);
            }
            "--only-load" => {
                load::run(args.load_mib, args.python.as_ref())?;
                std::process::exit(0);
            }
            "--load-child" => {
                let who = it.next().context("--load-child WHO FILE [COLUMNS]")?;
                let file = PathBuf::from(it.next().context("--load-child WHO FILE [COLUMNS]")?);
                let columns = it.next();
                load::child(&who, &file, columns.as_deref())?;
                std::process::exit(0);
            }
            "--help" | "-h" => {
                println!(
                    "statbox-bench [--python PATH] [--rows N] [--load-mb N] [--ml-rows N] [--only-load] [--only-ml]\n  --python   interpreter with pandas and scikit-learn (skip those columns if absent)\n  --rows     rows for describe (default 1000000)\n  --load-mb  size of the generated CSV for the load benchmark (default 1024; 0 skips it)\n  --ml-rows  rows for the ML training benchmark (default 100000; 0 skips it)\n  --only-load, --only-ml  run just that part (options before it apply)"
                );
                std::process::exit(0);
            }
            other => bail!("unknown argument {other}; see --help"),
        }
    }
    Ok(args)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() - 1) as f64 * p).round() as usize]
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    percentile(&v, 0.5)
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1e3
}

/// Ten columns of different shapes, from a fixed seed.
fn generate(rows: usize) -> Vec<(String, Vec<f64>)> {
    let mut rng = rand::rngs::StdRng::seed_from_u64(42);
    (0..COLS)
        .map(|c| {
            let values = (0..rows)
                .map(|_| {
                    let u: f64 = rng.random();
                    let v: f64 = rng.random();
                    // Box-Muller normal, skewed differently per column.
                    let z: f64 = (-2.0 * u.max(1e-300).ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos();
                    let x = 100.0 * (c as f64 + 1.0) + 15.0 * z;
                    if c % 3 == 2 { x.exp2().ln() + z * z } else { (x * 1000.0).round() / 1000.0 }
                })
                .collect();
            (format!("c{c}"), values)
        })
        .collect()
}

fn write_csv(path: &Path, cols: &[(String, Vec<f64>)]) -> anyhow::Result<()> {
    let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
    writeln!(w, "{}", cols.iter().map(|(n, _)| n.as_str()).collect::<Vec<_>>().join(","))?;
    for r in 0..cols[0].1.len() {
        let row: Vec<String> = cols.iter().map(|(_, v)| format!("{:?}", v[r])).collect();
        writeln!(w, "{}", row.join(","))?;
    }
    Ok(())
}

/// The numerics of `normality`, `fit` and `quality` for one column, called natively.
fn native_shape_op(op: &str, name: &str, values: &[f64]) -> usize {
    use statbox_stats::{fit, normality, quality, sort::sort_floats};
    match op {
        "normality" => {
            let mut sorted = values.to_vec();
            sort_floats(&mut sorted);
            let tests = [
                normality::shapiro_wilk(&sorted),
                normality::dagostino_pearson(&sorted),
                normality::jarque_bera(&sorted),
            ];
            let ad = normality::anderson_darling(&sorted);
            tests.iter().flatten().count()
                + usize::from(ad.is_some())
                + normality::qq(&sorted).map_or(0, |q| q.theoretical.len())
        }
        "fit" => {
            let mut sorted = values.to_vec();
            sort_floats(&mut sorted);
            fit::fit_all(&sorted, &fit::DISTRIBUTIONS).0.len()
        }
        _ => quality::numeric_column(name, "numeric", values).unique,
    }
}

const PANDAS_SCRIPT: &str = r#"
import json, sys, time
import pandas as pd
df = pd.read_csv(sys.argv[1], float_precision="round_trip")
runs = int(sys.argv[2])
def best(f):
    ts = []
    for _ in range(runs):
        t = time.perf_counter(); f(); ts.append(time.perf_counter() - t)
    ts.sort()
    return ts[len(ts) // 2]
describe = best(lambda: df.describe())
full = best(lambda: (df.describe(), df.skew(), df.kurt(), df.mode().iloc[0]))
corr = {}
if len(sys.argv) > 3:
    import scipy
    from scipy import stats
    small = df.head(int(sys.argv[3]))
    cols = list(small.columns)
    fns = {"pearson": stats.pearsonr, "spearman": stats.spearmanr, "kendall": stats.kendalltau}
    for m, fn in fns.items():
        def scipy_pairs():
            for i in range(len(cols)):
                for j in range(i + 1, len(cols)):
                    fn(small[cols[i]].to_numpy(), small[cols[j]].to_numpy())
        corr[m] = {"pandas_s": best(lambda: small.corr(method=m)), "scipy_s": best(scipy_pairs)}
    corr["scipy"] = scipy.__version__
    import numpy as np
    import warnings
    warnings.simplefilter("ignore")
    runs = 3
    def normality():
        for c in cols:
            x = small[c].to_numpy()
            stats.shapiro(x); stats.normaltest(x); stats.jarque_bera(x); stats.anderson(x); stats.probplot(x)
    dists = [(stats.norm, {}), (stats.lognorm, {"floc": 0}), (stats.expon, {"floc": 0}),
             (stats.gamma, {"floc": 0}), (stats.uniform, {})]
    def fits():
        for c in cols:
            x = small[c].to_numpy()
            for dist, kw in dists:
                p = dist.fit(x, **kw); dist.logpdf(x, *p).sum(); stats.kstest(x, dist.cdf, args=p)
    def quality():
        for c in cols:
            s = small[c]
            s.isna().sum(); s.nunique(); s.value_counts().head(1); s.min(); s.max(); s.mean(); s.std(); s.skew()
            (s == 0).sum(); (s < 0).sum(); np.isinf(s).sum()
            q1, q3 = s.quantile(0.25), s.quantile(0.75)
            ((s < q1 - 1.5 * (q3 - q1)) | (s > q3 + 1.5 * (q3 - q1))).sum()
        small.duplicated().sum(); len(small.dropna())
    corr["shapes"] = {"normality": best(normality), "fit": best(fits), "quality": best(quality)}
print(json.dumps({"describe_s": describe, "full_s": full, "pandas": pd.__version__, "corr": corr}))
"#;

fn main() -> anyhow::Result<()> {
    let args = parse_args()?;
    let tokio = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    let runtime = Runtime::new(RuntimeConfig {
        cache_dir: Some(std::env::temp_dir().join("statbox-bench-cache")),
        ..Default::default()
    })?;
    tokio.block_on(runtime.load_plugin_file(Path::new(statbox_guest_artifacts::STATS_WASM)))?;

    // (a) per-call overhead
    let tiny: Arc<MemoryTable> = Arc::new(MemoryTable::new().with_numeric("x", vec![1.0, 2.0, 3.0]));
    let mut times = Vec::with_capacity(OVERHEAD_CALLS);
    tokio.block_on(async {
        for i in 0..OVERHEAD_CALLS + 200 {
            let t = Instant::now();
            let out = runtime.call(Call::new("stats", "count", json!({}), tiny.clone(), Limits::default())).await?;
            let d = t.elapsed();
            anyhow::ensure!(out.json["rows"] == 3, "count returned {}", out.json);
            if i >= 200 {
                times.push(d);
            }
        }
        anyhow::Ok(())
    })?;
    times.sort();
    let (p50, p99) = (percentile(&times, 0.5), percentile(&times, 0.99));

    // (b) describe, 1M x 10
    eprintln!("generating {} rows x {COLS} columns ...", args.rows);
    let cols = generate(args.rows);
    let mut table = MemoryTable::new();
    for (name, v) in &cols {
        table = table.with_numeric(name, v.clone());
    }
    let table = Arc::new(table);
    let limits = Limits { fuel: 1_000_000_000_000, wall_time_ms: 600_000, memory_mib: 1024, ..Limits::default() };

    // Native and sandboxed runs alternate, so machine noise hits both alike.
    let mut native = Vec::new();
    let mut native_result = Vec::new();
    let mut sandbox = Vec::new();
    let mut fuel = 0;
    let mut sandbox_result = Value::Null;
    for _ in 0..DESCRIBE_RUNS {
        let t = Instant::now();
        // The plugin's work: the summary and the histogram of each column.
        native_result = cols
            .iter()
            .map(|(n, v)| {
                let s = summarize(n, v, MissingStrategy::Drop).map_err(|e| anyhow::anyhow!("{n}: {e}"))?;
                std::hint::black_box(observed_histogram(v, &s, MissingStrategy::Drop));
                anyhow::Ok(s)
            })
            .collect::<Result<Vec<_>, _>>()?;
        native.push(t.elapsed());

        let t = Instant::now();
        let out = tokio.block_on(runtime.call(Call::new("stats", "describe", json!({}), table.clone(), limits)))?;
        sandbox.push(t.elapsed());
        fuel = out.fuel_used;
        sandbox_result = out.json;
    }
    // Same numbers both ways.
    for (i, s) in native_result.iter().enumerate() {
        let got = sandbox_result["columns"][i]["std"].as_f64().unwrap_or(f64::NAN);
        anyhow::ensure!(Some(got) == s.std, "sandbox and native disagree on {}", s.name);
    }
    let (native, sandbox) = (median(native), median(sandbox));

    // (d) correlation matrix with p-values, 100k x 10, each method.
    let corr_rows = CORR_ROWS.min(args.rows);
    let corr_cols: Vec<(String, Vec<f64>)> = cols.iter().map(|(n, v)| (n.clone(), v[..corr_rows].to_vec())).collect();
    let mut corr_table = MemoryTable::new();
    for (name, v) in &corr_cols {
        corr_table = corr_table.with_numeric(name, v.clone());
    }
    let corr_table = Arc::new(corr_table);
    let mut corr_times = Vec::new();
    for (method, name) in [(Method::Pearson, "pearson"), (Method::Spearman, "spearman"), (Method::Kendall, "kendall")] {
        let (mut nat, mut sbx) = (Vec::new(), Vec::new());
        for _ in 0..CORR_RUNS {
            // The plugin's own strategy: prepare each column once, then every pair.
            let t = Instant::now();
            let prepared: Vec<_> = corr_cols.iter().map(|(_, v)| prepare(method, v)).collect();
            for i in 0..prepared.len() {
                for j in (i + 1)..prepared.len() {
                    std::hint::black_box(correlate_prepared(method, &prepared[i], &prepared[j]));
                }
            }
            nat.push(t.elapsed());
            let t = Instant::now();
            let params = json!({ "method": name });
            tokio.block_on(runtime.call(Call::new("stats", "correlation", params, corr_table.clone(), limits)))?;
            sbx.push(t.elapsed());
        }
        corr_times.push((name, median(nat), median(sbx)));
    }

    // (e) normality, fit and quality on the same 100k x 10 table.
    let mut shape_times = Vec::new();
    for op in ["normality", "fit", "quality"] {
        let (mut nat, mut sbx) = (Vec::new(), Vec::new());
        for _ in 0..CORR_RUNS {
            let t = Instant::now();
            for (name, v) in &corr_cols {
                std::hint::black_box(native_shape_op(op, name, v));
            }
            nat.push(t.elapsed());
            let t = Instant::now();
            tokio.block_on(runtime.call(Call::new("stats", op, json!({}), corr_table.clone(), limits)))?;
            sbx.push(t.elapsed());
        }
        shape_times.push((op, median(nat), median(sbx)));
    }

    // pandas and the Python start-up, when an interpreter with pandas is available.
    let mut pandas: Option<(f64, f64, String)> = None;
    let mut python_corr = Value::Null;
    let mut python_start: Option<Duration> = None;
    if let Some(py) = &args.python {
        let dir = tempfile::tempdir()?;
        let csv = dir.path().join("describe.csv");
        eprintln!("writing {} for pandas ...", csv.display());
        write_csv(&csv, &cols)?;
        let out = Command::new(py)
            .args(["-c", PANDAS_SCRIPT])
            .arg(&csv)
            .arg(DESCRIBE_RUNS.to_string())
            .arg(corr_rows.to_string())
            .output()?;
        if out.status.success() {
            let v: Value = serde_json::from_slice(&out.stdout)?;
            python_corr = v["corr"].clone();
            pandas = Some((
                v["describe_s"].as_f64().unwrap_or(f64::NAN) * 1e3,
                v["full_s"].as_f64().unwrap_or(f64::NAN) * 1e3,
                v["pandas"].as_str().unwrap_or("?").to_string(),
            ));
        } else {
            eprintln!("pandas run failed: {}", String::from_utf8_lossy(&out.stderr));
        }
        let mut starts = Vec::new();
        for _ in 0..5 {
            let t = Instant::now();
            let ok = Command::new(py).args(["-c", "import pandas"]).status()?.success();
            anyhow::ensure!(ok, "python -c 'import pandas' failed");
            starts.push(t.elapsed());
        }
        python_start = Some(median(starts));
    }

    println!();
    println!("statbox benchmarks ({} rows x {COLS} columns for describe; medians)", args.rows);
    println!("{:-<78}", "");
    println!("(a) per-call sandbox overhead, fresh instance + stats.count, {OVERHEAD_CALLS} calls");
    println!("    median {:>9.1} µs    p99 {:>9.1} µs", p50.as_secs_f64() * 1e6, p99.as_secs_f64() * 1e6);
    println!("(b) describe (count, mean, std, var, min, quartiles, max, sum, mode, skew, kurt, cv, histogram)");
    println!("    {:<44} {:>10.1} ms   1.00x", "native Rust (same code, no sandbox)", ms(native));
    println!(
        "    {:<44} {:>10.1} ms   {:.2}x   ({:.2e} fuel)",
        "statbox sandbox (incl. column transfer)",
        ms(sandbox),
        ms(sandbox) / ms(native),
        fuel as f64
    );
    match &pandas {
        Some((d, full, version)) => {
            println!("    {:<44} {:>10.1} ms   {:.2}x", format!("pandas {version} df.describe()"), d, d / ms(native));
            println!(
                "    {:<44} {:>10.1} ms   {:.2}x",
                "pandas describe()+skew()+kurt()+mode()",
                full,
                full / ms(native)
            );
            println!("    sandbox vs pandas describe+skew+kurt+mode: {:.2}x", ms(sandbox) / full);
        }
        None => println!("    pandas: skipped (pass --python PATH with pandas installed)"),
    }
    println!("(d) correlation matrix of {COLS} columns x {corr_rows} rows, r and p for every pair");
    for (name, nat, sbx) in &corr_times {
        let py = &python_corr[*name];
        let vs = |key: &str, label: &str| {
            py[key]
                .as_f64()
                .map_or(String::new(), |s| format!("  {label} {:.1} ms ({:.2}x)", s * 1e3, ms(*sbx) / (s * 1e3)))
        };
        println!(
            "    {:<9} native {:>8.1} ms  statbox {:>8.1} ms ({:.2}x native){}{}",
            name,
            ms(*nat),
            ms(*sbx),
            ms(*sbx) / ms(*nat),
            vs("scipy_s", "| scipy per pair"),
            vs("pandas_s", "| pandas corr (r only)")
        );
    }
    println!("(e) {COLS} columns x {corr_rows} rows, every column");
    for (op, nat, sbx) in &shape_times {
        let reference = match *op {
            "normality" => "scipy shapiro+normaltest+jarque_bera+anderson+probplot",
            "fit" => "scipy 5x (fit + logpdf + kstest)",
            _ => "pandas isna/nunique/value_counts/moments/quantiles/duplicated",
        };
        let vs = python_corr["shapes"][*op]
            .as_f64()
            .map_or(String::new(), |s| format!("  | {reference} {:.1} ms ({:.2}x)", s * 1e3, ms(*sbx) / (s * 1e3)));
        println!(
            "    {:<9} native {:>8.1} ms  statbox {:>8.1} ms ({:.2}x native){vs}",
            op,
            ms(*nat),
            ms(*sbx),
            ms(*sbx) / ms(*nat)
        );
    }
    if args.ml_rows > 0 {
        ml::run(args.ml_rows, args.python.as_ref())?;
    }
    if args.load_mib > 0 {
        load::run(args.load_mib, args.python.as_ref())?;
    }
    if let Some(start) = python_start {
        println!("(c) subprocess-sandbox reference: python -c 'import pandas'");
        println!(
            "    {:>10.1} ms per request = {:.0}x the statbox per-call overhead",
            ms(start),
            start.as_secs_f64() / p50.as_secs_f64()
        );
    }
    Ok(())
}
