//! Plain reply text → Telegram MarkdownV2 messages.
//!
//! The conversation engine answers in plain text; its tables are aligned with spaces. Here
//! every character that MarkdownV2 reserves is escaped (column names such as `a_b*(c)` come
//! from users), aligned paragraphs become monospace blocks so their columns line up, the
//! title line is bold, and a long reply is split on line boundaries into messages that each
//! stay under Telegram's limit with every block closed in the message that opened it.

/// Telegram's limit for one message's text.
pub const MESSAGE_LIMIT: usize = 4096;
/// Telegram's limit for a photo or document caption.
pub const CAPTION_LIMIT: usize = 1024;

/// Characters MarkdownV2 reserves outside code (Bot API, "MarkdownV2 style").
const RESERVED: &[char] =
    &['_', '*', '[', ']', '(', ')', '~', '`', '>', '#', '+', '-', '=', '|', '{', '}', '.', '!', '\\'];

/// Escapes text for a MarkdownV2 message, outside any entity.
pub fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 8);
    for c in text.chars() {
        if RESERVED.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Escapes text inside a ``` block, where only ` and \ are special.
fn escape_code(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c == '`' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Length as Telegram counts it (UTF-16 code units).
pub fn telegram_len(s: &str) -> usize {
    s.encode_utf16().count()
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Kind {
    Title,
    Plain,
    Code,
}

/// One source line and how it renders.
struct Line<'a> {
    text: &'a str,
    kind: Kind,
}

/// A paragraph is a table when two or more of its lines align columns with runs of
/// spaces after their first word; such paragraphs render monospace.
fn is_aligned(paragraph: &[&str]) -> bool {
    paragraph.iter().filter(|l| l.trim_start().contains("  ")).count() >= 2
}

fn classify(text: &str) -> Vec<Line<'_>> {
    let lines: Vec<&str> = text.lines().collect();
    let mut out = Vec::with_capacity(lines.len());
    let mut start = 0;
    while start < lines.len() {
        let end = (start..lines.len()).find(|&i| lines[i].trim().is_empty()).unwrap_or(lines.len());
        let paragraph = &lines[start..end];
        let kind = if is_aligned(paragraph) { Kind::Code } else { Kind::Plain };
        out.extend(paragraph.iter().map(|l| Line { text: l, kind }));
        if end < lines.len() {
            out.push(Line { text: "", kind: Kind::Plain });
        }
        start = end + 1;
    }
    // A short first line followed by more is the reply's title.
    if out.len() > 1 && out[0].kind == Kind::Plain && !out[0].text.trim().is_empty() && telegram_len(out[0].text) <= 120
    {
        out[0].kind = Kind::Title;
    }
    out
}

/// Renders one line (without its newline) in its kind.
fn render_line(line: &Line) -> String {
    match line.kind {
        Kind::Title => format!("*{}*", escape(line.text)),
        Kind::Plain => escape(line.text),
        Kind::Code => escape_code(line.text),
    }
}

/// Cuts an over-long source line into pieces that render within `room`, at spaces where
/// possible.
fn cut_long(line: &str, kind: Kind, room: usize) -> Vec<&str> {
    let mut pieces = Vec::new();
    let mut rest = line;
    while !rest.is_empty() {
        let fits = |s: &str| telegram_len(&render_line(&Line { text: s, kind })) <= room;
        if fits(rest) {
            pieces.push(rest);
            break;
        }
        // The longest prefix (on a char boundary) that fits; then back off to a space.
        let mut end = 0;
        for (i, c) in rest.char_indices() {
            if !fits(&rest[..i + c.len_utf8()]) {
                break;
            }
            end = i + c.len_utf8();
        }
        // Prefer the end of a list item ("a (numeric), b (numeric)"), then any space.
        let end = match (rest[..end].rfind(", "), rest[..end].rfind(' ')) {
            (Some(comma), _) if comma > end / 2 => comma + 2,
            (_, Some(space)) if space > end / 2 => space + 1,
            _ => end.max(rest.chars().next().map_or(1, char::len_utf8)),
        };
        pieces.push(&rest[..end]);
        rest = &rest[end..];
    }
    pieces
}

/// Renders a plain reply as MarkdownV2 messages of at most `limit` UTF-16 units each,
/// split on line boundaries; a monospace block cut by a split is closed and reopened.
pub fn render(text: &str, limit: usize) -> Vec<String> {
    const OPEN: &str = "```\n";
    const CLOSE: &str = "\n```";
    // Room for a line in the worst case: inside a block opened and closed in this message.
    let room = limit.saturating_sub(OPEN.len() + CLOSE.len() + 1).max(16);
    let mut lines = Vec::new();
    for line in classify(text) {
        if telegram_len(&render_line(&line)) > room {
            lines.extend(cut_long(line.text, line.kind, room).into_iter().map(|t| Line { text: t, kind: line.kind }));
        } else {
            lines.push(line);
        }
    }

    let mut messages = Vec::new();
    let mut current = String::new();
    let mut in_code = false;
    let close = |current: &mut String, in_code: &mut bool, messages: &mut Vec<String>| {
        if *in_code {
            current.push_str(CLOSE);
            *in_code = false;
        }
        let trimmed = current.trim_end_matches('\n').to_string();
        if !trimmed.trim().is_empty() {
            messages.push(trimmed);
        }
        current.clear();
    };
    for line in &lines {
        let rendered = render_line(line);
        let entering = line.kind == Kind::Code && !in_code;
        let leaving = line.kind != Kind::Code && in_code;
        // What this line adds, and what closing the message after it would add.
        let mut addition = String::new();
        if leaving {
            addition.push_str(CLOSE);
            addition.push('\n');
        } else if !current.is_empty() {
            addition.push('\n');
        }
        if entering {
            addition.push_str(OPEN);
        }
        addition.push_str(&rendered);
        let closing = if line.kind == Kind::Code { CLOSE.len() } else { 0 };
        if !current.is_empty() && telegram_len(&current) + telegram_len(&addition) + closing > limit {
            close(&mut current, &mut in_code, &mut messages);
            if line.kind == Kind::Code {
                current.push_str(OPEN);
                in_code = true;
            }
            current.push_str(&rendered);
            continue;
        }
        if leaving {
            in_code = false;
        }
        if entering {
            in_code = true;
        }
        current.push_str(&addition);
    }
    close(&mut current, &mut in_code, &mut messages);
    if messages.is_empty() {
        messages.push(escape("(empty reply)"));
    }
    messages
}

/// A caption (figure titles, file names): escaped and cut to Telegram's caption limit.
pub fn caption(text: &str) -> String {
    let mut t: String = text.chars().take(CAPTION_LIMIT / 2).collect();
    if t.len() < text.len() {
        t.push('…');
    }
    escape(&t)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reserved_character_is_escaped() {
        assert_eq!(
            escape("a_b*c[d](e)~f`g>h#i+j-k=l|m{n}o.p!q\\r"),
            r"a\_b\*c\[d\]\(e\)\~f\`g\>h\#i\+j\-k\=l\|m\{n\}o\.p\!q\\r"
        );
        assert_eq!(escape("plain words, 42"), "plain words, 42");
    }

    #[test]
    fn aligned_paragraphs_become_code_and_the_first_line_is_bold() {
        let reply = "Descriptive statistics — 3 rows\n\n        sales\ncount       3\nmean      2.5\n\nDone.";
        let out = render(reply, MESSAGE_LIMIT);
        assert_eq!(out.len(), 1);
        assert_eq!(
            out[0],
            "*Descriptive statistics — 3 rows*\n\n```\n        sales\ncount       3\nmean      2.5\n```\n\nDone\\."
        );
    }

    #[test]
    fn long_replies_split_on_lines_and_blocks_are_reopened() {
        let table: Vec<String> = (0..400).map(|i| format!("row_{i:03}    {:>8}", i * 7)).collect();
        let reply = format!("Title\n\n{}\n\nThe end.", table.join("\n"));
        let out = render(&reply, 1000);
        assert!(out.len() > 5, "{}", out.len());
        for m in &out {
            assert!(telegram_len(m) <= 1000, "{}", telegram_len(m));
            assert_eq!(m.matches("```").count() % 2, 0, "unbalanced block: {m}");
        }
        // Every source line appears exactly once, whole.
        let joined = out.join("\n");
        for row in &table {
            assert_eq!(joined.matches(row.as_str()).count(), 1, "{row}");
        }
    }

    #[test]
    fn one_huge_line_is_cut_at_spaces() {
        let line = "word ".repeat(3000);
        let out = render(&line, MESSAGE_LIMIT);
        assert!(out.len() >= 4);
        assert!(out.iter().all(|m| telegram_len(m) <= MESSAGE_LIMIT));
        assert!(out.iter().all(|m| !m.contains("wo\nrd")));
    }
}
