//! A strict reading of Telegram's MarkdownV2 (Bot API, "Formatting options"), so tests can
//! tell whether Telegram would accept a message: the fake Bot API server stores text as
//! sent and parses nothing.
//!
//! Rules checked: outside code every one of `_*[]()~`>#+-=|{}.!` must be escaped with `\`
//! unless it opens or closes an entity; `*bold*`, `_italic_`, `__underline__`, `~strike~`
//! and `||spoiler||` must be closed, in order; inside `code` and ```pre``` blocks only `` ` ``
//! and `\` may (and must) be escaped. Links and block quotes are not produced by statbox, so
//! `[`, `]`, `(`, `)` and `>` are reserved here like the rest.

/// The text Telegram would show, or why Telegram would refuse the message.
pub fn parse(markdown: &str) -> Result<String, String> {
    let chars: Vec<char> = markdown.chars().collect();
    let mut plain = String::new();
    let mut open: Vec<&'static str> = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let rest: String = chars[i..chars.len().min(i + 3)].iter().collect();
        if c == '\\' {
            let next = *chars.get(i + 1).ok_or("a message ends with a lone backslash")?;
            if (next as u32) > 126 {
                return Err(format!("backslash before {next:?}, which is not an ASCII character"));
            }
            plain.push(next);
            i += 2;
        } else if rest.starts_with("```") {
            let close = find_code_end(&chars, i + 3, "```").ok_or("a ``` block is never closed")?;
            let body: String = chars[i + 3..close].iter().collect();
            // The first line may name a language; statbox's blocks start with a newline.
            let body = body.strip_prefix('\n').unwrap_or(&body);
            plain.push_str(&unescape_code(body)?);
            i = close + 3;
        } else if c == '`' {
            let close = find_code_end(&chars, i + 1, "`").ok_or("inline code is never closed")?;
            let body: String = chars[i + 1..close].iter().collect();
            plain.push_str(&unescape_code(&body)?);
            i = close + 1;
        } else if let Some(marker) = ["__", "||", "*", "_", "~"].into_iter().find(|m| rest.starts_with(m)) {
            if open.last() == Some(&marker) {
                open.pop();
            } else if open.contains(&marker) {
                return Err(format!("entity {marker} closed out of order"));
            } else {
                open.push(marker);
            }
            i += marker.chars().count();
        } else if "[]()>#+-=|{}.!".contains(c) {
            return Err(format!("character {c:?} is reserved and must be escaped (at char {i})"));
        } else {
            plain.push(c);
            i += 1;
        }
    }
    match open.last() {
        Some(m) => Err(format!("entity {m} is never closed")),
        None => Ok(plain),
    }
}

/// The index where `marker` closes code starting at `from`, skipping escapes.
fn find_code_end(chars: &[char], from: usize, marker: &str) -> Option<usize> {
    let marker: Vec<char> = marker.chars().collect();
    let mut i = from;
    while i < chars.len() {
        if chars[i] == '\\' {
            i += 2;
            continue;
        }
        if chars[i..].starts_with(&marker) {
            return Some(i);
        }
        i += 1;
    }
    None
}

fn unescape_code(body: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some(e @ ('`' | '\\')) => out.push(e),
                other => return Err(format!("in code only ` and \\ may be escaped, found \\{other:?}")),
            },
            '`' => return Err("an unescaped ` inside code".into()),
            c => out.push(c),
        }
    }
    Ok(out)
}

#[test]
fn the_reader_accepts_telegram_examples_and_refuses_mistakes() {
    assert_eq!(parse(r"*bold \*text*").as_deref(), Ok("bold *text"));
    assert_eq!(parse("```\nlet a = 1;\n```").as_deref(), Ok("let a = 1;\n"));
    assert_eq!(parse(r"a\_b \(c\)").as_deref(), Ok("a_b (c)"));
    assert!(parse("a_b").is_err(), "unclosed italic");
    assert!(parse("3.5").is_err(), "unescaped dot");
    assert!(parse("(x)").is_err());
    assert!(parse("```\nno end").is_err());
}
