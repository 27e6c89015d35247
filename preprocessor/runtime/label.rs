//! Labels written as mathematics in plain text: a small subset of TeX turned into Unicode.
//!
//! Text inside an SVG figure cannot hold KaTeX's HTML, so axis titles, legends and the like
//! write their math the way a typeset formula looks, with Unicode's mathematical italic
//! letters, Greek letters, sub- and superscript digits and letters, the minus sign, ∂, ∇ and
//! primes. [`label`] converts the `$..$` parts of a label and leaves the rest as it is; a
//! construct it cannot write (a subscript letter Unicode has no subscript for, an unknown
//! command) is a mistake of the author and panics with the label named, which fails the build.

/// Turns the `$..$` parts of `text` into Unicode mathematics (`"$\\partial L/\\partial w_1$"`
/// becomes `"∂𝐿/∂𝑤₁"`); text outside dollars is kept as it is.
///
/// Inside the dollars: Latin letters become italic, digits and punctuation stay upright,
/// `-` becomes a minus sign, `'` a prime, spaces are dropped as TeX drops them, `=`, `<`, `>`,
/// `\le`, `\ge`, `\approx` and binary `+`, `-`, `\times` get spaces around them.
/// Supported commands: the Greek letters, `\partial`, `\nabla`, `\ell`, `\infty`, `\cdot`,
/// `\times`, `\pm`, `\le`, `\ge`, `\ne`, `\approx`, `\to`, `\sum`, `\prod`, `\star`, `\sqrt`,
/// `\lVert`/`\rVert`/`\|`, `\lvert`/`\rvert`, `\mid`, `\,`, `\;`, `\quad`, `\{`, `\}`, `\%`,
/// the upright operator names (`\log`, `\ln`, `\exp`, `\tanh`, `\max`, ...), `\mathcal{L}`
/// and `\text{..}`, `\mathrm{..}`, `\operatorname{..}` (upright). `_x`, `_{..}`, `^x`, `^{..}`
/// write sub- and superscripts.
pub fn label(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(start) = rest.find('$') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = after.find('$') else {
            panic!("label `{text}`: a `$` is never closed");
        };
        out.push_str(&math(&after[..end], text));
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

/// A token of the math: what it prints and how it spaces.
#[derive(Debug, Clone, PartialEq)]
enum Atom {
    /// An operand: letters, digits, symbols.
    Ord(String),
    /// A binary operator or relation, spaced on both sides when it follows an operand.
    Bin(String),
    /// Opening punctuation, after which `-` and `+` are signs, not operators.
    Open(String),
    /// Text that is not spaced at all (an explicit space).
    Space(String),
}

fn math(tex: &str, whole: &str) -> String {
    let atoms = parse(&mut tex.chars().peekable(), whole, false);
    let mut out = String::new();
    let mut after_operand = false;
    for atom in atoms {
        match atom {
            Atom::Ord(s) => {
                out.push_str(&s);
                after_operand = true;
            }
            Atom::Bin(s) if after_operand => {
                out.push(' ');
                out.push_str(&s);
                out.push(' ');
                after_operand = false;
            }
            Atom::Bin(s) | Atom::Open(s) => {
                out.push_str(&s);
                after_operand = false;
            }
            Atom::Space(s) => out.push_str(&s),
        }
    }
    out
}

type Chars<'a> = std::iter::Peekable<std::str::Chars<'a>>;

/// Reads atoms until the end, or until the closing `}` of a group when `group` is set.
fn parse(chars: &mut Chars<'_>, whole: &str, group: bool) -> Vec<Atom> {
    let mut atoms = Vec::new();
    while let Some(c) = chars.next() {
        match c {
            '}' if group => return atoms,
            '}' => panic!("label `{whole}`: a `}}` closes nothing"),
            '{' => {
                let inner = parse(chars, whole, true);
                atoms.push(Atom::Ord(flatten(&inner)));
            }
            ' ' | '\t' | '\n' => {}
            '_' | '^' => {
                let arg = argument(chars, whole);
                let script = flatten(&arg);
                let to = if c == '_' { subscript } else { superscript };
                let converted: Option<String> = script.chars().map(to).collect();
                match converted {
                    Some(s) => atoms.push(Atom::Ord(s)),
                    None => panic!(
                        "label `{whole}`: Unicode has no {} for `{}`; write it on the line",
                        if c == '_' { "subscript" } else { "superscript" },
                        script.chars().map(upright).collect::<String>()
                    ),
                }
            }
            '\'' => {
                let mut n = 1;
                while chars.peek() == Some(&'\'') {
                    chars.next();
                    n += 1;
                }
                atoms.push(Atom::Ord(match n {
                    1 => "′".to_owned(),
                    2 => "″".to_owned(),
                    3 => "‴".to_owned(),
                    _ => "′".repeat(n),
                }));
            }
            '-' => atoms.push(Atom::Bin("−".to_owned())),
            '+' => atoms.push(Atom::Bin("+".to_owned())),
            '=' | '<' | '>' => atoms.push(Atom::Bin(c.to_string())),
            '(' | '[' => atoms.push(Atom::Open(c.to_string())),
            ',' => atoms.push(Atom::Open(", ".to_owned())),
            '\\' => atoms.push(command(chars, whole)),
            c => atoms.push(Atom::Ord(italic(c).to_string())),
        }
    }
    if group {
        panic!("label `{whole}`: a `{{` is never closed");
    }
    atoms
}

/// The argument of `_`, `^` or a command: one group or one token.
fn argument(chars: &mut Chars<'_>, whole: &str) -> Vec<Atom> {
    while chars.peek() == Some(&' ') {
        chars.next();
    }
    match chars.next() {
        Some('{') => parse(chars, whole, true),
        Some('\\') => vec![command(chars, whole)],
        Some(c) => {
            let one = c.to_string();
            parse(&mut one.chars().peekable(), whole, false)
        }
        None => panic!("label `{whole}`: `_`, `^` or a command at the end has no argument"),
    }
}

/// Atoms written one after another, without spacing (for scripts and groups).
fn flatten(atoms: &[Atom]) -> String {
    atoms
        .iter()
        .map(|a| match a {
            Atom::Ord(s) | Atom::Bin(s) | Atom::Open(s) | Atom::Space(s) => s.trim().to_owned(),
        })
        .collect()
}

/// The raw text of a `{..}` argument (for `\text` and friends), upright.
fn raw_group(chars: &mut Chars<'_>, whole: &str) -> String {
    while chars.peek() == Some(&' ') {
        chars.next();
    }
    if chars.next() != Some('{') {
        panic!("label `{whole}`: `\\text`, `\\mathrm`, `\\operatorname` and `\\mathcal` take a `{{..}}`");
    }
    let mut depth = 0;
    let mut s = String::new();
    for c in chars.by_ref() {
        match c {
            '{' => depth += 1,
            '}' if depth == 0 => return s,
            '}' => depth -= 1,
            _ => {}
        }
        s.push(c);
    }
    panic!("label `{whole}`: a `{{` is never closed");
}

fn command(chars: &mut Chars<'_>, whole: &str) -> Atom {
    let mut name = String::new();
    while let Some(&c) = chars.peek() {
        if c.is_ascii_alphabetic() {
            name.push(c);
            chars.next();
        } else {
            break;
        }
    }
    if name.is_empty() {
        // A one-character command: `\,`, `\{`, `\|`, ...
        let c = chars.next().unwrap_or_else(|| panic!("label `{whole}`: a `\\` at the end"));
        return match c {
            ',' => Atom::Space("\u{2009}".to_owned()),
            ';' | ' ' => Atom::Space(" ".to_owned()),
            '{' => Atom::Open("{".to_owned()),
            '}' => Atom::Ord("}".to_owned()),
            '|' => Atom::Ord("‖".to_owned()),
            '%' => Atom::Ord("%".to_owned()),
            c => panic!("label `{whole}`: unknown command `\\{c}`"),
        };
    }
    if let Some(g) = greek(&name) {
        return Atom::Ord(g.to_string());
    }
    let ord = |s: &str| Atom::Ord(s.to_owned());
    let bin = |s: &str| Atom::Bin(s.to_owned());
    match name.as_str() {
        "partial" => ord("∂"),
        "nabla" => ord("∇"),
        "ell" => ord("ℓ"),
        "infty" => ord("∞"),
        "star" => ord("⋆"),
        "prime" => ord("′"),
        "sqrt" => Atom::Ord(format!("√{}", flatten(&argument(chars, whole)))),
        "sum" => Atom::Open("∑".to_owned()),
        "prod" => Atom::Open("∏".to_owned()),
        "lVert" | "rVert" | "Vert" => ord("‖"),
        "lvert" | "rvert" | "vert" | "mid" => ord("|"),
        "cdot" => bin("·"),
        "times" => bin("×"),
        "pm" => bin("±"),
        "le" | "leq" => bin("≤"),
        "ge" | "geq" => bin("≥"),
        "ne" | "neq" => bin("≠"),
        "approx" => bin("≈"),
        "to" => bin("→"),
        "quad" => Atom::Space("\u{2003}".to_owned()),
        "left" | "right" | "big" | "Big" | "bigl" | "bigr" => Atom::Space(String::new()),
        "log" | "ln" | "exp" | "tanh" | "sinh" | "cosh" | "sin" | "cos" | "max" | "min" | "arg" | "det" => {
            // An operator name is upright and set off from what follows by a thin space.
            Atom::Ord(format!("{name}\u{2009}"))
        }
        "text" | "mathrm" | "operatorname" => Atom::Ord(raw_group(chars, whole)),
        "mathcal" => {
            let letters = raw_group(chars, whole);
            Atom::Ord(
                letters
                    .chars()
                    .map(|c| calligraphic(c).unwrap_or_else(|| panic!("label `{whole}`: no `\\mathcal{{{c}}}`")))
                    .collect(),
            )
        }
        _ => panic!("label `{whole}`: unknown command `\\{name}`"),
    }
}

/// A Latin letter in mathematical italic (ℎ is the one outside the block); anything else as is.
fn italic(c: char) -> char {
    let offset = match c {
        'h' => return 'ℎ',
        'A'..='Z' => c as u32 - 'A' as u32,
        'a'..='z' => 26 + c as u32 - 'a' as u32,
        _ => return c,
    };
    char::from_u32(0x1D434 + offset).unwrap_or(c)
}

/// Undoes [`italic`], so that scripts can look their letters up.
fn upright(c: char) -> char {
    if c == 'ℎ' {
        return 'h';
    }
    let u = c as u32;
    if (0x1D434..0x1D434 + 26).contains(&u) {
        return char::from_u32('A' as u32 + u - 0x1D434).unwrap_or(c);
    }
    if (0x1D434 + 26..0x1D434 + 52).contains(&u) {
        return char::from_u32('a' as u32 + u - 0x1D434 - 26).unwrap_or(c);
    }
    c
}

fn subscript(c: char) -> Option<char> {
    let c = upright(c);
    let table = [
        ('0', '₀'),
        ('1', '₁'),
        ('2', '₂'),
        ('3', '₃'),
        ('4', '₄'),
        ('5', '₅'),
        ('6', '₆'),
        ('7', '₇'),
        ('8', '₈'),
        ('9', '₉'),
        ('+', '₊'),
        ('−', '₋'),
        ('=', '₌'),
        ('(', '₍'),
        (')', '₎'),
        ('a', 'ₐ'),
        ('e', 'ₑ'),
        ('h', 'ₕ'),
        ('i', 'ᵢ'),
        ('j', 'ⱼ'),
        ('k', 'ₖ'),
        ('l', 'ₗ'),
        ('m', 'ₘ'),
        ('n', 'ₙ'),
        ('o', 'ₒ'),
        ('p', 'ₚ'),
        ('r', 'ᵣ'),
        ('s', 'ₛ'),
        ('t', 'ₜ'),
        ('u', 'ᵤ'),
        ('v', 'ᵥ'),
        ('x', 'ₓ'),
        ('β', 'ᵦ'),
        ('γ', 'ᵧ'),
        ('ρ', 'ᵨ'),
        ('φ', 'ᵩ'),
        ('χ', 'ᵪ'),
        (',', ','),
        ('⋆', '⁎'),
    ];
    table.iter().find(|(k, _)| *k == c).map(|(_, v)| *v)
}

fn superscript(c: char) -> Option<char> {
    let c = upright(c);
    let table = [
        ('0', '⁰'),
        ('1', '¹'),
        ('2', '²'),
        ('3', '³'),
        ('4', '⁴'),
        ('5', '⁵'),
        ('6', '⁶'),
        ('7', '⁷'),
        ('8', '⁸'),
        ('9', '⁹'),
        ('+', '⁺'),
        ('−', '⁻'),
        ('=', '⁼'),
        ('(', '⁽'),
        (')', '⁾'),
        ('a', 'ᵃ'),
        ('b', 'ᵇ'),
        ('c', 'ᶜ'),
        ('d', 'ᵈ'),
        ('e', 'ᵉ'),
        ('f', 'ᶠ'),
        ('g', 'ᵍ'),
        ('h', 'ʰ'),
        ('i', 'ⁱ'),
        ('j', 'ʲ'),
        ('k', 'ᵏ'),
        ('l', 'ˡ'),
        ('m', 'ᵐ'),
        ('n', 'ⁿ'),
        ('o', 'ᵒ'),
        ('p', 'ᵖ'),
        ('r', 'ʳ'),
        ('s', 'ˢ'),
        ('t', 'ᵗ'),
        ('u', 'ᵘ'),
        ('v', 'ᵛ'),
        ('w', 'ʷ'),
        ('x', 'ˣ'),
        ('y', 'ʸ'),
        ('z', 'ᶻ'),
        ('A', 'ᴬ'),
        ('B', 'ᴮ'),
        ('D', 'ᴰ'),
        ('E', 'ᴱ'),
        ('G', 'ᴳ'),
        ('H', 'ᴴ'),
        ('I', 'ᴵ'),
        ('J', 'ᴶ'),
        ('K', 'ᴷ'),
        ('L', 'ᴸ'),
        ('M', 'ᴹ'),
        ('N', 'ᴺ'),
        ('O', 'ᴼ'),
        ('P', 'ᴾ'),
        ('R', 'ᴿ'),
        ('T', 'ᵀ'),
        ('U', 'ᵁ'),
        ('W', 'ᵂ'),
        ('′', '′'),
        ('″', '″'),
        ('⋆', '⋆'),
        ('*', '*'),
        ('.', '·'),
    ];
    table.iter().find(|(k, _)| *k == c).map(|(_, v)| *v)
}

fn greek(name: &str) -> Option<char> {
    let table = [
        ("alpha", 'α'),
        ("beta", 'β'),
        ("gamma", 'γ'),
        ("delta", 'δ'),
        ("epsilon", 'ϵ'),
        ("varepsilon", 'ε'),
        ("zeta", 'ζ'),
        ("eta", 'η'),
        ("theta", 'θ'),
        ("iota", 'ι'),
        ("kappa", 'κ'),
        ("lambda", 'λ'),
        ("mu", 'μ'),
        ("nu", 'ν'),
        ("xi", 'ξ'),
        ("pi", 'π'),
        ("rho", 'ρ'),
        ("sigma", 'σ'),
        ("tau", 'τ'),
        ("upsilon", 'υ'),
        ("phi", 'ϕ'),
        ("varphi", 'φ'),
        ("chi", 'χ'),
        ("psi", 'ψ'),
        ("omega", 'ω'),
        ("Gamma", 'Γ'),
        ("Delta", 'Δ'),
        ("Theta", 'Θ'),
        ("Lambda", 'Λ'),
        ("Xi", 'Ξ'),
        ("Pi", 'Π'),
        ("Sigma", 'Σ'),
        ("Phi", 'Φ'),
        ("Psi", 'Ψ'),
        ("Omega", 'Ω'),
    ];
    table.iter().find(|(k, _)| *k == name).map(|(_, v)| *v)
}

fn calligraphic(c: char) -> Option<char> {
    let table = [('L', 'ℒ'), ('H', 'ℋ'), ('E', 'ℰ'), ('F', 'ℱ'), ('B', 'ℬ'), ('R', 'ℛ'), ('M', 'ℳ'), ('I', 'ℐ')];
    table.iter().find(|(k, _)| *k == c).map(|(_, v)| *v)
}

#[cfg(test)]
mod tests {
    use super::label;

    #[track_caller]
    fn check(tex: &str, expected: &str) {
        assert_eq!(label(tex), expected, "label({tex:?})");
    }

    #[test]
    fn letters_are_italic_digits_and_names_upright() {
        check("$x$", "𝑥");
        check("$h$", "ℎ");
        check("$L(w)$", "𝐿(𝑤)");
        check("$\\log_{10} |\\partial a_l / \\partial a_0|$", "log\u{2009}₁₀|∂𝑎ₗ/∂𝑎₀|");
        check("$\\tanh(\\alpha x)$", "tanh\u{2009}(α𝑥)");
    }

    #[test]
    fn text_outside_dollars_is_kept() {
        check("iteration", "iteration");
        check("loss $L$ (nats)", "loss 𝐿 (nats)");
        check("$\\tau$ and $\\lambda$", "τ and λ");
    }

    #[test]
    fn scripts_primes_and_signs() {
        check("$f''(s)$", "𝑓″(𝑠)");
        check("$f'$", "𝑓′");
        check("$2^{-1074}$", "2⁻¹⁰⁷⁴");
        check("$\\lVert \\nabla W_1 \\rVert$", "‖∇𝑊₁‖");
        check("$e^{-E}$", "𝑒⁻ᴱ");
        check("$x^T$", "𝑥ᵀ");
        check("$W_{ji}$", "𝑊ⱼᵢ");
        check("$g_\\star$ and $s^\\star$", "𝑔⁎ and 𝑠⋆");
    }

    #[test]
    fn operators_are_spaced_signs_are_not() {
        check("$-x$", "−𝑥");
        check("$a-b$", "𝑎 − 𝑏");
        check("$x = -1$", "𝑥 = −1");
        check("$(-1)$", "(−1)");
        check("$28 \\times 28 \\times C$", "28 × 28 × 𝐶");
        check("$\\sigma'(s) \\le 1/4$", "σ′(𝑠) ≤ 1/4");
    }

    #[test]
    fn upright_text_and_calligraphic() {
        check("$\\text{CE}$", "CE");
        check("$\\mathcal{L}(\\tau)$", "ℒ(τ)");
        check("$\\exp(-E)$", "exp\u{2009}(−𝐸)");
    }

    #[test]
    #[should_panic(expected = "no subscript for `q`")]
    fn a_script_unicode_lacks_fails() {
        label("$x_q$");
    }

    #[test]
    #[should_panic(expected = "unknown command `\\frak`")]
    fn an_unknown_command_fails() {
        label("$\\frak{g}$");
    }

    #[test]
    #[should_panic(expected = "never closed")]
    fn an_unclosed_dollar_fails() {
        label("$x");
    }
}
