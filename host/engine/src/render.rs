//! Rendering results with a template's minijinja reply.
//!
//! Besides minijinja's builtins, reply templates get:
//! - `x | num` — a number formatted for reading (integers whole, others to 6 significant
//!   digits, very large or small ones in scientific notation, null as "—");
//! - `record_table(records, keys, label)` — a plain-text table with one row per key and
//!   one column per record (`label` names the header field of each record), the layout of
//!   pandas' `describe()`;
//! - `table(records, keys)` — one row per record, one column per key;
//! - `matrix_table(labels, matrix)` — a labelled square matrix (e.g. correlations);
//! - `matrix_counts(rows, columns, cells)` — a labelled table of numbers (e.g. counts).

use minijinja::value::Value as JValue;
use minijinja::{Environment, Error, ErrorKind};

/// Renders `source` with `context`.
pub fn render(source: &str, context: &serde_json::Value) -> Result<String, String> {
    let mut env = environment();
    env.add_template("reply", source).map_err(|e| describe(&e))?;
    let tmpl = env.get_template("reply").map_err(|e| describe(&e))?;
    let out = tmpl.render(JValue::from_serialize(context)).map_err(|e| describe(&e))?;
    Ok(out.trim_end().to_string() + "\n")
}

/// Compiles `source` without rendering it (template load time).
pub(crate) fn check_syntax(source: &str) -> Result<(), String> {
    let mut env = environment();
    env.add_template("reply", source).map_err(|e| describe(&e))
}

fn describe(e: &Error) -> String {
    match e.line() {
        Some(line) => format!("{} (line {line})", e),
        None => e.to_string(),
    }
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.add_filter("num", |v: JValue| format_value(&v));
    env.add_function("record_table", record_table);
    env.add_function("table", table);
    env.add_function("matrix_table", matrix_table);
    env.add_function("matrix_counts", matrix_counts);
    env
}

/// Formats a number for people: 300 -> "300", 1234.5678 -> "1234.57", 1.5e-7 -> "1.5e-07".
pub fn format_number(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    if x == x.trunc() && x.abs() < 1e15 {
        return format!("{}", x as i64);
    }
    let a = x.abs();
    if !(1e-4..1e9).contains(&a) {
        let s = format!("{x:.4e}");
        return tidy_exponent(&s);
    }
    let digits = 6i32 - (a.log10().floor() as i32 + 1);
    let s = format!("{:.*}", digits.max(0) as usize, x);
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_string() } else { s }
}

fn tidy_exponent(s: &str) -> String {
    let (mantissa, exp) = s.split_once('e').unwrap_or((s, "0"));
    let mantissa = if mantissa.contains('.') { mantissa.trim_end_matches('0').trim_end_matches('.') } else { mantissa };
    let exp: i32 = exp.parse().unwrap_or(0);
    format!("{mantissa}e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs())
}

fn format_value(v: &JValue) -> String {
    if v.is_none() || v.is_undefined() {
        return "—".into();
    }
    if v.is_number()
        && let Ok(f) = f64::try_from(v.clone())
    {
        return format_number(f);
    }
    v.to_string()
}

fn cell(record: &JValue, key: &str) -> String {
    match record.get_attr(key) {
        Ok(v) => format_value(&v),
        Err(_) => "—".into(),
    }
}

fn keys_of(keys: &JValue) -> Result<Vec<String>, Error> {
    keys.try_iter()?
        .map(|k| {
            k.as_str()
                .map(str::to_string)
                .ok_or_else(|| Error::new(ErrorKind::InvalidOperation, "keys must be strings"))
        })
        .collect()
}

fn record_table(records: JValue, keys: JValue, label: Option<String>) -> Result<String, Error> {
    let label = label.unwrap_or_else(|| "name".into());
    let records: Vec<JValue> = records.try_iter()?.collect();
    let keys = keys_of(&keys)?;
    let mut rows =
        vec![std::iter::once(String::new()).chain(records.iter().map(|r| cell(r, &label))).collect::<Vec<_>>()];
    for key in &keys {
        rows.push(std::iter::once(key.clone()).chain(records.iter().map(|r| cell(r, key))).collect());
    }
    Ok(align(&rows))
}

fn table(records: JValue, keys: JValue) -> Result<String, Error> {
    let keys = keys_of(&keys)?;
    let mut rows = vec![keys.clone()];
    for r in records.try_iter()? {
        rows.push(keys.iter().map(|k| cell(&r, k)).collect());
    }
    Ok(align(&rows))
}

fn matrix_table(labels: JValue, matrix: JValue) -> Result<String, Error> {
    let labels = keys_of(&labels)?;
    let mut rows = vec![std::iter::once(String::new()).chain(labels.iter().cloned()).collect::<Vec<_>>()];
    for (label, row) in labels.iter().zip(matrix.try_iter()?) {
        let mut cells = vec![label.clone()];
        for v in row.try_iter()? {
            cells.push(if v.is_none() { "—".into() } else { format!("{:.3}", f64::try_from(v).unwrap_or(f64::NAN)) });
        }
        rows.push(cells);
    }
    Ok(align(&rows))
}

/// A table with row labels, column labels and numeric cells (e.g. a contingency table).
fn matrix_counts(rows: JValue, columns: JValue, cells: JValue) -> Result<String, Error> {
    let rows = keys_of(&rows)?;
    let columns = keys_of(&columns)?;
    let mut out = vec![std::iter::once(String::new()).chain(columns.iter().cloned()).collect::<Vec<_>>()];
    for (label, row) in rows.iter().zip(cells.try_iter()?) {
        out.push(std::iter::once(label.clone()).chain(row.try_iter()?.map(|v| format_value(&v))).collect());
    }
    Ok(align(&out))
}

/// Left-aligns the first column and right-aligns the others (numbers line up).
fn align(rows: &[Vec<String>]) -> String {
    let ncols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let widths: Vec<usize> =
        (0..ncols).map(|c| rows.iter().map(|r| r.get(c).map_or(0, |s| s.chars().count())).max().unwrap_or(0)).collect();
    let mut out = String::new();
    for row in rows {
        let mut line = String::new();
        for (c, w) in widths.iter().enumerate() {
            let s = row.get(c).map_or("", String::as_str);
            let pad = w - s.chars().count();
            if c == 0 {
                line.push_str(s);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str("  ");
                line.push_str(&" ".repeat(pad));
                line.push_str(s);
            }
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn numbers_read_well() {
        assert_eq!(format_number(300.0), "300");
        assert_eq!(format_number(1234.56789), "1234.57");
        assert_eq!(format_number(0.000123456), "0.000123456");
        assert_eq!(format_number(1.5e-7), "1.5e-07");
        assert_eq!(format_number(2.5e12), "2500000000000");
        assert_eq!(format_number(-0.5), "-0.5");
    }

    #[test]
    fn record_tables_align() {
        let ctx = json!({"cols": [{"name": "a", "mean": 1.5, "std": null}, {"name": "bb", "mean": 10, "std": 2}]});
        let out = render("{{ record_table(cols, ['mean', 'std']) }}", &ctx).unwrap();
        assert_eq!(out, "        a  bb\nmean  1.5  10\nstd     —   2\n");
    }

    #[test]
    fn matrices_render_with_three_decimals() {
        let ctx = json!({"l": ["a", "b"], "m": [[1.0, -0.25], [-0.25, null]]});
        let out = render("{{ matrix_table(l, m) }}", &ctx).unwrap();
        assert_eq!(out, "        a       b\na   1.000  -0.250\nb  -0.250       —\n");
    }

    #[test]
    fn syntax_errors_name_the_line() {
        let err = check_syntax("ok\n{% if %}").unwrap_err();
        assert!(err.contains("line 2"), "{err}");
    }
}
